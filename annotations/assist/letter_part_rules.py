"""Where each part of a letter lies among its lines: date, letterhead, address, body, sign-off and signatures."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..records import Box
from ..text.dates import find_date
from .letter_lines import LetterParts, Line, legible
from .signature_ink import handwriting

if TYPE_CHECKING:
    from PIL import Image

SUBJECT = re.compile(r"^(?:re|subject|subj|reference|ref|our ref|your ref|n/r[ée]f|v/r[ée]f|objet|betreff|konu|say[ıi]"
                     r"|asunto|oggetto)\s*[:.]", re.I)
ENCLOSURE = re.compile(r"^(?:enclosures?|encl?s?\.?|attachments?)\b", re.I)
CC = re.compile(r"^(?:b?cc|c)\s*[:.]", re.I)
ENCLOSED = re.compile(r"\benclosed\s*[.:]?$", re.I)


def date_line(lines: Sequence[Line], head_end: int, has_salutation: bool) -> tuple[int | None, tuple[int, int] | None]:
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


def letterhead(lines: Sequence[Line], date_line: int) -> tuple[int, int] | None:
    """The lines above the date (or the reference line), without the stray marks around them (a
    speck read as "|", a "Date:" caption on the date's own row)."""
    date = lines[date_line]
    height = max(1.0, date.box[3] - date.box[1])
    keep = [i for i in range(date_line)
            if lines[i].page == date.page and lines[i].box[3] <= date.box[1] + 0.25 * height and legible(lines[i])]
    if not keep:
        return None
    return keep[0], keep[-1]


_FIELD = re.compile(r"^[^\W\d_][\w .()/&-]{0,24}:")


def address_block(lines: Sequence[Line], date_line: int, head_end: int) -> tuple[int, int] | None:
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
        short = len(line.words) <= 7 and legible(line)
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
        named = legible(line) and not any(ch.isdigit() for ch in line.text)
        if not (beside and named and len(line.words) <= 5 and line.page in pages):
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return [(first, last) for first, last in runs if last - first >= 2]


def recipient(lines: Sequence[Line], start: int, salutation: int) -> tuple[int, int] | None:
    """The run of lines before the salutation that starts at its left margin (stamps and
    right-aligned lines between them are not the address)."""
    margin = lines[salutation].box[0]
    height = max(1.0, lines[salutation].box[3] - lines[salutation].box[1])
    at_margin = [i for i in range(start, salutation)
                 if abs(lines[i].box[0] - margin) <= 2 * height and lines[i].page == lines[salutation].page
                 and not SUBJECT.match(lines[i].text.strip())]
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


def sign_off(parts: LetterParts, lines: Sequence[Line], closing: int | None, salutation: int | None,
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
    heights = sorted(line.box[3] - line.box[1] for line in page_lines if legible(line))
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
                and line.box[0] <= ink[2] + 4 * height and ink[0] - 4 * height <= line.box[2] and legible(line)]
        boxes = [ink] + [line.box for line in near]
        for line in page_lines:
            bottom = max(b[3] for b in boxes)
            if 0 <= line.box[1] - bottom <= 1.2 * height and len(line.words) <= 6 and legible(line) \
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
        if not legible(line):
            continue
        stripped = line.text.strip()
        if ENCLOSURE.match(stripped) or CC.match(stripped):
            break
        gap = line.box[1] - bottom
        if gap > 1.5 * height:
            if gap_used or gap > 12 * height:
                break
            gap_used = True
        typed.append(line)
        bottom = max(bottom, line.box[3])
    return typed
