"""Label Studio export: one image task per page (page image + its OCR text) and the labelling config XML."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET

from ..errors import ProjectError
from ..labels import STRUCTURE
from ..records import Label, Page, Region
from .base import ALL_LAYERS, ExportDocument
from .output import Target
from .tagging import label_export_error

IMAGE, TEXT = "image", "text"  # object tag names, and the task data keys they read
BOXES, SPANS = "box", "label"  # control tag names (from_name in results)
# A letter's structure is a second row of labels on the text, so that Label Studio shows a body
# paragraph and the agencies inside it as two kinds of annotation, each span naming its layer.
STRUCTURE_SPANS = STRUCTURE
# Per-region text boxes, as Label Studio's OCR template has them: a result of type textarea with the
# same id as the rectangle (or text range) it belongs to. Regions carry their transcription and note,
# spans their note.
TRANSCRIPTION, BOX_NOTE, SPAN_NOTE = "transcription", "box_note", "label_note"
PAGE_SPLIT = "spans split at a page break (one text range per page task)"
RELATIONS_OUT = ("relations whose ends are on different pages, or one accepted and one suggested "
                 "(a Label Studio relation links results of one page task's annotation)")


def _utf16(text: str, offset: int) -> int:
    # Label Studio counts offsets in JavaScript string units (UTF-16), not code points.
    return len(text[:offset].encode("utf-16-le")) // 2


def label_config(labels: Iterable[Label]) -> str:
    """The labelling config matching the tasks: rectangles on the image, ranges on the text, and the
    relation labels links between them may carry."""
    every = list(labels)
    labels = [label for label in every if not label.is_relation]
    view = ET.Element("View")
    # Without pre-wrap Label Studio trims the text's line breaks, and the letter loses its lines.
    ET.SubElement(view, "Style").text = ".htx-text { white-space: pre-wrap; }"
    ET.SubElement(view, "Image", name=IMAGE, value=f"${IMAGE}", zoom="true")
    controls = [("RectangleLabels", BOXES, IMAGE, labels),
                ("Labels", SPANS, TEXT, [label for label in labels if label.layer != STRUCTURE])]
    structure = [label for label in labels if label.layer == STRUCTURE]
    if structure:
        controls.append(("Labels", STRUCTURE_SPANS, TEXT, structure))
    for tag, name, to, members in controls:
        control = ET.SubElement(view, tag, name=name, toName=to)
        for label in members:
            attrs = {"value": label.name, "background": label.color}
            if label.shortcut and tag == "Labels":
                attrs["hotkey"] = label.shortcut
            ET.SubElement(control, "Label", attrs)
    for name, to, placeholder in (
        (TRANSCRIPTION, IMAGE, "Text in the region"), (BOX_NOTE, IMAGE, "Note"), (SPAN_NOTE, TEXT, "Note"),
    ):
        ET.SubElement(
            view, "TextArea", name=name, toName=to, perRegion="true", editable="true", displayMode="region-list",
            maxSubmissions="1", rows="2", placeholder=placeholder,
        )
    ET.SubElement(view, "Text", name=TEXT, value=f"${TEXT}")
    relation_labels = [label for label in every if label.is_relation]
    if relation_labels:
        relations = ET.SubElement(view, "Relations")
        for label in relation_labels:
            ET.SubElement(relations, "Relation", value=label.name, background=label.color)
    ET.indent(view)
    config = ET.tostring(view, encoding="unicode") + "\n"
    _check_config(config, labels)
    return config


def _check_config(config: str, labels: list[Label]) -> None:
    """The config must parse as XML and give back every label name as written in the tasks' results."""
    for label in labels:
        if not label.name:
            raise label_export_error("labelstudio", label.name, "is empty")
    try:
        values = [element.get("value") for element in ET.fromstring(config).iter("Label")]
    except ET.ParseError:
        # XML 1.0 has no way to write most control characters, escaped or not.
        bad = next((label.name for label in labels if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in label.name)), None)
        if bad is not None:
            raise label_export_error("labelstudio", bad, "holds a control character XML cannot carry") from None
        raise ProjectError("cannot export labelstudio: the labelling config would not read back as XML") from None
    names = [label.name for label in labels]
    by_layer = [label.name for label in labels if label.layer != STRUCTURE] + [
        label.name for label in labels if label.layer == STRUCTURE]
    if values != names + by_layer:
        wrong = next((n for n in names if n not in values), names[0] if names else "")
        raise label_export_error("labelstudio", wrong, "does not read back unchanged from the labelling config")


def rectangle(region: Region, page: Page) -> dict[str, Any]:
    """A region as a rectanglelabels result: x, y, width, height in percent of the image (0-100)."""
    x0, y0, x1, y1 = region.box
    x0, x1 = max(0.0, x0), min(float(page.width), x1)
    y0, y1 = max(0.0, y0), min(float(page.height), y1)
    return {
        "id": f"region-{region.id}",
        "type": "rectanglelabels",
        "from_name": BOXES,
        "to_name": IMAGE,
        "original_width": page.width,
        "original_height": page.height,
        "image_rotation": 0,
        "value": {
            "x": 100 * x0 / page.width,
            "y": 100 * y0 / page.height,
            "width": 100 * (x1 - x0) / page.width,
            "height": 100 * (y1 - y0) / page.height,
            "rotation": 0,
            "rectanglelabels": [region.label],
        },
    }


