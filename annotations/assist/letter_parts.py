"""The parts of a letter (letterhead, date, recipient, salutation, body, closing, signature block, ...) as suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..labels import ENTITY, STRUCTURE, choose_color
from ..records import Box, Label, Page, Word
from ..text.dates import find_date
from ..text.matching import Match
from .signature_ink import handwriting
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

_SALUTATION = re.compile(r"^(?:dear\b|to whom it may concern|gentlemen\b|ladies and gentlemen|madam\b|sir\b)", re.I)
_CLOSING = re.compile(
    r"^(?:(?:yours\s+)?(?:very\s+)?(?:sincerely|truly|faithfully|respectfully|cordially)(?:\s+yours)?"
    r"|(?:with\s+)?(?:best|kind|warm|kindest|warmest)?\s*regards|respectfully submitted|thank you)\s*[,.]?$",
    re.I,
)
_SUBJECT = re.compile(r"^(?:re|subject|subj|reference|ref|our ref|your ref|n/r[ée]f|v/r[ée]f|objet|betreff|konu|say[ıi]"
                      r"|asunto|oggetto)\s*[:.]", re.I)
_MEMO = re.compile(r"^(?:to|from|attn|fax(?: number)?|pages?|memo(?:randum)?)\b\s*[:.]?", re.I)
"""A memo's or a fax sheet's header captions: a page with them is not a letter for its subject line alone."""
_ENCLOSURE = re.compile(r"^(?:enclosures?|encl?s?\.?|attachments?)\b", re.I)
_CC = re.compile(r"^(?:b?cc|c)\s*[:.]", re.I)
_ENCLOSED = re.compile(r"\benclosed\s*[.:]?$", re.I)


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
    """What was found in one document: spans as (label, start, end); the signature blocks and the
    handwritten signatures as regions (page index, box)."""

    spans: list[tuple[str, int, int]] = field(default_factory=list)
    signature_blocks: list[tuple[int, Box]] = field(default_factory=list)
    signatures: list[tuple[int, Box]] = field(default_factory=list)


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


def find_parts(lines: Sequence[Line], page_images: Mapping[int, Image.Image] | None = None) -> LetterParts:
    """The parts of a letter in its lines (in reading order); `page_images` (grey) let the
    signature be found from its ink, even where the OCR read neither the closing nor the name.

    A page gets letter parts only when it looks like a letter: a salutation, a closing, or a
    date above an inside address. A fax cover sheet, a memo or a form gets none, rather than a
    "letterhead" of stray marks and a "date" of numbers that name no day.
    """
    parts = LetterParts()
    first_page = [i for i, line in enumerate(lines) if line.page == 0]
    salutation = next((i for i, line in enumerate(lines)
                       if len(line.words) <= 12 and _SALUTATION.match(line.text.strip())), None)
    closing = None
    for i in range((salutation or 0) + (1 if salutation is not None else 0), len(lines)):
        if len(lines[i].words) <= 5 and _CLOSING.match(lines[i].text.strip()):
            closing = i  # the last one: "Thank you." may end a paragraph above the real closing
    head_end = salutation if salutation is not None else (first_page[-1] + 1 if first_page else 0)
    date_line, date_span = _date_line(lines, head_end, salutation is not None)
    address = None
    if salutation is None and date_line is not None:
        address = _address_block(lines, date_line, head_end)
    signer = text_end = None
    if salutation is None and closing is None and address is None:
        signer = _signer(lines, page_images or {})
        if signer is None:
            text_end = _signed_under_subject(lines, page_images or {})
            if text_end is None:
                return parts
    if date_line is not None and date_span is not None:
        parts.spans.append(("date", *date_span))
        letterhead = _letterhead(lines, date_line)
        if letterhead is not None:
            parts.spans.append(("letterhead", lines[letterhead[0]].start, lines[letterhead[1]].end))
    if salutation is not None:
        sal = lines[salutation]
        parts.spans.append(("salutation", sal.start, sal.end))
        recipient = _recipient(lines, (date_line + 1) if date_line is not None else 0, salutation)
        if recipient is not None:
            parts.spans.append(("recipient", lines[recipient[0]].start, lines[recipient[1]].end))
    elif address is not None:
        parts.spans.append(("recipient", lines[address[0]].start, lines[address[1]].end))
    subjects = [i for i in range(min(len(lines), head_end + 3 if salutation is not None else head_end))
                if _SUBJECT.match(lines[i].text.strip()) and len(lines[i].words) <= 16]
    for i in subjects:
        # A reference line and a subject line often come together ("Our ref:", "Subject:"; "Sayı:", "Konu:").
        parts.spans.append(("subject", lines[i].start, lines[i].end))
    if date_line is None and subjects and salutation is None:
        # An official letter without a date line: its heading is what stands above the reference.
        letterhead = _letterhead(lines, subjects[0])
        if letterhead is not None:
            parts.spans.append(("letterhead", lines[letterhead[0]].start, lines[letterhead[1]].end))
    if closing is not None:
        parts.spans.append(("closing", lines[closing].start, lines[closing].end))
    tail_start = None
    sign_off = closing if closing is not None else signer
    for i in range(sign_off if sign_off is not None else head_end, len(lines)):
        stripped = lines[i].text.strip()
        if _ENCLOSURE.match(stripped) or (len(lines[i].words) <= 4 and _ENCLOSED.search(stripped)):
            parts.spans.append(("enclosure", lines[i].start, lines[i].end))
        elif _CC.match(stripped):
            parts.spans.append(("cc", lines[i].start, lines[i].end))
        else:
            continue
        tail_start = i if tail_start is None else tail_start
    if sign_off is not None:
        low = lines[sign_off]
        height = max(1.0, low.box[3] - low.box[1])
        for i in range((salutation or 0) + 1, sign_off):
            line = lines[i]
            stripped = line.text.strip()
            # The notes at the foot of a letter sit level with the sign-off, in a column read before it.
            if line.page == low.page and line.box[1] >= low.box[1] - height and len(line.words) <= 4 \
                    and (_ENCLOSURE.match(stripped) or _ENCLOSED.search(stripped)):
                parts.spans.append(("enclosure", line.start, line.end))
            elif line.page == low.page and line.box[1] >= low.box[1] - height and _CC.match(stripped):
                parts.spans.append(("cc", line.start, line.end))
    body: list[tuple[int, int]] = []
    if salutation is not None:
        taken = {i for i, line in enumerate(lines) for _, s, e in parts.spans if line.start < e and s < line.end}
        end = closing if closing is not None else (tail_start if tail_start is not None else len(lines))
        candidates = [i for i in range(salutation + 1, end) if i not in taken]
        body = body_runs(lines, candidates, lines[salutation].box[0])
        for first, last in body:
            parts.spans.append(("body", lines[first].start, lines[last].end))
        for first, last in name_columns(lines, candidates, body):
            parts.spans.append(("letterhead", lines[first].start, lines[last].end))
    elif text_end is not None and subjects:
        # No salutation to start it: the body runs from under the subject to the last line over the signature.
        taken = {i for i, line in enumerate(lines) for _, s, e in parts.spans if line.start < e and s < line.end}
        head = lines[subjects[-1]]
        bottom, height = head.box[3], max(1.0, head.box[3] - head.box[1])
        for i in sorted(range(subjects[-1] + 1, text_end + 1), key=lambda i: lines[i].box[1]):
            if lines[i].page == head.page and lines[i].box[1] <= bottom + 0.5 * height:
                taken.add(i)  # a line run on from the subject (its second line, a misread caption)
                bottom = max(bottom, lines[i].box[3])
        body = body_runs(lines, [i for i in range(subjects[-1] + 1, text_end + 1) if i not in taken])
        for first, last in body:
            parts.spans.append(("body", lines[first].start, lines[last].end))
    _sign_off(parts, lines, sign_off, salutation, body, page_images or {}, text_end)
    return parts


def _signed_under_subject(lines: Sequence[Line], images: Mapping[int, Image.Image]) -> int | None:
    """An official letter that neither greets nor closes: a reference or subject line in its head,
    no memo's "To:"/"From:" captions, and handwriting under its last line of running text. The
    index of that line, or None."""
    first = [line for line in lines if line.page == 0]
    if not first or any(_MEMO.match(line.text.strip()) for line in first):
        return None
    bottom = max(line.box[3] for line in first)
    if not any(_SUBJECT.match(line.text.strip()) and line.box[1] <= 0.4 * bottom for line in first):
        return None
    running = sorted((i for i, line in enumerate(lines) if len(line.words) >= 8),
                     key=lambda i: (lines[i].page, lines[i].box[1]))
    # From the foot up: the signature sits under the body's last line, above a footer's running line.
    for k in range(len(running) - 1, -1, -1):
        anchor = lines[running[k]]
        image = images.get(anchor.page)
        if image is None:
            continue
        below = lines[running[k + 1]] if k + 1 < len(running) else None
        floor = below.box[1] if below is not None and below.page == anchor.page else float(image.height)
        page_lines = [line for line in lines if line.page == anchor.page]
        height = _line_height(page_lines, anchor)
        words = [(w.box, w.conf, w.text) for line in page_lines for w in line.words]
        if handwriting(image, words, (0.0, anchor.box[3] + 0.5 * height, float(image.width), floor), height):
            # The paragraph's last line is often short: it goes on to the lines right under, at its margin.
            end = running[k]
            for i in range(end + 1, len(lines)):
                line, prev = lines[i], lines[end]
                if line.page != anchor.page or line.box[1] - prev.box[3] > 0.8 * height \
                        or abs(line.box[0] - anchor.box[0]) > 2 * height or line.box[1] < prev.box[1]:
                    break
                end = i
            return end
    return None


def _line_height(page_lines: Sequence[Line], fallback: Line) -> float:
    heights = sorted(line.box[3] - line.box[1] for line in page_lines if _legible(line))
    return max(1.0, heights[len(heights) // 2] if heights else fallback.box[3] - fallback.box[1])


def _signer(lines: Sequence[Line], images: Mapping[int, Image.Image]) -> int | None:
    """A sign-off the closing's words do not give away: a short line ending in a comma under
    running text ("Le préfet,", "For the Board,"), with handwriting right around or under it."""
    found = None
    for i, line in enumerate(lines):
        if not (len(line.words) <= 4 and line.text.strip().endswith(",") and _legible(line)):
            continue
        if not any(len(other.words) >= 8 and other.page == line.page and other.box[3] <= line.box[1]
                   for other in lines[:i]):
            continue
        image = images.get(line.page)
        if image is None:
            continue
        page_lines = [other for other in lines if other.page == line.page]
        heights = sorted(other.box[3] - other.box[1] for other in page_lines if _legible(other))
        height = max(1.0, heights[len(heights) // 2])
        band = (0.0, line.box[1] - 3 * height, float(image.width), line.box[3] + 14 * height)
        words = [(w.box, w.conf, w.text) for other in page_lines for w in other.words]
        if any(ink[2] >= line.box[0] - 6 * height for ink in handwriting(image, words, band, height)):
            found = i
    return found


def _date_line(lines: Sequence[Line], head_end: int, has_salutation: bool) -> tuple[int | None, tuple[int, int] | None]:
    """The letter's date: a date that names a real day, on a line of its own (with at most a place
    or a "Date:" before it), in the head of the letter; a date inside a sentence is not the letter's."""
    if not lines:
        return None, None
    bottom = max(line.box[3] for line in lines if line.page == 0) if any(line.page == 0 for line in lines) else 0.0
    for i in range(head_end):
        line = lines[i]
        if not has_salutation and (line.page != 0 or line.box[1] > 0.5 * bottom):
            break  # without a salutation, only the top of the first page is the head
        found = find_date(line.text)
        if found is None:
            continue
        before = line.text[:found.start].split()
        after = line.text[found.end:].split()
        if len(before) <= 3 and len(after) <= 1:
            return i, (line.start + found.start, line.start + found.end)
    return None, None


