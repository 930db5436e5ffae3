"""Handwriting on a scanned page: ink the OCR did not read as confident words, in strokes larger than type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..records import Box

if TYPE_CHECKING:
    from PIL import Image

Pixels = npt.NDArray[Any]
"""A page's pixels or a boolean mask over them."""

CONFIDENT = 60
"""A word read at this confidence or more is print; ink under it is not handwriting."""
READ = 40
"""A word read at this confidence or more is type the OCR made out, if poorly; no signature starts in it."""


def _wordlike(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= 2


@dataclass(frozen=True)
class Stroke:
    """One connected piece of ink: its box, pixel count, share outside confident words, mean run length."""

    box: Box
    area: int
    outside: float
    run: float


def ink_threshold(gray: Pixels) -> int:
    """Otsu's grey level between paper and ink, kept within what scans of letters use (faint pencil
    and dark paper alike should not turn the whole page into ink)."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight / total - mean) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between)
    return int(min(180, max(80, int(np.argmax(between)))))


def strokes(ink: Pixels, covered: Pixels, reach: int = 0) -> list[Stroke]:
    """The 8-connected pieces of `ink` (a boolean image), counting pixels up to `reach` apart as
    touching (a faint pen on a fax breaks into dots); found run by run: a page has tens of
    thousands of runs but millions of pixels, so runs keep the union-find small."""
    height, width = ink.shape
    grown = _grow(ink, reach) if reach else ink
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = grown
    change = np.diff(padded, axis=1)
    starts = np.argwhere(change == 1)
    ends = np.argwhere(change == -1)
    if starts.size == 0:
        return []
    rows = starts[:, 0]
    x0 = starts[:, 1]
    x1 = ends[:, 1]  # exclusive
    n = len(rows)
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    row_start = np.searchsorted(rows, np.arange(height + 1))
    x0_l, x1_l = x0.tolist(), x1.tolist()
    for r in range(1, height):
        a, a_end = int(row_start[r - 1]), int(row_start[r])
        b, b_end = a_end, int(row_start[r + 1])
        while a < a_end and b < b_end:
            # 8-connected: runs touch when they overlap or meet at a corner.
            if x0_l[a] <= x1_l[b] and x0_l[b] <= x1_l[a]:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            if x1_l[a] < x1_l[b]:
                a += 1
            else:
                b += 1
    roots = np.array([find(i) for i in range(n)])
    # Ink pixels and those under confident words, per run, from cumulative sums along each row.
    cum = np.zeros((height, width + 1), dtype=np.int32)
    np.cumsum(ink, axis=1, out=cum[:, 1:])
    lengths = cum[rows, x1] - cum[rows, x0]
    np.cumsum(covered, axis=1, out=cum[:, 1:])
    inside = cum[rows, x1] - cum[rows, x0]
    order = np.argsort(roots, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(roots[order])) + 1)
    found = []
    for group in groups:
        area = int(lengths[group].sum())
        if area == 0:
            continue
        found.append(Stroke(
            (float(x0[group].min()), float(rows[group].min()), float(x1[group].max()), float(rows[group].max() + 1)),
            area, 1.0 - float(inside[group].sum()) / area, area / len(group)))
    return found


def _grow(ink: Pixels, reach: int) -> Pixels:
    """`ink` with every pixel grown by `reach` pixels in each direction."""
    grown = ink.copy()
    for _ in range(reach):
        step = grown.copy()
        step[1:, :] |= grown[:-1, :]
        step[:-1, :] |= grown[1:, :]
        step[:, 1:] |= grown[:, :-1]
        step[:, :-1] |= grown[:, 1:]
        grown = step
    return grown


def handwriting(image: Image.Image, words: Sequence[tuple[Box, float, str]], band: Box, height: float) -> list[Box]:
    """The boxes of handwriting (signatures, initials) inside `band` of a grey page whose printed
    lines are `height` pixels high; `words` are the page's OCR words as (box, confidence, text).

    Handwriting is ink that confident OCR words do not cover, in connected strokes thin for their
    size (not a filled logo or a black bar) and neither a ruled line nor dust. A signature holds
    at least one stroke taller than a line of type; the smaller pieces of ink right beside such
    strokes (a faint pen breaks up) join it where the OCR read no word in them. Type the OCR could
    not read is no taller than its line, so it starts no signature.
    """
    page = np.asarray(image.convert("L"))
    bx0, by0 = max(0, int(band[0])), max(0, int(band[1]))
    bx1, by1 = min(page.shape[1], int(band[2])), min(page.shape[0], int(band[3]))
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return []
    ink = page[by0:by1, bx0:bx1] < ink_threshold(page)
    h = max(4.0, height)
    # A single character is the OCR's weakest guess: it reads "a" or "/" into a signature's loops;
    # so is a "word" far taller than a line of type ("la" boxed over a whole signature).
    typed = [(box, conf) for box, conf, text in words if _wordlike(text) and box[3] - box[1] <= 2 * h]
    ink &= ~_covered(ink.shape, [box for box, conf in typed if conf >= CONFIDENT], bx0, by0)
    read = _covered(ink.shape, [box for box, conf in typed if conf >= READ], bx0, by0) & ink
    seeds: list[Box] = []
    pieces: list[Box] = []
    # A fax's or small scan's pen strokes break into dots a pixel or two apart.
    for s in strokes(ink, read, reach=max(1, round(h / 12))):
        w, t = s.box[2] - s.box[0], s.box[3] - s.box[1]
        if max(w, t) < 0.5 * h or s.area < 0.3 * h:
            continue  # dust
        if t < 0.3 * h or w < 0.15 * h or min(w, t) > 10 * h or max(w, t) > 40 * h:
            continue  # a ruled line, a frame or the page's edge (a signature's flourish may run long)
        if s.area / (w * t) > 0.4 or s.run > 0.6 * h:
            continue  # a filled shape: a logo, a black bar, a blot
        box = (s.box[0] + bx0, s.box[1] + by0, s.box[2] + bx0, s.box[3] + by0)
        if t >= 1.6 * h:
            seeds.append(box)
        elif s.outside >= 0.6 and max(w, t) <= 1.5 * h:
            pieces.append(box)  # a fragment of a stroke; a word's worth of ink is unread type
    groups = _grouped(seeds, h)
    grown = True
    while grown:
        grown = False
        for piece in list(pieces):
            for k, g in enumerate(groups):
                if _near(piece, g, 0.5 * h):
                    groups[k] = _union(g, piece)
                    pieces.remove(piece)
                    grown = True
                    break
        groups = _grouped(groups, h) if grown else groups
    return [box for box in groups if (box[2] - box[0]) >= 2 * h or (box[3] - box[1]) >= 2 * h]


def _covered(shape: tuple[int, ...], boxes: Sequence[Box], dx: int, dy: int) -> Pixels:
    mask = np.zeros(shape, dtype=bool)
    for box in boxes:
        x0, y0 = max(0, int(box[0]) - 1 - dx), max(0, int(box[1]) - 1 - dy)
        x1, y1 = int(box[2]) + 1 - dx, int(box[3]) + 1 - dy
        if x1 > x0 and y1 > y0:
            mask[y0:y1, x0:x1] = True
    return mask


def _near(a: Box, b: Box, gap: float) -> bool:
    return a[0] - gap <= b[2] and b[0] - gap <= a[2] and a[1] - gap <= b[3] and b[1] - gap <= a[3]


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _grouped(boxes: list[Box], h: float) -> list[Box]:
    """Boxes close enough to be one signature, merged until none are."""
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        out: list[Box] = []
        for box in merged:
            for k, other in enumerate(out):
                # A signature's words sit on one line a word's space apart; lines of it, closer.
                if (box[0] - 3 * h <= other[2] and other[0] - 3 * h <= box[2]
                        and box[1] - h <= other[3] and other[1] - h <= box[3]):
                    out[k] = _union(box, other)
                    changed = True
                    break
            else:
                out.append(box)
        merged = out
    return sorted(merged, key=lambda b: (b[1], b[0]))
