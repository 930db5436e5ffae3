"""Every value another project holds, checked against what a fresh import gives before a merge writes anything."""

from __future__ import annotations

import hashlib
import math
import sqlite3
from collections.abc import Callable

MAX_TEXT_BYTES = 100_000
"""UTF-8 bytes of any one text value read from the other project (a word, a note, a name, a date, a version)."""

MAX_PAGE_TEXT_BYTES = 10_000_000
"""UTF-8 bytes of all of one page's words together (each of their texts and OCR texts): 100 per word at the
most words a page may hold."""

MAX_PAGE_REGIONS = 20_000
"""Regions, and rejected region suggestions, of one page a merge takes: each is compared with the other kind
on its page, and no page of real work comes near this many."""

READ_TABLES = ("sources", "documents", "pages", "words", "labels", "spans", "regions", "adjudications",
               "region_adjudications", "relations", "relation_adjudications", "relation_rejections", "span_rejections",
               "region_rejections")
"""The tables a merge reads; every TEXT column of each is bounded."""

_PSM = range(14)


def finite(value: object) -> bool:
    """A number a float can hold: JSON's whole numbers have no bound, and too long a one would raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) < 2**53 if isinstance(value, int) else math.isfinite(value)


def _dpi_range(width: int, height: int) -> tuple[float, float]:
    """The resolutions import gives a page this size: a believable tag, or the estimate from its size."""
    from ..ingest.sources import USABLE_DPI, estimate_dpi

    estimate = estimate_dpi(width, height)
    return min(USABLE_DPI[0], estimate - 0.1), max(USABLE_DPI[1], estimate + 0.1)


def _text_limits(conn: sqlite3.Connection) -> str | None:
    for table in READ_TABLES:
        columns = [r[0] for r in conn.execute("select name from pragma_table_info(?) where upper(type) = 'TEXT'",
                                              [table])]
        # In bytes, not length(): that counts characters only up to the first NUL.
        sizes = [f"coalesce(length(cast({c} as blob)), 0)" for c in columns]
        row = conn.execute(f"select rowid, {', '.join(sizes)} from {table} where max({', '.join(sizes)}, 0) > ? "
                           "limit 1", [MAX_TEXT_BYTES]).fetchone()
        if row is not None:
            size, column = max(zip(row[1:], columns))
            return f"{table} row {row[0]}: {column} is {size} bytes long (at most {MAX_TEXT_BYTES})"
    return None


def _page_problem(page: dict, count: int) -> str | None:
    """Why a page row is not one import could have stored, or None; `count` is its document's pages."""
    from ..ingest.ocr import MAX_UPSCALE
    from ..ingest.sources import MAX_PIXELS

    number, width, height = page["number"], page["width"], page["height"]
    if not isinstance(number, int) or not 1 <= number <= count:
        return f"page number {number!r}, not one of 1..{count} (its document's {count} pages)"
    for name in ("width", "height"):
        value = page[name]
        if not isinstance(value, int) or value < 1:
            return f"{name} {value!r}, not a whole number of pixels of at least 1"
    if width * height > MAX_PIXELS:
        return f"{width}x{height} pixels, more than the {MAX_PIXELS // 1_000_000} megapixels import accepts"
    low, high = _dpi_range(width, height)
    for name in ("dpi_x", "dpi_y"):
        if not (finite(page[name]) and low <= page[name] <= high):
            return f"{name} {page[name]!r}, not a resolution import gives ({low:g} to {high:g} dpi)"
    if page["ocr_dpi"] is not None and not (finite(page["ocr_dpi"]) and 0 < page["ocr_dpi"] <= high * MAX_UPSCALE):
        return f"ocr_dpi {page['ocr_dpi']!r}, not a resolution import gives"
    if page["upscale"] is not None and not (finite(page["upscale"]) and 0 < page["upscale"] <= MAX_UPSCALE):
        return f"upscale {page['upscale']!r}, not one import gives (above 0, at most {MAX_UPSCALE:g})"
    if page["psm"] is not None and page["psm"] not in _PSM:
        return f"psm {page['psm']!r}, not a tesseract page segmentation mode"
    if page["text_layer"] not in (None, 0, 1):
        return f"text_layer {page['text_layer']!r}, not 0 or 1"
    return None


def _pages(conn: sqlite3.Connection, is_known: Callable[[str], bool]) -> str | None:
    """Page numbers 1..n with n the pages of the document's source; sizes and resolutions as import gives them."""
    from ..ingest.render import page_count
    from ..records import DOCUMENT_STATUSES

    docs = conn.execute("select d.id, d.name, d.source_sha256, d.status, d.created, count(p.id) from documents d "
                        "left join pages p on p.document_id = d.id where d.complete = 1 group by d.id order by d.id")
    for doc_id, name, sha, status, created, count in docs.fetchall():
        if not (isinstance(name, str) and isinstance(sha, str) and isinstance(created, (str, type(None)))):
            return f"documents row {doc_id}: not stored as Scanspan stores documents"
        if status not in DOCUMENT_STATUSES:
            return f"documents row {doc_id} ({name!r}): status {status!r}, not one of {', '.join(DOCUMENT_STATUSES)}"
        cursor = conn.execute("select id, number, width, height, dpi_x, dpi_y, ocr_dpi, upscale, psm, text_layer "
                              "from pages where document_id = ? order by id", [doc_id])
        columns = [d[0] for d in cursor.description]
        numbers = set()
        for values in cursor:
            page = dict(zip(columns, values))
            problem = _page_problem(page, count)
            if problem is None and page["number"] in numbers:
                problem = f"page number {page['number']} twice"
            if problem is not None:
                return f"pages row {page['id']} (document {name!r}): {problem}"
            numbers.add(page["number"])
        if count == 0:
            return f"documents row {doc_id} ({name!r}): no pages"
        if is_known(sha):
            continue  # its pages are compared with this project's own, which came from the same file
        source = conn.execute("select data, size from sources where sha256 = ?", [sha]).fetchone()
        if source is None or not isinstance(source[0], bytes) or hashlib.sha256(source[0]).hexdigest() != sha:
            return f"documents row {doc_id} ({name!r}): no source file of its content hash"
        if source[1] != len(source[0]):
            return f"documents row {doc_id} ({name!r}): its source file's size is given as {source[1]!r}, not {len(source[0])}"
        pages = page_count(source[0])
        if pages != count:
            return f"documents row {doc_id} ({name!r}): {count} pages stored, its source file has {pages}"
    return None