def _letterhead(lines: Sequence[Line], date_line: int) -> tuple[int, int] | None:
    """The lines above the date (or the reference line), without the stray marks around them (a
    speck read as "|", a "Date:" caption on the date's own row)."""
    date = lines[date_line]
    height = max(1.0, date.box[3] - date.box[1])
    keep = [i for i in range(date_line)
            if lines[i].page == date.page and lines[i].box[3] <= date.box[1] + 0.25 * height and _legible(lines[i])]
    if not keep:
        return None
    return keep[0], keep[-1]


def _legible(line: Line) -> bool:
    """Whether a line holds a word a reader would call text: two letters or more, read with some confidence."""
    return any(sum(ch.isalpha() for ch in w.text) >= 2 and w.conf >= 30 for w in line.words)


_FIELD = re.compile(r"^[^\W\d_][\w .()/&-]{0,24}:")


def _address_block(lines: Sequence[Line], date_line: int, head_end: int) -> tuple[int, int] | None:
    """An inside address under the date, for a letter without a salutation: two to six short lines
    at one left margin, with running text below them, and no form's "Field:" caption on the way."""
    date = lines[date_line]
    height = max(1.0, date.box[3] - date.box[1])
    run: list[int] = []
    for i in range(date_line + 1, min(len(lines), head_end)):
        line = lines[i]
        if line.page != date.page:
            break
        if _FIELD.match(line.text.strip()):
            return None  # "To:", "Agency:": a form's or a fax sheet's captions, not a letter's address
        short = len(line.words) <= 7 and _legible(line)
        if run and short and abs(line.box[0] - lines[run[-1]].box[0]) <= height \
                and line.box[1] - lines[run[-1]].box[3] <= 1.2 * height:
            run.append(i)
            continue
        if 2 <= len(run) <= 6:
            # Running text under the address: a line at least twice as long as the address's longest.
            widest = max(lines[k].box[2] - lines[k].box[0] for k in run)
            if line.box[2] - line.box[0] >= 2 * widest and len(line.words) >= 8:
                return run[0], run[-1]
        run = [i] if short else []
    return None


