"""The project file: the only code that reads or writes SQL."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlite_utils import Database

from .. import resources_path
from ..errors import NotFoundError, ProjectError
from ..model import (
    DOCUMENT_STATUSES,
    Document,
    DocumentSummary,
    Label,
    Page,
    Provenance,
    RawWord,
    Span,
    Word,
)
from ..pages import render_page
from ..textlayer import DocumentText
from .regions import RegionStore
from .rows import (
    DOC_SELECT,
    WORD_SELECT,
    document_row,
    now,
    page_row,
    span_row,
    word_row,
)
from .schema import migrations


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


def default_labels() -> list[Label]:
    data = json.loads((resources_path() / "labels.json").read_text(encoding="utf-8"))
    return [Label(**entry) for entry in data["labels"]]


class Project(RegionStore):
    """One SQLite project file. Each public method that writes is one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise ProjectError(f"{self.path}: folder {self.path.parent} does not exist")
        try:
            conn = sqlite3.connect(str(self.path), timeout=10)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 10000")
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path}: not a Scanspan project ({exc})") from None
        self.db = Database(conn)
        self._text_cache: dict[int, DocumentText] = {}
        self._migrate()

    # -- lifecycle -----------------------------------------------------------------------------

    def _migrate(self) -> None:
        try:
            tables = set(self.db.table_names())
        except sqlite3.DatabaseError as exc:
            self.db.conn.close()
            raise ProjectError(f"{self.path}: not a Scanspan project ({exc})") from None
        if tables and "_sqlite_migrations" not in tables:
            self.db.conn.close()
            raise ProjectError(f"{self.path}: not a Scanspan project (an unrelated SQLite database)")
        known = {m.name for m in migrations.pending(Database(memory=True))}
        applied = {m.name for m in migrations.applied(self.db)}
        if not applied and tables - {"_sqlite_migrations"}:
            # Another tool's database (possibly with its own sqlite-utils migrations): never touch it.
            self.db.conn.close()
            raise ProjectError(f"{self.path}: not a Scanspan project (an unrelated SQLite database)")
        newer = sorted(applied - known)
        if newer:
            self.db.conn.close()
            raise ProjectError(
                f"{self.path}: made by a newer Scanspan (schema {newer[-1]}); upgrade Scanspan to open it"
            )
        # Only now that the file is known to be ours (or new) do we change its journal mode.
        self.db.conn.execute("PRAGMA journal_mode = WAL")
        fresh = not applied
        migrations.apply(self.db)
        if fresh:
            with self.db.atomic():
                for position, label in enumerate(default_labels()):
                    self._insert_label(label, position)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Project]:
        """Several writes as one user action: all of them are stored, or none (nested writes join it)."""
        with self.db.atomic():
            yield self

    def schema_version(self) -> str:
        applied = migrations.applied(self.db)
        return applied[-1].name if applied else ""

    # -- labels --------------------------------------------------------------------------------

    def labels(self) -> list[Label]:
        rows = self.db.query("select name, color, shortcut, description from labels order by position, name")
        return [Label(r["name"], r["color"], r["shortcut"], r["description"] or "") for r in rows]

    def label(self, name: str) -> Label:
        for label in self.labels():
            if label.name == name:
                return label
        raise NotFoundError(f"no label {name!r}; labels are: {', '.join(l.name for l in self.labels())}")

    def add_label(self, label: Label) -> Label:
        if not label.name.strip():
            raise ProjectError("a label needs a name")
        if any(l.name == label.name for l in self.labels()):
            raise ProjectError(f"label {label.name!r} already exists")
        if label.shortcut and any(l.shortcut == label.shortcut for l in self.labels()):
            raise ProjectError(f"shortcut {label.shortcut!r} is already used")
        with self.db.atomic():
            position = self.db.execute("select coalesce(max(position), -1) + 1 from labels").fetchone()[0]
            self._insert_label(label, position)
        return label

    def _insert_label(self, label: Label, position: int) -> None:
        self.db["labels"].insert(
            {
                "name": label.name,
                "color": label.color,
                "shortcut": label.shortcut,
                "description": label.description,
                "position": position,
            }
        )

    # -- documents and pages -------------------------------------------------------------------

    def document_for_source(self, sha256: str) -> Document | None:
        rows = list(self.db.query(DOC_SELECT + " where d.source_sha256 = ?", [sha256]))
        return document_row(rows[0]) if rows else None

    def add_document(self, name: str, data: bytes, sha256: str, pages: Sequence[NewPage]) -> Document:
        """Store a source file, its pages, words and OCR cache entries, all or nothing."""
        stamp = now()
        try:
            return self._add_document(name, data, sha256, pages, stamp)
        except sqlite3.Error as exc:
            raise ProjectError(f"{name}: could not be stored in {self.path} ({exc}); nothing of it was kept") from None

    def _add_document(self, name: str, data: bytes, sha256: str, pages: Sequence[NewPage], stamp: str) -> Document:
        with self.db.atomic():
            self.db["sources"].insert(
                {"sha256": sha256, "name": name, "size": len(data), "data": data, "added": stamp},
                ignore=True,
            )
            doc_id = self.db["documents"].insert(
                {"name": name, "source_sha256": sha256, "status": "new", "created": stamp}
            ).last_pk
            for page in pages:
                self._insert_page(doc_id, page, stamp)
        return self.document(doc_id)

    def _insert_page(self, doc_id: int, page: NewPage, stamp: str) -> None:
        prov = page.provenance
        page_id = self.db["pages"].insert(
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
            }
        ).last_pk
        self.db["words"].insert_all(
            (
                {
                    "page_id": page_id,
                    "idx": i,
                    "text": w.text,
                    "ocr_text": w.text,
                    "x0": w.box[0],
                    "y0": w.box[1],
                    "x1": w.box[2],
                    "y1": w.box[3],
                    "conf": w.conf,
                    "block": w.block,
                    "par": w.par,
                    "line": w.line,
                }
                for i, w in enumerate(page.words)
            ),
            batch_size=500,
        )
        if page.cache_key:
            self._cache_put(page.cache_key, page.words, prov.engine_version, stamp)

    def documents(self) -> list[Document]:
        return [document_row(r) for r in self.db.query(DOC_SELECT + " order by d.id")]

    def document(self, ref: int | str) -> Document:
        """A document by id, or by name when `ref` is not a number."""
        if isinstance(ref, int) or str(ref).isdigit():
            rows = list(self.db.query(DOC_SELECT + " where d.id = ?", [int(ref)]))
        else:
            rows = list(self.db.query(DOC_SELECT + " where d.name = ? order by d.id", [ref]))
        if not rows:
            raise NotFoundError(f"no document {ref!r} in {self.path.name}")
        if len(rows) > 1:
            raise ProjectError(f"{len(rows)} documents are named {ref!r}; use the id")
        return document_row(rows[0])

    def set_status(self, doc_id: int, status: str) -> None:
        if status not in DOCUMENT_STATUSES:
            raise ProjectError(f"status must be one of {', '.join(DOCUMENT_STATUSES)}, not {status!r}")
        with self.db.atomic():
            self.document(doc_id)
            self.db["documents"].update(doc_id, {"status": status})

    def summaries(self) -> list[DocumentSummary]:
        rows = self.db.query(
            """
            select d.id, d.name, d.status,
                (select count(*) from pages p where p.document_id = d.id) as pages,
                (select count(*) from pages p where p.document_id = d.id and p.text_layer = 1) as text_layer,
                (select count(*) from spans s where s.document_id = d.id) as spans,
                (select count(*) from regions r join pages p on p.id = r.page_id
                    where p.document_id = d.id) as regions
            from documents d order by d.id
            """
        )
        return [
            DocumentSummary(
                id=r["id"],
                name=r["name"],
                pages=r["pages"],
                status=r["status"],
                ocr={"ocr": r["pages"] - r["text_layer"], "text_layer": r["text_layer"]},
                spans=r["spans"],
                regions=r["regions"],
            )
            for r in rows
        ]

    def source_data(self, sha256: str) -> bytes:
        row = self.db.execute("select data from sources where sha256 = ?", [sha256]).fetchone()
        if row is None:
            raise NotFoundError(f"no stored source {sha256[:12]}")
        return row[0]

    def page_image(self, page: Page, scale: float = 1.0, gray: bool = False) -> Image.Image:
        """The page rendered from its stored source; see annotations.pages.render_page."""
        sha = self.document(page.document_id).source_sha256
        return render_page(page, sha, self.source_data(sha), scale=scale, gray=gray)

    def pages(self, doc_id: int) -> list[Page]:
        rows = self.db.query("select * from pages where document_id = ? order by number", [doc_id])
        return [page_row(r) for r in rows]

    def page(self, page_id: int) -> Page:
        rows = list(self.db.query("select * from pages where id = ?", [page_id]))
        if not rows:
            raise NotFoundError(f"no page {page_id}")
        return page_row(rows[0])

    def page_by_number(self, doc_id: int, number: int) -> Page:
        rows = list(self.db.query("select * from pages where document_id = ? and number = ?", [doc_id, number]))
        if not rows:
            raise NotFoundError(f"document {doc_id} has no page {number}")
        return page_row(rows[0])

    # -- words ---------------------------------------------------------------------------------

    def words(self, page_id: int) -> list[Word]:
        rows = self.db.execute(WORD_SELECT + " where page_id = ? order by idx", [page_id]).fetchall()
        return [word_row(r) for r in rows]

    def word(self, word_id: int) -> Word:
        row = self.db.execute(WORD_SELECT + " where id = ?", [word_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no word {word_id}")
        return word_row(row)

    def correct_word(self, word_id: int, text: str) -> Word:
        """Store an OCR correction; the original OCR text is kept beside it."""
        text = text.strip()
        if not text or any(ch.isspace() for ch in text):
            raise ProjectError("a corrected word must be one non-empty word without spaces")
        word = self.word(word_id)
        with self.db.atomic():
            self.db["words"].update(word_id, {"text": text})
        self._forget_text(word.page_id)
        return self.word(word_id)

    def document_text(self, doc_id: int) -> DocumentText:
        """The document's text built from its (corrected) words; cached until a word changes."""
        cached = self._text_cache.get(doc_id)
        if cached is None:
            rows = self.db.execute(
                """
                select p.number, w.id, w.page_id, w.idx, w.text, w.ocr_text, w.x0, w.y0, w.x1, w.y1,
                    w.conf, w.block, w.par, w.line
                from words w join pages p on p.id = w.page_id
                where p.document_id = ? order by p.number, w.idx
                """,
                [doc_id],
            ).fetchall()
            by_page: dict[int, list[Word]] = {p.number: [] for p in self.pages(doc_id)}
            for r in rows:
                by_page[r[0]].append(word_row(r[1:]))
            cached = DocumentText.from_words([by_page[n] for n in sorted(by_page)])
            self._text_cache[doc_id] = cached
        return cached

    def _forget_text(self, page_id: int) -> None:
        doc_id = self.db.execute("select document_id from pages where id = ?", [page_id]).fetchone()[0]
        self._text_cache.pop(doc_id, None)

    # -- spans ---------------------------------------------------------------------------------

    def add_span(
        self,
        doc_id: int,
        label: str,
        first_word_id: int,
        last_word_id: int,
        head: int = 0,
        tail: int = 0,
        note: str = "",
        annotator: str = "",
        span_id: int | None = None,
        source: str = "",
        suggested: bool = False,
    ) -> Span:
        """Add a span; `span_id` restores a deleted span under its old id (undo).

        `suggested` marks a pre-annotation from `source` that the analyst has yet to accept.
        """
        if head < 0 or tail < 0:
            raise ProjectError("a span's head and tail cuts cannot be negative")
        self.label(label)
        # Checked by position in SQL, not through document_text(): on a long document that would
        # build the whole text (80,000 words: 0.7 s) on the first span and after every correction.
        positions = self._word_positions(doc_id, (first_word_id, last_word_id))
        if len(positions) < len({first_word_id, last_word_id}):
            raise ProjectError(f"span words are not in document {doc_id}")
        if positions[last_word_id] < positions[first_word_id]:
            raise ProjectError("a span's first word must come before its last word")
        stamp = now()
        row = {
            "document_id": doc_id,
            "label": label,
            "first_word_id": first_word_id,
            "last_word_id": last_word_id,
            "head": head,
            "tail": tail,
            "note": note,
            "annotator": annotator,
            "created": stamp,
            "updated": stamp,
            "source": source,
            "suggested": int(suggested),
        }
        if span_id is not None:
            row["id"] = span_id
        with self.db.atomic():
            new_id = self.db["spans"].insert(row).last_pk
        return self.span(new_id)

    def add_span_chars(self, doc_id: int, label: str, start: int, end: int, **kwargs: str | bool) -> Span:
        """Add a span over the character range [start, end) of the document text."""
        first, last, head, tail = self.document_text(doc_id).anchor(start, end)
        return self.add_span(doc_id, label, first, last, head, tail, **kwargs)

    def span(self, span_id: int) -> Span:
        rows = list(self.db.query("select * from spans where id = ?", [span_id]))
        if not rows:
            raise NotFoundError(f"no span {span_id}")
        return span_row(rows[0])

    def spans(self, doc_id: int | None = None) -> list[Span]:
        if doc_id is None:
            rows = self.db.query("select * from spans order by document_id, id")
        else:
            rows = self.db.query("select * from spans where document_id = ? order by id", [doc_id])
        return [span_row(r) for r in rows]

    def located_spans(
        self, doc_id: int, page: int | None = None, span_ids: Sequence[int] | None = None
    ) -> list[tuple[Span, tuple[int, int, int, int]]]:
        """A document's spans and where each lies, without building the document text.

        Each span comes with (first page number, first word index, last page number, last word
        index), the indices being positions in their page's reading order (PageText.words).
        `page` keeps the spans with words on that page number, which is what a viewer of one
        page of a long document needs; `span_ids` keeps those spans. Ordered by id.
        """
        sql = """
            select s.*, p1.number as _p1, w1.idx as _i1, p2.number as _p2, w2.idx as _i2
            from spans s
            join words w1 on w1.id = s.first_word_id join pages p1 on p1.id = w1.page_id
            join words w2 on w2.id = s.last_word_id join pages p2 on p2.id = w2.page_id
            where s.document_id = ?"""
        params: list[int] = [doc_id]
        if page is not None:
            sql += " and p1.number <= ? and p2.number >= ?"
            params += [page, page]
        if span_ids is not None:
            ids = list(span_ids)
            sql += f" and s.id in ({', '.join('?' * len(ids))})"
            params += ids
        cursor = self.db.execute(sql + " order by s.id", params)
        names = [d[0] for d in cursor.description]
        located = []
        for row in cursor.fetchall():
            r = dict(zip(names, row))
            located.append((span_row(r), (r["_p1"], r["_i1"], r["_p2"], r["_i2"])))
        return located

    def _word_positions(self, doc_id: int, word_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """(page number, index) of each given word that belongs to the document."""
        ids = list(word_ids)
        rows = self.db.execute(
            f"""select w.id, p.number, w.idx from words w join pages p on p.id = w.page_id
            where p.document_id = ? and w.id in ({', '.join('?' * len(ids))})""",
            [doc_id, *ids],
        ).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def update_span(self, span_id: int, *, label: str | None = None, note: str | None = None) -> Span:
        changes: dict[str, object] = {}
        if label is not None:
            self.label(label)
            changes["label"] = label
        if note is not None:
            changes["note"] = note
        self.span(span_id)
        self._update_row("spans", span_id, changes)
        return self.span(span_id)

    def accept_span(self, span_id: int) -> Span:
        """Turn a suggested span into an ordinary one; its source stays recorded."""
        self.span(span_id)
        self._update_row("spans", span_id, {"suggested": 0})
        return self.span(span_id)

    def delete_span(self, span_id: int) -> Span:
        span = self.span(span_id)
        self._delete_row("spans", span_id)
        return span

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
