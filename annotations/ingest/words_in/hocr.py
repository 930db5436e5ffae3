"""hOCR: ocr_page elements with their ocrx_word, line and block elements, read from their title properties, and
the spans and regions Scanspan writes in data- attributes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...errors import SourceError
from ...records import RawRegion, RawSpan, RawWord
from .words_file import FilePage, WordsFile, split_words, word_runs

_PROPERTY = re.compile(r'\s*([A-Za-z_][\w-]*)\s*("(?:[^"\\]|\\.)*"|[^;]*)(?:;|$)')
LINES = {"ocr_line", "ocr_textfloat", "ocr_caption", "ocr_header"}
BLOCKS = {"ocr_carea", "ocr_par"}
IMAGES = {"ocr_image", "ocr_photo", "ocr_graphic"}


def read(path: Path, root: Any) -> WordsFile:
    result = WordsFile(path, "hOCR", "")
    for meta in root.iter():
        if _local(meta.tag) == "meta" and meta.get("name") == "ocr-system":
            result.creator = " ".join((meta.get("content") or "").split())[:80]
    pages = [e for e in root.iter() if "ocr_page" in _classes(e)]
    if not pages:
        raise SourceError(path, "an HTML file without hOCR pages (no element of class ocr_page)")
    for element in pages:
        result.pages.append(_page(result, element, len(result.pages) + 1))
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


def _page(file: WordsFile, page: Any, number: int) -> FilePage:
    path = file.path
    props = properties(page.get("title", ""))
    box = _bbox(path, page, props)
    words: list[RawWord] = []
    tagged: list[list[str]] = []  # each word's span ids
    spans: dict[str, tuple[str, str]] = {}  # span id -> (label, note)
    regions: list[RawRegion] = []
    block = line = -1
    for element in page.iter():
        classes = _classes(element)
        if classes & BLOCKS:
            block += 1
        if classes & LINES:
            line += 1
        if classes & IMAGES and element.get("data-label"):
            region = _region(file, element)
            if region is not None:
                regions.append(region)
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
        parts = split_words(text, word_box)
        original = (element.get("data-ocr") or "").strip() if len(parts) == 1 else ""
        refs = _spans(file, element, spans)
        for part, part_box in parts:
            words.append(RawWord(part, part_box, min(max(conf, 0.0), 100.0), max(block, 0), 0, max(line, 0),
                                 original))
            tagged.append(refs)
    width = box[2] if box else None
    height = box[3] if box else None
    found = [RawSpan(spans[ref][0], first, last, note=spans[ref][1]) for ref, first, last in word_runs(tagged)]
    return FilePage(number, width, height, words, props.get("image") or None, found, regions)


def _spans(file: WordsFile, word: Any, spans: dict[str, tuple[str, str]]) -> list[str]:
    """The ids of the spans a word's data-spans (a JSON list of {"id", "label", "note"}) puts it in."""
    value = word.get("data-spans")
    if not value:
        return []
    try:
        items = json.loads(value)
    except ValueError:
        items = None
    if not isinstance(items, list):
        file.warnings.append(f"{file.path.name}: line {word.sourceline}: data-spans is not a JSON list; "
                             "the word's spans not imported")
        return []
    refs = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            continue
        ref = str(item.get("id", item["label"]))
        if ref not in spans:
            label = file.label(item["label"], "a span")
            if label is None:
                continue
            note = item.get("note")
            spans[ref] = (label, note if isinstance(note, str) else "")
        refs.append(ref)
    return refs


def _region(file: WordsFile, element: Any) -> RawRegion | None:
    box = _bbox(file.path, element, properties(element.get("title", "")))
    label = file.label(element.get("data-label", ""), "a region")
    if box is None or label is None:
        return None
    return RawRegion(label, box, element.get("data-text") or "", element.get("data-note") or "")
