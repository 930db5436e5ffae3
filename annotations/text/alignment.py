"""Character alignment of an external text to a document's OCR text, tolerant of whitespace and small OCR slips."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property

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
    identity: bool = False  # the texts are equal: every character maps to itself

    @cached_property
    def visible(self) -> int:
        """How many of the source's characters are not whitespace."""
        return sum(1 for ch in self.source if not ch.isspace())

    @cached_property
    def covered(self) -> int:
        """How many of the source's visible characters found a counterpart."""
        return sum(1 for ch, p in zip(self.source, self.positions) if p is not None and not ch.isspace())

    @property
    def coverage(self) -> float:
        """Share of the source's visible characters that found a counterpart."""
        return self.covered / self.visible if self.visible else 1.0

    def map_range(self, start: int, end: int) -> tuple[int, int] | None:
        """The target range covering what source[start:end] maps to, or None if none of it does."""
        if self.identity:
            # The common case (a record carrying the document's own text): only edge spaces to trim.
            start, end = max(0, start), min(end, len(self.source))
            while start < end and self.source[start].isspace():
                start += 1
            while end > start and self.source[end - 1].isspace():
                end -= 1
            return (start, end) if start < end else None
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
        return Alignment(source, target, list(range(len(source))), identity=True)
    positions: list[int | None] = [None] * len(source)
    a = [m.span() for m in _WORD.finditer(source)]
    b = [m.span() for m in _WORD.finditer(target)]
    for op, i1, i2, j1, j2 in _word_opcodes([source[s:e] for s, e in a], [target[s:e] for s, e in b]):
        if op == "equal":
            for (sa, ea), (sb, _) in zip(a[i1:i2], b[j1:j2]):
                positions[sa:ea] = range(sb, sb + ea - sa)
        else:
            _align_chars(source, target, a[i1][0], a[i2 - 1][1], b[j1][0], b[j2 - 1][1], positions)
    return Alignment(source, target, positions)


SMALL = 40_000
"""Largest stretch (words of one text x words of the other) handed whole to SequenceMatcher, whose
cost grows with that product: a whole 36,000-word document took 9 s, 80,000 words 208 s."""
GRAMS = (1, 2, 4, 8, 16)
"""Run lengths (in words) tried as anchors: a word unique in both texts, else a unique pair, and so on;
letters reuse their words, and a form letter repeats whole phrases."""


def _word_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """("equal" | "replace", i1, i2, j1, j2) blocks of two word lists, in no particular order.

    Texts equal but for whitespace match word for word at once. Otherwise the lists are cut at
    anchors, runs of words that occur exactly once in each (patience diff): the stretches between
    anchors are aligned the same way in turn, and only small stretches go to SequenceMatcher. The
    work is about linear in the length of the texts instead of quadratic.
    """
    if a == b:
        return [("equal", 0, len(a), 0, len(b))] if a else []
    blocks: list[tuple[str, int, int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        # Equal words at either end are matched directly (most of a text that differs in a few places).
        lo = 0
        while alo + lo < ahi and blo + lo < bhi and a[alo + lo] == b[blo + lo]:
            lo += 1
        if lo:
            blocks.append(("equal", alo, alo + lo, blo, blo + lo))
            alo, blo = alo + lo, blo + lo
        hi = 0
        while ahi - hi > alo and bhi - hi > blo and a[ahi - hi - 1] == b[bhi - hi - 1]:
            hi += 1
        if hi:
            blocks.append(("equal", ahi - hi, ahi, bhi - hi, bhi))
            ahi, bhi = ahi - hi, bhi - hi
        if alo == ahi or blo == bhi:
            continue  # words only one text has: nothing to align
        if (ahi - alo) * (bhi - blo) <= SMALL:
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op in ("equal", "replace"):
                    blocks.append((op, alo + i1, alo + i2, blo + j1, blo + j2))
            continue
        anchors = _anchors(a, alo, ahi, b, blo, bhi)
        if not anchors:
            # Long stretches with no run of words in common: different text, not a misreading of it.
            blocks.append(("replace", alo, ahi, blo, bhi))
            continue
        i, j = alo, blo
        for ai, bj, k in anchors:
            # Consecutive anchors may overlap: skip the words already matched.
            skip = max(0, i - ai, j - bj)
            if skip >= k:
                continue
            ai, bj, k = ai + skip, bj + skip, k - skip
            stack.append((i, ai, j, bj))
            blocks.append(("equal", ai, ai + k, bj, bj + k))
            i, j = ai + k, bj + k
        stack.append((i, ahi, j, bhi))
    return blocks


def _anchors(a: list[str], alo: int, ahi: int, b: list[str], blo: int, bhi: int) -> list[tuple[int, int, int]]:
    """Runs (i, j, k) with a[i:i+k] == b[j:j+k] occurring once in each stretch, in the same order in both.

    Of the run lengths in GRAMS, the one whose anchors cover the most words wins.
    """
    best: list[tuple[int, int, int]] = []
    best_cover = 0
    for k in GRAMS:
        if k > min(ahi - alo, bhi - blo):
            break
        in_a = _unique_runs(a, alo, ahi, k)
        in_b = _unique_runs(b, blo, bhi, k)
        pairs = sorted((i, in_b[run]) for run, i in in_a.items() if run in in_b)
        chain = _increasing(pairs)
        cover = sum(min(k, nxt[0] - cur[0]) for cur, nxt in zip(chain, chain[1:])) + (k if chain else 0)
        if cover > best_cover:
            best, best_cover = [(i, j, k) for i, j in chain], cover
        if best_cover * 2 >= min(ahi - alo, bhi - blo):
            break  # anchors over half the shorter stretch: longer runs will not do better
    return best


def _unique_runs(words: list[str], lo: int, hi: int, k: int) -> dict[tuple[str, ...], int]:
    """Runs of k words in words[lo:hi] that occur there exactly once -> where they start."""
    first: dict[tuple[str, ...], int] = {}
    repeated: set[tuple[str, ...]] = set()
    for i in range(lo, hi - k + 1):
        run = tuple(words[i : i + k])
        if run in first:
            repeated.add(run)
        else:
            first[run] = i
    return {run: i for run, i in first.items() if run not in repeated}


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of (i, j) pairs (sorted by i) whose j also increase: O(n log n)."""
    tails: list[int] = []  # tails[m]: the j ending the best chain of length m + 1 so far
    ends: list[int] = []  # index in pairs of that chain's last pair
    back: list[int] = []  # index of the pair before each pair in its chain, or -1
    for n, (_, j) in enumerate(pairs):
        m = bisect_left(tails, j)
        back.append(ends[m - 1] if m else -1)
        if m == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[m], ends[m] = j, n
    chain = []
    n = ends[-1] if ends else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    return chain[::-1]


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
