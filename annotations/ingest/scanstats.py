"""Cheap statistics of a page image that choose its OCR input: text x-height and how even its background is."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from PIL import Image

STRIPS = 16
"""Vertical strips whose row profiles are measured: narrow enough that a skewed or two-column page still
shows gaps between lines in most of them."""
MIN_LINES = 8
"""Text line samples needed before the x-height is trusted (a blank page or a photo gives a few or none)."""
TILES = 8
"""Tiles per side over which the background level is compared."""


@dataclass(frozen=True)
class ScanStats:
    x_height: float | None
    """Median x-height of the text in image rows (pixels), or None when too few lines were found."""
    lines: int
    """Line samples (a line measured in one strip) the x-height is the median of."""
    background_spread: float
    """How much the paper's brightness varies across the page (0-255): shadows, stains, uneven lighting."""
    contrast: float
    """Paper brightness minus ink darkness (0-255)."""
    specks: float
    """The share of ink pixels with no ink around them: salt-and-pepper noise of a fax or a dirty scan."""
    replication: tuple[float, float] = (1, 1)
    """Each pixel of a bilevel image repeated this many times across and down: a fax embedded in a PDF
    and rendered at a multiple of its resolution (100 dpi at 300: (3, 3); 200x100 dpi at 300: (1.5, 3))."""


def otsu(histogram: list[int]) -> int:
    """The grey level that best separates ink from paper (Otsu's method over a 256-bin histogram)."""
    total = sum(histogram)
    weighted = sum(i * n for i, n in enumerate(histogram))
    best, best_t, below, below_sum = -1.0, 128, 0, 0
    for t in range(256):
        below += histogram[t]
        below_sum += t * histogram[t]
        above = total - below
        if below == 0 or above == 0:
            continue
        between = below * above * (below_sum / below - (weighted - below_sum) / above) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def percentile(histogram: list[int], fraction: float) -> int:
    target, seen = fraction * sum(histogram), 0
    for level, n in enumerate(histogram):
        seen += n
        if seen >= target:
            return level
    return 255


def _line_x_heights(profile: bytes, strip_width: int, page_height: int) -> list[int]:
    """x-heights of the text lines in one strip's row profile (mean ink per row, 0-255).

    A line is a run of rows with ink; its x-height is the span of the rows holding at least 40% of
    the run's densest row: every letter inks the band between baseline and x-line (densest at both
    edges in a serif or typewriter face), while only a few reach above or below it.
    """
    inked = 2 * 255 / strip_width  # two ink pixels: one speck of noise does not join two lines
    out: list[int] = []
    start = None
    for y, value in enumerate([*profile, 0]):
        if value >= inked and start is None:
            start = y
        elif value < inked and start is not None:
            run = profile[start:y]
            start = None
            if len(run) < 3 or len(run) > page_height // 8 or max(run) < 0.15 * 255:  # specks, or a picture
                continue
            dense = [i for i, v in enumerate(run) if v >= 0.4 * max(run)]
            core = dense[-1] - dense[0] + 1
            if 2 <= core <= len(run):
                out.append(core)
    return out


def measure(image: Image.Image) -> ScanStats:
    """The statistics of a page; costs a few tens of milliseconds on a 300-dpi letter."""
    from PIL import Image

    grey = image.convert("L")
    small = grey.reduce(max(1, min(grey.size) // 256))  # enough for brightness, not for letters
    histogram = small.histogram()
    threshold = otsu(histogram)
    contrast = float(percentile(histogram, 0.9) - percentile(histogram, 0.02))
    backgrounds = []
    tw, th = max(1, small.width // TILES), max(1, small.height // TILES)
    for ty in range(TILES):
        for tx in range(TILES):
            tile = small.crop((tx * tw, ty * th, (tx + 1) * tw, (ty + 1) * th)).histogram()
            backgrounds.append(percentile(tile, 0.9))
    backgrounds.sort()
    # The brightest and darkest tenth of the tiles are left out: a photo or a black margin is not the paper.
    cut = len(backgrounds) // 10
    spread = float(backgrounds[-1 - cut] - backgrounds[cut])

    ink = grey.point([255 if v <= threshold else 0 for v in range(256)])
    width = max(1, grey.width // STRIPS)
    heights: list[int] = []
    for s in range(STRIPS):
        strip = ink.crop((s * width, 0, (s + 1) * width, grey.height))
        profile = strip.resize((1, grey.height), Image.Resampling.BOX).tobytes()
        heights.extend(_line_x_heights(profile, width, grey.height))
    x_height = float(statistics.median(heights)) if len(heights) >= MIN_LINES else None
    # The middle of the page is enough to tell noise, at a quarter of the cost; at a size where the
    # x-height is about 6 pixels, so that a fax rendered larger (its specks grown to blocks) shows them.
    w, h = ink.size
    middle = ink.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4))
    factor = max(1, round(x_height / 6)) if x_height else 1
    if factor > 1:  # a cell a quarter inked is ink: a speck grown to a block shrinks back to a pixel
        middle = middle.reduce(factor).point([255 if v >= 64 else 0 for v in range(256)])
    specks = _specks(middle)
    replication: tuple[float, float] = (1, 1)
    centre = grey.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4))
    levels = centre.histogram()
    if sum(levels[:8]) + sum(levels[248:]) >= 0.99 * sum(levels):
        replication = (_repeats(centre.transpose(Image.Transpose.ROTATE_90)), _repeats(centre))
    return ScanStats(x_height, len(heights), spread, contrast, specks, replication)


