"""PAGE-XML (2013, 2019): text regions in the ReadingOrder, lines and words (or glyphs) with their Coords."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..model import Box, RawWord
from . import FilePage, WordsFile, split_words
from .xml import local


def read(path: Path, root: Any, namespace: str) -> WordsFile:
    version = re.search(r"/pagecontent/(\d{4})", namespace)
    result = WordsFile(path, "PAGE", version.group(1) if version else "")
    for element in root:
        if local(element.tag) == "Metadata":
            for child in element:
                if local(child.tag) == "Creator":
                    result.creator = " ".join((child.text or "").split())[:80]
        elif local(element.tag) == "Page":
            result.pages.append(_page(path, element, len(result.pages) + 1))
    return result


def _page(path: Path, page: Any, number: int) -> FilePage:
    width, height = _size(path, page)
    by_id = {e.get("id"): e for e in page.iter() if isinstance(e.tag, str) and e.get("id")}
    ordered = [by_id[i] for i in _reading_order(page) if i in by_id]
    # Regions the ReadingOrder leaves out still hold words: they follow, in the file's order.
    regions = ordered + [e for e in page.iter() if local(e.tag) == "TextRegion"]
    words: list[RawWord] = []
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
            line_words = [w for w in line if local(w.tag) == "Word"]
            if line_words:
                for word in line_words:
                    text, conf = _text(word)
                    if not text:
                        glyphs = [g for g in word if local(g.tag) == "Glyph"]
                        text = "".join(_text(g)[0] for g in glyphs)
                    for part, box in split_words(text, _coords(path, word)):
                        words.append(RawWord(part, box, conf, block, 0, line_number))
            else:
                # A line-level file (Transkribus, Kraken): the line's text shares out its box.
                text, conf = _text(line)
                for part, box in split_words(text, _coords(path, line) if text.strip() else (0, 0, 0, 0)):
                    words.append(RawWord(part, box, conf, block, 0, line_number))
    return FilePage(number, width, height, words, page.get("imageFilename") or None)


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


def _text(element: Any) -> tuple[str, float]:
    """The element's text and confidence (0-100): its first TextEquiv by index."""
    equivs = [e for e in element if local(e.tag) == "TextEquiv"]
    if not equivs:
        return "", 100.0
    best = min(equivs, key=lambda e: _index(e.get("index")))
    text = "".join(u.text or "" for u in best if local(u.tag) == "Unicode")
    try:
        conf = float(best.get("conf", "1"))
    except ValueError:
        conf = 1.0
    return text, round(min(max(conf, 0.0), 1.0) * 100, 2)


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
