"""Removing a document whole (and putting it back), and replacing its pages' words with a new reading."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from ..errors import NotFoundError, ProjectError
from ..records import Document, RawWord
from .imports import NewPage
from .rows import now

_PAGES = "(select id from pages where document_id = :d)"
# What belongs to a document, parents first: restored in this order, removed in the reverse one.
_TABLES = (
    ("documents", "id = :d"),
    ("pages", "document_id = :d"),
    ("words", f"page_id in {_PAGES}"),
    ("spans", "document_id = :d"),
    ("regions", f"page_id in {_PAGES}"),
    # Before its ends when removed: then no end's deletion keeps them aside for an undo (schema 0019).
    ("relations", "document_id = :d"),
    ("span_rejections", "document_id = :d"),
    ("region_rejections", f"page_id in {_PAGES}"),
    ("adjudications", "document_id = :d"),
    ("region_adjudications", "document_id = :d"),
    ("relation_adjudications", "document_id = :d"),
    ("relation_rejections", "document_id = :d"),
)


@dataclass
class RemovedDocument:
    """Everything a removed document had, to report it and to put it back (undo in the window)."""

    document: Document
    source: dict[str, Any] | None
    """The stored file, when no other document shared it (it went with the document)."""
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))

    def describe(self) -> str:
        """E.g. "2 pages, 540 words, 3 spans (1 with a note), 1 region, 2 corrected words"."""
        words = self.rows.get("words", [])
        corrected = sum(w["text"] != w["ocr_text"] for w in words)
        notes = sum(bool(s["note"]) for s in self.rows.get("spans", []) + self.rows.get("regions", []))
        parts = [_n(self.count("pages"), "page"), _n(len(words), "word"), _n(self.count("spans"), "span"),
                 _n(self.count("regions"), "region")]
        if self.count("relations"):
            parts.append(_n(self.count("relations"), "relation"))
        if corrected:
            parts.append(_n(corrected, "corrected word"))
        if notes:
            parts.append(_n(notes, "note"))
        decided = self.count("adjudications") + self.count("region_adjudications") + self.count("relation_adjudications")
        if decided:
            parts.append(_n(decided, "adjudication"))
        return ", ".join(parts)


def _n(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Carried:
    """What a new reading of a document keeps of the old one (see annotations/importing/reocr.py)."""

    spans: Mapping[int, tuple[int, int, int, int]]
    """span id -> (first word id, last word id, head, tail) among the new words."""
    corrections: Mapping[int, str]
    """new word id -> the analyst's correction carried to it."""
    word_refs: Mapping[tuple[str, int], tuple[int, int]]
    """(table, row id) -> (first word id, last word id), for rejections and adjudications."""
    dropped: Sequence[tuple[str, int]] = ()
    """(table, row id) of rows that could not be carried: removed with the old words (and listed by the caller)."""


