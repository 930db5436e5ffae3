"""Rendering a stored page back to pixels from the source file kept in the project."""

from __future__ import annotations

from collections import OrderedDict

import pymupdf
from PIL import Image

from ..records import Page
from .sources import mupdf_calls, sniff

_OPEN: OrderedDict[str, pymupdf.Document] = OrderedDict()
_MAX_OPEN = 4


def _document(sha256: str, data: bytes) -> pymupdf.Document:
    doc = _OPEN.get(sha256)
    if doc is None:
        doc = pymupdf.open(stream=data, filetype=sniff(data) or "pdf")
        _OPEN[sha256] = doc
        while len(_OPEN) > _MAX_OPEN:
            _OPEN.popitem(last=False)[1].close()
    else:
        _OPEN.move_to_end(sha256)
    return doc


def render_page(page: Page, source_sha256: str, data: bytes, scale: float = 1.0, gray: bool = False) -> Image.Image:
    """The page at `scale` times its box resolution: scale 1.0 gives exactly page.width x page.height.

    Word boxes and regions are in those pixels, so at scale s a box maps to box * s.
    """
    # A damaged JPEG's libjpeg messages were reported when it was imported; not again on every view.
    with mupdf_calls():
        doc = _document(source_sha256, data)
        mpage = doc[page.number - 1]
        sx = page.width / mpage.rect.width * scale
        sy = page.height / mpage.rect.height * scale
        colorspace = pymupdf.csGRAY if gray else pymupdf.csRGB
        pix = mpage.get_pixmap(matrix=pymupdf.Matrix(sx, sy), colorspace=colorspace, alpha=False)
        mode = "L" if gray else "RGB"
        return Image.frombytes(mode, (pix.width, pix.height), pix.samples)


def page_count(data: bytes) -> int:
    """How many pages a stored source file has (0 when MuPDF cannot open it)."""
    with mupdf_calls():
        try:
            with pymupdf.open(stream=data, filetype=sniff(data) or "pdf") as doc:
                return int(doc.page_count)
        except Exception:  # MuPDF raises plain RuntimeError/FileDataError for damaged files
            return 0
