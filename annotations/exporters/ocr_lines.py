"""OCR ground truth in tesstrain's layout: each text line's image (PAGE-lN.png) beside its corrected text (PAGE-lN.gt.txt)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from ..records import Document
from ..store import Project
from .base import ExportDocument, ExportOptions, ExportReport
from .output import PageRenderer
from .pagelayout import Line, PageLayout, export_pages

MARGIN = 0.2
"""Blank kept around a line's words, as a share of the line's height: tesseract (and Kraken) learn from lines
cut with some white around them, while a wider cut takes in the ascenders and descenders of the neighbours."""
LEFT_OUT = "lines neither corrected nor in a document marked done (--corrected-only)"
NOT_TEXT = "spans and regions (OCR ground truth is the text of the lines)"


def kept(doc: ExportDocument, line: Line, options: ExportOptions) -> bool:
    """Whether a line is ground truth: any line, or with --corrected-only one an analyst has read (a corrected
    word in it, or its document marked done)."""
    return not options.corrected_only or doc.document.status == "done" or any(w.corrected for w in line.words)


def crop_box(line: Line, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = line.box
    margin = max(2.0, MARGIN * (y1 - y0))
    # Outwards to whole pixels: rounding could shave a margin below its two pixels.
    return (max(0, math.floor(x0 - margin)), max(0, math.floor(y0 - margin)),
            min(width, math.ceil(x1 + margin)), min(height, math.ceil(y1 + margin)))


def export(project: Project, out: Path, docs: Sequence[Document], options: ExportOptions,
           suggestions: str) -> ExportReport:
    def files(doc: ExportDocument, page: PageLayout, stem: str, report: ExportReport,
              renderer: PageRenderer) -> list[tuple[str, bytes]]:
        written: list[tuple[str, bytes]] = []
        lines = [(n, line) for n, line in enumerate(page.lines, start=1) if kept(doc, line, options)]
        report.skip(LEFT_OUT, len(page.lines) - len(lines))
        if page.number == 1:
            report.skip(NOT_TEXT, len(doc.spans) + len(doc.regions))
        if not lines:
            return written
        image = renderer.image(doc, page.page)
        for n, line in lines:
            box = crop_box(line, page.page.width, page.page.height)
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            buffer = io.BytesIO()
            image.crop(box).save(buffer, format="PNG", dpi=(page.page.dpi_x, page.page.dpi_y))
            written.append((f"{stem}-l{n:03d}.png", buffer.getvalue()))
            written.append((f"{stem}-l{n:03d}.gt.txt", (line.text + "\n").encode("utf-8")))
            report.lines += 1
        return written

    report = export_pages(project, out, docs, options, suggestions, files, "OCR ground truth")
    report.spans = report.regions = 0
    return report
