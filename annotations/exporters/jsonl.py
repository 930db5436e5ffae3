"""JSONL export: one JSON object per document with its text, pages, spans, regions and relations."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..labels import ENTITY
from ..records import COORDINATES
from .base import ExportDocument
from .output import Target


def document_record(doc: ExportDocument) -> dict[str, Any]:
    numbers = {p.id: p.number for p in doc.pages}
    pages = []
    for i, page in enumerate(doc.pages):
        start, end = doc.text.page_range(i)
        pages.append(
            {
                "number": page.number,
                "width": page.width,
                "height": page.height,
                "dpi": [page.dpi_x, page.dpi_y],
                "start": start,
                "end": end,
                "ocr": {
                    "engine": page.provenance.engine,
                    "engine_version": page.provenance.engine_version,
                    "lang": page.provenance.lang,
                    "psm": page.provenance.psm,
                    "dpi": page.provenance.dpi,
                    "text_layer": page.provenance.text_layer,
                    "reading_order": page.provenance.reading_order or "engine",
                    # How the image was prepared for tesseract ("" when from its resolution alone).
                    "input": page.provenance.ocr_input,
                    # Where the words came from when not read here (an hOCR, ALTO or PAGE file); "" otherwise.
                    "words_source": page.provenance.words_source,
                },
            }
        )
    return {
        "id": doc.document.id,
        "name": doc.document.name,
        "status": doc.document.status,
        "coordinates": COORDINATES,
        "text": doc.text.text,
        "pages": pages,
        "spans": [
            {
                "id": r.span.id,
                "start": r.start,
                "end": r.end,
                "label": r.span.label,
                "layer": doc.layer_of(r),
                "text": r.text,
                "boxes": [{"page": page, "box": list(box)} for page, box in doc.span_boxes(r)],
                "note": r.span.note,
                "annotator": r.span.annotator,
                "source": r.span.source,
                "suggested": r.span.suggested,
            }
            for r in doc.spans
        ],
        "regions": [
            {
                "id": g.id,
                "page": numbers[g.page_id],
                "box": list(g.box),
                "label": g.label,
                "layer": doc.layers.get(g.label, ENTITY),
                "text": g.text,
                "note": g.note,
                "annotator": g.annotator,
                "source": g.source,
                "suggested": g.suggested,
            }
            for g in doc.regions
        ],
        "relations": [
            {
                "id": r.id,
                "label": r.label,
                "directed": doc.relation_labels[r.label].directed if r.label in doc.relation_labels else True,
                "from": {"kind": r.from_kind, "id": r.from_id},
                "to": {"kind": r.to_kind, "id": r.to_id},
                "note": r.note,
                "annotator": r.annotator,
                "source": r.source,
                "suggested": r.suggested,
            }
            for r in doc.relations
        ],
    }


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    out, report = target.stream, target.report
    for doc in docs:
        out.write(json.dumps(document_record(doc), ensure_ascii=False) + "\n")
        report.documents += 1
        report.spans += len(doc.spans)
        report.regions += len(doc.regions)
        report.relations += len(doc.relations)
        for r in doc.spans:
            report.place(doc.layer_of(r), 'with their "layer"', 1)
