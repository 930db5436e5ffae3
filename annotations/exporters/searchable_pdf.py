"""A searchable PDF: each page's original image under an invisible text layer of the corrected words, each at its box."""

from __future__ import annotations

import io
from collections.abc import Iterable

import pymupdf
from PIL import Image

from ..errors import ProjectError
from ..ingest.sources import mupdf_calls, sniff
from ..records import Box, Page
from .base import ExportDocument, ExportReport
from .output import Target
from .pagelayout import Line, layout

INVISIBLE = 3  # PDF text render mode 3: neither filled nor stroked, as OCR text layers are
FONT = "ocr"
OWN_TEXT = "PDF pages with text of their own, shown as images (their text would be found twice)"
SPANS = "spans (--highlights adds them as highlight annotations)"
REGIONS = "regions (--highlights adds them as rectangle annotations)"
WIDENED = "spans highlighted over whole words (a span's edge inside a word)"


def _colour(hex_colour: str) -> tuple[float, float, float]:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        r, g, b = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return 1.0, 0.85, 0.0  # a highlighter's yellow for a colour this export cannot read
    return r, g, b


class _Pages:
    """Places each stored page's original image on a new PDF page of the same size in points."""

    def __init__(self, out: pymupdf.Document, doc: ExportDocument, data: bytes, report: ExportReport) -> None:
        self.out = out
        self.data = data
        self.kind = sniff(data) or "pdf"
        self.source = pymupdf.open(stream=data, filetype=self.kind)
        self.report = report

    def add(self, page: Page) -> tuple[pymupdf.Page, float, float]:
        """The new page, and its points per page pixel across and down."""
        if self.kind == "pdf":
            source = self.source[page.number - 1]
            rect = source.rect
            new = self.out.new_page(width=rect.width, height=rect.height)
            if source.get_text("words"):
                # Its own text (a born-digital page, or an earlier OCR layer) would be searched and
                # copied besides the corrected words: the page is shown as its image instead.
                matrix = pymupdf.Matrix(page.width / rect.width, page.height / rect.height)
                new.insert_image(new.rect, pixmap=source.get_pixmap(matrix=matrix, alpha=False))
                self.report.adjust(OWN_TEXT)
            else:
                new.show_pdf_page(new.rect, self.source, page.number - 1)  # as it is: vector, images untouched
            return new, rect.width / page.width, rect.height / page.height
        sx, sy = 72 / page.dpi_x, 72 / page.dpi_y
        new = self.out.new_page(width=page.width * sx, height=page.height * sy)
        if self.source.page_count == 1:
            new.insert_image(new.rect, stream=self.data)  # a JPEG stays the same bytes, a PNG or TIFF lossless
        else:
            new.insert_image(new.rect, stream=self._frame(page.number - 1))
        return new, sx, sy

    def _frame(self, index: int) -> bytes:
        # One frame of a multi-page TIFF, lossless, in its own mode (a bilevel fax stays 1 bit a pixel).
        with Image.open(io.BytesIO(self.data)) as image:
            image.seek(index)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            return buffer.getvalue()

    def close(self) -> None:
        self.source.close()


def _text_layer(new: pymupdf.Page, lines: list[Line], font: pymupdf.Font, sx: float, sy: float) -> None:
    """Each line's words, invisible, at their boxes: one size and baseline per line (so readers keep the
    line together), each word stretched across to its box's width."""
    new.insert_font(fontname=FONT, fontbuffer=font.buffer)
    ascender, descender = font.ascender, font.descender
    shape = new.new_shape()
    for line in lines:
        _, top, _, bottom = line.box
        size = max((bottom - top) * sy / (ascender - descender), 1.0)
        baseline = bottom * sy + descender * size
        for n, word in enumerate(line.words):
            x0, x1 = word.box[0] * sx, word.box[2] * sx
            natural = font.text_length(word.text, fontsize=size)
            if natural <= 0 or x1 <= x0:
                continue
            origin = pymupdf.Point(x0, baseline)
            # A space after each word but the line's last: readers split words at spaces, and two
            # words whose boxes touch would otherwise be copied, searched and extracted as one.
            text = word.text if n == len(line.words) - 1 else word.text + " "
            shape.insert_text(origin, text, fontname=FONT, fontsize=size, render_mode=INVISIBLE,
                              morph=(origin, pymupdf.Matrix((x1 - x0) / natural, 1)))
    shape.commit()


def _rect(box: Box, sx: float, sy: float) -> pymupdf.Rect:
    return pymupdf.Rect(box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy)


def _highlights(new: pymupdf.Page, doc: ExportDocument, page: Page, lines: list[Line], colours: dict[str, str],
                sx: float, sy: float, report: ExportReport) -> None:
    line_of = {w.id: n for n, line in enumerate(lines) for w in line.words}
    for span in doc.spans:
        words = [w for w in span.words if w.page_id == page.id]
        if not words:
            continue
        rows: dict[int, list[Box]] = {}
        for word in words:
            rows.setdefault(line_of.get(word.id, -1), []).append(word.box)
        # One rectangle per line the span is on, from its first word there to its last.
        rects = [_rect((min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                        max(b[3] for b in boxes)), sx, sy) for boxes in rows.values()]
        annot = new.add_highlight_annot(quads=[r.quad for r in rects])
        annot.set_colors(stroke=_colour(colours.get(span.span.label, "")))
        annot.set_info(title=span.span.label, content=span.text + (f"\n{span.span.note}" if span.span.note else ""))
        annot.update()
        if words[0].id == span.words[0].id and (span.span.head or span.span.tail):
            report.adjust(WIDENED)
    for region in doc.regions:
        if region.page_id != page.id:
            continue
        annot = new.add_rect_annot(_rect(region.box, sx, sy))
        annot.set_colors(stroke=_colour(colours.get(region.label, "")))
        annot.set_info(title=region.label, content=region.text + (f"\n{region.note}" if region.note else ""))
        annot.update()


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    """The PDF, assembled in memory (the pages' images as stored, the text, the annotations) and written at the end."""
    report, highlights = target.report, target.options.highlights
    colours = {label.name: label.color for label in target.project.labels()}
    font = pymupdf.Font("helv")  # Nimbus Sans: Latin, Greek and Cyrillic; embedded as a subset with its Unicode map
    out = pymupdf.open()
    for doc in docs:
        # The source file once per document, and only the current one.
        data = target.project.source_data(doc.document.source_sha256)
        with mupdf_calls():
            pages = _Pages(out, doc, data, report)
            try:
                for i, page in enumerate(doc.pages):
                    new, sx, sy = pages.add(page)
                    lines = layout(doc, i).lines
                    _text_layer(new, lines, font, sx, sy)
                    if highlights:
                        _highlights(new, doc, page, lines, colours, sx, sy, report)
            finally:
                pages.close()
        del data
        report.documents += 1
        if highlights:
            report.spans += len(doc.spans)
            report.regions += len(doc.regions)
        else:
            report.skip(SPANS, len(doc.spans))
            report.skip(REGIONS, len(doc.regions))
    if not out.page_count:
        raise ProjectError("pdf: no pages to export (a PDF needs at least one); check --documents, --status")
    with mupdf_calls():
        out.subset_fonts()
        target.stream.write(out.tobytes(garbage=3, deflate=True))
    out.close()
