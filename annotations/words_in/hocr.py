"""hOCR: ocr_page elements with their ocrx_word, line and block elements, read from their title properties."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..model import RawWord
from . import FilePage, WordsFile, split_words

_PROPERTY = re.compile(r'\s*([A-Za-z_][\w-]*)\s*("(?:[^"\\]|\\.)*"|[^;]*)(?:;|$)')
LINES = {"ocr_line", "ocr_textfloat", "ocr_caption", "ocr_header"}
BLOCKS = {"ocr_carea", "ocr_par"}


def read(path: Path, root: Any) -> WordsFile:
    result = WordsFile(path, "hOCR", "")
    for meta in root.iter():
        if _local(meta.tag) == "meta" and meta.get("name") == "ocr-system":
            result.creator = " ".join((meta.get("content") or "").split())[:80]
    pages = [e for e in root.iter() if "ocr_page" in _classes(e)]
    if not pages:
        raise SourceError(path, "an HTML file without hOCR pages (no element of class ocr_page)")
    for element in pages:
        result.pages.append(_page(path, element, len(result.pages) + 1))
    return result


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split()) if isinstance(element.tag, str) else set()


def properties(title: str) -> dict[str, str]:
    """An hOCR title ("bbox 10 20 30 40; x_wconf 93; image \\"a.tif\\"") as its properties."""
    found = {}
    for match in _PROPERTY.finditer(title or ""):
        value = match.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        found[match.group(1)] = value
    return found


def _bbox(path: Path, element: Any, props: dict[str, str]) -> tuple[float, float, float, float] | None:
    if "bbox" not in props:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in props["bbox"].split())
    except ValueError:
        raise SourceError(path, f"line {element.sourceline}: bbox {props['bbox'][:40]!r} is not four numbers") from None
    return (x0, y0, x1, y1)


def _page(path: Path, page: Any, number: int) -> FilePage:
    props = properties(page.get("title", ""))
    box = _bbox(path, page, props)
    words: list[RawWord] = []
    block = line = -1
    for element in page.iter():
        classes = _classes(element)
        if classes & BLOCKS:
            block += 1
        if classes & LINES:
            line += 1
        if "ocrx_word" not in classes:
            continue
        text = "".join(element.itertext())
        word_props = properties(element.get("title", ""))
        word_box = _bbox(path, element, word_props)
        if not text.strip():
            continue
        if word_box is None:
            raise SourceError(path, f"line {element.sourceline}: word {text.strip()[:40]!r} has no bbox")
        try:
            conf = float(word_props.get("x_wconf", "100"))
        except ValueError:
            conf = 100.0
        for part, part_box in split_words(text, word_box):
            words.append(RawWord(part, part_box, min(max(conf, 0.0), 100.0), max(block, 0), 0, max(line, 0)))
    width = box[2] if box else None
    height = box[3] if box else None
    return FilePage(number, width, height, words, props.get("image") or None)
