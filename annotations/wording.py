"""Counts in messages that read right for 0, 1 and many: "1 span", "2 spans", "1 page split"."""

from __future__ import annotations

import re

_SINGULAR = {
    "spans": "span", "regions": "region", "relations": "relation", "documents": "document", "pages": "page",
    "boxes": "box", "texts": "text", "lines": "line", "notes": "note", "parts": "part", "records": "record",
    "words": "word", "problems": "problem", "files": "file", "edits": "edit", "corrections": "correction",
    "decisions": "decision", "suggestions": "suggestion", "disagreements": "disagreement", "stretches": "stretch",
}
_FIRST_PLURAL = re.compile(r"\b(?:spans and regions|" + "|".join(_SINGULAR) + r")\b")


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """"1 suggestion", "2 suggestions": a count with its noun in the number it takes."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def counted_phrase(count: int, phrase: str) -> str:
    """A count before a phrase written in the plural ("suggested spans not yet accepted"), whose first
    plural noun is made singular for a count of 1: "1 suggested span not yet accepted"."""
    if count == 1:
        phrase = _FIRST_PLURAL.sub(_one, phrase, count=1)
    return f"{count} {phrase}"


def _one(match: re.Match[str]) -> str:
    word = match.group()
    return "span or region" if word == "spans and regions" else _SINGULAR[word]
