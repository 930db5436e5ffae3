"""Reading imported documents again (`scanspan reocr`): new words, and the analysts' work carried to them by alignment."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Cancelled, ProjectError
from ..records import Document, RawWord, Span, Word
from ..store.documents import Carried
from ..store.imports import NewPage
from ..text.alignment import align
from ..text.layer import DocumentText
from ..wording import counted
from .files import CancelCheck, ImportOptions, Prepared, Progress, run_import

if TYPE_CHECKING:
    from ..store import Project


@dataclass
class Reread:
    """What reading one document again did."""

    document: Document
    pages: int = 0
    spans: int = 0
    """Spans (with their notes) carried to the new words."""
    corrections: int = 0
    """OCR corrections carried to a new word (or now read as corrected)."""
    regions: int = 0
    """Regions: boxes on the page, which stay where they are."""
    lost: list[str] = field(default_factory=list)
    """What could not be carried, one line each: removed with the old words."""
    warnings: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    """The languages each page was read with."""

    def summary(self) -> str:
        line = (f"document {self.document.id} ({self.document.name}): {self.pages} page"
                f"{'' if self.pages == 1 else 's'} read again ({', '.join(dict.fromkeys(self.languages))}); "
                f"carried {self.spans} span{'' if self.spans == 1 else 's'}, "
                f"{self.corrections} correction{'' if self.corrections == 1 else 's'}; "
                f"{self.regions} region{'' if self.regions == 1 else 's'} kept")
        if self.lost:
            line += f"; {len(self.lost)} not carried"
        return line


class _Fresh:
    """The project as a new import sees it: the document is not there yet, the OCR cache is."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def document_for_source(self, sha256: str) -> Document | None:
        return None

    def cached_words(self, key: str) -> list[RawWord] | None:
        return self.project.cached_words(key)


def reread(project: Project, doc_id: int, options: ImportOptions, progress: Progress | None = None,
           cancel: CancelCheck | None = None) -> Reread:
    """Read a document's pages again with `options` (force_ocr is implied) and store the new words in one
    transaction, its spans, notes, corrections, rejections and adjudications carried to them."""
    document = project.document(doc_id)
    old_pages = project.pages(doc_id)
    prepared: list[Prepared] = []
    options = replace(options, force_ocr=True, letter_parts=False)
    with tempfile.TemporaryDirectory(prefix="scanspan-reocr-") as folder:
        path = Path(folder) / (Path(document.name).name or "document")
        path.write_bytes(project.source_data(document.source_sha256))

        def deliver(ready: Prepared) -> Document:
            prepared.append(ready)
            return document

        (outcome,) = run_import([path], options, _Fresh(project), deliver, progress, cancel)
    if outcome.status == "cancelled":
        raise Cancelled()
    if outcome.status != "imported" or not prepared:
        raise ProjectError(outcome.message.replace(str(path), document.name) or f"{document.name}: not read again")
    new_pages = prepared[0].pages
    if len(new_pages) != len(old_pages):
        raise ProjectError(f"{document.name}: the stored file now has {len(new_pages)} pages, not {len(old_pages)}")
    result = Reread(document, len(new_pages), warnings=list(outcome.warnings))
    by_id: dict[int, NewPage] = {}
    for old, new in zip(old_pages, new_pages):
        by_id[old.id] = _in_page_pixels(new, old.width, old.height)
        result.languages.append(new.provenance.lang)
    old_text = project.document_text(doc_id, keep=False)
    spans = project.spans(doc_id)
    refs = project.word_refs(doc_id)
    result.regions = len(project.regions(doc_id))

    def carry(new_ids: Mapping[int, list[int]]) -> Carried:
        words = [[_word(word_id, page.id, i, raw) for i, (word_id, raw) in
                  enumerate(zip(new_ids[page.id], by_id[page.id].words))] for page in old_pages]
        return _carry(old_text, DocumentText.from_words(words), spans, refs, result)

    project.replace_words(doc_id, by_id, carry)
    return result


def _in_page_pixels(page: NewPage, width: int, height: int) -> NewPage:
    """A new reading at another resolution, its boxes in the stored page's pixels (regions stay put)."""
    if (page.width, page.height) == (width, height):
        return page
    sx, sy = width / page.width, height / page.height
    words = [RawWord(w.text, (w.box[0] * sx, w.box[1] * sy, w.box[2] * sx, w.box[3] * sy), w.conf, w.block, w.par,
                     w.line) for w in page.words]
    return replace(page, words=words, width=width, height=height, cache_key=None, also=[])


def _word(word_id: int, page_id: int, index: int, raw: RawWord) -> Word:
    return Word(word_id, page_id, index, raw.text, raw.text, raw.box, raw.conf, raw.block, raw.par, raw.line)


def _carry(old: DocumentText, new: DocumentText, spans: list[Span], refs: list[tuple[str, int, int, int]],
           result: Reread) -> Carried:
    mapping = align(old.text, new.text)
    anchors: dict[int, tuple[int, int, int, int]] = {}
    dropped: list[tuple[str, int]] = []
    for span in spans:
        try:
            resolved = old.resolve(span)
        except KeyError:  # made by another program while this document was being read again
            dropped.append(("spans", span.id))
            result.lost.append(f"span {span.id} ({span.label}): made while the document was read again")
            continue
        target = mapping.map_range(resolved.start, resolved.end)
        try:
            if target is None:
                raise ValueError("no counterpart")
            anchors[span.id] = new.anchor(*target)
        except ValueError:
            dropped.append(("spans", span.id))
            note = f", note “{span.note}”" if span.note else ""
            result.lost.append(f"span {span.id} ({span.label}) “{resolved.text}”{note}: its words were not read again")
    result.spans = len(anchors)
    corrections: dict[int, str] = {}
    for i, word in enumerate(old.words):
        if not word.corrected:
            continue
        target = mapping.map_range(old.starts[i], old.ends[i])
        found = new.words_in_range(*target) if target else []
        if len(found) == 1:
            if found[0].text != word.text:
                corrections[found[0].id] = word.text
            result.corrections += 1
        else:
            result.lost.append(f"correction “{word.ocr_text}” → “{word.text}”: "
                               f"{'no word' if not found else counted(len(found), 'word')} read there now")
    word_refs: dict[tuple[str, int], tuple[int, int]] = {}
    for table, row_id, first, last in refs:
        try:
            start, end = old.starts[old.word_index(first)], old.ends[old.word_index(last)]
            target = mapping.map_range(start, end)
            if target is None:
                raise ValueError("no counterpart")
            first_id, last_id, _, _ = new.anchor(*target)
            word_refs[(table, row_id)] = (first_id, last_id)
        except (KeyError, ValueError):
            dropped.append((table, row_id))
            what = "remembered rejection" if table == "span_rejections" else "adjudication"
            result.lost.append(f"{what} {row_id}: its words were not read again")
    return Carried(anchors, corrections, word_refs, dropped)
