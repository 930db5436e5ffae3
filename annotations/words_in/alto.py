"""ALTO (v2 to v4): pages, text blocks, lines and strings with their HPOS/VPOS/WIDTH/HEIGHT and WC."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..model import RawWord
from . import FilePage, WordsFile, split_words
from .xml import local

UNITS = ("pixel", "mm10", "inch1200")


def read(path: Path, root: Any, namespace: str) -> WordsFile:
    version = re.search(r"ns-v(\d+)", namespace)
    result = WordsFile(path, "ALTO", f"v{version.group(1)}" if version else root.get("SCHEMAVERSION", ""))
    image: str | None = None
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
            result.pages.append(_page(path, element, len(result.pages) + 1))
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


def _page(path: Path, page: Any, number: int) -> FilePage:
    words: list[RawWord] = []
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
            for part, box in split_words(text, (x, y, x + w, y + h)):
                words.append(RawWord(part, box, conf, max(block, 0), 0, max(line, 0)))
        elif name == "HYP" and words and words[-1].line == max(line, 0):
            # ALTO keeps a line-end hyphen apart from its word; on the page it is part of it.
            last = words[-1]
            words[-1] = RawWord(last.text + element.get("CONTENT", "-"), last.box, last.conf, last.block, last.par,
                                last.line)
    return FilePage(number, _number(path, page, "WIDTH", required=False), _number(path, page, "HEIGHT", required=False),
                    words)
