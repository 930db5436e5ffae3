"""CSV export for analysts: one row per span or region."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable

from ..labels import ENTITY
from .base import ExportDocument
from .output import Target

COLUMNS = [
    "document_id", "document", "kind", "id", "label", "text", "page", "start", "end", "box", "note", "annotator",
    "source", "suggested", "layer",
]


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    report = target.report
    writer = csv.writer(target.stream)
    writer.writerow(COLUMNS)
    for doc in docs:
        report.documents += 1
        numbers = {p.id: p.number for p in doc.pages}
        for r in doc.spans:
            boxes = doc.span_boxes(r)
            pages = sorted({page for page, _ in boxes})
            page = str(pages[0]) if len(pages) == 1 else f"{pages[0]}-{pages[-1]}"
            writer.writerow(
                [
                    doc.document.id, doc.document.name, "span", r.span.id, r.span.label, r.text,
                    page, r.start, r.end, "", r.span.note, r.span.annotator, r.span.source, int(r.span.suggested),
                    doc.layer_of(r),
                ]
            )
            report.spans += 1
            report.place(doc.layer_of(r), "with their layer", 1)
        for g in doc.regions:
            writer.writerow(
                [
                    doc.document.id, doc.document.name, "region", g.id, g.label, g.text, numbers[g.page_id],
                    "", "", json.dumps([round(v, 1) for v in g.box]), g.note, g.annotator, g.source, int(g.suggested),
                    doc.layers.get(g.label, ENTITY),
                ]
            )
            report.regions += 1
