"""Character alignment of an external text to a document's OCR text, tolerant of whitespace and small OCR slips."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_WORD = re.compile(r"\S+")
MAX_BLOCK = 2000
"""Longest differing stretch (characters) aligned character by character; longer ones stay unaligned,
since text that different is not a misreading of the same letter."""
MAX_SLIP = 3
"""Longest run of differing characters taken as a misreading ("rn" for "m", "l" for "1"); longer runs
are different text and stay unaligned."""


@dataclass
class Alignment:
    """For every character of `source`, the character of `target` it corresponds to, or None."""

    source: str
    target: str
    positions: list[int | None]

    @property
    def coverage(self) -> float:
        """Share of the source's visible characters that found a counterpart."""
        visible = [k for k, ch in enumerate(self.source) if not ch.isspace()]
        if not visible:
            return 1.0
        return sum(self.positions[k] is not None for k in visible) / len(visible)

    def map_range(self, start: int, end: int) -> tuple[int, int] | None:
        """The target range covering what source[start:end] maps to, or None if none of it does."""
        hits = [
            p for k in range(max(0, start), min(end, len(self.source)))
            if (p := self.positions[k]) is not None and not self.source[k].isspace()
        ]
        if not hits:
            return None
        return min(hits), max(hits) + 1


def align(source: str, target: str) -> Alignment:
    """Align word by word (whitespace never matters), then character by character where words differ."""
    if source == target:
        return Alignment(source, target, list(range(len(source))))
    positions: list[int | None] = [None] * len(source)
    a = [m.span() for m in _WORD.finditer(source)]
    b = [m.span() for m in _WORD.finditer(target)]
    words = SequenceMatcher(None, [source[s:e] for s, e in a], [target[s:e] for s, e in b], autojunk=False)
    for op, i1, i2, j1, j2 in words.get_opcodes():
        if op == "equal":
            for (sa, ea), (sb, _) in zip(a[i1:i2], b[j1:j2]):
                positions[sa:ea] = range(sb, sb + ea - sa)
        elif op == "replace":
            _align_chars(source, target, a[i1][0], a[i2 - 1][1], b[j1][0], b[j2 - 1][1], positions)
    return Alignment(source, target, positions)


def _align_chars(source: str, target: str, sa: int, ea: int, sb: int, eb: int, positions: list[int | None]) -> None:
    if ea - sa > MAX_BLOCK or eb - sb > MAX_BLOCK:
        return
    chars = SequenceMatcher(None, source[sa:ea], target[sb:eb], autojunk=False)
    for op, i1, i2, j1, j2 in chars.get_opcodes():
        if op == "equal":
            positions[sa + i1 : sa + i2] = range(sb + j1, sb + j2)
        elif op == "replace" and max(i2 - i1, j2 - j1) <= MAX_SLIP:
            # A misread stretch ("rn" for "m"): spread the source characters evenly over the target's.
            for k in range(i1, i2):
                positions[sa + k] = sb + j1 + (k - i1) * (j2 - j1) // (i2 - i1)
