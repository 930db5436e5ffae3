"""The project file: opening, upgrading and closing it, and its labels, documents, pages, words and spans."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from sqlite_utils import Database

from .. import resources_path
from ..errors import NotFoundError, ProjectError, no_folder
from ..layers import ADJUDICATED
from ..processes.leftovers import hold, release, remove_dead
from ..records import DOCUMENT_STATUSES, Document, DocumentSummary, Label, Page, Span, Word
from ..text.layer import DocumentText
from ..text.normalise import same_text
from .adjudications import AdjudicationStore
from .changes import ChangeLog
from .connection import READ_ONLY_ASKED, WRITE_WAIT, Transactions, connect, read_only_reason, write_error
from .documents import DocumentStore
from .imports import ImportStore
from .labels import LabelStore
from .regions import RegionStore
from .relations import RelationStore
from .reorder import ReorderStore
from .rows import DOC_SELECT, WORD_SELECT, document_row, fetch_one, insert_row, now, page_row, span_row, word_row
from .schema import migrations
from .search import SearchStore
from .suggestions import SuggestionStore

if TYPE_CHECKING:
    from PIL import Image


def default_labels() -> list[Label]:
    data = json.loads((resources_path() / "labels.json").read_text(encoding="utf-8"))
    return [Label(**entry) for entry in data["labels"]]


MAX_ID = 2**63 - 1
"""The largest id SQLite holds: a larger number names nothing (and cannot even be asked for)."""


def unreadable(path: Path, exc: sqlite3.DatabaseError) -> ProjectError:
    """The error for a file SQLite cannot read: another kind of file, or a database that is damaged
    (a project cut short by a full disk or a copy that stopped), which wants a backup, not another file."""
    if "malformed" in str(exc):
        return ProjectError(f"{path}: damaged database file ({exc}); restore the project from a backup")
    return ProjectError(f"{path}: not a Scanspan project ({exc})")


_P = ParamSpec("_P")
_R = TypeVar("_R")


class Project(LabelStore, ImportStore, ChangeLog, RegionStore, RelationStore, SuggestionStore, SearchStore,
              AdjudicationStore, ReorderStore, DocumentStore):
    """One SQLite project file. Each public method that writes is one transaction.

    Many processes may have the same project open: every write takes SQLite's write lock up front
    and waits up to `wait` seconds for other writers (calling `on_wait` once if it has to), so a
    second writer queues instead of failing. A project that cannot be written here (a read-only
    file, folder or disk) opens read-only with the reason in `read_only`; `read_only=True` asks for
    that explicitly (commands that only read, which then never wait for anyone).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, wait: float = WRITE_WAIT,
                 on_wait: Callable[[], None] | None = None) -> None:
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise ProjectError(f"{self.path}: {no_folder(self.path.parent)}")
        reason = read_only_reason(self.path)
        if read_only and not self.path.exists():
            raise ProjectError(f"{self.path}: no such project")
        if read_only and not reason:
            reason = READ_ONLY_ASKED
        if reason and not self.path.exists():
            raise ProjectError(f"{self.path}: no such project, and it cannot be created here ({reason})")
        self.read_only: str | None = reason
        # A command that only reads still opens a writable file writable: the store may need to
        # upgrade its schema, and the last connection to close tidies the -wal and -shm files away.
        # Its own writes are refused all the same (Transactions.read_only).
        self._cannot_write = bool(reason) and reason != READ_ONLY_ASKED
        try:
            conn = connect(self.path, read_only=self._cannot_write)
        except sqlite3.DatabaseError as exc:
            raise unreadable(self.path, exc) from None
        self.db = Database(conn)
        self.tx = Transactions(conn, self.path, wait, on_wait, reason)
        self._text_cache: dict[int, DocumentText] = {}
        self._text_version: tuple[int, int] | None = None
        self._own_word_writes = 0
        try:
            self._migrate()
            if not self.read_only:  # a command that only reads never waits for the write lock
                self._drop_abandoned_imports()
                self.prune_changes()
        except BaseException:
            conn.close()
            raise

    # -- lifecycle -----------------------------------------------------------------------------

    def _check_ours(self) -> set[str]:
        """The names of the migrations applied, or a ProjectError for a file that is not ours."""
        try:
            tables = set(self.db.table_names())
        except sqlite3.DatabaseError as exc:
            raise unreadable(self.path, exc) from None
        if tables and "_sqlite_migrations" not in tables:
            raise ProjectError(f"{self.path}: not a Scanspan project (an unrelated SQLite database)")
        known = {m.name for m in migrations.pending(Database(memory=True))}
        applied = {m.name for m in migrations.applied(self.db)}
        if not applied and tables - {"_sqlite_migrations"}:
            # Another tool's database (possibly with its own sqlite-utils migrations): never touch it.
            raise ProjectError(f"{self.path}: not a Scanspan project (an unrelated SQLite database)")
        newer = sorted(applied - known)
        if newer:
            raise ProjectError(
                f"{self.path}: made by a newer Scanspan (schema {newer[-1]}); upgrade Scanspan to open it"
            )
        return applied

    def _migrate(self) -> None:
        applied = self._check_ours()
        pending = [m.name for m in migrations.pending(self.db)]
        if not pending:
            return
        if self._cannot_write:
            what = "is empty" if not applied else f"was made by an older Scanspan (schema {sorted(applied)[-1]})"
            raise ProjectError(
                f"{self.path}: {what} and must be upgraded, but it is read-only here ({self.read_only})"
            )
        # Only now that the file is known to be ours (or new) do we change its journal mode.
        try:
            self.db.conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            raise write_error(self.path, exc) from None
        # The whole schema and the default labels are one transaction: a process killed while
        # creating a project leaves either nothing or a complete project, and two processes
        # creating the same one at once take turns (the second finds the work done).
        with self.tx.write(store=True):
            applied = self._check_ours()
            fresh = not applied
            migrations.apply(self.db)
            if fresh:
                for position, label in enumerate(default_labels()):
                    self._insert_label(label, position)

    def run(self, rule: Callable[Concatenate[Project, _P], _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """`rule(self, *args, **kwargs)`. The rules that decide (adjudication, for one) live above the store and
        read and write it through these methods; served, a project in another process (the window's) runs
        the rule there, next to its data, in one call."""
        return rule(self, *args, **kwargs)

    def run_reading(self, rule: Callable[Concatenate[Project, _P], _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """`run` for a rule that changes nothing, so that a served project may send it again after a restart."""
        return rule(self, *args, **kwargs)

    def close(self) -> None:
        """Close the connection, first copying what the WAL holds into the project file itself."""
        if not self._cannot_write:
            self.checkpoint()
        self.db.conn.close()

    def checkpoint(self) -> bool:
        """Copy committed changes from the -wal file into the project file, as far as readers allow.

        True when the project file alone now holds everything committed. Never waits for others.
        """
        try:
            busy, log, done = self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            return False
        return not busy and log == done

    def backup(self, dest: str | Path) -> Path:
        """A consistent copy of the whole project in one self-contained file, even while others write.

        Uses SQLite's online backup API on a snapshot; the copy is written beside `dest` and moved
        into place only when complete, so a failure leaves no partial file.
        """
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise ProjectError(f"{dest}: is the project itself; choose another file for the copy")
        if not dest.parent.is_dir():
            raise ProjectError(f"{dest}: {no_folder(dest.parent)}")
        # What a killed backup to the same file left (its process is gone) goes first.
        remove_dead(dest.parent, lambda name: name == dest.name)
        partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
        lock = None
        try:
            partial.touch()
            lock = hold(partial)  # held until the copy is in place: a later backup sees this one is alive
            target = sqlite3.connect(str(partial), isolation_level=None)
            try:
                # No journal beside the copy while it is written: a killed run would leave one more file,
                # to keep a copy that is thrown away unless complete.
                target.execute("PRAGMA journal_mode = OFF")
                self.db.conn.backup(target)
                # One file that needs no -wal beside it, whoever opens it next.
                target.execute("PRAGMA journal_mode = DELETE")
                ok = target.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                target.close()
            if ok != "ok":
                raise ProjectError(f"{dest}: the copy failed its check ({ok})")
            os.replace(partial, dest)
        except sqlite3.Error as exc:
            raise ProjectError(f"{dest}: could not write the copy ({exc})") from None
        except OSError as exc:
            raise ProjectError(f"{dest}: could not write the copy ({exc.strerror or exc})") from None
        finally:
            partial.unlink(missing_ok=True)
            release(lock)
        return dest

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self) -> AbstractContextManager[None]:
        """One write transaction (BEGIN IMMEDIATE); nested writes join it as savepoints."""
        return self.tx.write()

    @contextmanager
    def transaction(self) -> Iterator[Project]:
        """Several writes as one user action: all of them are stored, or none (nested writes join it)."""
        with self.write():
            yield self

    def schema_version(self) -> str:
        applied = migrations.applied(self.db)
        return applied[-1].name if applied else ""

    # -- documents and pages -------------------------------------------------------------------

    def document_for_source(self, sha256: str) -> Document | None:
        rows = list(self.db.query(DOC_SELECT + " and d.source_sha256 = ?", [sha256]))
        return document_row(rows[0]) if rows else None

    def documents(self) -> list[Document]:
        return [document_row(r) for r in self.db.query(DOC_SELECT + " order by d.id")]

    def document(self, ref: int | str) -> Document:
        """A document by id, or by name when `ref` is not a number."""
        # ASCII digits only: "²" and "٧" are digits to str.isdigit, and may be a document's name.
        if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
            number = int(ref)
            rows = list(self.db.query(DOC_SELECT + " and d.id = ?", [number])) if number <= MAX_ID else []
        else:
            rows = list(self.db.query(DOC_SELECT + " and d.name = ? order by d.id", [ref]))
            if not rows:  # the name typed with combining accents, or stored so from another system's file name
                ids = [row["id"] for row in self.db.query("select id, name from documents where complete = 1")
                       if same_text(row["name"], str(ref))]
                rows = [row for i in ids for row in self.db.query(DOC_SELECT + " and d.id = ?", [i])]
        if not rows:
            raise NotFoundError(f"no document {ref!r} in {self.path.name}")
        if len(rows) > 1:
            raise ProjectError(f"{len(rows)} documents are named {ref!r}; use the id")
        return document_row(rows[0])

    def set_status(self, doc_id: int, status: str) -> None:
        if status not in DOCUMENT_STATUSES:
            raise ProjectError(f"status must be one of {', '.join(DOCUMENT_STATUSES)}, not {status!r}")
        with self.write():
            self.document(doc_id)
            self.db["documents"].update(doc_id, {"status": status})

    def summaries(self) -> list[DocumentSummary]:
        rows = self.db.query(
            """
            select d.id, d.name, d.status,
                (select count(*) from pages p where p.document_id = d.id) as pages,
                (select count(*) from pages p where p.document_id = d.id and p.text_layer = 1) as text_layer,
                (select count(*) from pages p where p.document_id = d.id and p.text_layer = 0
                    and p.words_source != '') as words_file,
                (select count(*) from spans s where s.document_id = d.id) as spans,
                (select count(*) from regions r join pages p on p.id = r.page_id
                    where p.document_id = d.id) as regions,
                (select count(*) from spans s where s.document_id = d.id and s.suggested = 0 and s.source != :adj)
                + (select count(*) from regions r join pages p on p.id = r.page_id
                    where p.document_id = d.id and r.suggested = 0 and r.source != :adj) as tags,
                (select count(*) from spans s where s.document_id = d.id and s.suggested = 1)
                + (select count(*) from regions r join pages p on p.id = r.page_id
                    where p.document_id = d.id and r.suggested = 1) as suggestions,
                (select count(*) from relations r where r.document_id = d.id and r.suggested = 0
                    and r.source != :adj) as links
            from documents d where d.complete = 1 order by d.id
            """,
            {"adj": ADJUDICATED},
        )
        return [
            DocumentSummary(
                id=r["id"],
                name=r["name"],
                pages=r["pages"],
                status=r["status"],
                ocr={"ocr": r["pages"] - r["text_layer"] - r["words_file"], "text_layer": r["text_layer"],
                     "words_file": r["words_file"]},
                spans=r["spans"],
                regions=r["regions"],
                tags=r["tags"],
                suggestions=r["suggestions"],
                links=r["links"],
            )
            for r in rows
        ]

    def source_data(self, sha256: str) -> bytes:
        row = self.db.execute("select data from sources where sha256 = ?", [sha256]).fetchone()
        if row is None:
            raise NotFoundError(f"no stored source {sha256[:12]}")
        return row[0]

    def page_image(self, page: Page, scale: float = 1.0, gray: bool = False) -> Image.Image:
        """The page rendered from its stored source; see annotations.ingest.render.render_page."""
        from ..ingest.render import render_page  # PyMuPDF only for commands that render

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

    def word_rows(self, page_id: int) -> list[tuple]:
        """A page's words as plain rows (rows.word_row makes Words): far cheaper to send to another process."""
        return self.db.execute(WORD_SELECT + " where page_id = ? order by idx", [page_id]).fetchall()

    def word(self, word_id: int) -> Word:
        row = self.db.execute(WORD_SELECT + " where id = ?", [word_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no word {word_id}")
        return word_row(row)

    def words_by_id(self, word_ids: Sequence[int]) -> list[Word]:
        """The words of these ids, in id order."""
        ids = list(word_ids)
        if not ids:
            return []
        rows = self.db.execute(WORD_SELECT + f" where id in ({', '.join('?' * len(ids))}) order by id", ids).fetchall()
        return [word_row(r) for r in rows]

    def correct_word(self, word_id: int, text: str) -> Word:
        """Store an OCR correction; the original OCR text is kept beside it."""
        text = text.strip()
        if not text or any(ch.isspace() for ch in text):
            raise ProjectError("a corrected word must be one non-empty word without spaces")
        with self.write():
            page_id = self.word(word_id).page_id
            self.db["words"].update(word_id, {"text": text})
            self._reindex_page(page_id)
        self._own_word_writes += 1
        return self.word(word_id)

    def document_text(self, doc_id: int, keep: bool = True) -> DocumentText:
        """The document's text built from its (corrected) words; cached until a word changes.

        `keep=False` builds it without caching it: a pass over every document (an export) would
        otherwise keep the text of the whole project, some 700 bytes a word, until it ends.
        """
        # Another process may correct words too: its commits change data_version.
        version = (self.data_version(), self._own_word_writes)
        if version != self._text_version:
            self._text_cache.clear()
            self._text_version = version
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
            if keep:
                self._text_cache[doc_id] = cached
        return cached

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
        stamps: tuple[str, str] | None = None,
        score: float | None = None,
        reason: str = "",
    ) -> Span:
        """Add a span; `span_id` restores a deleted span under its old id (undo), with its old
        (created, updated) `stamps`.

        `suggested` marks a pre-annotation from `source` that the analyst has yet to accept, with
        how sure the source was (`score`) and why it proposed it (`reason`).
        """
        if head < 0 or tail < 0:
            raise ProjectError("a span's head and tail cuts cannot be negative")
        with self.write():
            new_id = self._insert_span(doc_id, label, first_word_id, last_word_id, head, tail, note, annotator,
                                       span_id, source, suggested, stamps, score, reason)
        return self.span(new_id)

    def _insert_span(self, doc_id: int, label: str, first_word_id: int, last_word_id: int, head: int, tail: int,
                     note: str, annotator: str, span_id: int | None, source: str, suggested: bool,
                     stamps: tuple[str, str] | None = None, score: float | None = None, reason: str = "") -> int:
        label = self.annotation_label(label).name  # the stored spelling of a name typed another way
        # Checked by position in SQL, not through document_text(): on a long document that would
        # build the whole text (80,000 words: 0.7 s) on the first span and after every correction.
        positions = self._word_positions(doc_id, (first_word_id, last_word_id))
        if len(positions) < len({first_word_id, last_word_id}):
            raise ProjectError(f"span words are not in document {doc_id}")
        if positions[last_word_id] < positions[first_word_id]:
            raise ProjectError("a span's first word must come before its last word")
        stamp = now()
        created, updated = stamps or (stamp, stamp)
        row = {
            "document_id": doc_id,
            "label": label,
            "first_word_id": first_word_id,
            "last_word_id": last_word_id,
            "head": head,
            "tail": tail,
            "note": note,
            "annotator": annotator,
            "created": created,
            "updated": updated,
            "source": source,
            "suggested": int(suggested),
            "score": score,
            "reason": reason,
        }
        if span_id is not None:
            if self.db.execute("select 1 from spans where id = ?", [span_id]).fetchone():
                raise ProjectError(f"span {span_id} exists already")
            row["id"] = span_id
        return insert_row(self.db.conn, "spans", row)

    def add_span_chars(self, doc_id: int, label: str, start: int, end: int, **kwargs: str | bool) -> Span:
        """Add a span over the character range [start, end) of the document text."""
        first, last, head, tail = self.document_text(doc_id).anchor(start, end)
        return self.add_span(doc_id, label, first, last, head, tail, **kwargs)

    def span(self, span_id: int) -> Span:
        row = fetch_one(self.db.conn, "select * from spans where id = ?", [span_id])
        if row is None:
            raise NotFoundError(f"no span {span_id}")
        return span_row(row)

    def spans(self, doc_id: int | None = None) -> list[Span]:
        if doc_id is None:
            rows = self.db.query("select * from spans order by document_id, id")
        else:
            rows = self.db.query("select * from spans where document_id = ? order by id", [doc_id])
        return [span_row(r) for r in rows]

    def annotators(self) -> list[str]:
        """Everyone who made a span or region here, in name order."""
        rows = self.db.execute("select annotator from spans union select annotator from regions order by 1")
        return [r[0] or "" for r in rows]

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
        with self.write():
            if label is not None:
                label = self.annotation_label(label).name
                changes["label"] = label
            if note is not None:
                changes["note"] = note
            self.span(span_id)
            self._update_row("spans", span_id, changes)
        return self.span(span_id)

    def accept_span(self, span_id: int) -> Span:
        """Turn a suggested span into an ordinary one; its source stays recorded."""
        with self.write():
            self.span(span_id)
            self._update_row("spans", span_id, {"suggested": 0})
            self._accept_relations_of("span", [span_id], None)
        return self.span(span_id)

    def delete_span(self, span_id: int) -> Span:
        """Delete a span and its relations (relations_removed_with("span", id) has them for an undo)."""
        with self.write():
            span = self.span(span_id)
            self._delete_row("spans", span_id)
        return span
