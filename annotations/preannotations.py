"""Pre-annotations in: spans as character offsets over a text (Scanspan JSONL, doccano, spaCy/Prodigy JSONL),
aligned to a document's OCR text and stored as suggestions the analyst accepts or rejects; and the regions
of Scanspan JSONL, placed by page and box."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .alignment import align
from .errors import ProjectError
from .model import Box, Document, Label
from .store import Project

# Colours for labels a file brings in (with add_labels), after the defaults' own.
_PALETTE = ["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a"]


@dataclass(frozen=True)
class ExternalSpan:
    start: int
    end: int
    label: str
    note: str = ""
    annotator: str = ""


@dataclass(frozen=True)
class ExternalRegion:
    """A region of Scanspan JSONL: page number, box in that page's pixels, label, transcription, note."""

    page: int
    box: Box
    label: str
    text: str = ""
    note: str = ""
    annotator: str = ""


@dataclass
class ExternalRecord:
    """One line of the file: a text, its spans and regions, and the document name when the file says it.

    `page_sizes` (page number -> width, height) is what the file's region boxes are measured in.
    """

    line: int
    text: str
    spans: list[ExternalSpan]
    name: str | None = None
    regions: list[ExternalRegion] = field(default_factory=list)
    page_sizes: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass
class ImportResult:
    """What happened to one record's spans and regions in one document; each is in exactly one count."""

    document: Document
    record: int
    placed: int = 0  # landed on the same text
    adjusted: int = 0  # landed on text that differs (OCR slips, whitespace) or was trimmed to words
    duplicates: int = 0  # an identical span was already there
    unaligned: list[str] = field(default_factory=list)  # texts of spans with no counterpart in the OCR text
    unknown_labels: dict[str, int] = field(default_factory=dict)
    invalid: int = 0  # offsets outside the text or empty
    coverage: float = 1.0
    span_ids: list[int] = field(default_factory=list)
    regions: int = 0  # regions added, as suggestions
    regions_scaled: int = 0  # of those, boxes scaled because the file's page size differs from the document's
    region_duplicates: int = 0  # an identical region was already there
    regions_off_page: int = 0  # no such page in the document, or the box does not lie on it
    region_unknown_labels: dict[str, int] = field(default_factory=dict)
    region_ids: list[int] = field(default_factory=list)


def _spans(obj: dict[str, Any]) -> list[ExternalSpan]:
    spans: list[ExternalSpan] = []
    if isinstance(obj.get("spans"), list):  # Scanspan JSONL, spaCy / Prodigy
        for s in obj["spans"]:
            spans.append(ExternalSpan(int(s["start"]), int(s["end"]), str(s["label"]),
                                      str(s.get("note") or ""), str(s.get("annotator") or "")))
    for key in ("label", "labels"):  # doccano sequence labelling: [[start, end, label], ...]
        if isinstance(obj.get(key), list):
            spans += [ExternalSpan(int(s), int(e), str(lab)) for s, e, lab in obj[key]]
    if isinstance(obj.get("entities"), list):  # doccano's newer export
        spans += [ExternalSpan(int(e["start_offset"]), int(e["end_offset"]), str(e["label"])) for e in obj["entities"]]
    return spans


