"""Converting project rows to the core's dataclasses, and the SELECTs they come from."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from ..errors import ProjectError
from ..records import Box, Document, Page, Provenance, Region, Span, Word


def insert_row(conn: sqlite3.Connection, table: str, row: dict[str, object]) -> int:
    """Insert one row and return its id: plain SQL, a tenth of sqlite-utils' cost per row (bulk imports)."""
    columns = ", ".join(row)
    cursor = conn.execute(f"insert into {table} ({columns}) values ({', '.join('?' * len(row))})", list(row.values()))
    return int(cursor.lastrowid)  # type: ignore[arg-type]


def fetch_one(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> dict | None:
    """The first row of a query as a dict of column -> value, or None."""
    cursor = conn.execute(sql, params)
    row = cursor.fetchone()
    return None if row is None else dict(zip((d[0] for d in cursor.description), row))


def fetch_all(conn: sqlite3.Connection, sql: str, params: list[object]) -> list[dict]:
    """Every row of a query as a dict of column -> value."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def in_filters(filters: Sequence[tuple[str, Sequence[object] | None]]) -> tuple[str, list[object]]:
    """SQL of " and COLUMN in (...)" for each filter given (None: no filter; empty: nothing matches), and its parameters."""
    sql, params = "", []
    for column, values in filters:
        if values is not None:
            vals = list(values)
            sql += f" and {column} in ({', '.join('?' * len(vals)) or 'null'})"
            params += vals
    return sql, params


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


DOC_SELECT = """
select d.id, d.name, d.source_sha256, d.status, d.created,
    (select count(*) from pages p where p.document_id = d.id) as page_count
from documents d where d.complete = 1"""
"""Documents still being stored (complete = 0) are nobody's business but their importer's."""

WORD_SELECT = "select id, page_id, idx, text, ocr_text, x0, y0, x1, y1, conf, block, par, line from words"


def document_row(r: dict) -> Document:
    return Document(r["id"], r["name"], r["source_sha256"], r["page_count"], r["status"], r["created"])


def page_row(r: dict) -> Page:
    prov = Provenance(
        engine=r["engine"],
        engine_version=r["engine_version"],
        lang=r["lang"],
        psm=r["psm"],
        dpi=r["ocr_dpi"],
        text_layer=bool(r["text_layer"]),
        upscale=r["upscale"],
        reading_order=r.get("reading_order") or "",
        ocr_input=r.get("ocr_input") or "",
        words_source=r.get("words_source") or "",
    )
    return Page(r["id"], r["document_id"], r["number"], r["width"], r["height"], r["dpi_x"], r["dpi_y"], r["image_sha256"], prov)


def word_row(r: Sequence) -> Word:
    return Word(r[0], r[1], r[2], r[3], r[4], (r[5], r[6], r[7], r[8]), r[9], r[10], r[11], r[12])


def span_row(r: dict) -> Span:
    return Span(
        r["id"], r["document_id"], r["label"], r["first_word_id"], r["last_word_id"], r["head"], r["tail"],
        r["note"] or "", r["annotator"] or "", r["created"], r["updated"],
        # .get: a read-only view of a project not yet migrated to 0002 has no such columns.
        r.get("source") or "", bool(r.get("suggested")), r.get("score"), r.get("reason") or "",
    )


def region_row(r: dict) -> Region:
    return Region(
        r["id"], r["page_id"], r["label"], (r["x0"], r["y0"], r["x1"], r["y1"]), r["text"] or "",
        r["note"] or "", r["annotator"] or "", r["created"], r["updated"],
        # .get: a read-only view of a project not yet migrated to 0003 has no such columns.
        r.get("source") or "", bool(r.get("suggested")),
    )


def normalise_box(box: Box) -> Box:
    x0, y0, x1, y1 = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ProjectError(f"a box needs four finite numbers, not {list(box)}")
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