def _words(conn: sqlite3.Connection, max_words: int) -> str | None:
    """Boxes finite and on their page, the right way round; words per page and their text bounded."""
    numeric = " or ".join(f"typeof(w.{c}) not in ('integer', 'real')" for c in ("x0", "y0", "x1", "y1"))
    # A PDF's text layer gives words that hang off the page's edge (import keeps them as they are);
    # a box further out than the page's own size, or not touching the page at all, was never imported.
    row = conn.execute(
        "select w.id, p.number, d.name, w.x0, w.y0, w.x1, w.y1, w.conf from words w join pages p on p.id = w.page_id "
        "join documents d on d.id = p.document_id where " + numeric + " or not ("
        "w.x0 <= w.x1 and w.y0 <= w.y1 and w.x0 >= -p.width and w.y0 >= -p.height and w.x1 <= 2 * p.width "
        "and w.y1 <= 2 * p.height and w.x0 <= p.width and w.x1 >= 0 and w.y0 <= p.height and w.y1 >= 0) "
        "or (w.conf is not null and not (typeof(w.conf) in ('integer', 'real') and w.conf between -1 and 100)) "
        "or typeof(w.idx) != 'integer' or typeof(w.block) not in ('integer', 'null') "
        "or typeof(w.par) not in ('integer', 'null') or typeof(w.line) not in ('integer', 'null') "
        "limit 1"
    ).fetchone()
    if row is not None:
        word, number, name, *box, conf = row
        if not (conf is None or finite(conf) and -1 <= conf <= 100):
            return f"words row {word} (document {name!r} page {number}): confidence {conf!r}, not -1..100"
        return (f"words row {word} (document {name!r} page {number}): box {tuple(box)!r} is not a box on its page "
                "(finite, x0 <= x1, y0 <= y1, within the page), or a number of the word is not stored as one")
    row = conn.execute(
        "select page_id, count(*) n, sum(length(cast(text as blob))), sum(length(cast(ocr_text as blob))) "
        "from words group by page_id having n > ? or max(coalesce(sum(length(cast(text as blob))), 0), "
        "coalesce(sum(length(cast(ocr_text as blob))), 0)) > ? limit 1",
        [max_words, MAX_PAGE_TEXT_BYTES]).fetchone()
    if row is not None:
        page, count, text, ocr_text = row
        if count > max_words:
            return f"pages row {page}: {count} words, more than the {max_words} a page may hold"
        return (f"pages row {page}: its words hold {max(text or 0, ocr_text or 0)} bytes of text, "
                f"more than the {MAX_PAGE_TEXT_BYTES} a page may hold")
    return None


def _page_regions(conn: sqlite3.Connection) -> str | None:
    for table, what in (("regions", "regions"), ("region_rejections", "rejected region suggestions")):
        row = conn.execute(f"select page_id, count(*) n from {table} group by page_id having n > ? limit 1",
                           [MAX_PAGE_REGIONS]).fetchone()
        if row is not None:
            return f"pages row {row[0]}: {row[1]} {what}, more than the {MAX_PAGE_REGIONS} a merge takes from one page"
    return None


def _spans(conn: sqlite3.Connection) -> str | None:
    """Cuts inside their words (how many characters of the first word are before the span, of the last after it)."""
    longest = "max(coalesce(length({0}.text), 0), coalesce(length({0}.ocr_text), 0), 1)"
    row = conn.execute(
        "select s.id, s.head, s.tail from spans s join words f on f.id = s.first_word_id "
        "join words l on l.id = s.last_word_id where typeof(s.head) != 'integer' or typeof(s.tail) != 'integer' "
        f"or s.head < 0 or s.tail < 0 or s.head >= {longest.format('f')} or s.tail >= {longest.format('l')} "
        f"or (s.first_word_id = s.last_word_id and s.head + s.tail >= {longest.format('f')}) limit 1"
    ).fetchone()
    if row is not None:
        return f"spans row {row[0]}: cuts head {row[1]!r} and tail {row[2]!r} do not lie inside its words"
    row = conn.execute(
        "select id, score from spans where score is not null and not (typeof(score) in ('integer', 'real') "
        "and score between 0 and 1) limit 1").fetchone()
    if row is not None:
        return f"spans row {row[0]}: score {row[1]!r}, not 0..1"
    return None


def check_values(conn: sqlite3.Connection, is_known: Callable[[str], bool], max_words: int) -> str | None:
    """The first value that a fresh import (or an edit in Scanspan) could not have stored, as "TABLE row ID: cause";
    None when there is none. `is_known` tells a source file this project holds already."""
    return (_text_limits(conn) or _pages(conn, is_known) or _words(conn, max_words) or _page_regions(conn)
            or _spans(conn))
