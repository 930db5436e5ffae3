"""COCO export: page images, regions (and span word boxes on request) as [x, y, width, height] in image pixels."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from itertools import groupby
from typing import IO, Any

from .. import __version__
from ..records import Box, Page, Word
from ..text.layer import ResolvedSpan
from .base import ALL_LAYERS, ExportDocument
from .output import Target

CLAMPED = "boxes clamped to their page"


def coco_box(box: Box, page: Page) -> tuple[list[float], bool]:
    """[x, y, width, height] in image pixels, clamped to the page; and whether clamping changed it."""
    x0, y0, x1, y1 = box
    cx0, cy0 = min(max(0.0, x0), page.width), min(max(0.0, y0), page.height)
    cx1, cy1 = min(max(0.0, x1), page.width), min(max(0.0, y1), page.height)
    clamped = (cx0, cy0, cx1, cy1) != (x0, y0, x1, y1)
    x, w = _extent(cx0, cx1)
    y, h = _extent(cy0, cy1)
    return [x, y, w, h], clamped


def _extent(start: float, end: float) -> tuple[float, float]:
    """Start and length to two decimals, the rounded box never reaching past `end` (the page's edge)."""
    first = round(start, 2)
    length = max(0.0, round(end - first, 2))
    while length > 0 and first + length > end:  # rounding up (0.635 -> 0.64) must not push it off the page
        length = max(0.0, round(length - 0.01, 2))
    return first, length


def _line_text(doc: ExportDocument, r: ResolvedSpan, words: list[Word]) -> str:
    """The part of the span's text on one line (its words there, cut where the span is)."""
    text = doc.text
    start = max(r.start, text.starts[text.word_index(words[0].id)])
    end = min(r.end, text.ends[text.word_index(words[-1].id)])
    return text.text[start:end]


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    """The COCO object, byte for byte what one json.dumps of it gives, written a document at a time.

    Images go straight to the output; annotations, which follow all images in the object, wait in
    an unnamed temporary file beside it, so only one document's entries are ever in memory.
    """
    options, report, out = target.options, target.report, target.stream
    project_labels = [label for label in target.project.labels() if not label.is_relation]
    layer_of = {label.name: label.layer for label in project_labels}
    labels = [label.name for label in project_labels]
    if options.labels:
        labels = [name for name in labels if name in options.labels]
    if options.label_layer not in (None, ALL_LAYERS):
        labels = [name for name in labels if layer_of[name] == options.label_layer]
    category = {name: i for i, name in enumerate(labels, start=1)}
    counts = {"images": 0, "annotations": 0}
    info = {"description": "Scanspan export", "version": __version__}
    out.write(f'{{"info": {json.dumps(info, ensure_ascii=False)}, "images": [')
    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=target.path.parent) as pending:

        def put(stream: IO[str], kind: str, entry: dict[str, Any]) -> None:
            stream.write((", " if counts[kind] else "") + json.dumps(entry, ensure_ascii=False))
            counts[kind] += 1

        def add(image_id: int, page: Page, label: str, box: Box, extra: dict[str, Any]) -> None:
            bbox, clamped = coco_box(box, page)
            report.adjust(CLAMPED, int(clamped))
            x, y, w, h = bbox
            put(pending, "annotations",
                {
                    "id": counts["annotations"] + 1,
                    "image_id": image_id,
                    "category_id": category[label],
                    "bbox": bbox,
                    "area": round(w * h, 2),
                    "iscrowd": 0,
                    # The rectangle as a polygon, so segmentation tools and COCOeval(segm) accept it too.
                    "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]],
                    **extra,
                })

        for doc in docs:
            image_ids = {}
            for page in doc.pages:
                image_ids[page.id] = counts["images"] + 1
                put(out, "images",
                    {
                        "id": counts["images"] + 1,
                        "file_name": target.page_image(doc, page),
                        "width": page.width,
                        "height": page.height,
                        "document": doc.document.name,
                        "page": page.number,
                    })
            for region in doc.regions:
                # COCO has no place for text; extra keys on an annotation are kept by pycocotools and
                # ignored by training code, so the transcription and note travel there.
                add(image_ids[region.page_id], doc.page_of(region.page_id), region.label, region.box,
                    {"source": "region", "region_id": region.id, "text": region.text, "note": region.note})
            if options.include_spans:
                for r in doc.spans:
                    # One box per line of the span: the union of its words there, as a reader sees it.
                    for (page_id, *_), group in groupby(r.words, key=lambda w: (w.page_id, w.block, w.par, w.line)):
                        words = list(group)
                        boxes = [w.box for w in words]
                        box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                               max(b[2] for b in boxes), max(b[3] for b in boxes))
                        add(image_ids[page_id], doc.page_of(page_id), r.span.label, box,
                            {"source": "span", "span_id": r.span.id, "text": _line_text(doc, r, words),
                             "note": r.span.note})
                report.spans += len(doc.spans)
                for r in doc.spans:
                    report.place(doc.layer_of(r), "as boxes", 1)
            else:
                report.skip("spans (--include-spans exports their word boxes)", len(doc.spans))
            report.documents += 1
            report.regions += len(doc.regions)
        out.write('], "annotations": [')
        pending.seek(0)
        shutil.copyfileobj(pending, out)
    # COCO's supercategory groups categories: here by what they describe, entity or structure.
    categories = [{"id": i, "name": name, "supercategory": layer_of[name]} for name, i in category.items()]
    out.write(f'], "categories": {json.dumps(categories, ensure_ascii=False)}}}\n')
