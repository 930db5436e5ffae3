"""Reading order of a page's words: a recursive XY-cut over the OCR's blocks that keeps side columns whole."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median
from typing import Protocol, TypeVar

from ..records import Box

METHOD = "xycut-1"
"""Recorded in a page's provenance (`reading_order`) for words put in order here; "" is the engine's own order."""


GUTTER_IN_LINE = 4.0
"""A gap between two words of one OCR line this many word heights wide runs across a gutter."""


class Placed(Protocol):
    @property
    def box(self) -> Box: ...

    @property
    def block(self) -> int: ...


W = TypeVar("W", bound=Placed)


class _Unit:
    """One OCR block: its words (in the engine's order) and the box around them."""

    def __init__(self, positions: list[int], boxes: list[Box]) -> None:
        self.positions = positions
        self.x0 = min(b[0] for b in boxes)
        self.y0 = min(b[1] for b in boxes)
        self.x1 = max(b[2] for b in boxes)
        self.y1 = max(b[3] for b in boxes)


def reading_order(words: Sequence[Placed]) -> list[int]:
    """Positions of `words` in reading order.

    Blocks are cut into horizontal slabs where a gap crosses the whole set; adjacent slabs through
    which one vertical gutter runs are one slab again (a column of names whose gaps line up with
    the body's paragraph breaks, see _group); a slab with no horizontal gap is cut in two at the
    gutter with the most text on both sides, left before right; and so on recursively. Inside a
    block the engine's order is kept, so a page the engine read right stays as it was; only a
    block whose lines jump a gutter (a name column's line run on into the body's) is taken apart
    into the pieces of its lines on either side.
    """
    if not words:
        return []
    heights = [w.box[3] - w.box[1] for w in words if w.box[3] > w.box[1]]
    # A gutter narrower than about a word's height is the space between words, not between columns.
    min_gutter = median(heights) if heights else 1.0
    units = _units(words, GUTTER_IN_LINE * min_gutter)
    if len(units) < 2:
        return list(range(len(words)))
    return [i for unit in _order(units, min_gutter) for i in unit.positions]


def _units(words: Sequence[Placed], wide: float) -> list[_Unit]:
    blocks: dict[int, list[int]] = {}
    for i, word in enumerate(words):
        blocks.setdefault(word.block, []).append(i)
    units = []
    for positions in blocks.values():
        pieces: list[list[int]] = [[positions[0]]]
        for i in positions[1:]:
            prev = words[pieces[-1][-1]].box
            box = words[i].box
            same_line = min(prev[3], box[3]) > max(prev[1], box[1])
            if same_line and abs(box[0] - prev[2]) < wide:
                pieces[-1].append(i)
            else:  # a new line, or the same line across a gutter
                pieces.append([i])
        if len(pieces) > 1 and any(
            abs(words[b[0]].box[0] - words[a[-1]].box[2]) >= wide
            and min(words[a[-1]].box[3], words[b[0]].box[3]) > max(words[a[-1]].box[1], words[b[0]].box[1])
            for a, b in zip(pieces, pieces[1:])
        ):
            units += [_Unit(p, [words[i].box for i in p]) for p in pieces]
        else:
            units.append(_Unit(positions, [words[i].box for i in positions]))
    return units


def order_words(words: Sequence[W]) -> list[W]:
    """`words` in reading order (see reading_order)."""
    return [words[i] for i in reading_order(words)]


def _gaps(spans: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """The empty intervals (at least `min_gap` wide) between the union of `spans`."""
    spans = sorted(spans)
    gaps = []
    reach = spans[0][1]
    for lo, hi in spans[1:]:
        if lo - reach >= min_gap:
            gaps.append((reach, lo))
        reach = max(reach, hi)
    return gaps


def _slabs(units: list[_Unit]) -> list[list[_Unit]]:
    """`units` cut at every horizontal gap, top to bottom."""
    cuts = [hi for _, hi in _gaps([(u.y0, u.y1) for u in units], 1e-9)]
    slabs: list[list[_Unit]] = [[] for _ in range(len(cuts) + 1)]
    for unit in units:
        slabs[sum(unit.y0 >= c for c in cuts)].append(unit)
    return slabs


def _two_sided(units: list[_Unit], min_gutter: float) -> list[tuple[float, float]]:
    """The vertical gutters of `units` with blocks on both sides."""
    if len(units) < 2:
        return []
    return _gaps([(u.x0, u.x1) for u in units], min_gutter)


def _shared(a: list[tuple[float, float]], b: list[tuple[float, float]], min_gutter: float) -> bool:
    return any(min(ahi, bhi) - max(alo, blo) >= min_gutter for alo, ahi in a for blo, bhi in b)


COLUMN_LINES = 3.0
"""Text this many word heights tall on each side of a gutter, side by side, makes the two sides columns."""


def _sides(units: list[_Unit], gutter: tuple[float, float]) -> tuple[list[_Unit], list[_Unit]]:
    return [u for u in units if u.x1 <= gutter[0]], [u for u in units if u.x1 > gutter[0]]


def _weight(units: list[_Unit], gutter: tuple[float, float]) -> float:
    """How much text the thinner side of `gutter` holds beside the other (in pixels of height)."""
    left, right = _sides(units, gutter)
    overlap = min(max(u.y1 for u in left), max(u.y1 for u in right)) - max(min(u.y0 for u in left), min(u.y0 for u in right))
    return min(sum(u.y1 - u.y0 for u in left), sum(u.y1 - u.y0 for u in right), max(0.0, overlap))


def _group(slabs: list[list[_Unit]], min_gutter: float) -> list[list[_Unit]]:
    """Adjacent slabs taken together where a gutter runs on through them: slabs that each have
    blocks on both sides of it, or that together hold columns (COLUMN_LINES) on both sides."""
    groups: list[list[_Unit]] = []
    i = 0
    while i < len(slabs):
        first = _two_sided(slabs[i], min_gutter)
        current, end = slabs[i], i + 1
        for j in range(i + 1, len(slabs)):
            current = current + slabs[j]
            gutters = _two_sided(current, min_gutter)
            if not _shared(first, gutters, min_gutter):
                break
            if _shared(first, _two_sided(slabs[j], min_gutter), min_gutter) or max(
                _weight(current, g) for g in gutters
            ) >= COLUMN_LINES * min_gutter:
                end = j + 1
        groups.append([u for slab in slabs[i:end] for u in slab])
        i = end
    return groups


def _order(units: list[_Unit], min_gutter: float) -> list[_Unit]:
    if len(units) < 2:
        return units
    groups = _group(_slabs(units), min_gutter)
    if len(groups) > 1:
        return [u for group in groups for u in _order(group, min_gutter)]
    gutters = _two_sided(units, min_gutter)
    if not gutters:  # blocks that overlap one another: the engine's order is all there is
        return units
    left, right = _sides(units, max(gutters, key=lambda g: _weight(units, g)))
    return _order(left, min_gutter) + _order(right, min_gutter)
