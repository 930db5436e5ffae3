"""Pages made fax-like: resampled to a fax resolution, thresholded to 1 bit, sprinkled with noise."""

from __future__ import annotations

import random

from PIL import Image


def fax_like(image: Image.Image, dpi: float, to: tuple[float, float] = (100, 100), noise: float = 0.004,
             seed: int = 1, threshold: int = 150) -> Image.Image:
    """`image` (at `dpi`) as a fax at `to` dpi: 1-bit, with `noise` of its pixels flipped (seeded)."""
    grey = image.convert("L").resize(
        (round(image.width * to[0] / dpi), round(image.height * to[1] / dpi)), Image.Resampling.LANCZOS
    )
    bits = grey.point(lambda v: 255 if v >= threshold else 0)
    pixels = bits.load()
    assert pixels is not None
    rnd = random.Random(seed)
    for _ in range(int(bits.width * bits.height * noise)):
        x, y = rnd.randrange(bits.width), rnd.randrange(bits.height)
        pixels[x, y] = 255 - pixels[x, y]  # type: ignore[operator]
    return bits.convert("1", dither=Image.Dither.NONE)