def textarea(result: dict[str, Any], name: str, text: str) -> dict[str, Any]:
    """The per-region text `text` for the rectangle or text range `result` (same id, same position)."""
    value = {k: v for k, v in result["value"].items() if k not in ("labels", "rectanglelabels", "text")}
    attached = {k: v for k, v in result.items() if k not in ("type", "from_name", "value")}
    return {**attached, "type": "textarea", "from_name": name, "value": {**value, "text": [text]}}


def region_results(region: Region, page: Page) -> list[dict[str, Any]]:
    """The rectangle, then its transcription and note when it has them."""
    rect = rectangle(region, page)
    extra = [(TRANSCRIPTION, region.text), (BOX_NOTE, region.note)]
    return [rect] + [textarea(rect, name, text) for name, text in extra if text]


def page_tasks(doc: ExportDocument, target: Target) -> list[dict[str, Any]]:
    results: list[list[tuple[str, dict[str, Any]]]] = [[] for _ in doc.pages]  # (prediction source or "", result)
    for r in doc.spans:
        parts = doc.span_pages(r)
        target.report.adjust(PAGE_SPLIT, int(len(parts) > 1))
        for i, start, end in parts:
            page_text = doc.text.pages[i].text
            base = doc.text.page_range(i)[0]
            s, e = start - base, end - base
            suffix = f"-p{doc.pages[i].number}" if len(parts) > 1 else ""
            result = {
                "id": f"span-{r.span.id}{suffix}",
                "type": "labels",
                "from_name": STRUCTURE_SPANS if doc.layer_of(r) == STRUCTURE else SPANS,
                "to_name": TEXT,
                "value": {
                    "start": _utf16(page_text, s),
                    "end": _utf16(page_text, e),
                    "text": page_text[s:e],
                    "labels": [r.span.label],
                },
            }
            source = (r.span.source or "import") if r.span.suggested else ""
            results[i].append((source, result))
            if r.span.note:
                results[i].append((source, textarea(result, SPAN_NOTE, r.span.note)))
    for region in doc.regions:
        i = doc.page_index(region.page_id)
        source = (region.source or "import") if region.suggested else ""
        results[i] += [(source, res) for res in region_results(region, doc.pages[i])]
    _relation_results(doc, results, target)
    tasks = []
    for i, page in enumerate(doc.pages):
        accepted = [res for source, res in results[i] if not source]
        predictions: dict[str, list[dict[str, Any]]] = {}
        for source, res in results[i]:
            if source:
                predictions.setdefault(source, []).append(res)
        tasks.append(
            {
                "data": {
                    IMAGE: target.options.image_url + target.page_image(doc, page),
                    TEXT: doc.text.pages[i].text,
                    "document": doc.document.name,
                    "page": page.number,
                },
                "annotations": [{"result": accepted}] if accepted else [],
                # Suggestions not yet accepted travel as predictions, which Label Studio shows for review.
                "predictions": [{"model_version": v, "result": res} for v, res in predictions.items()],
            }
        )
    return tasks


def _relation_results(doc: ExportDocument, results: list[list[tuple[str, dict[str, Any]]]], target: Target) -> None:
    """Add each relation to the page whose results hold both its ends, in the same annotation or prediction."""
    ends: list[dict[tuple[str, int], tuple[str, str]]] = []  # per page: end -> (source, result id)
    for page_results in results:
        found = {}
        for source, res in page_results:
            if res["type"] in ("labels", "rectanglelabels"):
                kind, ident = res["id"].split("-")[:2]
                found[(kind, int(ident))] = (source, res["id"])
        ends.append(found)
    for relation in doc.relations:
        label = doc.relation_labels.get(relation.label)
        for i, found in enumerate(ends):
            head, tail = found.get(relation.from_end), found.get(relation.to_end)
            if head is None or tail is None or head[0] != tail[0]:
                continue
            results[i].append((head[0], {
                "from_id": head[1], "to_id": tail[1], "type": "relation",
                "direction": "right" if label is None or label.directed else "bi", "labels": [relation.label],
            }))
            target.report.relations += 1
            break
        else:
            target.report.skip(RELATIONS_OUT)


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    report, out = target.report, target.stream
    # The list is written a task at a time, byte for byte what json.dumps(tasks, indent=1) gives,
    # so that only one document's tasks are ever in memory (all of them took 57 KB a document).
    count = 0
    for doc in docs:
        for task in page_tasks(doc, target):
            out.write(("[\n" if not count else ",\n") + _in_list(json.dumps(task, ensure_ascii=False, indent=1)))
            count += 1
        report.documents += 1
        report.spans += len(doc.spans)
        report.regions += len(doc.regions)
        for r in doc.spans:
            report.place(doc.layer_of(r), f'from "{STRUCTURE_SPANS if doc.layer_of(r) == STRUCTURE else SPANS}"', 1)
    out.write("\n]\n" if count else "[]\n")
    labels = target.project.labels()
    if target.options.labels:
        chosen = set(target.options.labels)
        # As for the relations exported (base._relations): naming no relation label keeps them all.
        every_relation = not any(label.is_relation and label.name in chosen for label in labels)
        labels = [label for label in labels if label.name in chosen or (label.is_relation and every_relation)]
    if target.options.label_layer not in (None, ALL_LAYERS):
        labels = [label for label in labels if label.is_relation or label.layer == target.options.label_layer]
    target.beside("-config.xml", label_config(labels))


def _in_list(text: str) -> str:
    """An indent=1 JSON value as it reads one level down, inside the list (JSON text holds no raw line breaks)."""
    return " " + text.replace("\n", "\n ")
