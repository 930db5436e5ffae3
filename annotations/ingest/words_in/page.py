"""PAGE-XML (2013, 2019): text regions in the ReadingOrder, lines and words (or glyphs) with their Coords, and the
spans Transkribus writes in the lines' custom attribute."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import SourceError
from ...records import Box, RawRegion, RawSpan, RawWord
from .words_file import FilePage, WordsFile, custom_tags, split_words
from .xml import local

NOT_SPANS = {"readingOrder", "structure", "textStyle"}
"""Keys of Transkribus's custom attribute that say order, structure or type style, not an annotated span."""


@dataclass
class _Open:
    """A span whose part reaching the end of its line goes on (continued:true) onto the next line."""

    label: str
    first: int
    head: int
    note: str


def read(path: Path, root: Any, namespace: str) -> WordsFile:
    version = re.search(r"/pagecontent/(\d{4})", namespace)
    result = WordsFile(path, "PAGE", version.group(1) if version else "")
    for element in root:
        if local(element.tag) == "Metadata":
            for child in element:
                if local(child.tag) == "Creator":
                    result.creator = " ".join((child.text or "").split())[:80]
        elif local(element.tag) == "Page":
            result.pages.append(_page(result, element, len(result.pages) + 1))
    return result


def _page(file: WordsFile, page: Any, number: int) -> FilePage:
    path = file.path
    width, height = _size(path, page)
    by_id = {e.get("id"): e for e in page.iter() if isinstance(e.tag, str) and e.get("id")}
    ordered = [by_id[i] for i in _reading_order(page) if i in by_id]
    # Regions the ReadingOrder leaves out still hold words: they follow, in the file's order.
    regions = ordered + [e for e in page.iter() if local(e.tag) == "TextRegion"]
    words: list[RawWord] = []
    spans: list[RawSpan] = []
    opened: dict[tuple[str, str], deque[_Open]] = {}
    seen: set[Any] = set()
    block = -1
    line_number = -1
    for region in regions:
        lines = [line for line in region.iter() if local(line.tag) == "TextLine" and line not in seen]
        if not lines:
            continue
        block += 1
        for line in lines:
            seen.add(line)
            line_number += 1
            first_word = len(words)
            line_words = [w for w in line if local(w.tag) == "Word"]
            if line_words:
                for word in line_words:
                    text, conf, original = _text(word)
                    if not text:
                        glyphs = [g for g in word if local(g.tag) == "Glyph"]
                        text = "".join(_text(g)[0] for g in glyphs)
                    parts = split_words(text, _coords(path, word))
                    for part, box in parts:
                        words.append(RawWord(part, box, conf, block, 0, line_number,
                                             original if len(parts) == 1 else ""))
            else:
                # A line-level file (Transkribus, Kraken): the line's text shares out its box.
                text, conf, _ = _text(line)
                for part, box in split_words(text, _coords(path, line) if text.strip() else (0, 0, 0, 0)):
                    words.append(RawWord(part, box, conf, block, 0, line_number))
            opened = _line_spans(file, line, words, first_word, spans, opened)
    for left in (o for waiting in opened.values() for o in waiting):
        spans.append(RawSpan(left.label, left.first, len(words) - 1, left.head, 0, left.note))
    graphics = [g for g in (_graphic(file, e) for e in page.iter() if local(e.tag) == "GraphicRegion") if g]
    return FilePage(number, width, height, words, page.get("imageFilename") or None, spans, graphics)


def _line_spans(file: WordsFile, line: Any, words: list[RawWord], first_word: int, spans: list[RawSpan],
                opened: dict[tuple[str, str], deque[_Open]]) -> dict[tuple[str, str], deque[_Open]]:
    """The spans of the line's custom attribute added to `spans` over the line's words; the ones that go on
    to the next line returned, by (label, id). Offsets count characters of the line's text (its TextEquiv,
    else its words joined by one space), as Transkribus counts them."""
    tags = [(name, fields) for name, fields in custom_tags(line.get("custom") or "")
            if name not in NOT_SPANS and "offset" in fields and "length" in fields]
    going_on: dict[tuple[str, str], deque[_Open]] = {}
    starts, ends, text_length = _word_places(line, [w.text for w in words[first_word:]]) if tags else ([], [], 0)
    for name, fields in tags:
        try:
            offset, length = int(fields["offset"]), int(fields["length"])
        except ValueError:
            continue
        end = offset + length
        # By bisection: a hostile line may carry many thousands of tags over many words.
        first, last = bisect_right(ends, offset), bisect_left(starts, end) - 1
        label = file.label(name, "a span") if length > 0 and first <= last else None
        if label is None:
            continue
        head, tail = max(0, offset - starts[first]), max(0, ends[last] - end)
        ident = fields.get("id", "")
        note = fields.get("note", "")
        # Transkribus marks both parts of a tag over a line break continued; Scanspan names them by id.
        waiting = opened.get((label, ident))
        if waiting and (ident or offset == 0):
            earlier = waiting.popleft()
            start_word, head, note = earlier.first, earlier.head, earlier.note or note
        else:
            start_word = first_word + first
        if fields.get("continued", "").lower() == "true" and end >= text_length:
            going_on.setdefault((label, ident), deque()).append(_Open(label, start_word, head, note))
        else:
            spans.append(RawSpan(label, start_word, first_word + last, head, tail, note))
    for left in (o for waiting in opened.values() for o in waiting):
        # Continued in the file, but not on this line: they end where their line ended.
        spans.append(RawSpan(left.label, left.first, max(left.first, first_word - 1), left.head, 0, left.note))
    return going_on


