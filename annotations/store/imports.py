"""Storing an imported document: all or nothing; a long one in batches that other writers get between,
invisible until complete; one left half-stored by a process that died, removed."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import ProjectError
from ..records import Document, Label, Provenance, RawRegion, RawSpan, RawWord
from .connection import Transactions
from .rows import insert_row, now


@dataclass
class NewPage:
    """A page ready to be stored: its geometry, provenance and words."""

    number: int
    width: int
    height: int
    dpi_x: float
    dpi_y: float
    image_sha256: str
    provenance: Provenance
    words: list[RawWord]
    cache_key: str | None = None
    spans: list[RawSpan] = field(default_factory=list)
    """Spans the page's words file brings, over its words by index: stored accepted, as `annotator`'s."""
    regions: list[RawRegion] = field(default_factory=list)
    annotator: str = ""
    source: str = ""
    """Where the spans and regions came from (the words file), kept with each."""
    also: list[tuple[str, list[RawWord]]] = field(default_factory=list)
    """Other readings of the page to keep in the OCR cache (the first reading of an `auto` page), by key."""


MAX_PAGE_WORDS = 100_000
"""Words one page may hold. The largest page import renders (200 megapixels) set in 8-point type at
300 dpi holds about 55,000 words and a dense newspaper page 10,000 to 20,000, a typed letter a few
hundred; each word costs every command that reads the page about 1 KB of memory, so a page stays
near 100 MB however it came in (a merged page of 10 million words took 7 GB to merge and 8 GB to search)."""

MAX_PAGE_ANNOTATIONS = MAX_PAGE_WORDS
"""Spans and regions a words file may bring with one page: one per word is already far more than an
analyst tags, and each costs a checked insert (a file of a million tags would hold the write lock for minutes)."""

BATCH_WORDS = 10_000
"""Words stored per transaction when a long document is imported (about 0.05 s of holding the write lock)."""

ABANDONED_AFTER = 3600.0
"""Seconds without a sign of life after which a half-stored import is taken as abandoned, whoever made it."""


def _batches(pages: Sequence[NewPage], words: int) -> list[list[NewPage]]:
    batches: list[list[NewPage]] = [[]]
    size = 0
    for page in pages:
        if batches[-1] and size + len(page.words) > words:
            batches.append([])
            size = 0
        batches[-1].append(page)
        size += len(page.words)
    return batches if batches[0] else []


def _abandoned(pid: int | None, seen: str | None) -> bool:
    """Whether a half-stored import's process is gone (or has shown no sign of life for long)."""
    if seen:
        try:
            age = time.time() - datetime.fromisoformat(seen).timestamp()
        except ValueError:
            age = ABANDONED_AFTER
        if age >= ABANDONED_AFTER:
            return True
    if pid is None:
        return True
    if pid == os.getpid():
        return False
    if os.name != "posix":
        return False  # os.kill would terminate it on Windows; the age rule above decides there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class ImportStore:
    """The import-storing methods of `Project`."""

    db: Database
    tx: Transactions

    path: Path

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

        def document(self, ref: int | str) -> Document: ...

        def _index_page(self, page_id: int, words: Iterable[str]) -> None: ...

        def _unindex_document(self, doc_id: int) -> None: ...

        def labels(self) -> list[Label]: ...

        def add_label(self, label: Label, position: int | None = None) -> Label: ...

        def _insert_span(self, doc_id: int, label: str, first_word_id: int, last_word_id: int, head: int,
                         tail: int, note: str, annotator: str, span_id: int | None, source: str,
                         suggested: bool, stamps: tuple[str, str] | None = None) -> int: ...

        def _insert_region(self, page_id: int, label: str, box: tuple[float, float, float, float], text: str,
                           note: str, annotator: str, region_id: int | None, source: str, suggested: bool,
                           stamps: tuple[str, str] | None = None) -> int: ...

    def add_document(self, name: str, data: bytes, sha256: str, pages: Sequence[NewPage]) -> Document:
        """Store a source file, its pages, words and OCR cache entries, all or nothing.

        A long document goes in over several transactions of about BATCH_WORDS words, so that other
        writers get their turn; until the last one it is invisible (complete = 0), and if storing
        it fails, what was stored of it is removed again.
        """
        for page in pages:
            if len(page.words) > MAX_PAGE_WORDS:
                raise ProjectError(f"{name}: page {page.number} has {len(page.words)} words, more than the "
                                   f"{MAX_PAGE_WORDS} a page may hold; not imported")
            if len(page.spans) + len(page.regions) > MAX_PAGE_ANNOTATIONS:
                raise ProjectError(f"{name}: page {page.number} brings {len(page.spans) + len(page.regions)} spans "
                                   f"and regions, more than the {MAX_PAGE_ANNOTATIONS} a page's file may bring; "
                                   "not imported")
        stamp = now()
        batches = _batches(pages, BATCH_WORDS)
        try:
            if len(batches) <= 1:
                with self.write():
                    doc_id = self._start_document(name, data, sha256, stamp, complete=True)
                    for page in pages:
                        self._insert_page(doc_id, page, stamp)
                return self.document(doc_id)
            with self.write():
                doc_id = self._start_document(name, data, sha256, stamp, complete=False)
            try:
                for batch in batches:
                    with self.write():
                        for page in batch:
                            self._insert_page(doc_id, page, stamp)
                        self.db.execute("update documents set import_seen = ? where id = ?", [now(), doc_id])
                with self.write():
                    self.db.execute(
                        "update documents set complete = 1, import_pid = null, import_seen = null where id = ?", [doc_id]
                    )
            except BaseException:
                self._remove_partial(doc_id)
                raise
            return self.document(doc_id)
        except ProjectError as exc:
            text = str(exc)
            if not text.startswith((name, str(self.path))):
                text = f"{name}: {text}"
            raise type(exc)(text) from None

    def _start_document(self, name: str, data: bytes, sha256: str, stamp: str, complete: bool) -> int:
        self._drop_abandoned_imports(sha256)
        existing = self.db.execute(
            "select id, complete from documents where source_sha256 = ?", [sha256]
        ).fetchone()
        if existing is not None:
            state = "already in the project" if existing[1] else "being imported by another program"
            raise ProjectError(f"{name}: {state} as document {existing[0]}; not imported again")
        self.db["sources"].insert(
            {"sha256": sha256, "name": name, "size": len(data), "data": data, "added": stamp},
            ignore=True,
        )
        row = {"name": name, "source_sha256": sha256, "status": "new", "created": stamp, "complete": int(complete)}
        if not complete:
            row.update(import_pid=os.getpid(), import_seen=stamp)
        return int(self.db["documents"].insert(row).last_pk)

    def _remove_partial(self, doc_id: int) -> None:
        """Remove an incomplete document and what was stored of it (best effort: see _drop_abandoned_imports)."""
        try:
            with self.write():
                self._delete_incomplete(doc_id)
        except (ProjectError, sqlite3.Error):
            pass

    def _delete_incomplete(self, doc_id: int) -> None:
        row = self.db.execute("select source_sha256 from documents where id = ? and complete = 0", [doc_id]).fetchone()
        if row is None:
            return
        self._unindex_document(doc_id)
        self.db.execute("delete from words where page_id in (select id from pages where document_id = ?)", [doc_id])
        self.db.execute("delete from pages where document_id = ?", [doc_id])
        self.db.execute("delete from documents where id = ?", [doc_id])
        self.db.execute(
            "delete from sources where sha256 = ? and not exists (select 1 from documents where source_sha256 = ?)",
            [row[0], row[0]],
        )

    def _drop_abandoned_imports(self, sha256: str | None = None) -> None:
        """Remove documents whose import stopped half-way (the process died); others' live imports stay."""
        sql = "select id, import_pid, import_seen from documents where complete = 0"
        params: list[str] = []
        if sha256 is not None:
            sql += " and source_sha256 = ?"
            params.append(sha256)
        abandoned = [r[0] for r in self.db.execute(sql, params).fetchall() if _abandoned(r[1], r[2])]
        if abandoned:
            with self.tx.write(store=True):
                for doc_id in abandoned:
                    self._delete_incomplete(doc_id)

    def _insert_page(self, doc_id: int, page: NewPage, stamp: str) -> None:
        prov = page.provenance
        page_id = insert_row(
            self.db.conn,
            "pages",
            {
                "document_id": doc_id,
                "number": page.number,
                "width": page.width,
                "height": page.height,
                "dpi_x": page.dpi_x,
                "dpi_y": page.dpi_y,
                "image_sha256": page.image_sha256,
                "engine": prov.engine,
                "engine_version": prov.engine_version,
                "lang": prov.lang,
                "psm": prov.psm,
                "ocr_dpi": prov.dpi,
                "text_layer": int(prov.text_layer),
                "upscale": prov.upscale,
                "reading_order": prov.reading_order,
                "ocr_input": prov.ocr_input,
                "words_source": prov.words_source,
            },
        )
        self.db.conn.executemany(
            "insert into words (page_id, idx, text, ocr_text, x0, y0, x1, y1, conf, block, par, line) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((page_id, i, w.text, w.ocr_text or w.text, *w.box, w.conf, w.block, w.par, w.line)
             for i, w in enumerate(page.words)),
        )
        self._index_page(page_id, (w.text for w in page.words))
        if page.cache_key:
            self._cache_put(page.cache_key, page.words, prov.engine_version, stamp)
        for key, words in page.also:
            self._cache_put(key, words, prov.engine_version, stamp)
        if page.spans or page.regions:
            self._insert_annotations(doc_id, page_id, page)

    def _insert_annotations(self, doc_id: int, page_id: int, page: NewPage) -> None:
        """The spans and regions a words file brought with the page, their labels added where missing."""
        from ..labels import choose_color

        known = {label.name for label in self.labels()}
        colors = [label.color for label in self.labels()]
        for name in dict.fromkeys([s.label for s in page.spans] + [g.label for g in page.regions]):
            if name not in known:
                color = choose_color(colors)
                colors.append(color)
                self.add_label(Label(name, color))
        ids = [row[0] for row in self.db.execute("select id from words where page_id = ? order by idx", [page_id])]
        for span in page.spans:
            self._insert_span(doc_id, span.label, ids[span.first], ids[span.last], span.head, span.tail, span.note,
                              page.annotator, None, page.source, False)
        for region in page.regions:
            self._insert_region(page_id, region.label, region.box, region.text, region.note, page.annotator, None,
                                page.source, False)

    # -- OCR cache -----------------------------------------------------------------------------

    def cached_words(self, key: str) -> list[RawWord] | None:
        row = self.db.execute("select words from ocr_cache where key = ?", [key]).fetchone()
        if row is None:
            return None
        return [RawWord(w[0], tuple(w[1]), w[2], w[3], w[4], w[5]) for w in json.loads(row[0])]

    def _cache_put(self, key: str, words: Iterable[RawWord], engine_version: str, stamp: str) -> None:
        payload = json.dumps([[w.text, list(w.box), w.conf, w.block, w.par, w.line] for w in words])
        self.db["ocr_cache"].insert(
            {"key": key, "words": payload, "engine_version": engine_version, "created": stamp}, replace=True
        )
