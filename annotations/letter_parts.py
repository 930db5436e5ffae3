"""The parts of a letter (letterhead, date, recipient, salutation, body, closing, signature block, ...) as suggestions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .labels import STRUCTURE, choose_color
from .matching import Match
from .model import Box, Label, Word
from .suggest import Hit, SuggestReport, store_hits

if TYPE_CHECKING:
    from PIL import Image

    from .store import Project

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
    "enclosure": "Enclosure(s) lines",
    "cc": "copies to (cc:) lines",
}
"""The label set `scanspan labels --add-set letter` adds."""

LABEL_SETS = {"letter": LETTER_LABELS}

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # December 3, 2015
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"  # 3 December 2015
    r"|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2}))(?!\w)",  # 12/03/2015
    re.IGNORECASE,
)
_SALUTATION = re.compile(r"^(?:dear\b|to whom it may concern|gentlemen\b|ladies and gentlemen|madam\b|sir\b)", re.I)
_CLOSING = re.compile(
    r"^(?:(?:yours\s+)?(?:very\s+)?(?:sincerely|truly|faithfully|respectfully|cordially)(?:\s+yours)?"
    r"|(?:with\s+)?(?:best|kind|warm|kindest|warmest)?\s*regards|respectfully submitted|thank you)\s*[,.]?$",
    re.I,
)
_SUBJECT = re.compile(r"^(?:re|subject|subj|reference|ref)\s*[:.]", re.I)
_ENCLOSURE = re.compile(r"^(?:enclosures?|encl?s?\.?|attachments?)\b", re.I)
_CC = re.compile(r"^(?:b?cc|c)\s*[:.]", re.I)
_INK = 110
"""Grey level under which a pixel counts as ink, on a page rendered in grey (paper is ~240)."""


@dataclass
class Line:
    """One OCR line of the document text: its words and the characters they span."""

    page: int
    words: list[Word]
    start: int
    end: int
    text: str

    @property
    def box(self) -> Box:
        return (min(w.box[0] for w in self.words), min(w.box[1] for w in self.words),
                max(w.box[2] for w in self.words), max(w.box[3] for w in self.words))


@dataclass
class LetterParts:
    """What was found in one document: spans as (label, start, end), the signature block as (page index, box)."""

    spans: list[tuple[str, int, int]] = field(default_factory=list)
    signature: tuple[int, Box] | None = None


def add_label_set(project: Project, name: str) -> list[str]:
    """Add the labels of set `name` the project lacks; their names."""
    if name not in LABEL_SETS:
        from .errors import ProjectError

        raise ProjectError(f"no label set {name!r}; sets are: {', '.join(LABEL_SETS)}")
    have = {label.name for label in project.labels()}
    added = []
    for label, description in LABEL_SETS[name].items():
        if label not in have:
            colors = [lab.color for lab in project.labels()]
            project.add_label(Label(label, choose_color(colors), None, description, STRUCTURE))
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


def lines_of(project: Project, doc_id: int) -> list[Line]:
    text = project.document_text(doc_id)
    lines: list[Line] = []
    for p, page in enumerate(text.pages):
        base = text.page_offsets[p]
        key = None
        for i, word in enumerate(page.words):
            if (word.block, word.par, word.line) != key or not lines or lines[-1].page != p:
                key = (word.block, word.par, word.line)
                lines.append(Line(p, [], base + page.starts[i], 0, ""))
            lines[-1].words.append(word)
            lines[-1].end = base + page.ends[i]
    for line in lines:
        line.text = text.text[line.start:line.end]
    return lines


def find_parts(lines: Sequence[Line], page_images: dict[int, Image.Image] | None = None) -> LetterParts:
    """The parts of a letter in its lines (in reading order); `page_images` (grey) lets the
    signature block reach around the ink between the closing and the typed name."""
    parts = LetterParts()
    first_page = [i for i, line in enumerate(lines) if line.page == 0]
    salutation = next((i for i, line in enumerate(lines) if _SALUTATION.match(line.text.strip())), None)
    head_end = salutation if salutation is not None else (first_page[-1] + 1 if first_page else 0)
    date_line = None
    for i in range(head_end):
        match = _DATE.search(lines[i].text)
        if match:
            parts.spans.append(("date", lines[i].start + match.start(), lines[i].start + match.end()))
            date_line = i
            break
    if date_line is not None and date_line > 0:
        parts.spans.append(("letterhead", lines[0].start, lines[date_line - 1].end))
    if salutation is not None:
        sal = lines[salutation]
        parts.spans.append(("salutation", sal.start, sal.end))
        recipient = _recipient(lines, (date_line + 1) if date_line is not None else 0, salutation)
        if recipient is not None:
            parts.spans.append(("recipient", lines[recipient[0]].start, lines[recipient[1]].end))
    for i in range(head_end + 3 if salutation is not None else head_end):
        if i < len(lines) and _SUBJECT.match(lines[i].text.strip()):
            parts.spans.append(("subject", lines[i].start, lines[i].end))
            break
    closing = None
    for i in range((salutation or 0) + 1, len(lines)):
        if len(lines[i].words) <= 5 and _CLOSING.match(lines[i].text.strip()):
            closing = i  # the last one: "Thank you." may end a paragraph above the real closing
    if closing is not None:
        parts.spans.append(("closing", lines[closing].start, lines[closing].end))
        parts.signature = _signature(lines, closing, page_images or {})
    tail_start = None
    for i in range(closing if closing is not None else head_end, len(lines)):
        stripped = lines[i].text.strip()
        if _ENCLOSURE.match(stripped):
            parts.spans.append(("enclosure", lines[i].start, lines[i].end))
        elif _CC.match(stripped):
            parts.spans.append(("cc", lines[i].start, lines[i].end))
        else:
            continue
        tail_start = i if tail_start is None else tail_start
    if salutation is not None:
        taken = {i for i, line in enumerate(lines) for _, s, e in parts.spans if line.start < e and s < line.end}
        end = closing if closing is not None else (tail_start if tail_start is not None else len(lines))
        body = [i for i in range(salutation + 1, end) if i not in taken]
        for first, last in body_runs(lines, body):
            parts.spans.append(("body", lines[first].start, lines[last].end))
    return parts


def body_runs(lines: Sequence[Line], candidates: Sequence[int]) -> list[tuple[int, int]]:
    """The paragraphs of the body among `candidates` (line indices between salutation and
    closing, in reading order), each as (first, last) line index of one run of consecutive lines.

    A paragraph ends where the space to the next line is clearly more than the body's usual
    space between lines, where the next line is indented and this one is not, and at a page break
    unless this page's last line runs on to the body's right edge. Lines outside the body's
    column (a stamp or page number to the right, a side column to the left, a signature read as
    text) are not body: they end the paragraph around them, so that each span stays one run of
    the document's text made of body lines only.
    """
    if not candidates:
        return []
    heights = sorted(lines[i].box[3] - lines[i].box[1] for i in candidates)
    height = max(1.0, heights[len(heights) // 2])
    margin = sorted(lines[i].box[0] for i in candidates)[len(candidates) // 2]
    inside = [i for i in candidates
              if margin - 2 * height <= lines[i].box[0] <= margin + 6 * height
              and lines[i].box[3] - lines[i].box[1] <= 2.5 * height]
    if not inside:
        return []
    right = sorted(lines[i].box[2] for i in inside)[(len(inside) * 9) // 10]
    gaps = sorted(lines[b].box[1] - lines[a].box[3] for a, b in zip(inside, inside[1:])
                  if b == a + 1 and lines[a].page == lines[b].page)
    # Capped: in a body of one-line paragraphs every gap is a paragraph's.
    usual = min(gaps[len(gaps) // 2], 1.2 * height) if gaps else 0.0

    def indented(i: int) -> bool:
        return lines[i].box[0] - margin >= 1.5 * height

    runs: list[tuple[int, int]] = []
    for i in inside:
        if runs and runs[-1][1] == i - 1:
            prev = lines[i - 1]
            if prev.page == lines[i].page:
                breaks = (lines[i].box[1] - prev.box[3] > usual + 0.5 * height
                          or (indented(i) and not indented(i - 1)))
            else:
                breaks = prev.box[2] < right - 3 * height or indented(i)
            if not breaks:
                runs[-1] = (runs[-1][0], i)
                continue
        runs.append((i, i))
    return runs


def _recipient(lines: Sequence[Line], start: int, salutation: int) -> tuple[int, int] | None:
    """The run of lines before the salutation that starts at its left margin (stamps and
    right-aligned lines between them are not the address)."""
    margin = lines[salutation].box[0]
    height = max(1.0, lines[salutation].box[3] - lines[salutation].box[1])
    at_margin = [i for i in range(start, salutation)
                 if abs(lines[i].box[0] - margin) <= 2 * height and lines[i].page == lines[salutation].page
                 and not _SUBJECT.match(lines[i].text.strip())]
    if not at_margin:
        return None
    run = [at_margin[0]]
    for i in at_margin[1:]:
        gap = lines[i].box[1] - lines[run[-1]].box[3]
        if i == run[-1] + 1 or gap <= 1.5 * height:
            run.append(i)
        else:
            run = [i]
    return run[0], run[-1]


def _signature(lines: Sequence[Line], closing: int, images: dict[int, Image.Image]) -> tuple[int, Box]:
    close = lines[closing]
    height = max(1.0, close.box[3] - close.box[1])
    typed: list[Line] = []
    for line in lines[closing + 1:closing + 5]:
        if line.page != close.page:
            break
        below = line.box[1] - (typed[-1].box[3] if typed else close.box[3])
        # The typed name: below the signature's space, then the lines right under it (title, office).
        if typed and below > 1.5 * height or _ENCLOSURE.match(line.text.strip()) or _CC.match(line.text.strip()):
            break
        if not typed and below > 12 * height:
            break
        typed.append(line)
    boxes = [close.box] + [line.box for line in typed]
    x0, y0 = min(b[0] for b in boxes), close.box[1]
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    image = images.get(close.page)
    if image is not None and typed:
        ink = _ink_box(image, (0, close.box[3], image.width, typed[0].box[1]))
        if ink is not None:
            x0, x1 = min(x0, ink[0]), max(x1, ink[2])
    pad = height / 2
    return close.page, (max(0.0, x0 - pad), max(0.0, y0 - pad), x1 + pad, y1 + pad)


def _ink_box(image: Image.Image, band: Box) -> Box | None:
    """The box around the ink in `band` of a grey page: the signature between closing and typed name."""
    import numpy as np

    x0, y0, x1, y1 = (int(round(v)) for v in band)
    if y1 <= y0:
        return None
    dark = np.asarray(image.crop((x0, y0, x1, y1))) < _INK
    # A column or row with a few dark pixels is dust; a signature's strokes run on.
    cols = np.flatnonzero(dark.sum(axis=0) >= 3)
    rows = np.flatnonzero(dark.sum(axis=1) >= 3)
    if cols.size == 0 or rows.size == 0:
        return None
    return (x0 + float(cols[0]), y0 + float(rows[0]), x0 + float(cols[-1]) + 1, y0 + float(rows[-1]) + 1)


def suggest_letter_parts(project: Project, doc_ids: Sequence[int]) -> tuple[SuggestReport, int]:
    """Store the letter parts of each document as suggestions; the report and the regions added."""
    missing = [name for name in LETTER_LABELS if name not in {label.name for label in project.labels()}]
    if missing:
        from .errors import ProjectError

        raise ProjectError(f"the project lacks the letter labels {', '.join(missing)} "
                           "(add them with: scanspan labels --add-set letter)")
    hits: list[Hit] = []
    regions = 0
    for doc_id in doc_ids:
        pages = project.pages(doc_id)
        lines = lines_of(project, doc_id)
        closing_pages = {line.page for line in lines if _CLOSING.match(line.text.strip())}
        images = {i: project.page_image(pages[i], gray=True) for i in closing_pages if not pages[i].provenance.text_layer}
        parts = find_parts(lines, images)
        text = project.document_text(doc_id)
        for label, start, end in parts.spans:
            first, last, _, _ = text.anchor(start, end)
            hits.append(Hit(doc_id, label, Match(start, end, text.word_index(first), text.word_index(last), 0, 0.8), SOURCE))
        if parts.signature is not None:
            page = pages[parts.signature[0]]
            have = [r for r in project.regions(doc_id) if r.page_id == page.id and r.label == "signature_block"]
            box = parts.signature[1]
            if not have and not project.region_rejected(page.id, "signature_block", box):
                project.add_region(page.id, "signature_block", box, source=SOURCE, suggested=True)
                regions += 1
    return store_hits(project, hits), regions