def _word_places(line: Any, texts: list[str]) -> tuple[list[int], list[int], int]:
    """Each word's first and after-last character in the line's text, and that text's length."""
    text, _, _ = _text(line)
    starts, ends = [], []
    at = 0
    for word in texts:
        found = text.find(word, at) if text else -1
        if found < 0:
            break
        starts.append(found)
        ends.append(found + len(word))
        at = found + len(word)
    else:
        return starts, ends, len(text)
    # No text for the line, or one its words do not follow: the words joined by one space.
    starts, ends, at = [], [], 0
    for word in texts:
        starts.append(at)
        ends.append(at + len(word))
        at += len(word) + 1
    return starts, ends, max(0, at - 1)


def _graphic(file: WordsFile, region: Any) -> RawRegion | None:
    """A graphic region as a labelled region: its label from Scanspan's or Transkribus's structure type,
    else PAGE's own type ("signature", "stamp"); an untyped ("other") region is layout, not an annotation."""
    fields = dict(custom_tags(region.get("custom") or ""))
    name = fields.get("structure", {}).get("type") or (region.get("type") or "")
    if not name.strip() or name == "other":
        return None
    label = file.label(name, "a region")
    if label is None:
        return None
    text = fields.get("transcription", {}).get("text", "")
    return RawRegion(label, _coords(file.path, region), text, region.get("comments") or "")


def _size(path: Path, page: Any) -> tuple[float | None, float | None]:
    try:
        w, h = page.get("imageWidth"), page.get("imageHeight")
        return (float(w) if w is not None else None, float(h) if h is not None else None)
    except ValueError:
        raise SourceError(path, f"line {page.sourceline}: the page's imageWidth or imageHeight is not a number") from None


def _reading_order(page: Any) -> list[str]:
    for element in page:
        if local(element.tag) == "ReadingOrder":
            ids: list[str] = []
            for group in element:
                _group(group, ids)
            return ids
    return []


def _group(group: Any, ids: list[str]) -> None:
    if group.get("regionRef"):
        ids.append(group.get("regionRef"))
    children = [c for c in group if local(c.tag) != "Labels" and isinstance(c.tag, str)]
    if local(group.tag).startswith("OrderedGroup"):
        children.sort(key=lambda c: _index(c.get("index")))
    for child in children:
        _group(child, ids)


def _index(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _text(element: Any) -> tuple[str, float, str]:
    """The element's text, confidence (0-100) and original OCR: its first TextEquiv by index, and the one
    whose comments call it the original OCR, as Scanspan writes a corrected word ("" if none: other
    TextEquivs are other readings, not what the engine read)."""
    equivs = [e for e in element if local(e.tag) == "TextEquiv"]
    if not equivs:
        return "", 100.0, ""
    best = min(equivs, key=lambda e: _index(e.get("index")))
    text = "".join(u.text or "" for u in best if local(u.tag) == "Unicode")
    original = next((e for e in equivs if e is not best and "original" in (e.get("comments") or "").lower()), None)
    scored = best if original is None or best.get("conf") is not None else original
    try:
        conf = float(scored.get("conf", "1"))
    except ValueError:
        conf = 1.0
    ocr_text = "".join(u.text or "" for u in original if local(u.tag) == "Unicode").strip() if original is not None else ""
    return text, round(min(max(conf, 0.0), 1.0) * 100, 2), ocr_text


def _coords(path: Path, element: Any) -> Box:
    for child in element:
        if local(child.tag) == "Coords":
            try:
                if child.get("points"):
                    points = [tuple(float(v) for v in p.split(",")) for p in child.get("points").split()]
                else:  # PAGE 2010 wrote one <Point x= y=/> a corner
                    points = [(float(p.get("x")), float(p.get("y"))) for p in child if local(p.tag) == "Point"]
                if points and all(len(p) == 2 for p in points):
                    xs, ys = [p[0] for p in points], [p[1] for p in points]
                    return (min(xs), min(ys), max(xs), max(ys))
            except (TypeError, ValueError):
                pass
            raise SourceError(path, f"line {child.sourceline}: Coords that are not points")
    raise SourceError(path, f"line {element.sourceline}: <{local(element.tag)}> has no Coords")
