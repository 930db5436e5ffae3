"""Suggested spans: storing them once, listing, accepting and rejecting them, and the kept term lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import NotFoundError
from ..records import Span
from .rows import fetch_one, in_filters, now, span_row

BATCH = 500
"""Suggestions stored per transaction, so other writers get their turn during a long run."""


@dataclass(frozen=True)
class NewSuggestion:
    """A span to propose: words of one document (as `Project.add_span` takes them), its source and score."""

    document_id: int
    label: str
    first_word_id: int
    last_word_id: int
    head: int
    tail: int
    source: str
    score: float
    reason: str = ""
    """Why its source proposed it ("exact", "1 OCR edit: 'Justlce' for 'Justice'"); not part of its key."""

    @property
    def key(self) -> tuple[int, str, int, int, int, int]:
        return (self.document_id, self.label, self.first_word_id, self.last_word_id, self.head, self.tail)


@dataclass
class StoredSuggestions:
    """What storing a batch of suggestions did."""

    added: list[int]
    existing: int = 0  # a span (suggested or accepted) already covers the same words with that label
    rejected: int = 0  # rejected before: not proposed again


@dataclass(frozen=True)
class Rule:
    """A term list or pattern file kept with the project, applied to each new import."""

    id: int
    kind: str  # "terms" or "patterns"
    name: str
    label: str
    fuzzy: bool
    ignore_case: bool
    content: str


class SuggestionStore:
    """The suggestion methods of `Project`; each public write is one transaction."""

    db: Database

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

        def span(self, span_id: int) -> Span: ...

        def _insert_span(self, doc_id: int, label: str, first_word_id: int, last_word_id: int, head: int,
                         tail: int, note: str, annotator: str, span_id: int | None, source: str,
                         suggested: bool, stamps: tuple[str, str] | None = None) -> int: ...

        def _accept_relations_of(self, kind: str, annotation_ids: Sequence[int], annotator: str | None) -> None: ...

        def _suggest_relations_of(self, kind: str, annotation_id: int, annotator: str | None) -> None: ...

        def _restore_relations_of(self, kind: str, annotation_id: int) -> None: ...

    def add_suggestions(self, items: Iterable[NewSuggestion]) -> StoredSuggestions:
        """Store suggestions, skipping any already present as a span or rejected before (idempotent)."""
        result = StoredSuggestions(added=[])
        batch: list[NewSuggestion] = []
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH:
                self._add_batch(batch, result)
                batch = []
        if batch:
            self._add_batch(batch, result)
        return result

    def _add_batch(self, batch: Sequence[NewSuggestion], result: StoredSuggestions) -> None:
        with self.write():  # checked inside the transaction: another writer may add the same meanwhile
            for item in batch:
                key = list(item.key)
                if self.db.execute(
                    "select 1 from span_rejections where document_id = ? and label = ? and first_word_id = ? "
                    "and last_word_id = ? and head = ? and tail = ?", key).fetchone():
                    result.rejected += 1
                    continue
                if self.db.execute(
                    "select 1 from spans where document_id = ? and label = ? and first_word_id = ? "
                    "and last_word_id = ? and head = ? and tail = ?", key).fetchone():
                    result.existing += 1
                    continue
                span_id = self._insert_span(item.document_id, item.label, item.first_word_id, item.last_word_id,
                                            item.head, item.tail, "", "", None, item.source, True)
                self.db.execute("update spans set score = ?, reason = ? where id = ?", [item.score, item.reason, span_id])
                result.added.append(span_id)

    def suggestions(
        self, doc_ids: Sequence[int] | None = None, labels: Sequence[str] | None = None,
        sources: Sequence[str] | None = None, span_ids: Sequence[int] | None = None,
    ) -> list[Span]:
        """Suggested spans not yet accepted, by document then position of their first word; filters combine."""
        sql = ("select s.* from spans s join words w on w.id = s.first_word_id join pages p on p.id = w.page_id "
               "where s.suggested = 1")
        where, params = in_filters([("s.document_id", doc_ids), ("s.label", labels), ("s.source", sources),
                                    ("s.id", span_ids)])
        rows = self.db.query(sql + where + " order by s.document_id, p.number, w.idx, s.id", params)
        return [span_row(r) for r in rows]

    def suggestion_counts(self) -> dict[int, int]:
        """Suggestions left to review, spans and regions, per document id."""
        counts: dict[int, int] = {}
        for doc_id, n in self.db.execute(
            "select document_id, count(*) from spans where suggested = 1 group by document_id "
            "union all select p.document_id, count(*) from regions r join pages p on p.id = r.page_id "
            "where r.suggested = 1 group by p.document_id"
        ):
            counts[doc_id] = counts.get(doc_id, 0) + n
        return counts

    def accept_suggestions(self, span_ids: Sequence[int], annotator: str | None = None) -> list[Span]:
        """Accept these suggestions in one transaction; ids that are not suggestions are an error.

        With `annotator`, the accepted spans become that analyst's (agreement counts them as theirs), and
        so do the suggested relations whose ends are now all accepted.
        """
        with self.write():
            spans = self._suggested(span_ids)
            for span in spans:
                self.db.execute("update spans set suggested = 0, updated = ? where id = ?", [now(), span.id])
                if annotator is not None:
                    self.db.execute("update spans set annotator = ? where id = ?", [annotator, span.id])
            self._accept_relations_of("span", [s.id for s in spans], annotator)
        return [self.span(s.id) for s in spans]

    def reject_suggestions(self, span_ids: Sequence[int]) -> list[Span]:
        """Remove these suggestions (and their relations) and remember them as rejected; returns them (for an undo)."""
        with self.write():
            spans = self._suggested(span_ids)
            for span in spans:
                self.db.execute(
                    "insert or ignore into span_rejections (document_id, label, first_word_id, last_word_id, head, "
                    "tail, source, score, span_id, created) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [span.document_id, span.label, span.first_word_id, span.last_word_id, span.head, span.tail,
                     span.source, span.score, span.id, now()],
                )
                self.db.execute("delete from spans where id = ?", [span.id])
        return spans

    def restore_rejected(self, span: Span) -> Span:
        """Undo a rejection: the suggestion comes back under its old id, with the relations the rejection
        took, and is no longer remembered as rejected."""
        self.restore_rejected_spans([span])
        return self.span(span.id)

    def restore_rejected_spans(self, spans: Sequence[Span]) -> None:
        """Undo the rejection of these suggestions (as `restore_rejected`), all in one transaction."""
        with self.write():
            for span in spans:
                self._forget_rejection(span)
                self._insert_span(span.document_id, span.label, span.first_word_id, span.last_word_id, span.head,
                                  span.tail, span.note, span.annotator, span.id, span.source, True)
                self.db.execute("update spans set score = ?, reason = ? where id = ?",
                                [span.score, span.reason, span.id])
                self._restore_relations_of("span", span.id)

    def unaccept(self, span_id: int, annotator: str | None = None) -> Span:
        """Undo an acceptance: the span is a suggestion again (with `annotator`, whose it was before),
        and so are its relations."""
        with self.write():
            self._unaccept_span(span_id, annotator)
        return self.span(span_id)

    def unaccept_spans(self, span_ids: Sequence[int], annotators: Mapping[int, str] | None = None) -> None:
        """Undo the acceptance of these spans, each back with the annotator it had (`annotators`; none:
        ""), all in one transaction: an undo of hundreds is one write, and stops whole or not at all."""
        with self.write():
            for span_id in span_ids:
                self._unaccept_span(span_id, (annotators or {}).get(span_id, ""))

    def _unaccept_span(self, span_id: int, annotator: str | None) -> None:
        self.span(span_id)
        self.db.execute("update spans set suggested = 1, updated = ? where id = ?", [now(), span_id])
        if annotator is not None:
            self.db.execute("update spans set annotator = ? where id = ?", [annotator, span_id])
        self._suggest_relations_of("span", span_id, annotator)

    def rejections(self, doc_id: int | None = None) -> list[NewSuggestion]:
        """The rejected suggestions remembered (for a document, or all)."""
        sql = "select * from span_rejections" + (" where document_id = ?" if doc_id is not None else "")
        rows = self.db.query(sql + " order by id", [doc_id] if doc_id is not None else [])
        return [NewSuggestion(r["document_id"], r["label"], r["first_word_id"], r["last_word_id"], r["head"],
                              r["tail"], r["source"] or "", r["score"] if r["score"] is not None else 0.0)
                for r in rows]

    def _forget_rejection(self, span: Span) -> None:
        self.db.execute(
            "delete from span_rejections where document_id = ? and label = ? and first_word_id = ? "
            "and last_word_id = ? and head = ? and tail = ?",
            [span.document_id, span.label, span.first_word_id, span.last_word_id, span.head, span.tail],
        )

    def _suggested(self, span_ids: Sequence[int]) -> list[Span]:
        spans = []
        for span_id in dict.fromkeys(span_ids):
            row = fetch_one(self.db.conn, "select * from spans where id = ?", [span_id])
            if row is None or not row["suggested"]:
                raise NotFoundError(f"no suggestion {span_id} (accepted, rejected or never made)")
            spans.append(span_row(row))
        return spans

    # -- kept term lists and pattern files -----------------------------------------------------

    def keep_rule(self, kind: str, name: str, label: str, content: str, fuzzy: bool = False,
                  ignore_case: bool = False) -> Rule:
        """Keep a term list or pattern file (replacing one of the same kind, name and label)."""
        with self.write():
            self.db.execute("delete from suggestion_rules where kind = ? and name = ? and label = ?", [kind, name, label])
            self.db.execute(
                "insert into suggestion_rules (kind, name, label, fuzzy, ignore_case, content, created) "
                "values (?, ?, ?, ?, ?, ?, ?)", [kind, name, label, int(fuzzy), int(ignore_case), content, now()])
        return next(r for r in self.rules() if (r.kind, r.name, r.label) == (kind, name, label))

    def rules(self) -> list[Rule]:
        rows = self.db.query("select * from suggestion_rules order by id")
        return [Rule(r["id"], r["kind"], r["name"], r["label"] or "", bool(r["fuzzy"]), bool(r["ignore_case"]),
                     r["content"]) for r in rows]

    def drop_rule(self, rule_id: int) -> None:
        with self.write():
            if not self.db.execute("delete from suggestion_rules where id = ?", [rule_id]).rowcount:
                raise NotFoundError(f"no kept term list or pattern file {rule_id}")
