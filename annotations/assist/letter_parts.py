"""Letter parts as suggestions: the letter label set, suggesting them on every import, storing what is found."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from ..labels import ENTITY, STRUCTURE, choose_color
from ..records import Box, Label, Page
from ..text.matching import Match
from .letter_finder import find_parts
from .letter_lines import lines_of
from .suggest import Hit, SuggestReport, store_hits

if TYPE_CHECKING:
    from PIL import Image

    from ..store import Project

SOURCE = "letter-parts"

LETTER_LABELS = {
    "letterhead": "the sender's printed heading: name, address, partners' names",
    "date": "the date the letter was written",
    "recipient": "the inside address: who the letter is to",
    "subject": "the subject or reference line (Re:, Subject:)",
    "salutation": "Dear ...:",
    "body": "one paragraph of the letter's text between the salutation and the closing",
    "closing": "Sincerely, Yours truly, ...",
    "signature_block": "a region around the closing, the signature and the typed name below it",
    "signature": "a region around the handwritten signature itself",
    "enclosure": "Enclosure(s) lines",
    "cc": "copies to (cc:) lines",
}
"""The label set `scanspan labels --add-set letter` adds."""

LABEL_SETS = {"letter": LETTER_LABELS}


def add_label_set(project: Project, name: str) -> list[str]:
    """Add the labels of set `name` the project lacks; their names."""
    if name not in LABEL_SETS:
        from ..errors import ProjectError

        raise ProjectError(f"no label set {name!r}; sets are: {', '.join(LABEL_SETS)}")
    from ..store.project import default_labels

    have = {label.name for label in project.labels()}
    # A default label the set shares (signature) keeps its layer: the handwriting is an entity.
    entities = {label.name for label in default_labels() if label.layer == ENTITY}
    added = []
    for label, description in LABEL_SETS[name].items():
        if label not in have:
            colors = [lab.color for lab in project.labels()]
            layer = ENTITY if label in entities else STRUCTURE
            project.add_label(Label(label, choose_color(colors), None, description, layer))
            added.append(label)
    return added


def kept_on_import(project: Project) -> bool:
    """Whether the project suggests letter parts for every document imported into it."""
    return any(rule.kind == SOURCE for rule in project.rules())


def keep_on_import(project: Project, on: bool = True) -> list[str]:
    """Suggest letter parts for every later import (adding the letter labels the project lacks),
    or stop; the labels added. Kept as a rule beside the kept term lists (`suggestions kept`)."""
    if not on:
        for rule in project.rules():
            if rule.kind == SOURCE:
                project.drop_rule(rule.id)
        return []
    added = add_label_set(project, "letter")
    if not kept_on_import(project):
        project.keep_rule(SOURCE, SOURCE, "", "")
    return added


def suggest_letter_parts(project: Project, doc_ids: Sequence[int]) -> tuple[SuggestReport, int]:
    """Store the letter parts of each document as suggestions; the report and the regions added
    (signature blocks and signatures)."""
    missing = [name for name in LETTER_LABELS if name not in {label.name for label in project.labels()}]
    if missing:
        from ..errors import ProjectError

        raise ProjectError(f"the project lacks the letter labels {', '.join(missing)} "
                           "(add them with: scanspan labels --add-set letter)")
    hits: list[Hit] = []
    regions = 0
    for doc_id in doc_ids:
        pages = project.pages(doc_id)
        lines = lines_of(project, doc_id)
        images = _LazyImages(project, pages)
        parts = find_parts(lines, images)
        text = project.document_text(doc_id)
        for label, start, end in parts.spans:
            first, last, _, _ = text.anchor(start, end)
            hits.append(Hit(doc_id, label, Match(start, end, text.word_index(first), text.word_index(last), 0, 0.8), SOURCE))
        for label, found in (("signature_block", parts.signature_blocks), ("signature", parts.signatures)):
            for index, box in found:
                page = pages[index]
                # One the analyst drew or kept there already stands for it; one rejected stays rejected.
                have = [r for r in project.regions(doc_id) if r.page_id == page.id and r.label == label
                        and _overlaps(r.box, box)]
                if not have and not project.region_rejected(page.id, label, box):
                    project.add_region(page.id, label, box, source=SOURCE, suggested=True)
                    regions += 1
    return store_hits(project, hits), regions


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _LazyImages(Mapping[int, "Image.Image"]):
    """A document's scanned pages, rendered in grey when first looked up: only the page of the
    sign-off is rendered, and a text layer's page (no ink to read) never is."""

    def __init__(self, project: Project, pages: Sequence[Page]) -> None:
        self._project = project
        self._scanned = [i for i, page in enumerate(pages) if not page.provenance.text_layer]
        self._pages = pages
        self._rendered: dict[int, Image.Image] = {}

    def __getitem__(self, index: int) -> Image.Image:
        if index not in self._scanned:
            raise KeyError(index)
        if index not in self._rendered:
            self._rendered[index] = self._project.page_image(self._pages[index], gray=True)
        return self._rendered[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._scanned)

    def __len__(self) -> int:
        return len(self._scanned)
