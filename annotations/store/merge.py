"""Bringing another analyst's project in: checked as untrusted input, read-only, one document per transaction."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ProjectError
from ..records import DOCUMENT_STATUSES, Label
from .merge_copy import (
    NUMBER,
    OPTIONAL_TEXT,
    PAGE_COLUMNS,
    TEXT,
    copy_document,
    match_words,
    merge_regions,
    merge_spans,
    typed,
)
from .merge_decisions import (
    merge_decisions,
    merge_region_rejections,
    merge_relation_decisions,
    merge_relation_rejections,
    merge_relations,
    merge_span_rejections,
)
from .merge_open import open_other
from .rows import fetch_all

if TYPE_CHECKING:
    from .project import Project


@dataclass
class MergeReport:
    matched: int = 0
    added: int = 0
    spans: int = 0
    regions: int = 0
    relations: int = 0
    already: int = 0
    corrections: int = 0
    decisions: int = 0
    rejections: int = 0
    suggestion_rejections: int = 0
    labels: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


_PAGE_TYPES = {"number": (int,), "width": (int,), "height": (int,), "dpi_x": NUMBER, "dpi_y": NUMBER,
               "image_sha256": OPTIONAL_TEXT, "engine": OPTIONAL_TEXT, "engine_version": OPTIONAL_TEXT,
               "lang": OPTIONAL_TEXT, "psm": (int, type(None)), "ocr_dpi": (*NUMBER, type(None)),
               "text_layer": (int, type(None)), "upscale": (*NUMBER, type(None)), "words_source": TEXT}
_DOCUMENT_TYPES = {"name": TEXT, "source_sha256": TEXT, "status": TEXT, "created": OPTIONAL_TEXT}


def merge_project(project: Project, other: Path) -> MergeReport:
    """Bring `other`'s documents, spans, regions and corrections into `project`; see README "Working as a team".

    Each document is one transaction, so an interrupted merge leaves whole documents and running it
    again finishes the work without adding anything twice.
    """
    if other.resolve() == project.path.resolve():
        raise ProjectError(f"{other}: is the project itself; nothing to merge")
    report = MergeReport()

    def is_known(sha256: str) -> bool:
        return project.db.execute("select 1 from documents where source_sha256 = ? and complete = 1",
                                  [sha256]).fetchone() is not None

    with open_other(other, is_known) as conn:
        labels = _merge_labels(project, conn, report)
        for doc in fetch_all(conn, "select id, name, source_sha256, status, created from documents where complete = 1 "
                                   "order by id", []):
            try:
                with project.write():
                    _merge_document(project, conn, doc, labels, report)
            except ProjectError as exc:
                raise ProjectError(f"{other}: cannot merge: {exc}; nothing of it was stored (the documents "
                                   "before it were merged whole)") from None
    return report


def _merge_labels(project: Project, conn: sqlite3.Connection, report: MergeReport) -> dict[str, str]:
    """The labels whose annotations can come in, their name there -> ours; those P lacks are added
    (without a shortcut, which may clash).

    A name written the other way there (é as e and a combining accent) is our label of that name.
    Span labels come first, so that a relation label's ends name labels that are here.
    """
    ours = {label.name for label in project.labels()}
    spelled = {unicodedata.normalize("NFC", name): name for name in ours}
    usable = {name: name for name in ours}
    rows = fetch_all(conn, "select name, color, description, layer, kind, directed, ends from labels order by position", [])
    for row in sorted(rows, key=lambda r: r["kind"] == "relation"):
        if row["name"] in ours:
            continue
        here = spelled.get(unicodedata.normalize("NFC", row["name"])) if isinstance(row["name"], str) else None
        if here is not None:
            usable[row["name"]] = here
            continue
        try:
            project.add_label(_their_label(row))
        except ProjectError as exc:
            what = "relations" if row["kind"] == "relation" else "spans and regions"
            report.skipped.append(f"label {row['name']!r}: {exc}; its {what} were not merged")
            continue
        usable[row["name"]] = row["name"]
        report.labels.append(row["name"])
    return usable


def _their_label(row: dict) -> Label:
    """A label row of the other project as a Label, or a ProjectError when it is not one Scanspan stores."""
    if row["kind"] not in ("span", "relation") or row["directed"] not in (0, 1) or not isinstance(row["ends"], str):
        raise ProjectError("not stored as Scanspan stores labels")
    try:
        ends = json.loads(row["ends"]) if row["ends"] else {}
    except (ValueError, RecursionError):
        ends = None
    if not (isinstance(ends, dict) and set(ends) <= {"from", "to"}
            and all(isinstance(v, list) and all(isinstance(n, str) for n in v) for v in ends.values())):
        raise ProjectError("its ends are not stored as Scanspan stores them")
    return Label(row["name"], row["color"], None, row["description"] or "", row["layer"], kind=row["kind"],
                 directed=bool(row["directed"]), from_labels=tuple(ends.get("from", ())),
                 to_labels=tuple(ends.get("to", ())))


def _merge_document(project: Project, conn: sqlite3.Connection, doc: dict, labels: dict[str, str],
                    report: MergeReport) -> None:
    db = project.db.conn
    theirs = fetch_all(conn, "select id, " + ", ".join(PAGE_COLUMNS) + " from pages where document_id = ? order by number",
                       [doc["id"]])
    mine = db.execute("select id from documents where source_sha256 = ? and complete = 1", [doc["source_sha256"]]).fetchone()
    if (not all(typed(p, _PAGE_TYPES) for p in theirs) or not typed(doc, _DOCUMENT_TYPES)
            or doc["status"] not in DOCUMENT_STATUSES):
        raise ProjectError(f"document {doc['name']!r} is not stored as Scanspan stores documents")
    words: dict[int, int] = {}  # their word id -> ours
    pages: dict[int, tuple[int, int, int]] = {}  # their page id -> our page id, width, height
    if mine is None:
        doc_id = copy_document(project, conn, doc, theirs, words, pages)
        report.added += 1
    else:
        doc_id = mine[0]
        if not match_words(project, conn, doc, doc_id, theirs, words, pages, report):
            return
        report.matched += 1
    relation_labels = {label.name: label for label in project.labels() if label.is_relation}
    span_labels = {theirs: ours for theirs, ours in labels.items() if ours not in relation_labels}
    # Before their spans and regions: a suggestion rejected on either side is not brought back by the other's copy.
    merge_span_rejections(db, conn, doc, doc_id, words, span_labels, report)
    merge_region_rejections(db, conn, doc, pages, span_labels, report)
    rejected: set[tuple[str, int]] = set()  # their suggestions left out as rejected: their relations go with them
    spans = merge_spans(db, conn, doc, doc_id, words, span_labels, report, rejected)
    regions = merge_regions(db, conn, doc, pages, span_labels, report, rejected)
    merge_decisions(db, conn, doc, doc_id, words, pages, report)
    merge_relation_decisions(db, conn, doc, doc_id, words, pages, report)
    ends = {**{("span", k): v for k, v in spans.items()}, **{("region", k): v for k, v in regions.items()}}
    usable = {theirs: relation_labels[ours] for theirs, ours in labels.items() if ours in relation_labels}
    # Before their relations: a suggestion rejected on either side is not brought back by the other's copy of it.
    merge_relation_rejections(db, conn, doc, doc_id, ends, {theirs: lab.name for theirs, lab in usable.items()}, report)
    merge_relations(db, conn, doc, doc_id, ends, usable, report, rejected)
