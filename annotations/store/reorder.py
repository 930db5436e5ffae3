"""Rewriting a page's word order (and the spans on it) in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import ProjectError
from .rows import insert_row, now

Cut = tuple[int, int, int, int]
"""(first word id, last word id, head, tail) of a span."""


class ReorderStore:
    """The reorder write of `Project`."""

    db: Database
    _own_word_writes: int

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

        def _reindex_page(self, page_id: int) -> None: ...

    def reorder_document(
        self,
        doc_id: int,
        pages: Mapping[int, Sequence[int]],
        method: str,
        methods: Sequence[int],
        anchors: Mapping[int, Cut],
        splits: Mapping[int, Sequence[Cut]],
    ) -> list[int]:
        """Give `pages` (page id -> word ids) their new order, record `method` on the pages `methods`,
        move spans to new end words (`anchors`) and split spans into several (`splits`: the first
        piece keeps the span's id); all or nothing. Returns the ids of the spans the splits added."""
        added: list[int] = []
        with self.write():
            for page_id, word_ids in pages.items():
                stored = {r[0] for r in self.db.execute("select id from words where page_id = ?", [page_id])}
                if stored != set(word_ids):
                    raise ProjectError(f"page {page_id} changed while it was being reordered; nothing was changed")
                # Out of the way first: (page_id, idx) is unique at every step of the update.
                self.db.execute("update words set idx = -1 - idx where page_id = ?", [page_id])
                self.db.conn.executemany("update words set idx = ? where id = ?", list(enumerate(word_ids)))
                self._reindex_page(page_id)
            for page_id in methods:
                self.db.execute("update pages set reading_order = ? where id = ?", [method, page_id])
            stamp = now()
            for span_id, (first, last, head, tail) in anchors.items():
                self.db.execute(
                    "update spans set first_word_id = ?, last_word_id = ?, head = ?, tail = ?, updated = ? where id = ?",
                    [first, last, head, tail, stamp, span_id],
                )
            for span_id, cuts in splits.items():
                rows = list(self.db.query("select * from spans where id = ?", [span_id]))
                if not rows:
                    raise ProjectError(f"span {span_id} was deleted while the document was being reordered; nothing was changed")
                row = rows[0]
                (first, last, head, tail), *rest = cuts
                self.db.execute(
                    "update spans set first_word_id = ?, last_word_id = ?, head = ?, tail = ?, updated = ? where id = ?",
                    [first, last, head, tail, stamp, span_id],
                )
                for first, last, head, tail in rest:
                    piece = {k: v for k, v in row.items() if k != "id"}
                    piece.update(first_word_id=first, last_word_id=last, head=head, tail=tail, created=stamp, updated=stamp)
                    added.append(insert_row(self.db.conn, "spans", piece))
            if pages:
                # Windows following the change log read the document again: its text has moved.
                self.db.execute(
                    "insert into changes (kind, op, row_id, document_id, page_first, page_last) "
                    "values ('document', 'reorder', ?, ?, null, null)", [doc_id, doc_id])
        self._own_word_writes += 1
        return added
