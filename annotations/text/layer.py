"""Reading-order text from words, and fast mappings between characters, words and rectangles."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..records import Box, Span, Word

PAGE_SEPARATOR = "\n\f\n"
"""Joins page texts into the document text; a form feed marks the page break unambiguously."""

_GRID = 128.0  # spatial index cell, in page pixels: a few words per cell on a 300-dpi page


def _joiner(prev: Word, word: Word) -> str:
    if (prev.block, prev.par) != (word.block, word.par):
        return "\n\n"
    if prev.line != word.line:
        return "\n"
    return " "


@dataclass
class PageText:
    """One page's text built from its words; `starts[i]`/`ends[i]` are word i's character range."""

    words: list[Word]
    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def build(cls, words: Sequence[Word]) -> PageText:
        ordered = sorted(words, key=lambda w: w.index)
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        prev: Word | None = None
        for word in ordered:
            if prev is not None:
                sep = _joiner(prev, word)
                parts.append(sep)
                pos += len(sep)
            parts.append(word.text)
            starts.append(pos)
            pos += len(word.text)
            ends.append(pos)
            prev = word
        return cls(ordered, "".join(parts), starts, ends)

    def words_in_range(self, start: int, end: int) -> range:
        """Indices of the words that overlap the character range [start, end)."""
        if end <= start:
            return range(0)
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end)
        return range(first, last)


class SpatialIndex:
    """Words of one page bucketed on a grid, so a rectangle query touches only nearby words."""

    def __init__(self, words: Sequence[Word]) -> None:
        self._words = list(words)
        self._bounds = (
            min((w.box[0] for w in self._words), default=0.0),
            min((w.box[1] for w in self._words), default=0.0),
            max((w.box[2] for w in self._words), default=0.0),
            max((w.box[3] for w in self._words), default=0.0),
        )
        self._cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, word in enumerate(self._words):
            for cell in self._cells_of(word.box):
                self._cells[cell].append(i)

    @staticmethod
    def _cells_of(box: Box) -> list[tuple[int, int]]:
        x0, y0, x1, y1 = box
        cols = range(int(x0 // _GRID), int(x1 // _GRID) + 1)
        rows = range(int(y0 // _GRID), int(y1 // _GRID) + 1)
        return [(c, r) for c in cols for r in rows]

    def query(self, rect: Box, mode: str = "center") -> list[int]:
        """Indices (in reading order) of words inside `rect`.

        mode "center": the word's centre lies in rect (a rubber band); "overlap": any overlap;
        "contain": the whole word box lies in rect.
        """
        rx0, ry0, rx1, ry1 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
        hits: set[int] = set()
        # Only cells that can hold words: a huge rectangle must not walk a huge empty grid.
        bx0, by0, bx1, by1 = self._bounds
        clipped = (max(rx0, bx0), max(ry0, by0), min(rx1, bx1), min(ry1, by1))
        if not self._words or clipped[0] > clipped[2] or clipped[1] > clipped[3]:
            return []
        for cell in self._cells_of(clipped):
            for i in self._cells.get(cell, ()):
                if i in hits:
                    continue
                x0, y0, x1, y1 = self._words[i].box
                if mode == "center":
                    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                    inside = rx0 <= cx <= rx1 and ry0 <= cy <= ry1
                elif mode == "overlap":
                    inside = x0 < rx1 and x1 > rx0 and y0 < ry1 and y1 > ry0
                elif mode == "contain":
                    inside = rx0 <= x0 and x1 <= rx1 and ry0 <= y0 and y1 <= ry1
                else:
                    raise ValueError(f"unknown mode {mode!r}")
                if inside:
                    hits.add(i)
        return sorted(hits)


@dataclass(frozen=True)
class ResolvedSpan:
    """A span located in the document text, with the words it covers."""

    span: Span
    start: int
    end: int
    text: str
    words: list[Word]


class DocumentText:
    """A document's pages joined into one text, with character <-> word mappings across pages."""

    def __init__(self, pages: Sequence[PageText]) -> None:
        self.pages = list(pages)
        self.page_offsets: list[int] = []
        parts: list[str] = []
        pos = 0
        for i, page in enumerate(self.pages):
            if i:
                parts.append(PAGE_SEPARATOR)
                pos += len(PAGE_SEPARATOR)
            self.page_offsets.append(pos)
            parts.append(page.text)
            pos += len(page.text)
        self.text = "".join(parts)
        self._word_pos: dict[int, tuple[int, int]] = {}
        self.words: list[Word] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        for p, page in enumerate(self.pages):
            base = self.page_offsets[p]
            for i, word in enumerate(page.words):
                self._word_pos[word.id] = (p, i)
                self.words.append(word)
                self.starts.append(base + page.starts[i])
                self.ends.append(base + page.ends[i])
        self._flat_index = {w.id: i for i, w in enumerate(self.words)}

    @classmethod
    def from_words(cls, pages: Sequence[Sequence[Word]]) -> DocumentText:
        return cls([PageText.build(words) for words in pages])

    def page_range(self, page_index: int) -> tuple[int, int]:
        start = self.page_offsets[page_index]
        return start, start + len(self.pages[page_index].text)

    def word_index(self, word_id: int) -> int:
        return self._flat_index[word_id]

    def words_in_range(self, start: int, end: int) -> list[Word]:
        """Words overlapping the character range [start, end), across pages."""
        if end <= start:
            return []
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end)
        return self.words[first:last]

    def anchor(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(first_word_id, last_word_id, head, tail) for the character range, trimmed to words.

        Raises ValueError when the range covers no word.
        """
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end) - 1
        if end <= start or first > last:
            raise ValueError(f"characters {start}-{end} cover no word")
        head = max(0, start - self.starts[first])
        tail = max(0, self.ends[last] - end)
        return self.words[first].id, self.words[last].id, head, tail

    def resolve(self, span: Span) -> ResolvedSpan:
        """Character offsets of a span, computed from its word anchors."""
        i = self._flat_index[span.first_word_id]
        j = self._flat_index[span.last_word_id]
        if j < i:
            i, j = j, i
        first_len = self.ends[i] - self.starts[i]
        last_len = self.ends[j] - self.starts[j]
        # Clamp so a correction that shortened an edge word still leaves at least one character.
        head = min(span.head, max(0, first_len - 1))
        tail = min(span.tail, max(0, last_len - 1))
        start = self.starts[i] + head
        end = self.ends[j] - tail
        if end <= start:
            start, end = self.starts[i], self.ends[j]
        return ResolvedSpan(span, start, end, self.text[start:end], self.words[i : j + 1])

    def find(self, phrase: str) -> list[tuple[int, int]]:
        """Character ranges where `phrase` occurs, any run of whitespace matching any other."""
        words = phrase.split()
        if not words:
            return []
        # Whole words only, so "ICE" does not match inside "SERVICE"; "ICE" in "ICE's" still does.
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)")
        return [(m.start(), m.end()) for m in pattern.finditer(self.text)]
