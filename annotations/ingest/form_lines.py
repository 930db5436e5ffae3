"""Form lines on a scan: the thin horizontal and vertical rules that touch letters and spoil tesseract's words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from PIL import Image

Mask = npt.NDArray[Any]
"""A page's pixels or a boolean mask over them."""

RUN_X_HEIGHTS = 6.0
"""A rule is a straight run of ink at least this many x-heights long: a letter's strokes are at most
about two, and touching letters at fax resolution join at their edges rather than along one straight row."""
VERTICAL_LENGTH = 2
"""A vertical rule is this many times as long as a horizontal one: a box's side is, while a straight
stroke of handwriting (a signature's tail) can reach a horizontal rule's length."""
THICK_X_HEIGHTS = 0.6
"""A run thicker than this many x-heights is a filled shape (a bar, a logo, white text on black), not a rule."""
PIECE_X_HEIGHTS = 2.0
"""A skewed rule steps from row to row in straight pieces at least this long; the feet of letters
standing on it are shorter, and stay."""
CROSS_REACH = 3
"""Pixels: a rule pixel with ink this close on both sides across the rule is part of a stroke crossing it."""
MIN_RUN = 30
"""Pixels: on a page whose x-height is unknown or tiny, runs shorter than this are never rules."""


def _long_runs(ink: Mask, length: int, axis: int) -> Mask:
    """Pixels of `ink` that lie in a straight run of at least `length` along `axis` (a morphological opening).

    Works on the runs' ends rather than on every pixel, so a 300-dpi page costs tens of milliseconds.
    """
    a = ink if axis == 1 else ink.T
    rows, n = a.shape
    padded = np.zeros((rows, n + 2), dtype=np.int8)
    padded[:, 1:-1] = a
    edges = np.diff(padded.ravel())
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = ends - starts >= length
    flat = np.zeros(rows * (n + 2), dtype=bool)
    for start, end in zip(starts[keep].tolist(), ends[keep].tolist()):  # few: only rules are this long
        flat[start:end] = True
    # The ends are positions in the padded rows shifted by one: back to the image's pixels.
    covered: Mask = flat.reshape(rows, n + 2)[:, :n]
    return covered if axis == 1 else covered.T


def rule_length(x_height: float | None) -> int:
    """The shortest straight run of ink, in pixels, that counts as a rule on a page of this x-height."""
    return max(MIN_RUN, round(RUN_X_HEIGHTS * (x_height or 0.0)))


def rule_mask(ink: Mask, x_height: float | None) -> Mask:
    """The pixels of thin horizontal and vertical rules in a boolean ink image."""
    xh = x_height or 0.0
    length = rule_length(x_height)
    thick = max(3, round(THICK_X_HEIGHTS * xh)) + 1
    piece = max(MIN_RUN // 2, round(PIECE_X_HEIGHTS * xh))
    mask = np.zeros_like(ink)
    for along, across in ((1, 0), (0, 1)):
        # A scanned rule is seldom straight: skewed, it steps a pixel up or down every few dozen
        # pixels. Runs are looked for in the ink grown by a pixel across the rule, which bridges the steps.
        grown = ink.copy()
        if across == 0:
            grown[1:] |= ink[:-1]
            grown[:-1] |= ink[1:]
        else:
            grown[:, 1:] |= ink[:, :-1]
            grown[:, :-1] |= ink[:, 1:]
        # Vertical rules are boxes' sides, longer than any stroke of a signature's.
        runs = _long_runs(grown, length if along == 1 else VERTICAL_LENGTH * length, along)
        if runs.any():
            # Of the grown run, only the rule's own straight pieces: not the feet of letters standing on it.
            band = runs & ~_long_runs(runs, thick + 2, across)
            rule = band & _long_runs(ink, piece, along)
            rule |= band & ink & ~_attached(ink, band, thick + 2, across)  # bits left where the rule steps
            mask |= rule & ~_crossing(ink & ~rule, rule, CROSS_REACH, across)
    return mask


def _attached(ink: Mask, band: Mask, depth: int, axis: int) -> Mask:
    """Ink in `band` joined, across the band, to ink outside it: a letter's foot or a stroke through
    the rule, rather than a bit of the rule itself."""
    outside = ink & ~band
    joined = np.zeros_like(ink)
    for _ in range(depth):
        reach = outside | joined
        grown = np.zeros_like(ink)
        if axis == 0:
            grown[1:] |= reach[:-1]
            grown[:-1] |= reach[1:]
        else:
            grown[:, 1:] |= reach[:, :-1]
            grown[:, :-1] |= reach[:, 1:]
        joined = ink & band & grown
    return joined


def _crossing(rest: Mask, rule: Mask, reach: int, axis: int) -> Mask:
    """Pixels of `rule` with other ink within `reach` on both sides across it: a stroke (the tail of a
    "g" or a "p", a comma) that crosses the rule rather than stands on it, kept so its letter stays whole."""
    before = np.zeros_like(rule)
    after = np.zeros_like(rule)
    for k in range(1, min(reach, rule.shape[axis] - 1) + 1):
        if axis == 0:
            before[k:] |= rest[:-k]
            after[:-k] |= rest[k:]
        else:
            before[:, k:] |= rest[:, :-k]
            after[:, :-k] |= rest[:, k:]
    crossing: Mask = rule & before & after
    return crossing


def ink_of(grey: Image.Image) -> tuple[Mask, int]:
    """(the ink pixels by Otsu's threshold, the paper's grey level) of a greyscale image."""
    from .scanstats import otsu, percentile

    histogram = grey.histogram()
    return np.asarray(grey) <= otsu(histogram), percentile(histogram, 0.9)


def has_rules(grey: Image.Image, x_height: float | None) -> bool:
    """The page has rules worth removing: together they span more than two rules' length (a flat
    stroke of a signature or a stray dash is left alone, and the page reads as it did)."""
    ink, _ = ink_of(grey)
    mask = rule_mask(ink, x_height)
    extent = np.count_nonzero(mask.any(axis=0)) + np.count_nonzero(mask.any(axis=1))
    return bool(extent >= 2 * rule_length(x_height))


def remove_rules(grey: Image.Image, x_height: float | None) -> Image.Image:
    """The page with its thin rules painted the paper's colour; letters they touched keep their other strokes."""
    from PIL import Image

    ink, paper = ink_of(grey)
    mask = rule_mask(ink, x_height)
    if not mask.any():
        return grey
    pixels = np.array(grey)
    pixels[mask] = paper
    return Image.fromarray(pixels, mode="L")
