"""ALTO (v2 to v4): pages, text blocks, lines and strings with their HPOS/VPOS/WIDTH/HEIGHT and WC, tags and illustrations."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ...errors import SourceError
from ...records import RawRegion, RawSpan, RawWord
from .words_file import FilePage, WordsFile, split_words, word_runs
from .xml import local

UNITS = ("pixel", "mm10", "inch1200")
OWN_TYPES = ("span", "region", "")
"""The TYPE Scanspan gives its tags (the label is the LABEL); a tag of another TYPE ("Person") is labelled by it."""
REGION_BLOCKS = ("Illustration", "GraphicalElement", "ComposedBlock")


@dataclass(frozen=True)
class _Tag:
    label: str
    description: str


def read(path: Path, root: Any, namespace: str) -> WordsFile:
    version = re.search(r"ns-v(\d+)", namespace)
    result = WordsFile(path, "ALTO", f"v{version.group(1)}" if version else root.get("SCHEMAVERSION", ""))
    image: str | None = None
    tags = _tags(root)
    for element in root.iter():
        name = local(element.tag)
        if name == "MeasurementUnit":
            unit = (element.text or "").strip()
            if unit not in UNITS:
                raise SourceError(path, f"MeasurementUnit {unit[:40]!r} is none of {', '.join(UNITS)}")
            result.unit = unit
        elif name == "fileName" and local(element.getparent().tag) == "sourceImageInformation":
            image = (element.text or "").strip() or None
        elif name == "softwareName" and not result.creator:
            result.creator = " ".join((element.text or "").split())[:80]
        elif name == "Page":
            result.pages.append(_page(result, element, len(result.pages) + 1, tags))
    for page in result.pages:
        page.image = image
    return result


def _number(path: Path, element: Any, attribute: str, required: bool = True) -> float | None:
    value = element.get(attribute)
    if value is None:
        if required:
            raise SourceError(path, f"line {element.sourceline}: <{local(element.tag)}> has no {attribute}")
        return None
    try:
        return float(value)
    except ValueError:
        raise SourceError(path, f"line {element.sourceline}: {attribute}={value[:40]!r} is not a number") from None


def _tags(root: Any) -> dict[str, _Tag]:
    """The file's tags by ID: the label a span or region takes from each, and its DESCRIPTION."""
    found = {}
    for tags in (e for e in root.iter() if local(e.tag) == "Tags"):
        for tag in tags:
            if isinstance(tag.tag, str) and tag.get("ID"):
                kind, label = (tag.get("TYPE") or "").strip(), (tag.get("LABEL") or "").strip()
                found[tag.get("ID")] = _Tag(label if kind in OWN_TYPES else kind, tag.get("DESCRIPTION") or "")
    return found


def _page(file: WordsFile, page: Any, number: int, tags: dict[str, _Tag]) -> FilePage:
    path = file.path
    words: list[RawWord] = []
    tagged: list[list[str]] = []  # each word's tag IDs
    regions: list[RawRegion] = []
    block = line = -1
    for element in page.iter():
        name = local(element.tag)
        if name == "TextBlock":
            block += 1
        elif name == "TextLine":
            line += 1
        elif name == "String":
            text = element.get("CONTENT", "").strip()
            if not text:
                continue
            x, y = _number(path, element, "HPOS"), _number(path, element, "VPOS")
            w, h = _number(path, element, "WIDTH"), _number(path, element, "HEIGHT")
            assert x is not None and y is not None and w is not None and h is not None
            wc = _number(path, element, "WC", required=False)
            conf = 100.0 if wc is None else round(min(max(wc, 0.0), 1.0) * 100, 2)
            parts = split_words(text, (x, y, x + w, y + h))
            original = _original(element) if len(parts) == 1 else ""
            refs = [r for r in (element.get("TAGREFS") or "").split() if r in tags]
            for part, box in parts:
                words.append(RawWord(part, box, conf, max(block, 0), 0, max(line, 0), original))
                tagged.append(refs)
        elif name == "HYP" and words and words[-1].line == max(line, 0):
            # ALTO keeps a line-end hyphen apart from its word; on the page it is part of it.
            last = words[-1]
            hyphen = element.get("CONTENT", "-")
            words[-1] = replace(last, text=last.text + hyphen, ocr_text=last.ocr_text and last.ocr_text + hyphen)
        elif name in REGION_BLOCKS:
            region = _region(file, element, tags)
            if region is not None:
                regions.append(region)
    spans = []
    for ref, first_word, last_word in word_runs(tagged):
        label = file.label(tags[ref].label, "a span")
        if label is not None:
            spans.append(RawSpan(label, first_word, last_word, note=tags[ref].description))
    return FilePage(number, _number(path, page, "WIDTH", required=False), _number(path, page, "HEIGHT", required=False),
                    words, spans=spans, regions=regions)


def _original(string: Any) -> str:
    """What the engine read of a corrected word: an ALTERNATIVE whose PURPOSE says it is the original OCR
    (other ALTERNATIVEs are other readings, not the engine's)."""
    for child in string:
        if local(child.tag) == "ALTERNATIVE" and "original" in (child.get("PURPOSE") or "").lower():
            return (child.text or "").strip()
    return ""


def _region(file: WordsFile, element: Any, tags: dict[str, _Tag]) -> RawRegion | None:
    """An illustration or graphical element with a tag (or an illustration with a TYPE) as a labelled region;
    a separator line or an untyped picture is layout, not an annotation."""
    refs = [tags[r] for r in (element.get("TAGREFS") or "").split() if r in tags]
    name = refs[0].label if refs else (element.get("TYPE") or "") if local(element.tag) == "Illustration" else ""
    if not name.strip():
        return None
    label = file.label(name, "a region")
    if label is None:
        return None
    x, y = _number(file.path, element, "HPOS"), _number(file.path, element, "VPOS")
    w, h = _number(file.path, element, "WIDTH"), _number(file.path, element, "HEIGHT")
    assert x is not None and y is not None and w is not None and h is not None
    return RawRegion(label, (x, y, x + w, y + h), refs[0].description if refs else "")