def body_runs(lines: Sequence[Line], candidates: Sequence[int], margin_hint: float | None = None) -> list[tuple[int, int]]:
    """The paragraphs of the body among `candidates` (line indices between salutation and
    closing, in reading order), each as (first, last) line index of one run of consecutive lines.

    The body's column is where most of the text is, not most of the lines: a column of short
    names beside it has more lines than a short letter has. `margin_hint` (the salutation's left
    edge) picks the column the letter is written in when there is text there.

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
    margin = _text_margin(lines, candidates, height, margin_hint)
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


def _text_margin(lines: Sequence[Line], candidates: Sequence[int], height: float, hint: float | None) -> float:
    """The left edge under which half the text of `candidates` starts (counted in characters), among
    the lines at the hint's margin when there are any."""
    near = [i for i in candidates if hint is not None and hint - 2 * height <= lines[i].box[0] <= hint + 6 * height]
    chosen = sorted(near or candidates, key=lambda i: lines[i].box[0])
    total = sum(len(lines[i].text) for i in chosen)
    seen = 0
    for i in chosen:
        seen += len(lines[i].text)
        if 2 * seen >= total:
            return lines[i].box[0]
    return lines[chosen[-1]].box[0]


def name_columns(lines: Sequence[Line], candidates: Sequence[int], body: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs of three or more short lines among `candidates` that lie beside the body's column (a
    letterhead's column of names read between the body's lines), each as (first, last) line index."""
    if not body:
        return []
    body_lines = [i for first, last in body for i in range(first, last + 1)]
    left = min(lines[i].box[0] for i in body_lines)
    right = max(lines[i].box[2] for i in body_lines)
    pages = {lines[i].page for i in body_lines}
    runs: list[tuple[int, int]] = []
    for i in candidates:
        line = lines[i]
        beside = line.box[2] <= left or line.box[0] >= right
        # Names, not a stamp's date or a page number.
        named = _legible(line) and not any(ch.isdigit() for ch in line.text)
        if not (beside and named and len(line.words) <= 5 and line.page in pages):
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return [(first, last) for first, last in runs if last - first >= 2]


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


def _sign_off(parts: LetterParts, lines: Sequence[Line], closing: int | None, salutation: int | None,
              body: Sequence[tuple[int, int]], images: Mapping[int, Image.Image], text_end: int | None = None) -> None:
    """The signatures (handwriting below the body, or around the closing) and the signature block:
    the closing, the signature and the typed name with the lines right under it (title, office)."""
    if closing is not None:
        anchor = lines[closing]
    elif body:
        anchor = lines[body[-1][1]]
    elif text_end is not None:
        anchor = lines[text_end]
    elif salutation is not None:
        anchor = lines[salutation]
    else:
        return
    page_lines = sorted((line for line in lines if line.page == anchor.page), key=lambda line: line.box[1])
    heights = sorted(line.box[3] - line.box[1] for line in page_lines if _legible(line))
    height = max(1.0, heights[len(heights) // 2] if heights else anchor.box[3] - anchor.box[1])
    image = images.get(anchor.page)
    inks: list[Box] = []
    if image is not None:
        if closing is not None:
            # Signatures run over the closing and the typed name as often as between them.
            band = (0.0, anchor.box[1] - 3 * height, float(image.width), anchor.box[3] + 14 * height)
        else:
            band = (0.0, anchor.box[3] + 0.5 * height, float(image.width), float(image.height))
        words = [(w.box, w.conf, w.text) for line in page_lines for w in line.words]
        inks = handwriting(image, words, band, height)
        if closing is not None:
            inks = [ink for ink in inks if ink[2] >= anchor.box[0] - 6 * height]
    pad = height / 4
    parts.signatures = [(anchor.page, (max(0.0, b[0] - pad), max(0.0, b[1] - pad), b[2] + pad, b[3] + pad)) for b in inks]
    if closing is not None:
        typed = _typed_under(page_lines, anchor, height, inks)
        boxes = [anchor.box] + [line.box for line in typed]
        boxes += [ink for ink in inks if ink[1] <= max(b[3] for b in boxes) and ink[3] >= anchor.box[1] - 3 * height]
        x0, y0 = min(b[0] for b in boxes), anchor.box[1]
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        y0 = min([y0] + [b[1] for b in boxes])
        parts.signature_blocks.append((anchor.page, (max(0.0, x0 - height / 2), max(0.0, y0 - height / 2),
                                                     x1 + height / 2, y1 + height / 2)))
        return
    for ink in inks:
        near = [line for line in page_lines
                if ink[1] - height <= line.box[1] <= ink[3] + 2 * height and len(line.words) <= 6
                and line.box[0] <= ink[2] + 4 * height and ink[0] - 4 * height <= line.box[2] and _legible(line)]
        boxes = [ink] + [line.box for line in near]
        for line in page_lines:
            bottom = max(b[3] for b in boxes)
            if 0 <= line.box[1] - bottom <= 1.2 * height and len(line.words) <= 6 and _legible(line) \
                    and line.box[0] <= ink[2] + 4 * height and ink[0] - 4 * height <= line.box[2]:
                boxes.append(line.box)
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        parts.signature_blocks.append((anchor.page, (max(0.0, box[0] - height / 2), max(0.0, box[1] - height / 2),
                                                     box[2] + height / 2, box[3] + height / 2)))


def _typed_under(page_lines: Sequence[Line], closing: Line, height: float, inks: Sequence[Box]) -> list[Line]:
    """The typed lines under the closing, top to bottom: a sender's name line right under it, the
    signature's space (one gap, as tall as the ink needs), the typed name and the lines right under it."""
    typed: list[Line] = []
    gap_used = False
    bottom = closing.box[3]
    for line in page_lines:
        if line.box[1] < closing.box[3] - 0.25 * height or line is closing:
            continue
        if not (line.box[0] <= closing.box[2] + 20 * height and closing.box[0] - 4 * height <= line.box[0]):
            continue  # beside the signature block: initials in the margin, a file number
        if not _legible(line):
            continue
        stripped = line.text.strip()
        if _ENCLOSURE.match(stripped) or _CC.match(stripped):
            break
        gap = line.box[1] - bottom
        if gap > 1.5 * height:
            if gap_used or gap > 12 * height:
                break
            gap_used = True
        typed.append(line)
        bottom = max(bottom, line.box[3])
    return typed


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
