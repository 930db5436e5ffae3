"""What adjudication settled: the kept spans, regions and relations copied into the adjudicated layer, and the
decision recorded."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import ProjectError
from ..layers import ADJUDICATED
from ..records import REGION_IOU, Box, Region, Relation, Span, box_iou
from .rows import insert_row, now

if TYPE_CHECKING:
    from ..team.region_adjudication import RegionDisagreement
    from ..team.relation_adjudication import RelationDisagreement

DECISIONS = ("a", "b", "both", "neither", "agreed")


class AdjudicationStore:
    """The adjudication methods of `Project`; each settlement is one transaction."""

    db: Database

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

        def span(self, span_id: int) -> Span: ...

        def regions_by_id(self, region_ids: Sequence[int]) -> list[Region]: ...

        def region(self, region_id: int) -> Region: ...

        def relations_by_id(self, relation_ids: Sequence[int]) -> list[Relation]: ...

        def _insert_relation(self, label: str, from_end: tuple[str, int], to_end: tuple[str, int], note: str,
                             annotator: str, relation_id: int | None, source: str, suggested: bool,
                             stamps: tuple[str, str] | None = None) -> int: ...

        def _insert_region(self, page_id: int, label: str, box: Box, text: str, note: str, annotator: str,
                           region_id: int | None, source: str, suggested: bool,
                           stamps: tuple[str, str] | None = None) -> int: ...

        def _insert_span(self, doc_id: int, label: str, first_word_id: int, last_word_id: int, head: int, tail: int,
                         note: str, annotator: str, span_id: int | None, source: str, suggested: bool,
                         stamps: tuple[str, str] | None = None) -> int: ...


    def settled(self, doc_id: int, a: str, b: str) -> set[tuple[int, int]]:
        """The (first word id, last word id) of each disagreement between a and b already settled here."""
        rows = self.db.execute(
            "select first_word_id, last_word_id from adjudications where document_id = ? and a = ? and b = ?",
            [doc_id, a, b],
        )
        return {(r[0], r[1]) for r in rows}

    def settle(self, doc_id: int, a: str, b: str, extent: tuple[int, int], decision: str, adjudicator: str,
               keep: Sequence[Span]) -> list[Span]:
        """Copy `keep` into the adjudicated layer and record the decision over `extent`, all or nothing."""
        if decision not in DECISIONS:
            raise ProjectError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
        with self.write():
            if self.db.execute(
                "select 1 from adjudications where document_id = ? and a = ? and b = ? and first_word_id = ? "
                "and last_word_id = ?", [doc_id, a, b, *extent]
            ).fetchone():
                raise ProjectError("this disagreement was settled meanwhile (by another program?); nothing was changed")
            ids = [
                self._insert_span(doc_id, s.label, s.first_word_id, s.last_word_id, s.head, s.tail, s.note, adjudicator,
                                  None, ADJUDICATED, False)
                for s in keep
            ]
            insert_row(self.db.conn, "adjudications", {
                "document_id": doc_id, "a": a, "b": b, "first_word_id": extent[0], "last_word_id": extent[1],
                "decision": decision, "adjudicator": adjudicator, "created": now()})
        return [self.span(i) for i in ids]

    def unsettle(self, doc_id: int, a: str, b: str, extent: tuple[int, int], span_ids: Sequence[int]) -> None:
        """Undo `settle`: remove the adjudicated spans it made and its decision, all or nothing."""
        with self.write():
            ids = list(span_ids)
            if ids:
                marks = ", ".join("?" * len(ids))
                found = self.db.execute(
                    f"select count(*) from spans where id in ({marks}) and source = ? and document_id = ?",
                    [*ids, ADJUDICATED, doc_id],
                ).fetchone()[0]
                if found != len(ids):
                    raise ProjectError("these adjudicated spans are gone or changed (by another program?); nothing was changed")
                self.db.execute(f"delete from spans where id in ({marks})", ids)
            self.db.execute(
                "delete from adjudications where document_id = ? and a = ? and b = ? and first_word_id = ? "
                "and last_word_id = ?", [doc_id, a, b, *extent]
            )

    # -- regions --------------------------------------------------------------------------------

    def settled_regions(self, doc_id: int, a: str, b: str) -> set[tuple[int, Box]]:
        """The (page id, extent) of each group of a's and b's regions already settled here."""
        rows = self.db.execute(
            "select page_id, x0, y0, x1, y1 from region_adjudications where document_id = ? and a = ? and b = ?",
            [doc_id, a, b],
        )
        return {(r[0], (r[1], r[2], r[3], r[4])) for r in rows}

    def settle_regions(self, group: RegionDisagreement, a: str, b: str, decision: str, adjudicator: str,
                       keep: Sequence[Region]) -> list[Region]:
        """Copy `keep` into the adjudicated layer and record the decision over `group`, all or nothing."""
        if decision not in DECISIONS:
            raise ProjectError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
        with self.write():
            if (group.page_id, group.extent) in self.settled_regions(group.document_id, a, b):
                raise ProjectError("these regions were settled meanwhile (by another program?); nothing was changed")
            ids = [self._insert_region(g.page_id, g.label, g.box, g.text, g.note, adjudicator, None, ADJUDICATED, False)
                   for g in keep]
            insert_row(self.db.conn, "region_adjudications", {
                "document_id": group.document_id, "page_id": group.page_id, "a": a, "b": b,
                **dict(zip(("x0", "y0", "x1", "y1"), group.extent)), "decision": decision,
                "adjudicator": adjudicator, "created": now()})
        return self.regions_by_id(ids)

    def unsettle_regions(self, group: RegionDisagreement, a: str, b: str, region_ids: Sequence[int]) -> None:
        """Undo `settle_regions`: remove the adjudicated regions it made and its decision, all or nothing."""
        with self.write():
            ids = list(region_ids)
            if ids:
                marks = ", ".join("?" * len(ids))
                found = self.db.execute(
                    f"select count(*) from regions where id in ({marks}) and source = ? and page_id = ?",
                    [*ids, ADJUDICATED, group.page_id],
                ).fetchone()[0]
                if found != len(ids):
                    raise ProjectError("these adjudicated regions are gone or changed (by another program?); "
                                       "nothing was changed")
                self.db.execute(f"delete from regions where id in ({marks})", ids)
            self.db.execute(
                "delete from region_adjudications where document_id = ? and page_id = ? and a = ? and b = ? "
                "and x0 = ? and y0 = ? and x1 = ? and y1 = ?", [group.document_id, group.page_id, a, b, *group.extent]
            )

    # -- relations ------------------------------------------------------------------------------

    def settled_relations(self, doc_id: int, a: str, b: str) -> set[str]:
        """The `ends` of each pair of a's and b's relations already settled here."""
        rows = self.db.execute("select ends from relation_adjudications where document_id = ? and a = ? and b = ?",
                               [doc_id, a, b])
        return {r[0] for r in rows}

    def adjudicated_end(self, kind: str, ident: int) -> int | None:
        """The id of the adjudicated copy of a span (same words, cuts and label) or region (same page and
        label, the best IoU of at least REGION_IOU), or None when the adjudicated layer has none."""
        if kind == "span":
            span = self.span(ident)
            row = self.db.execute(
                "select id from spans where document_id = ? and source = ? and label = ? and first_word_id = ? "
                "and last_word_id = ? and head = ? and tail = ? order by id limit 1",
                [span.document_id, ADJUDICATED, span.label, span.first_word_id, span.last_word_id, span.head,
                 span.tail]).fetchone()
            return None if row is None else int(row[0])
        region = self.region(ident)
        rows = self.db.execute("select id, x0, y0, x1, y1 from regions where page_id = ? and label = ? and source = ?",
                               [region.page_id, region.label, ADJUDICATED]).fetchall()
        scored = [(box_iou(region.box, tuple(r[1:])), -r[0]) for r in rows]
        best = max(scored, default=None)
        return None if best is None or best[0] < REGION_IOU else -best[1]

    def relations_unplaced(self, relations: Sequence[Relation]) -> list[tuple[str, int]]:
        """The ends of these relations the adjudicated layer has no copy of, each once."""
        ends = dict.fromkeys(end for r in relations for end in (r.from_end, r.to_end))
        return [end for end in ends if self.adjudicated_end(*end) is None]

    def settle_relations(self, group: RelationDisagreement, a: str, b: str, decision: str, adjudicator: str,
                         keep: Sequence[Relation]) -> list[Relation]:
        """Copy `keep` into the adjudicated layer, between the adjudicated copies of their ends, and record
        the decision over `group`, all or nothing."""
        if decision not in DECISIONS:
            raise ProjectError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
        with self.write():
            if group.ends in self.settled_relations(group.document_id, a, b):
                raise ProjectError("these relations were settled meanwhile (by another program?); nothing was changed")
            ids = []
            for r in keep:
                ends = []
                for kind, ident in (r.from_end, r.to_end):
                    copy = self.adjudicated_end(kind, ident)
                    if copy is None:
                        raise ProjectError(f"relation {r.id} ({r.label}) cannot be kept: its {kind} {ident} is not in "
                                           "the adjudicated layer (its spans or regions were settled without it); "
                                           "nothing was changed")
                    ends.append((kind, copy))
                ids.append(self._insert_relation(r.label, ends[0], ends[1], r.note, adjudicator, None, ADJUDICATED,
                                                 False))
            insert_row(self.db.conn, "relation_adjudications", {
                "document_id": group.document_id, "a": a, "b": b, "ends": group.ends, "decision": decision,
                "adjudicator": adjudicator, "created": now()})
        return self.relations_by_id(ids)

    def unsettle_relations(self, group: RelationDisagreement, a: str, b: str, relation_ids: Sequence[int]) -> None:
        """Undo `settle_relations`: remove the adjudicated relations it made and its decision, all or nothing."""
        with self.write():
            ids = list(relation_ids)
            if ids:
                marks = ", ".join("?" * len(ids))
                found = self.db.execute(
                    f"select count(*) from relations where id in ({marks}) and source = ? and document_id = ?",
                    [*ids, ADJUDICATED, group.document_id],
                ).fetchone()[0]
                if found != len(ids):
                    raise ProjectError("these adjudicated relations are gone or changed (by another program?); "
                                       "nothing was changed")
                self.db.execute(f"delete from relations where id in ({marks})", ids)
            self.db.execute("delete from relation_adjudications where document_id = ? and a = ? and b = ? and ends = ?",
                            [group.document_id, a, b, group.ends])
