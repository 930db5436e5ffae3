"""The project's change log: what every process changed, so an open window can follow other writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..records import Region, Relation, Span, Word

if TYPE_CHECKING:
    from .project import Project

KEEP_CHANGES = 50_000
"""Changes kept in the log; a window further behind than this re-reads everything instead."""


@dataclass(frozen=True)
class Change:
    """One row written, as recorded by the schema's triggers (0006_change_log).

    `kind` is span, region, relation, word, document or label; `op` insert, update or delete; pages
    are the page numbers the row lies on in `document_id` (first and last word of a span; a
    relation's are its from end's).
    """

    seq: int
    kind: str
    op: str
    row_id: int | None
    document_id: int | None
    page_first: int | None
    page_last: int | None


@dataclass
class ChangeSet:
    """The changes after a point, with the current state of every row they name that still exists.

    `reset` means the caller is too far behind (more than `limit` changes, or pruned ones): it
    should re-read everything up to `last`.
    """

    last: int
    reset: bool = False
    changes: list[Change] = field(default_factory=list)
    spans: dict[int, tuple[Span, tuple[int, int, int, int]]] = field(default_factory=dict)
    regions: dict[int, Region] = field(default_factory=dict)
    relations: dict[int, Relation] = field(default_factory=dict)
    words: dict[int, Word] = field(default_factory=dict)


class ChangeLog:
    """The change-log methods of `Project`."""

    db: Database

    def last_change(self) -> int:
        """The newest change's number (0 for none): where a new reader starts following."""
        return self.db.execute("select coalesce(max(seq), 0) from changes").fetchone()[0]

    def data_version(self) -> int:
        """Changes whenever another connection commits (SQLite's PRAGMA data_version); cheap to poll."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def changes_since(self: Project, seq: int, limit: int = 500) -> ChangeSet:  # type: ignore[misc]
        rows = self.db.execute(
            "select seq, kind, op, row_id, document_id, page_first, page_last from changes "
            "where seq > ? order by seq limit ?", [seq, limit + 1]
        ).fetchall()
        if not rows:
            # Not the file's newest number: a commit landing after the read above would be counted
            # as seen without ever being read.
            return ChangeSet(last=seq)
        if len(rows) > limit or rows[0][0] != seq + 1:
            return ChangeSet(last=self.last_change(), reset=True)
        changes = [Change(*r) for r in rows]
        result = ChangeSet(last=changes[-1].seq, changes=changes)
        span_docs: dict[int, list[int]] = {}
        for c in changes:
            if c.kind == "span" and c.op != "delete" and c.row_id is not None and c.document_id is not None:
                span_docs.setdefault(c.document_id, []).append(c.row_id)
        for doc_id, ids in span_docs.items():
            for span, extent in self.located_spans(doc_id, span_ids=sorted(set(ids))):
                result.spans[span.id] = (span, extent)
        region_ids = sorted({c.row_id for c in changes if c.kind == "region" and c.op != "delete" and c.row_id})
        for region in self.regions_by_id(region_ids):
            result.regions[region.id] = region
        relation_ids = sorted({c.row_id for c in changes if c.kind == "relation" and c.op != "delete" and c.row_id})
        for relation in self.relations_by_id(relation_ids):
            result.relations[relation.id] = relation
        word_ids = sorted({c.row_id for c in changes if c.kind == "word" and c.row_id})
        for word in self.words_by_id(word_ids):
            result.words[word.id] = word
        return result

    def prune_changes(self: Project, keep: int = KEEP_CHANGES) -> None:  # type: ignore[misc]
        """Drop the oldest changes beyond `keep` (a window that far behind re-reads everything)."""
        span = self.db.execute("select coalesce(max(seq) - min(seq), 0) from changes").fetchone()[0]
        if span > keep * 1.2:
            with self.tx.write(store=True):
                self.db.execute("delete from changes where seq <= (select max(seq) from changes) - ?", [keep])
