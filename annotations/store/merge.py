"""Bringing another analyst's project in: checked as untrusted input, read-only, one document per transaction."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import ProjectError
from ..records import DOCUMENT_STATUSES, Box, Label
from .imports import MAX_PAGE_WORDS
from .merge_checks import check_values, finite
from .near_boxes import NearBoxes
from .regions import SAME_REGION
from .rows import insert_row
from .schema import migrations

if TYPE_CHECKING:
    from .project import Project

MAX_FILE_BYTES = 16 * 1024**3
MAX_ROWS = {"documents": 100_000, "pages": 1_000_000, "words": 100_000_000, "spans": 10_000_000,
            "regions": 10_000_000, "labels": 1_000, "adjudications": 10_000_000, "region_adjudications": 10_000_000,
            "relations": 10_000_000, "relation_adjudications": 10_000_000, "relation_rejections": 10_000_000,
            "span_rejections": 10_000_000, "region_rejections": 10_000_000}
MAX_SOURCE_BYTES = 2 * 1024**3


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


def _schema(db: sqlite3.Connection) -> set[tuple[str, str, str]]:
    """Each table, index, trigger and view: a table by its columns (the text SQLite keeps of a table
    renamed or altered varies with its version), the others by their SQL."""
    found = set()
    for kind, name, sql in db.execute("select type, name, sql from sqlite_master "
                                      "where name not like 'sqlite_autoindex_%'").fetchall():
        text = re.sub(r"\s+", " ", sql or "").strip()
        if kind == "table" and not text.upper().startswith("CREATE VIRTUAL"):
            text = repr(db.execute("select name, type, \"notnull\", dflt_value, pk from pragma_table_info(?)",
                                   [name]).fetchall())
        found.add((kind, name, text))
    return found


def _expected_schema() -> set[tuple[str, str, str]]:
    reference = Database(memory=True)
    migrations.apply(reference)
    return _schema(reference.conn)


@contextmanager
def open_other(path: Path, is_known: Callable[[str], bool] = lambda sha256: False) -> Iterator[sqlite3.Connection]:
    """Another project opened read-only after checking it is a Scanspan project of this schema holding
    only values a fresh import could have stored, or a ProjectError naming the file and the cause;
    nothing in it is run (triggers fire only on writes, which are refused, views are never read, and
    the schema may not name functions). `is_known` tells a source file already here (whose pages are
    compared with ours rather than with the file's)."""

    def refuse(cause: str) -> ProjectError:
        return ProjectError(f"{path}: cannot merge: {cause}")

    if not path.is_file():
        raise refuse("no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise refuse(f"larger than {MAX_FILE_BYTES // 1024**3} GiB")
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(b"SQLite format 3\0"):
        raise refuse("not an SQLite file")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if len(header) < 100 or size < page_size * pages:
        raise refuse(f"truncated ({size} bytes of {page_size * pages})")
    wal = path.with_name(path.name + "-wal")
    # A closed project is read as immutable: no lock, and no -shm or -wal file left beside it. One
    # with changes still in its -wal (open in a Scanspan elsewhere) must be read through them.
    mode = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise refuse(str(exc)) from None
    try:
        try:
            # One read transaction throughout: what is checked is what is copied, even while the
            # other project is open and written elsewhere.
            conn.execute("begin")
            _check_other(conn, refuse)
            problem = check_values(conn, is_known, MAX_PAGE_WORDS)
            if problem is not None:
                raise refuse(problem)
        except sqlite3.Error as exc:
            raise refuse(f"not a Scanspan project, or damaged ({exc})") from None
        yield conn
    finally:
        conn.close()


def _check_other(conn: sqlite3.Connection, refuse: Callable[[str], ProjectError]) -> None:
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA query_only = ON")
    found = _schema(conn)
    if ("table", "_sqlite_migrations") not in {(t, n) for t, n, _ in found}:
        raise refuse("not a Scanspan project")
    views = sorted(n for t, n, _ in found if t == "view")
    if views:  # refused before anything is read: reading a view runs it
        raise refuse(f"an unknown view {views[0]!r}")
    known = [m.name for m in migrations.pending(Database(memory=True))]
    applied = [r[0] for r in conn.execute(
        "select name from _sqlite_migrations where migration_set = ? limit 1000", [migrations.name])]
    if not applied:
        raise refuse("not a Scanspan project")
    if set(applied) - set(known):
        raise refuse("made by a newer Scanspan; upgrade Scanspan first")
    if set(applied) != set(known):
        raise refuse("made by an older Scanspan; open it once with this version to upgrade it, then merge")
    expected = _expected_schema()
    for kind, name, _ in sorted(found - expected):
        what = "a changed" if any(n == name for _, n, _ in expected) else "an unknown"
        raise refuse(f"{what} {kind} {name!r}")
    for kind, name, _ in sorted(expected - found):
        raise refuse(f"its {kind} {name!r} is missing")
    check = conn.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise refuse(f"damaged ({check})")
    for table, limit in MAX_ROWS.items():
        count = conn.execute(f"select count(*) from {table}").fetchone()[0]
        if count > limit:
            raise refuse(f"{count} {table}, more than the {limit} a merge reads")
    # Words are checked here in one pass, not one by one in Python as they are copied (a third of the time).
    odd, first = conn.execute(
        "select count(*), min(id) from words where typeof(idx) != 'integer' or typeof(text) != 'text' "
        "or typeof(ocr_text) != 'text' or " + " or ".join(f"typeof({c}) not in ('integer', 'real')" for c in
                                                           ("x0", "y0", "x1", "y1"))
    ).fetchone()
    if odd:
        raise refuse(f"words row {first}: not stored as Scanspan stores words ({odd} words like it)")
    biggest = conn.execute("select max(length(data)) from sources").fetchone()[0] or 0
    if biggest > MAX_SOURCE_BYTES:
        raise refuse(f"a source file of {biggest} bytes")


def _rows(conn: sqlite3.Connection, sql: str, params: list[object]) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


_PAGE_COLUMNS = ("number", "width", "height", "dpi_x", "dpi_y", "image_sha256", "engine", "engine_version", "lang",
                 "psm", "ocr_dpi", "text_layer", "upscale", "words_source")
_WORD_COLUMNS = ("idx", "text", "ocr_text", "x0", "y0", "x1", "y1", "conf", "block", "par", "line")
_SPAN_COPY = ("label", "head", "tail", "note", "annotator", "created", "updated", "source", "suggested", "score",
              "reason")
_REGION_COPY = ("label", "x0", "y0", "x1", "y1", "text", "note", "annotator", "created", "updated", "source",
                "suggested")


_TEXT = (str,)
_NUMBER = (int, float)
_SPAN_TYPES = {"label": _TEXT, "head": (int,), "tail": (int,), "note": _TEXT, "annotator": _TEXT, "source": _TEXT,
               "suggested": (int,), "score": (*_NUMBER, type(None)), "reason": _TEXT, "created": (str, type(None)),
               "updated": (str, type(None))}
_REGION_TYPES = {"label": _TEXT, "x0": _NUMBER, "y0": _NUMBER, "x1": _NUMBER, "y1": _NUMBER, "text": _TEXT,
                 "note": _TEXT, "annotator": _TEXT, "source": _TEXT, "suggested": (int,),
                 "created": (str, type(None)), "updated": (str, type(None))}
_OPTIONAL_TEXT = (str, type(None))
_DECISION_TYPES = {"a": _TEXT, "b": _TEXT, "decision": _TEXT, "adjudicator": _TEXT, "created": _OPTIONAL_TEXT}
_PAGE_TYPES = {"number": (int,), "width": (int,), "height": (int,), "dpi_x": _NUMBER, "dpi_y": _NUMBER,
               "image_sha256": _OPTIONAL_TEXT, "engine": _OPTIONAL_TEXT, "engine_version": _OPTIONAL_TEXT,
               "lang": _OPTIONAL_TEXT, "psm": (int, type(None)), "ocr_dpi": (*_NUMBER, type(None)),
               "text_layer": (int, type(None)), "upscale": (*_NUMBER, type(None)), "words_source": _TEXT}
_DOCUMENT_TYPES = {"name": _TEXT, "source_sha256": _TEXT, "status": _TEXT, "created": _OPTIONAL_TEXT}
_RELATION_COPY = ("label", "note", "annotator", "created", "updated", "source", "suggested")
_RELATION_TYPES = {"label": _TEXT, "from_kind": _TEXT, "from_id": (int,), "to_kind": _TEXT, "to_id": (int,),
                   "note": _TEXT, "annotator": _TEXT, "source": _TEXT, "suggested": (int,),
                   "created": _OPTIONAL_TEXT, "updated": _OPTIONAL_TEXT}
_RELATION_DECISION_TYPES = {**_DECISION_TYPES, "ends": _TEXT}
_RELATION_REJECTION_TYPES = {"label": _TEXT, "from_kind": _TEXT, "from_id": (int,), "to_kind": _TEXT, "to_id": (int,),
                             "source": _TEXT, "created": _OPTIONAL_TEXT}
_SPAN_REJECTION_TYPES = {"label": _TEXT, "first_word_id": (int,), "last_word_id": (int,), "head": (int,),
                         "tail": (int,), "source": _TEXT, "score": (*_NUMBER, type(None)), "created": _OPTIONAL_TEXT}
_REGION_REJECTION_TYPES = {"label": _TEXT, "x0": _NUMBER, "y0": _NUMBER, "x1": _NUMBER, "y1": _NUMBER,
                           "source": _TEXT, "created": _OPTIONAL_TEXT}


def _typed(row: dict, types: dict[str, tuple[type, ...]]) -> bool:
    """Whether each column holds a value of its type: SQLite lets any column hold anything."""
    return all(isinstance(row[c], kinds) and not isinstance(row[c], bool) for c, kinds in types.items())


def _position(db: sqlite3.Connection, word_id: int) -> tuple[int, int]:
    return db.execute("select p.number, w.idx from words w join pages p on p.id = w.page_id where w.id = ?",
                      [word_id]).fetchone()


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
        for doc in _rows(conn, "select id, name, source_sha256, status, created from documents where complete = 1 "
                               "order by id", []):
            try:
                with project.write():
                    _merge_document(project, conn, doc, labels, report)
            except ProjectError as exc:
                raise ProjectError(f"{other}: cannot merge: {exc}; nothing of it was stored (the documents "
                                   "before it were merged whole)") from None
    return report


def _merge_labels(project: Project, conn: sqlite3.Connection, report: MergeReport) -> set[str]:
    """The labels whose annotations can come in; those P lacks are added (without a shortcut, which may clash).

    Span labels come first, so that a relation label's ends name labels that are here.
    """
    ours = {label.name for label in project.labels()}
    usable = set(ours)
    rows = _rows(conn, "select name, color, description, layer, kind, directed, ends from labels order by position", [])
    for row in sorted(rows, key=lambda r: r["kind"] == "relation"):
        if row["name"] in ours:
            continue
        try:
            project.add_label(_their_label(row))
        except ProjectError as exc:
            what = "relations" if row["kind"] == "relation" else "spans and regions"
            report.skipped.append(f"label {row['name']!r}: {exc}; its {what} were not merged")
            continue
        usable.add(row["name"])
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


def _merge_document(project: Project, conn: sqlite3.Connection, doc: dict, labels: set[str],
                    report: MergeReport) -> None:
    db = project.db.conn
    theirs = _rows(conn, "select id, " + ", ".join(_PAGE_COLUMNS) + " from pages where document_id = ? order by number",
                   [doc["id"]])
    mine = db.execute("select id from documents where source_sha256 = ? and complete = 1", [doc["source_sha256"]]).fetchone()
    if (not all(_typed(p, _PAGE_TYPES) for p in theirs) or not _typed(doc, _DOCUMENT_TYPES)
            or doc["status"] not in DOCUMENT_STATUSES):
        raise ProjectError(f"document {doc['name']!r} is not stored as Scanspan stores documents")
    words: dict[int, int] = {}  # their word id -> ours
    pages: dict[int, tuple[int, int, int]] = {}  # their page id -> our page id, width, height
    if mine is None:
        doc_id = _copy_document(project, conn, doc, theirs, words, pages)
        report.added += 1
    else:
        doc_id = mine[0]
        if not _match_words(project, conn, doc, doc_id, theirs, words, pages, report):
            return
        report.matched += 1
    relation_labels = {label.name: label for label in project.labels() if label.is_relation}
    span_labels = labels - set(relation_labels)
    # Before their spans and regions: a suggestion rejected on either side is not brought back by the other's copy.
    _merge_span_rejections(db, conn, doc, doc_id, words, span_labels, report)
    _merge_region_rejections(db, conn, doc, pages, span_labels, report)
    rejected: set[tuple[str, int]] = set()  # their suggestions left out as rejected: their relations go with them
    spans = _merge_spans(db, conn, doc, doc_id, words, span_labels, report, rejected)
    regions = _merge_regions(db, conn, doc, pages, span_labels, report, rejected)
    _merge_decisions(db, conn, doc, doc_id, words, pages, report)
    _merge_relation_decisions(db, conn, doc, doc_id, words, pages, report)
    ends = {**{("span", k): v for k, v in spans.items()}, **{("region", k): v for k, v in regions.items()}}
    usable = {n: lab for n, lab in relation_labels.items() if n in labels}
    # Before their relations: a suggestion rejected on either side is not brought back by the other's copy of it.
    _merge_relation_rejections(db, conn, doc, doc_id, ends, set(usable), report)
    _merge_relations(db, conn, doc, doc_id, ends, usable, report, rejected)


def _copy_document(project: Project, conn: sqlite3.Connection, doc: dict, theirs: list[dict],
                   words: dict[int, int], pages: dict[int, tuple[int, int, int]]) -> int:
    db = project.db.conn
    sha = doc["source_sha256"]
    source = conn.execute("select sha256, name, size, data, added from sources where sha256 = ?", [sha]).fetchone()
    if source is None or not isinstance(source[3], bytes) or hashlib.sha256(source[3]).hexdigest() != sha:
        # Documents are matched by this hash: one that does not hold would match the wrong file.
        raise ProjectError(f"document {doc['name']!r} has no source file of its content hash in the other project")
    db.execute("insert or ignore into sources (sha256, name, size, data, added) values (?, ?, ?, ?, ?)", source)
    doc_id = insert_row(db, "documents", {"name": doc["name"], "source_sha256": sha, "status": doc["status"],
                                          "created": doc["created"], "complete": 1})
    for page in theirs:
        page_id = insert_row(db, "pages", {"document_id": doc_id, **{c: page[c] for c in _PAGE_COLUMNS}})
        pages[page["id"]] = (page_id, page["width"], page["height"])
        rows = conn.execute("select id, " + ", ".join(_WORD_COLUMNS) + " from words where page_id = ? order by idx",
                            [page["id"]]).fetchall()
        db.executemany(f"insert into words (page_id, {', '.join(_WORD_COLUMNS)}) "
                       f"values (?, {', '.join('?' * len(_WORD_COLUMNS))})", ([page_id, *r[1:]] for r in rows))
        # Their word ids in order of idx map onto ours, inserted in the same order.
        ours = db.execute("select id from words where page_id = ? order by idx", [page_id]).fetchall()
        words.update(zip((r[0] for r in rows), (r[0] for r in ours)))
        texts = [r[2] for r in rows]
        project._index_page(page_id, texts)
    return doc_id


def _match_words(project: Project, conn: sqlite3.Connection, doc: dict, doc_id: int, theirs: list[dict],
                 words: dict[int, int], pages: dict[int, tuple[int, int, int]], report: MergeReport) -> bool:
    """Map their words onto ours by page and position; False (and why) when the two OCR readings differ."""
    db = project.db.conn
    ours = {r[0]: r[1:] for r in db.execute("select number, id, width, height from pages where document_id = ?", [doc_id])}
    if sorted(ours) != [p["number"] for p in theirs]:
        report.skipped.append(f"{doc['name']}: the pages differ from this project's; its annotations were not merged")
        return False
    for page in theirs:
        page_id, width, height = ours[page["number"]]
        pages[page["id"]] = (page_id, width, height)
        mine = db.execute("select id, text, ocr_text from words where page_id = ? order by idx", [page_id]).fetchall()
        other = conn.execute("select id, text, ocr_text from words where page_id = ? order by idx", [page["id"]]).fetchall()
        if [w[2] for w in mine] != [w[2] for w in other]:
            report.skipped.append(f"{doc['name']}: read differently by OCR on page {page['number']}; "
                                  "its annotations were not merged")
            return False
        changed = False
        for (our_id, our_text, ocr_text), (their_id, their_text, _) in zip(mine, other):
            words[their_id] = our_id
            if their_text == our_text or their_text == ocr_text:
                continue
            if our_text == ocr_text:  # only they corrected it: their correction comes in
                db.execute("update words set text = ? where id = ?", [their_text, our_id])
                report.corrections += 1
                changed = True
            else:
                report.conflicts.append(f"{doc['name']} page {page['number']}: {ocr_text!r} corrected to "
                                        f"{our_text!r} here, to {their_text!r} there (kept {our_text!r})")
        if changed:
            project._reindex_page(page_id)
    return True


def _merge_spans(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int, words: dict[int, int],
                 labels: set[str], report: MergeReport, rejected: set[tuple[str, int]]) -> dict[int, int]:
    """Their spans that fit, added unless here already; their span id -> ours (added or found) for each."""
    mapped: dict[int, int] = {}
    rows = _rows(conn, "select id, first_word_id, last_word_id, " + ", ".join(_SPAN_COPY)
                 + " from spans where document_id = ?", [doc["id"]])
    for row in rows:
        first, last = words.get(row["first_word_id"]), words.get(row["last_word_id"])
        if (first is None or last is None or row["label"] not in labels or not _typed(row, _SPAN_TYPES)
                or row["head"] < 0 or row["tail"] < 0 or _position(db, first) > _position(db, last)):
            report.skipped.append(f"{doc['name']}: a {row['label']!r} span of {row['annotator']!r} that does not fit")
            continue
        if row["suggested"] and db.execute(
                "select 1 from span_rejections where document_id = ? and label = ? and first_word_id = ? "
                "and last_word_id = ? and head = ? and tail = ?",
                [doc_id, row["label"], first, last, row["head"], row["tail"]]).fetchone():
            rejected.add(("span", row["id"]))  # rejected here (or there, and that came in above): not proposed again
            continue
        here = db.execute("select id from spans where document_id = ? and label = ? and first_word_id = ? "
                          "and last_word_id = ? and head = ? and tail = ? and annotator = ? and source = ?",
                          [doc_id, row["label"], first, last, row["head"], row["tail"], row["annotator"],
                           row["source"]]).fetchone()
        if here:
            mapped[row["id"]] = here[0]
            report.already += 1
            continue
        mapped[row["id"]] = insert_row(db, "spans", {"document_id": doc_id, "first_word_id": first, "last_word_id": last,
                                                     **{c: row[c] for c in _SPAN_COPY}})
        report.spans += 1
    return mapped


def _merge_regions(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, pages: dict[int, tuple[int, int, int]],
                   labels: set[str], report: MergeReport, rejected: set[tuple[str, int]]) -> dict[int, int]:
    """Their regions that fit, added unless here already; their region id -> ours (added or found) for each."""
    mapped: dict[int, int] = {}
    for their_page, (page_id, width, height) in pages.items():
        rejections: dict[str, NearBoxes] | None = None
        for row in _rows(conn, "select id, " + ", ".join(_REGION_COPY) + " from regions where page_id = ?",
                         [their_page]):
            x0, y0, x1, y1 = (row[c] for c in ("x0", "y0", "x1", "y1"))
            fits = _typed(row, _REGION_TYPES) and 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            if not fits or row["label"] not in labels:
                report.skipped.append(f"{doc['name']}: a {row['label']!r} region of {row['annotator']!r} that does not fit")
                continue
            if rejections is None:  # as RegionStore.region_rejected: about the same box, a suggester run
                # again puts it a few pixels off
                rejections = _near_boxes(db, "select id, label, x0, y0, x1, y1 from region_rejections "
                                             "where page_id = ?", page_id)
            if row["suggested"] and row["label"] in rejections and rejections[row["label"]].near((x0, y0, x1, y1)):
                rejected.add(("region", row["id"]))  # as a span rejected on either side
                continue
            here = db.execute("select id from regions where page_id = ? and label = ? and x0 = ? and y0 = ? "
                              "and x1 = ? and y1 = ? and annotator = ? and source = ?",
                              [page_id, row["label"], x0, y0, x1, y1, row["annotator"], row["source"]]).fetchone()
            if here:
                mapped[row["id"]] = here[0]
                report.already += 1
                continue
            mapped[row["id"]] = insert_row(db, "regions", {"page_id": page_id, **{c: row[c] for c in _REGION_COPY}})
            report.regions += 1
    return mapped


def _merge_relations(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                     ends: dict[tuple[str, int], int], labels: dict[str, Label], report: MergeReport,
                     rejected: set[tuple[str, int]]) -> None:
    """Their relations whose ends came in (or were here), on the ids those ends have here; checked as an
    analyst's own would be: both ends in this document, not one end twice, a declared relation label that
    allows the labels of its ends."""
    for row in _rows(conn, "select from_kind, from_id, to_kind, to_id, " + ", ".join(_RELATION_COPY)
                     + " from relations where document_id = ?", [doc["id"]]):
        head = ends.get((row["from_kind"], row["from_id"])) if _typed(row, _RELATION_TYPES) else None
        tail = ends.get((row["to_kind"], row["to_id"])) if head is not None else None
        label = labels.get(row["label"])
        fits = head is not None and tail is not None and label is not None and row["suggested"] in (0, 1) and (
            (row["from_kind"], head) != (row["to_kind"], tail))
        if fits:
            assert label is not None and head is not None and tail is not None
            for kind, ident, allowed in ((row["from_kind"], head, label.from_labels),
                                         (row["to_kind"], tail, label.to_labels)):
                table = "spans" if kind == "span" else "regions"
                if allowed and db.execute(f"select label from {table} where id = ?", [ident]).fetchone()[0] not in allowed:
                    fits = False
        if not fits and {(row["from_kind"], row["from_id"]), (row["to_kind"], row["to_id"])} & rejected:
            continue  # as rejecting an end removes its relations
        if not fits:
            report.skipped.append(f"{doc['name']}: a {row['label']!r} relation of {row['annotator']!r} that does not "
                                  "fit (an end that did not come in, or a label that does not allow it)")
            continue
        if row["suggested"] and db.execute(
                "select 1 from relation_rejections where document_id = ? and label = ? and from_kind = ? "
                "and from_id = ? and to_kind = ? and to_id = ?",
                [doc_id, row["label"], row["from_kind"], head, row["to_kind"], tail]).fetchone():
            continue  # rejected here (or there, and that rejection came in above): not proposed again
        key = [doc_id, row["label"], row["from_kind"], head, row["to_kind"], tail, row["annotator"], row["source"]]
        if db.execute("select 1 from relations where document_id = ? and label = ? and from_kind = ? and from_id = ? "
                      "and to_kind = ? and to_id = ? and annotator = ? and source = ?", key).fetchone():
            report.already += 1
            continue
        insert_row(db, "relations", {"document_id": doc_id, "from_kind": row["from_kind"], "from_id": head,
                                     "to_kind": row["to_kind"], "to_id": tail,
                                     **{c: row[c] for c in _RELATION_COPY}})
        report.relations += 1


def _merge_decisions(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int, words: dict[int, int],
                     pages: dict[int, tuple[int, int, int]], report: MergeReport) -> None:
    """Their adjudication decisions, so what they settled is not asked again here (ours win where both settled)."""

    def usable(row: dict) -> bool:
        return _usable_decision(row, _DECISION_TYPES, doc, report)

    for row in _rows(conn, "select first_word_id, last_word_id, a, b, decision, adjudicator, created "
                           "from adjudications where document_id = ?", [doc["id"]]):
        first, last = words.get(row["first_word_id"]), words.get(row["last_word_id"])
        if first is None or last is None:
            row["decision"] = None  # reported as not fitting
        if not usable(row):
            continue
        key = [doc_id, row["a"], row["b"], first, last]
        if db.execute("select 1 from adjudications where document_id = ? and a = ? and b = ? and first_word_id = ? "
                      "and last_word_id = ?", key).fetchone():
            report.already += 1
            continue
        insert_row(db, "adjudications", {"document_id": doc_id, "first_word_id": first, "last_word_id": last,
                                         **{c: row[c] for c in ("a", "b", "decision", "adjudicator", "created")}})
        report.decisions += 1
    for their_page, (page_id, width, height) in pages.items():
        for row in _rows(conn, "select x0, y0, x1, y1, a, b, decision, adjudicator, created from region_adjudications "
                               "where page_id = ?", [their_page]):
            box = [row[c] for c in ("x0", "y0", "x1", "y1")]
            if not (all(isinstance(v, _NUMBER) for v in box) and 0 <= box[0] < box[2] <= width
                    and 0 <= box[1] < box[3] <= height):
                row["decision"] = None
            if not usable(row):
                continue
            if db.execute("select 1 from region_adjudications where page_id = ? and a = ? and b = ? and x0 = ? "
                          "and y0 = ? and x1 = ? and y1 = ?", [page_id, row["a"], row["b"], *box]).fetchone():
                report.already += 1
                continue
            insert_row(db, "region_adjudications", {"document_id": doc_id, "page_id": page_id, **{
                c: row[c] for c in ("x0", "y0", "x1", "y1", "a", "b", "decision", "adjudicator", "created")}})
            report.decisions += 1


def _usable_decision(row: dict, types: dict[str, tuple[type, ...]], doc: dict, report: MergeReport) -> bool:
    from .adjudications import DECISIONS

    if _typed(row, types) and row["decision"] in DECISIONS:
        return True
    report.skipped.append(f"{doc['name']}: an adjudication decision of {row['adjudicator']!r} that does not fit")
    return False


def _merge_relation_decisions(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                              words: dict[int, int], pages: dict[int, tuple[int, int, int]],
                              report: MergeReport) -> None:
    """Their decisions over relations, their pair of ends rewritten onto our words and pages, so that a pair
    they settled is not asked again here (ours win where both settled)."""
    for row in _rows(conn, "select a, b, ends, decision, adjudicator, created from relation_adjudications "
                           "where document_id = ?", [doc["id"]]):
        ends = _our_ends(db, row["ends"], words, pages) if isinstance(row["ends"], str) else None
        if ends is None:
            row["decision"] = None  # reported as not fitting
        if not _usable_decision(row, _RELATION_DECISION_TYPES, doc, report):
            continue
        if db.execute("select 1 from relation_adjudications where document_id = ? and a = ? and b = ? and ends = ?",
                      [doc_id, row["a"], row["b"], ends]).fetchone():
            report.already += 1
            continue
        insert_row(db, "relation_adjudications", {"document_id": doc_id, "ends": ends, **{
            c: row[c] for c in ("a", "b", "decision", "adjudicator", "created")}})
        report.decisions += 1


def _our_ends(db: sqlite3.Connection, text: str, words: dict[int, int],
              pages: dict[int, tuple[int, int, int]]) -> str | None:
    """A decision's pair of ends (relation_adjudication: a span by label, words and cuts, a region by page,
    label and box) on our word and page ids, written as adjudication writes it; None when it is not one."""
    try:
        keys = json.loads(text)
    except (ValueError, RecursionError):  # a hundred thousand brackets nest deeper than the parser goes
        return None
    if not (isinstance(keys, list) and len(keys) == 2 and all(isinstance(k, list) and k for k in keys)):
        return None

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    ours: list[tuple[object, ...]] = []
    for key in keys:
        if key[0] == "span" and len(key) == 6 and isinstance(key[1], str) and all(whole(v) for v in key[2:]):
            first, last = words.get(key[2]), words.get(key[3])
            if first is None or last is None or key[4] < 0 or key[5] < 0 or _position(db, first) > _position(db, last):
                return None
            ours.append(("span", key[1], first, last, key[4], key[5]))
        elif (key[0] == "region" and len(key) == 4 and whole(key[1]) and isinstance(key[2], str)
              and isinstance(key[3], list) and len(key[3]) == 4
              and all(finite(v) for v in key[3])):
            page = pages.get(key[1])
            x0, y0, x1, y1 = key[3]
            if page is None or not (0 <= x0 < x1 <= page[1] and 0 <= y0 < y1 <= page[2]):
                return None
            ours.append(("region", page[0], key[2], tuple(key[3])))
        else:
            return None
    return json.dumps(sorted(ours, key=repr), default=list)


def _merge_relation_rejections(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                               ends: dict[tuple[str, int], int], labels: set[str], report: MergeReport) -> None:
    """Their rejected relation suggestions on the ids their ends have here, so that they are not proposed
    again; our own copy of such a suggestion goes as theirs went."""
    for row in _rows(conn, "select label, from_kind, from_id, to_kind, to_id, source, created "
                           "from relation_rejections where document_id = ?", [doc["id"]]):
        if (not _typed(row, _RELATION_REJECTION_TYPES) or row["label"] not in labels
                or row["from_kind"] not in ("span", "region") or row["to_kind"] not in ("span", "region")):
            report.skipped.append(f"{doc['name']}: a rejected {row['label']!r} relation suggestion that does not fit")
            continue
        head, tail = ends.get((row["from_kind"], row["from_id"])), ends.get((row["to_kind"], row["to_id"]))
        if head is None or tail is None:
            continue  # an end gone there (rejected or deleted since), or left out above and said so
        key = [doc_id, row["label"], row["from_kind"], head, row["to_kind"], tail]
        if db.execute("select 1 from relation_rejections where document_id = ? and label = ? and from_kind = ? "
                      "and from_id = ? and to_kind = ? and to_id = ?", key).fetchone():
            report.already += 1
            continue
        # No relation_id: theirs names a relation of their project, and undoing a rejection here finds
        # its row by the id of the relation rejected here.
        insert_row(db, "relation_rejections", {
            "document_id": doc_id, "label": row["label"], "from_kind": row["from_kind"], "from_id": head,
            "to_kind": row["to_kind"], "to_id": tail, "source": row["source"], "relation_id": None,
            "created": row["created"]})
        db.execute("delete from relations where suggested = 1 and document_id = ? and label = ? and from_kind = ? "
                   "and from_id = ? and to_kind = ? and to_id = ?", key)
        report.rejections += 1


def _merge_span_rejections(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                           words: dict[int, int], labels: set[str], report: MergeReport) -> None:
    """Their rejected span suggestions on our words, so that they are not proposed again; our own copy
    of such a suggestion goes as theirs went."""
    for row in _rows(conn, "select label, first_word_id, last_word_id, head, tail, source, score, created "
                           "from span_rejections where document_id = ?", [doc["id"]]):
        first, last = words.get(row["first_word_id"]), words.get(row["last_word_id"])
        if (first is None or last is None or row["label"] not in labels or not _typed(row, _SPAN_REJECTION_TYPES)
                or row["head"] < 0 or row["tail"] < 0 or _position(db, first) > _position(db, last)
                or (row["score"] is not None and not 0 <= row["score"] <= 1)):
            report.skipped.append(f"{doc['name']}: a rejected {row['label']!r} span suggestion that does not fit")
            continue
        key = [doc_id, row["label"], first, last, row["head"], row["tail"]]
        if db.execute("select 1 from span_rejections where document_id = ? and label = ? and first_word_id = ? "
                      "and last_word_id = ? and head = ? and tail = ?", key).fetchone():
            report.already += 1
            continue
        # No span_id: theirs names a span of their project, and undoing a rejection here finds its row by its words.
        insert_row(db, "span_rejections", {
            "document_id": doc_id, "label": row["label"], "first_word_id": first, "last_word_id": last,
            "head": row["head"], "tail": row["tail"], "source": row["source"], "score": row["score"],
            "span_id": None, "created": row["created"]})
        db.execute("delete from spans where suggested = 1 and document_id = ? and label = ? and first_word_id = ? "
                   "and last_word_id = ? and head = ? and tail = ?", key)
        report.suggestion_rejections += 1


def _near_boxes(db: sqlite3.Connection, sql: str, page_id: int) -> dict[str, NearBoxes]:
    """The boxes `sql` selects (id, label, x0, y0, x1, y1) on a page, by label."""
    by_label: dict[str, list[tuple[int, Box]]] = {}
    for ident, label, *box in db.execute(sql, [page_id]).fetchall():
        by_label.setdefault(label, []).append((ident, (box[0], box[1], box[2], box[3])))
    return {label: NearBoxes(boxes, SAME_REGION) for label, boxes in by_label.items()}


def _merge_region_rejections(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict,
                             pages: dict[int, tuple[int, int, int]], labels: set[str], report: MergeReport) -> None:
    """Their rejected region suggestions on our pages, so that they are not proposed again; our own
    suggestions of about the same box go as theirs went."""
    for their_page, (page_id, width, height) in pages.items():
        suggested: dict[str, NearBoxes] | None = None
        for row in _rows(conn, "select label, x0, y0, x1, y1, source, created from region_rejections "
                               "where page_id = ?", [their_page]):
            box = (row["x0"], row["y0"], row["x1"], row["y1"])
            if (row["label"] not in labels or not _typed(row, _REGION_REJECTION_TYPES)
                    or not (0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height)):
                report.skipped.append(f"{doc['name']}: a rejected {row['label']!r} region suggestion that does not fit")
                continue
            if db.execute("select 1 from region_rejections where page_id = ? and label = ? and x0 = ? and y0 = ? "
                          "and x1 = ? and y1 = ?", [page_id, row["label"], *box]).fetchone():
                report.already += 1
                continue
            # No region_id: theirs names a region of their project.
            insert_row(db, "region_rejections", {"page_id": page_id, **{
                c: row[c] for c in ("label", "x0", "y0", "x1", "y1", "source", "created")}, "region_id": None})
            if suggested is None:
                suggested = _near_boxes(db, "select id, label, x0, y0, x1, y1 from regions where suggested = 1 "
                                            "and page_id = ?", page_id)
            if row["label"] in suggested and (gone := suggested[row["label"]].near(box)):
                db.executemany("delete from regions where id = ?", [[ident] for ident in gone])
                suggested[row["label"]].remove(gone)
            report.suggestion_rejections += 1
