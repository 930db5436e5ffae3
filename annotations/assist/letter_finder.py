"""Whether a document looks like a letter, and where its parts are when it does (`find_parts`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from . import letter_part_rules as rules
from .letter_lines import LetterParts, Line, legible
from .signature_ink import handwriting

if TYPE_CHECKING:
    from PIL import Image

_SALUTATION = re.compile(r"^(?:dear\b|to whom it may concern|gentlemen\b|ladies and gentlemen|madam\b|sir\b)", re.I)
_CLOSING = re.compile(
    r"^(?:(?:yours\s+)?(?:very\s+)?(?:sincerely|truly|faithfully|respectfully|cordially)(?:\s+yours)?"
    r"|(?:with\s+)?(?:best|kind|warm|kindest|warmest)?\s*regards|respectfully submitted|thank you)\s*[,.]?$",
    re.I,
)
_MEMO = re.compile(r"^(?:to|from|attn|fax(?: number)?|pages?|memo(?:randum)?)\b\s*[:.]?", re.I)
"""A memo's or a fax sheet's header captions: a page with them is not a letter for its subject line alone."""


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
    date_line, date_span = rules.date_line(lines, head_end, salutation is not None)
    address = None
    if salutation is None and date_line is not None:
        address = rules.address_block(lines, date_line, head_end)
    signer = text_end = None
    if salutation is None and closing is None and address is None:
        signer = _signer(lines, page_images or {})
        if signer is None:
            text_end = _signed_under_subject(lines, page_images or {})
            if text_end is None:
                return parts
    if date_line is not None and date_span is not None:
        parts.spans.append(("date", *date_span))
        letterhead = rules.letterhead(lines, date_line)
        if letterhead is not None:
            parts.spans.append(("letterhead", lines[letterhead[0]].start, lines[letterhead[1]].end))
    if salutation is not None:
        sal = lines[salutation]
        parts.spans.append(("salutation", sal.start, sal.end))
        recipient = rules.recipient(lines, (date_line + 1) if date_line is not None else 0, salutation)
        if recipient is not None:
            parts.spans.append(("recipient", lines[recipient[0]].start, lines[recipient[1]].end))
    elif address is not None:
        parts.spans.append(("recipient", lines[address[0]].start, lines[address[1]].end))
    subjects = [i for i in range(min(len(lines), head_end + 3 if salutation is not None else head_end))
                if rules.SUBJECT.match(lines[i].text.strip()) and len(lines[i].words) <= 16]
    for i in subjects:
        # A reference line and a subject line often come together ("Our ref:", "Subject:"; "Sayı:", "Konu:").
        parts.spans.append(("subject", lines[i].start, lines[i].end))
    if date_line is None and subjects and salutation is None:
        # An official letter without a date line: its heading is what stands above the reference.
        letterhead = rules.letterhead(lines, subjects[0])
        if letterhead is not None:
            parts.spans.append(("letterhead", lines[letterhead[0]].start, lines[letterhead[1]].end))
    if closing is not None:
        parts.spans.append(("closing", lines[closing].start, lines[closing].end))
    tail_start = None
    sign_off = closing if closing is not None else signer
    for i in range(sign_off if sign_off is not None else head_end, len(lines)):
        stripped = lines[i].text.strip()
        if rules.ENCLOSURE.match(stripped) or (len(lines[i].words) <= 4 and rules.ENCLOSED.search(stripped)):
            parts.spans.append(("enclosure", lines[i].start, lines[i].end))
        elif rules.CC.match(stripped):
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
                    and (rules.ENCLOSURE.match(stripped) or rules.ENCLOSED.search(stripped)):
                parts.spans.append(("enclosure", line.start, line.end))
            elif line.page == low.page and line.box[1] >= low.box[1] - height and rules.CC.match(stripped):
                parts.spans.append(("cc", line.start, line.end))
    body: list[tuple[int, int]] = []
    if salutation is not None:
        taken = {i for i, line in enumerate(lines) for _, s, e in parts.spans if line.start < e and s < line.end}
        end = closing if closing is not None else (tail_start if tail_start is not None else len(lines))
        candidates = [i for i in range(salutation + 1, end) if i not in taken]
        body = rules.body_runs(lines, candidates, lines[salutation].box[0])
        for first, last in body:
            parts.spans.append(("body", lines[first].start, lines[last].end))
        for first, last in rules.name_columns(lines, candidates, body):
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
        body = rules.body_runs(lines, [i for i in range(subjects[-1] + 1, text_end + 1) if i not in taken])
        for first, last in body:
            parts.spans.append(("body", lines[first].start, lines[last].end))
    rules.sign_off(parts, lines, sign_off, salutation, body, page_images or {}, text_end)
    return parts


def _signed_under_subject(lines: Sequence[Line], images: Mapping[int, Image.Image]) -> int | None:
    """An official letter that neither greets nor closes: a reference or subject line in its head,
    no memo's "To:"/"From:" captions, and handwriting under its last line of running text. The
    index of that line, or None."""
    first = [line for line in lines if line.page == 0]
    if not first or any(_MEMO.match(line.text.strip()) for line in first):
        return None
    bottom = max(line.box[3] for line in first)
    if not any(rules.SUBJECT.match(line.text.strip()) and line.box[1] <= 0.4 * bottom for line in first):
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
    heights = sorted(line.box[3] - line.box[1] for line in page_lines if legible(line))
    return max(1.0, heights[len(heights) // 2] if heights else fallback.box[3] - fallback.box[1])


def _signer(lines: Sequence[Line], images: Mapping[int, Image.Image]) -> int | None:
    """A sign-off the closing's words do not give away: a short line ending in a comma under
    running text ("Le préfet,", "For the Board,"), with handwriting right around or under it."""
    found = None
    for i, line in enumerate(lines):
        if not (len(line.words) <= 4 and line.text.strip().endswith(",") and legible(line)):
            continue
        if not any(len(other.words) >= 8 and other.page == line.page and other.box[3] <= line.box[1]
                   for other in lines[:i]):
            continue
        image = images.get(line.page)
        if image is None:
            continue
        page_lines = [other for other in lines if other.page == line.page]
        heights = sorted(other.box[3] - other.box[1] for other in page_lines if legible(other))
        height = max(1.0, heights[len(heights) // 2])
        band = (0.0, line.box[1] - 3 * height, float(image.width), line.box[3] + 14 * height)
        words = [(w.box, w.conf, w.text) for other in page_lines for w in other.words]
        if any(ink[2] >= line.box[0] - 6 * height for ink in handwriting(image, words, band, height)):
            found = i
    return found