MAX_PERIOD = 6
"""Rendered rows repeat with a period of at most this many rows: 3 for a 100- or 200-dpi fax at 300 dpi."""
COPY_RATE, FRESH_RATE = 0.95, 0.7
"""A row position within the period is a copy when at least COPY_RATE of its inked rows equal the row
before, and the fax's own row when at most FRESH_RATE do (neighbouring rows of a scan are often alike)."""


def _copy_rows(rows: npt.NDArray[Any]) -> tuple[int, list[int]] | None:
    """(the period, the positions within it whose rows copy the row before) of a bilevel image whose
    rows repeat regularly, or None. A PDF renders a fax at any resolution by repeating its rows: at
    300 dpi a 100-dpi fax's every row three times, a 200-dpi one's every other row twice."""
    inked = rows.min(axis=1) < 128
    same = np.zeros(len(rows), dtype=bool)
    same[1:] = np.all(rows[1:] == rows[:-1], axis=1)
    counted = np.zeros(len(rows), dtype=bool)
    counted[1:] = inked[1:] | inked[:-1]
    positions = np.flatnonzero(counted)
    if len(positions) < 100:
        return None
    # Of the periods that fit, the one that finds the most copies: with 4 rows each, every second row
    # is a copy too (periods 2 and 6 fit and give 2), but only period 4 sees three copies in four.
    best: tuple[int, list[int]] | None = None
    for period in range(2, MAX_PERIOD + 1):
        rates = [same[positions[positions % period == r]].mean() if np.any(positions % period == r) else 0.0
                 for r in range(period)]
        copies = [r for r, rate in enumerate(rates) if rate >= COPY_RATE]
        if copies and len(copies) < period and all(rate <= FRESH_RATE for r, rate in enumerate(rates) if r not in copies):
            if best is None or period / (period - len(copies)) > best[0] / (best[0] - len(best[1])):
                best = (period, copies)
    return best


def _repeats(image: Image.Image) -> float:
    """How many rendered rows each row of a bilevel image takes (1: its own pixels), e.g. 3 or 1.5."""
    found = _copy_rows(np.asarray(image.convert("L")))
    if found is None:
        return 1
    period, copies = found
    return period / (period - len(copies))


def own_pixels(image: Image.Image, replication: tuple[float, float]) -> Image.Image:
    """A rendered bilevel image taken back to its own pixels: the repeated rows and columns left out.

    Whole multiples are reduced as before; a fraction (a 200x100-dpi fax rendered at 300 dpi repeats
    every other column, 1.5) drops the copies themselves, so the fax's pixels come back square-edged
    instead of two wide and one narrow.
    """
    if all(float(k).is_integer() for k in replication):
        factors = (int(replication[0]), int(replication[1]))
        return image if factors == (1, 1) else image.reduce(factors)
    from PIL import Image

    pixels = np.asarray(image.convert("L"))
    for axis, k in ((1, replication[0]), (0, replication[1])):
        if k == 1:
            continue
        lines = pixels if axis == 0 else pixels.T
        found = _copy_rows(lines)
        if found is None:
            continue
        period, copies = found
        keep = np.isin(np.arange(lines.shape[0]) % period, copies, invert=True)
        keep[0] = True
        lines = lines[keep]
        pixels = lines if axis == 0 else lines.T
    return Image.fromarray(np.ascontiguousarray(pixels), mode="L")


def _specks(ink: Image.Image) -> float:
    from PIL import ImageChops, ImageFilter

    # The 3x3 mean of the ink mask is 255/9 where an ink pixel stands alone.
    around = ink.filter(ImageFilter.Kernel((3, 3), [1] * 9, scale=9))
    alone = ImageChops.multiply(around.point([255 if v <= 255 // 9 + 1 else 0 for v in range(256)]), ink)
    total = ink.histogram()[255]
    return alone.histogram()[255] / total if total else 0.0
