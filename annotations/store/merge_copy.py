"""Another project's rows copied into ours: a document with its pages and words, word corrections, spans, regions."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import TYPE_CHECKING

from ..errors import ProjectError
from ..records import Box
from .near_boxes import NearBoxes
from .regions import SAME_REGION
from .rows import fetch_all, insert_row

if TYPE_CHECKING:
    from .merge import MergeReport
    from .project import Project


PAGE_COLUMNS = ("number", "width", "height", "dpi_x", "dpi_y", "image_sha256", "engine", "engine_version", "lang",
                "psm", "ocr_dpi", "text_layer", "upscale", "words_source")
_WORD_COLUMNS = ("idx", "text", "ocr_text", "x0", "y0", "x1", "y1", "conf", "block", "par", "line")
_SPAN_COPY = ("label", "head", "tail", "note", "annotator", "created", "updated", "source", "suggested", "score",
              "reason")
_REGION_COPY = ("label", "x0", "y0", "x1", "y1", "text", "note", "annotator", "created", "updated", "source",
                "suggested")


TEXT = (str,)
NUMBER = (int, float)
_SPAN_TYPES = {"label": TEXT, "head": (int,), "tail": (int,), "note": TEXT, "annotator": TEXT, "source": TEXT,
               "suggested": (int,), "score": (*NUMBER, type(None)), "reason": TEXT, "created": (str, type(None)),
               "updated": (str, type(None))}
_REGION_TYPES = {"label": TEXT, "x0": NUMBER, "y0": NUMBER, "x1": NUMBER, "y1": NUMBER, "text": TEXT,
                 "note": TEXT, "annotator": TEXT, "source": TEXT, "suggested": (int,),
                 "created": (str, type(None)), "updated": (str, type(None))}
OPTIONAL_TEXT = (str, type(None))


def typed(row: dict, types: dict[str, tuple[type, ...]]) -> bool:
    """Whether each column holds a value of its type: SQLite lets any column hold anything."""
    return all(isinstance(row[c], kinds) and not isinstance(row[c], bool) for c, kinds in types.items())


def position(db: sqlite3.Connection, word_id: int) -> tuple[int, int]:
    return db.execute("select p.number, w.idx from words w join pages p on p.id = w.page_id where w.id = ?",
                      [word_id]).fetchone()


def near_boxes(db: sqlite3.Connection, sql: str, page_id: int) -> dict[str, NearBoxes]:
    """The boxes `sql` selects (id, label, x0, y0, x1, y1) on a page, by label."""
    by_label: dict[str, list[tuple[int, Box]]] = {}
    for ident, label, *box in db.execute(sql, [page_id]).fetchall():
        by_label.setdefault(label, []).append((ident, (box[0], box[1], box[2], box[3])))
    return {label: NearBoxes(boxes, SAME_REGION) for label, boxes in by_label.items()}


def copy_document(project: Project, conn: sqlite3.Connection, doc: dict, theirs: list[dict],
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
        page_id = insert_row(db, "pages", {"document_id": doc_id, **{c: page[c] for c in PAGE_COLUMNS}})
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


def match_words(project: Project, conn: sqlite3.Connection, doc: dict, doc_id: int, theirs: list[dict],
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


def merge_spans(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int, words: dict[int, int],
                labels: dict[str, str], report: MergeReport, rejected: set[tuple[str, int]]) -> dict[int, int]:
    """Their spans that fit, added unless here already, under our name of their label (`labels`);
    their span id -> ours (added or found) for each."""
    mapped: dict[int, int] = {}
    rows = fetch_all(conn, "select id, first_word_id, last_word_id, " + ", ".join(_SPAN_COPY)
                     + " from spans where document_id = ?", [doc["id"]])
    for row in rows:
        first, last = words.get(row["first_word_id"]), words.get(row["last_word_id"])
        if (first is None or last is None or row["label"] not in labels or not typed(row, _SPAN_TYPES)
                or row["head"] < 0 or row["tail"] < 0 or position(db, first) > position(db, last)):
            report.skipped.append(f"{doc['name']}: a {row['label']!r} span of {row['annotator']!r} that does not fit")
            continue
        row["label"] = labels[row["label"]]
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


def merge_regions(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, pages: dict[int, tuple[int, int, int]],
                  labels: dict[str, str], report: MergeReport, rejected: set[tuple[str, int]]) -> dict[int, int]:
    """Their regions that fit, added unless here already, under our name of their label (`labels`);
    their region id -> ours (added or found) for each."""
    mapped: dict[int, int] = {}
    for their_page, (page_id, width, height) in pages.items():
        rejections: dict[str, NearBoxes] | None = None
        for row in fetch_all(conn, "select id, " + ", ".join(_REGION_COPY) + " from regions where page_id = ?",
                             [their_page]):
            x0, y0, x1, y1 = (row[c] for c in ("x0", "y0", "x1", "y1"))
            fits = typed(row, _REGION_TYPES) and 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            if not fits or row["label"] not in labels:
                report.skipped.append(f"{doc['name']}: a {row['label']!r} region of {row['annotator']!r} that does not fit")
                continue
            row["label"] = labels[row["label"]]
            if rejections is None:  # as RegionStore.region_rejected: about the same box, a suggester run
                # again puts it a few pixels off
                rejections = near_boxes(db, "select id, label, x0, y0, x1, y1 from region_rejections "
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