def read_records(path: str | Path) -> list[ExternalRecord]:
    """Records of a JSONL file (or a JSON list of the same objects)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: cannot read ({exc})") from None
    stripped = raw.lstrip()
    try:
        if stripped.startswith("["):
            objects = list(enumerate(json.loads(raw), start=1))
        else:
            objects = [(n, json.loads(line)) for n, line in enumerate(raw.splitlines(), start=1) if line.strip()]
    except json.JSONDecodeError as exc:
        raise ProjectError(f"{path}: not JSON lines ({exc})") from None
    records = []
    for n, obj in objects:
        text = obj.get("text") if isinstance(obj, dict) else None
        if not isinstance(text, str):
            raise ProjectError(f"{path}, record {n}: no \"text\"; expected Scanspan, doccano or spaCy/Prodigy JSONL")
        try:
            spans = _spans(obj)
        except (KeyError, TypeError, ValueError) as exc:
            raise ProjectError(f"{path}, record {n}: a span without start, end and label ({exc})") from None
        try:
            regions = _regions(obj)
        except (KeyError, TypeError, ValueError) as exc:
            raise ProjectError(f"{path}, record {n}: a region without page, box (4 numbers) and label ({exc})") from None
        name = obj.get("name") if isinstance(obj.get("name"), str) else None
        records.append(ExternalRecord(n, text, spans, name, regions, _page_sizes(obj)))
    return records


def _regions(obj: dict[str, Any]) -> list[ExternalRegion]:
    regions: list[ExternalRegion] = []
    if not isinstance(obj.get("regions"), list):  # doccano, spaCy and Prodigy files have none
        return regions
    for g in obj["regions"]:
        box = tuple(float(v) for v in g["box"])
        if len(box) != 4:
            raise ValueError(f"box {g['box']!r}")
        regions.append(ExternalRegion(int(g["page"]), box, str(g["label"]), str(g.get("text") or ""),  # type: ignore[arg-type]
                                      str(g.get("note") or ""), str(g.get("annotator") or "")))
    return regions


def _page_sizes(obj: dict[str, Any]) -> dict[int, tuple[int, int]]:
    # Only used to rescale region boxes; a file without usable page sizes is taken at the document's.
    sizes: dict[int, tuple[int, int]] = {}
    for page in obj.get("pages") if isinstance(obj.get("pages"), list) else []:
        try:
            number, width, height = int(page["number"]), int(page["width"]), int(page["height"])
        except (KeyError, TypeError, ValueError):
            continue
        if width > 0 and height > 0:
            sizes[number] = (width, height)
    return sizes


def _pairs(project: Project, records: list[ExternalRecord], path: Path, doc_ref: str | int | None) -> list[tuple[ExternalRecord, Document]]:
    if not records:
        raise ProjectError(f"{path}: no records")
    if doc_ref is not None:
        doc = project.document(doc_ref)
        named = [r for r in records if r.name == doc.name]
        if named:
            return [(r, doc) for r in named]
        if len(records) == 1:
            return [(records[0], doc)]
        raise ProjectError(f"{path} holds {len(records)} records and none is named {doc.name!r}")
    pairs = []
    for record in records:
        if record.name is None:
            raise ProjectError(f"{path}, record {record.line}: no document name; say which with --document")
        pairs.append((record, project.document(record.name)))
    return pairs


def import_annotations(
    project: Project, path: str | Path, document: str | int | None = None, source: str | None = None,
    add_labels: bool = False,
) -> list[ImportResult]:
    """Align each record's text to its document and add its spans as suggestions from `source`."""
    path = Path(path)
    source = source or path.name
    pairs = _pairs(project, read_records(path), path, document)
    known = {label.name for label in project.labels()}
    results = []
    with project.transaction():  # one file is one action: it goes in whole or not at all
        for record, doc in pairs:
            if add_labels:
                used = [s.label for s in record.spans] + [g.label for g in record.regions]
                for name in dict.fromkeys(label for label in used if label not in known):
                    project.add_label(Label(name, _PALETTE[len(known) % len(_PALETTE)]))
                    known.add(name)
            results.append(_import_record(project, record, doc, source, known))
    return results


def _import_record(project: Project, record: ExternalRecord, doc: Document, source: str, known: set[str]) -> ImportResult:
    text = project.document_text(doc.id)
    alignment = align(record.text, text.text)
    result = ImportResult(doc, record.line, coverage=alignment.coverage)
    _import_regions(project, record, doc, source, known, result)
    existing = {(s.label, s.first_word_id, s.last_word_id, s.head, s.tail) for s in project.spans(doc.id)}
    for span in record.spans:
        if not 0 <= span.start < span.end <= len(record.text):
            result.invalid += 1
            continue
        if span.label not in known:
            result.unknown_labels[span.label] = result.unknown_labels.get(span.label, 0) + 1
            continue
        wanted = record.text[span.start : span.end]
        mapped = alignment.map_range(span.start, span.end)
        try:
            anchor = text.anchor(*mapped) if mapped else None
        except ValueError:
            anchor = None
        if anchor is None:
            result.unaligned.append(wanted)
            continue
        if (span.label, *anchor) in existing:
            result.duplicates += 1
            continue
        added = project.add_span(
            doc.id, span.label, *anchor, note=span.note, annotator=span.annotator, source=source, suggested=True
        )
        existing.add((span.label, *anchor))
        result.span_ids.append(added.id)
        if " ".join(text.resolve(added).text.split()) == " ".join(wanted.split()):
            result.placed += 1
        else:
            result.adjusted += 1
    return result


def _import_regions(
    project: Project, record: ExternalRecord, doc: Document, source: str, known: set[str], result: ImportResult
) -> None:
    """Add the record's regions as suggestions on the pages of the same number, boxes in the document's pixels."""
    pages = {p.number: p for p in project.pages(doc.id)}
    existing = {(g.page_id, g.label, g.box) for g in project.regions(doc.id)}
    for g in record.regions:
        if g.label not in known:
            result.region_unknown_labels[g.label] = result.region_unknown_labels.get(g.label, 0) + 1
            continue
        page = pages.get(g.page)
        if page is None:
            result.regions_off_page += 1
            continue
        box, scaled = g.box, False
        size = record.page_sizes.get(g.page)
        if size is not None and size != (page.width, page.height):
            # The same letter imported at another resolution: the box keeps its place on the paper.
            sx, sy = page.width / size[0], page.height / size[1]
            box, scaled = (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy), True
        key = (page.id, g.label, (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])))
        if key in existing:
            result.region_duplicates += 1
            continue
        try:
            added = project.add_region(
                page.id, g.label, box, text=g.text, note=g.note, annotator=g.annotator, source=source, suggested=True
            )
        except ProjectError:  # an empty box, or one that does not lie on the page
            result.regions_off_page += 1
            continue
        existing.add((page.id, added.label, added.box))
        result.regions += 1
        result.regions_scaled += int(scaled)
        result.region_ids.append(added.id)