class DocumentStore:
    """The document-removing and re-reading methods of `Project`."""

    db: Database
    _own_word_writes: int

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

        def document(self, ref: int | str) -> Document: ...

        def _index_page(self, page_id: int, words: Iterable[str]) -> None: ...

        def _reindex_page(self, page_id: int) -> None: ...

        def _unindex_document(self, doc_id: int) -> None: ...

        def _cache_put(self, key: str, words: Iterable[RawWord], engine_version: str, stamp: str) -> None: ...

    def default_lang(self) -> str | None:
        """The OCR languages imports into this project use when not told (e.g. "auto"), or None."""
        row = self.db.execute("select value from project_settings where key = 'lang'").fetchone()
        return row[0] if row else None

    def set_default_lang(self, lang: str | None) -> None:
        """Keep `lang` as the project's OCR languages for later imports and reocr (None: no default)."""
        with self.write():
            if lang is None:
                self.db.execute("delete from project_settings where key = 'lang'")
            else:
                self.db.execute("insert or replace into project_settings (key, value) values ('lang', ?)", [lang])

    def document_contents(self, doc_id: int, source: bool = True) -> RemovedDocument:
        """What removing a document would remove, without removing it (`source`: with its stored file,
        when no other document shares it)."""
        document = self.document(doc_id)
        rows = {}
        for table, where in _TABLES:
            cursor = self.db.execute(f"select * from {table} where {where}", {"d": doc_id})
            names = [d[0] for d in cursor.description]
            rows[table] = [dict(zip(names, r)) for r in cursor.fetchall()]
        shared = self.db.execute(
            "select count(*) from documents where source_sha256 = ? and id != ?", [document.source_sha256, doc_id]
        ).fetchone()[0]
        stored = None
        if source and not shared:
            cursor = self.db.execute("select * from sources where sha256 = ?", [document.source_sha256])
            names = [d[0] for d in cursor.description]
            found = cursor.fetchone()
            stored = dict(zip(names, found)) if found else None
        return RemovedDocument(document, stored, rows)

    def remove_document(self, doc_id: int) -> RemovedDocument:
        """Remove a document with its pages, words, annotations and stored file, in one transaction;
        what it had comes back (restore_document puts it back)."""
        with self.write():
            removed = self.document_contents(doc_id)
            self._unindex_document(doc_id)
            for table, where in reversed(_TABLES):
                self.db.execute(f"delete from {table} where {where}", {"d": doc_id})
            if removed.source is not None:
                self.db.execute("delete from sources where sha256 = ?", [removed.source["sha256"]])
        self._own_word_writes += 1
        return removed

    def restore_document(self, removed: RemovedDocument) -> Document:
        """Put a removed document back as it was, under its old ids, in one transaction."""
        doc_id = removed.document.id
        with self.write():
            if self.db.execute("select 1 from documents where id = ?", [doc_id]).fetchone():
                raise ProjectError(f"document {doc_id} exists again; {removed.document.name} was not put back")
            if removed.source is not None:
                self._insert("sources", [removed.source], ignore=True)
            elif not self.db.execute("select 1 from sources where sha256 = ?",
                                     [removed.document.source_sha256]).fetchone():
                raise ProjectError(f"the file of {removed.document.name} is no longer stored; it was not put back")
            for table, _ in _TABLES:
                self._insert(table, removed.rows.get(table, []))
            for page in removed.rows.get("pages", []):
                self._reindex_page(page["id"])
        self._own_word_writes += 1
        return self.document(doc_id)

    def put_back_contents(self, contents: RemovedDocument) -> None:
        """Give a document the pages, words and annotations it had when `contents` was taken (undoing
        or redoing a new reading), in one transaction; its stored file and its row stay."""
        doc_id = contents.document.id
        with self.write():
            self.document(doc_id)
            self._unindex_document(doc_id)
            for table, where in reversed(_TABLES[1:]):
                self.db.execute(f"delete from {table} where {where}", {"d": doc_id})
            for table, _ in _TABLES[1:]:
                self._insert(table, contents.rows.get(table, []))
            for page in contents.rows.get("pages", []):
                self._reindex_page(page["id"])
            self.db.execute(
                "insert into changes (kind, op, row_id, document_id, page_first, page_last) "
                "values ('document', 'reorder', ?, ?, null, null)", [doc_id, doc_id])
        self._own_word_writes += 1

    def _insert(self, table: str, rows: list[dict[str, Any]], ignore: bool = False) -> None:
        if not rows:
            return
        columns = list(rows[0])
        verb = "insert or ignore" if ignore else "insert"
        self.db.conn.executemany(
            f"{verb} into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            ([row[c] for c in columns] for row in rows),
        )

    def word_refs(self, doc_id: int) -> list[tuple[str, int, int, int]]:
        """(table, row id, first word id, last word id) of the remembered rejections and adjudications of
        a document's spans: what else points at its words."""
        return [(table, *row) for table in ("span_rejections", "adjudications")
                for row in self.db.execute(f"select id, first_word_id, last_word_id from {table} where document_id = ?",
                                           [doc_id]).fetchall()]

    def replace_words(
        self,
        doc_id: int,
        pages: Mapping[int, NewPage],
        carry: Callable[[Mapping[int, list[int]]], Carried],
    ) -> Carried:
        """Give the pages (page id -> a new reading) their new words and provenance, and move what
        refers to the old words to the new ones as `carry` says (given the new word ids of each
        page, in reading order); all in one transaction."""
        offset = 1 << 30  # beside the old words until they go: (page_id, idx) is unique at every step
        stamp = now()
        with self.write():
            for page_id in pages:
                row = self.db.execute("select document_id from pages where id = ?", [page_id]).fetchone()
                if row is None or row[0] != doc_id:
                    raise NotFoundError(f"document {doc_id} has no page {page_id}")
            new_ids: dict[int, list[int]] = {}
            for page_id, page in pages.items():
                first = self.db.execute("select coalesce(max(id), 0) from words").fetchone()[0] + 1
                self.db.conn.executemany(
                    "insert into words (id, page_id, idx, text, ocr_text, x0, y0, x1, y1, conf, block, par, line) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((first + i, page_id, offset + i, w.text, w.text, *w.box, w.conf, w.block, w.par, w.line)
                     for i, w in enumerate(page.words)),
                )
                new_ids[page_id] = [first + i for i in range(len(page.words))]
            carried = carry(new_ids)
            for table, row_id in carried.dropped:
                self.db.execute(f"delete from {table} where id = ?", [row_id])
            for span_id, (first_id, last_id, head, tail) in carried.spans.items():
                self.db.execute(
                    "update spans set first_word_id = ?, last_word_id = ?, head = ?, tail = ?, updated = ? where id = ?",
                    [first_id, last_id, head, tail, stamp, span_id],
                )
            for (table, row_id), (first_id, last_id) in carried.word_refs.items():
                self.db.execute(f"update {table} set first_word_id = ?, last_word_id = ? where id = ?",
                                [first_id, last_id, row_id])
            for word_id, text in carried.corrections.items():
                self.db.execute("update words set text = ? where id = ?", [text, word_id])
            for page_id, page in pages.items():
                self.db.execute("delete from words where page_id = ? and idx < ?", [page_id, offset])
                self.db.execute("update words set idx = idx - ? where page_id = ?", [offset, page_id])
                prov = page.provenance
                self.db.execute(
                    "update pages set engine = ?, engine_version = ?, lang = ?, psm = ?, ocr_dpi = ?, text_layer = ?, "
                    "upscale = ?, reading_order = ?, ocr_input = ?, words_source = ?, image_sha256 = ? where id = ?",
                    [prov.engine, prov.engine_version, prov.lang, prov.psm, prov.dpi, int(prov.text_layer),
                     prov.upscale, prov.reading_order, prov.ocr_input, prov.words_source, page.image_sha256, page_id],
                )
                self._reindex_page(page_id)
                if page.cache_key:
                    self._cache_put(page.cache_key, page.words, prov.engine_version, stamp)
                for key, words in page.also:
                    self._cache_put(key, words, prov.engine_version, stamp)
            # Windows following the change log read the document again: its words are new.
            self.db.execute(
                "insert into changes (kind, op, row_id, document_id, page_first, page_last) "
                "values ('document', 'reorder', ?, ?, null, null)", [doc_id, doc_id])
        self._own_word_writes += 1
        return carried
