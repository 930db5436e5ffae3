"""Relations: labelled links between two spans or regions of one document, each write one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..errors import NotFoundError, ProjectError
from ..records import ANNOTATION_KINDS, Label, Relation
from .rows import fetch_one, insert_row, now

End = tuple[str, int]
"""One end of a relation: ("span", span id) or ("region", region id)."""

_END_SQL = {
    "span": "select document_id, label, suggested from spans where id = ?",
    "region": "select p.document_id, r.label, r.suggested from regions r join pages p on p.id = r.page_id where r.id = ?",
}

_END_SUGGESTED = {
    side: f"(case {side}_kind when 'span' then (select suggested from spans where id = {side}_id) "
          f"else (select suggested from regions where id = {side}_id) end)"
    for side in ("from", "to")
}
"""Whether a relation's end is a suggestion, as an SQL expression over a relations row."""


def relation_row(r: dict) -> Relation:
    return Relation(r["id"], r["document_id"], r["label"], r["from_kind"], r["from_id"], r["to_kind"], r["to_id"],
                    r["note"] or "", r["annotator"] or "", r["created"] or "", r["updated"] or "", r["source"] or "",
                    bool(r["suggested"]))


def end_name(end: End) -> str:
    """How messages name an end: "span 3", "region 2"."""
    return f"{end[0]} {end[1]}"


class RelationStore:
    """The relation methods of `Project`.

    Deleting a span or region, however it happens (delete, rejection, adjudication), deletes its
    relations in the same statement (a trigger, see schema 0019_relations) and keeps them:
    `relations_removed_with(kind, id)` returns what the latest deletion of that annotation took,
    and `restore_relations` puts them back under their ids, which is all an undo needs.

    A relation with a suggested end is itself a suggestion: it is stored suggested, accepting its
    last suggested end accepts it, and making an end a suggestion again (undo) makes it one again.
    """

    db: Database

    if TYPE_CHECKING:

        def write(self) -> AbstractContextManager[None]: ...

        def label(self, name: str) -> Label: ...

    def add_relation(
        self,
        label: str,
        from_end: End,
        to_end: End,
        note: str = "",
        annotator: str = "",
        relation_id: int | None = None,
        source: str = "",
        suggested: bool = False,
    ) -> Relation:
        """Link `from_end` to `to_end` (same document, inferred from them); `relation_id` restores an old one."""
        with self.write():  # checked inside: another process may delete an end meanwhile
            new_id = self._insert_relation(label, tuple(from_end), tuple(to_end), note, annotator,  # type: ignore[arg-type]
                                           relation_id, source, suggested)
        return self.relation(new_id)

    def relation(self, relation_id: int) -> Relation:
        row = fetch_one(self.db.conn, "select * from relations where id = ?", [relation_id])
        if row is None:
            raise NotFoundError(f"no relation {relation_id}")
        return relation_row(row)

    def relations(self, doc_id: int | None = None) -> list[Relation]:
        """A document's relations (or every document's), by document and id."""
        if doc_id is None:
            rows = self.db.query("select * from relations order by document_id, id")
        else:
            rows = self.db.query("select * from relations where document_id = ? order by id", [doc_id])
        return [relation_row(r) for r in rows]

    def relations_of(self, kind: str, annotation_id: int) -> list[Relation]:
        """The relations with this span or region at either end, by id."""
        rows = self.db.query(
            "select * from relations where (from_kind = ? and from_id = ?) or (to_kind = ? and to_id = ?) order by id",
            [kind, annotation_id, kind, annotation_id])
        return [relation_row(r) for r in rows]

    def relations_by_id(self, relation_ids: Sequence[int]) -> list[Relation]:
        """The relations of these ids that exist, in id order."""
        ids = list(relation_ids)
        if not ids:
            return []
        rows = self.db.query(f"select * from relations where id in ({', '.join('?' * len(ids))}) order by id", ids)
        return [relation_row(r) for r in rows]

    def update_relation(self, relation_id: int, *, label: str | None = None, note: str | None = None) -> Relation:
        """Change a relation's label (checked against its ends) or note."""
        with self.write():
            relation = self.relation(relation_id)
            changes: dict[str, object] = {}
            if label is not None:
                changes["label"] = self._check_relation_label(label, relation.from_end, relation.to_end)
            if note is not None:
                changes["note"] = note
            if changes:
                self.db.execute(f"update relations set {', '.join(f'{k} = ?' for k in changes)}, updated = ? where id = ?",
                                [*changes.values(), now(), relation_id])
        return self.relation(relation_id)

    def delete_relation(self, relation_id: int) -> Relation:
        """Delete a relation; returns it (restore_relations puts it back)."""
        with self.write():
            relation = self.relation(relation_id)
            self.db.execute("delete from relations where id = ?", [relation_id])
        return relation

    def restore_relations(self, relations: Sequence[Relation]) -> list[Relation]:
        """Put deleted relations back under their ids, in one transaction (undo); their ends must exist again."""
        with self.write():
            for r in relations:
                self._insert_relation(r.label, r.from_end, r.to_end, r.note, r.annotator, r.id, r.source, r.suggested,
                                      stamps=(r.created, r.updated))
                self.db.execute("delete from relation_removals where id = ?", [r.id])
        return self.relations_by_id([r.id for r in relations])

    def relations_removed_with(self, kind: str, annotation_id: int) -> list[Relation]:
        """The relations the latest deletion of this span or region took with it and that are still gone."""
        rows = self.db.query(
            "select * from relation_removals where with_kind = ? and with_id = ? "
            "and id not in (select id from relations) order by id", [kind, annotation_id])
        return [relation_row(r) for r in rows]

    def suggested_relations(self, doc_ids: Sequence[int] | None = None) -> list[Relation]:
        """Relations not yet accepted (for these documents, or all), by document and id."""
        rows = self.db.query("select * from relations where suggested = 1 order by document_id, id")
        wanted = None if doc_ids is None else set(doc_ids)
        return [relation_row(r) for r in rows if wanted is None or r["document_id"] in wanted]

    def accept_relations(self, relation_ids: Sequence[int], annotator: str | None = None) -> list[Relation]:
        """Accept these suggested relations in one transaction (with `annotator`, they become that
        analyst's); each must be a suggestion whose ends are accepted already."""
        with self.write():
            relations = self._suggested_relations(relation_ids)
            for r in relations:
                for end in (r.from_end, r.to_end):
                    if self._end_suggested(end):
                        raise ProjectError(f"relation {r.id}: its {end_name(end)} is still a suggestion; accept it, "
                                           "and the relation comes with it")
                changes = "suggested = 0, updated = ?" + (", annotator = ?" if annotator is not None else "")
                self.db.execute(f"update relations set {changes} where id = ?",
                                [now(), *([annotator] if annotator is not None else []), r.id])
        return self.relations_by_id([r.id for r in relations])

    def relations_to_review(self, doc_ids: Sequence[int] | None = None, labels: Sequence[str] | None = None,
                            sources: Sequence[str] | None = None) -> list[Relation]:
        """Suggested relations whose ends are both accepted (no end's acceptance will accept them, so they
        are reviewed by themselves), of these documents, labels and sources (None: any), by document and id."""
        rows = self.db.query(f"select * from relations where suggested = 1 and not {_END_SUGGESTED['from']} "
                             f"and not {_END_SUGGESTED['to']} order by document_id, id")
        return [relation_row(r) for r in rows
                if (doc_ids is None or r["document_id"] in doc_ids) and (labels is None or r["label"] in labels)
                and (sources is None or r["source"] in sources)]

    def unaccept_relations(self, relation_ids: Sequence[int], annotators: dict[int, str] | None = None) -> None:
        """Undo an acceptance: these relations are suggestions again, each back with the annotator it had
        (`annotators`; none: ""), in one transaction."""
        with self.write():
            for ident in relation_ids:
                self.relation(ident)
                self.db.execute("update relations set suggested = 1, annotator = ?, updated = ? where id = ?",
                                [(annotators or {}).get(ident, ""), now(), ident])

    def reject_relations(self, relation_ids: Sequence[int]) -> list[Relation]:
        """Remove these suggested relations and remember them as rejected; returns them (for an undo)."""
        with self.write():
            relations = self._suggested_relations(relation_ids)
            for r in relations:
                self.db.execute(
                    "insert into relation_rejections (document_id, label, from_kind, from_id, to_kind, to_id, source, "
                    "relation_id, created) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [r.document_id, r.label, *r.from_end, *r.to_end, r.source, r.id, now()])
                self.db.execute("delete from relations where id = ?", [r.id])
        return relations

    def restore_rejected_relations(self, relations: Sequence[Relation]) -> list[Relation]:
        """Undo a rejection: the suggested relations come back under their ids and are no longer remembered."""
        with self.write():
            for r in relations:
                self.db.execute("delete from relation_rejections where relation_id = ?", [r.id])
                self._insert_relation(r.label, r.from_end, r.to_end, r.note, r.annotator, r.id, r.source, True,
                                      stamps=(r.created, r.updated))
        return self.relations_by_id([r.id for r in relations])

    def relation_rejected(self, label: str, from_end: End, to_end: End) -> bool:
        """Whether a suggested relation of this label between these ends was rejected before."""
        return self.db.execute(
            "select 1 from relation_rejections where label = ? and from_kind = ? and from_id = ? and to_kind = ? "
            "and to_id = ?", [label, *from_end, *to_end]).fetchone() is not None

    def _suggested_relations(self, relation_ids: Sequence[int]) -> list[Relation]:
        found = {r.id: r for r in self.relations_by_id(list(dict.fromkeys(relation_ids)))}
        for ident in dict.fromkeys(relation_ids):
            if ident not in found or not found[ident].suggested:
                raise NotFoundError(f"no suggested relation {ident} (accepted, rejected or never made)")
        return [found[i] for i in dict.fromkeys(relation_ids)]

    def _accept_relations_of(self, kind: str, annotation_ids: Sequence[int], annotator: str | None) -> None:
        """Inside a write: accept the suggested relations at these ends whose ends are now all accepted."""
        for ident in annotation_ids:
            changes = "suggested = 0, updated = ?" + (", annotator = ?" if annotator is not None else "")
            self.db.execute(
                f"update relations set {changes} where suggested = 1 "
                f"and ((from_kind = ? and from_id = ?) or (to_kind = ? and to_id = ?)) "
                f"and not {_END_SUGGESTED['from']} and not {_END_SUGGESTED['to']}",
                [now(), *([annotator] if annotator is not None else []), kind, ident, kind, ident])

    def _suggest_relations_of(self, kind: str, annotation_id: int, annotator: str | None) -> None:
        """Inside a write: the relations at an end that became a suggestion again are suggestions again."""
        changes = "suggested = 1, updated = ?" + (", annotator = ?" if annotator is not None else "")
        self.db.execute(
            f"update relations set {changes} where suggested = 0 "
            f"and ((from_kind = ? and from_id = ?) or (to_kind = ? and to_id = ?))",
            [now(), *([annotator] if annotator is not None else []), kind, annotation_id, kind, annotation_id])

    def _restore_relations_of(self, kind: str, annotation_id: int) -> None:
        """Inside a write: put back what deleting this end took whose other end is here again (undo of a rejection)."""
        for r in self.relations_removed_with(kind, annotation_id):
            other = r.to_end if r.from_end == (kind, annotation_id) else r.from_end
            if self.db.execute(_END_SQL[other[0]], [other[1]]).fetchone() is None:
                continue
            self._insert_relation(r.label, r.from_end, r.to_end, r.note, r.annotator, r.id, r.source, r.suggested,
                                  stamps=(r.created, r.updated))
            self.db.execute("delete from relation_removals where id = ?", [r.id])

    def _insert_relation(self, label: str, from_end: End, to_end: End, note: str, annotator: str,
                         relation_id: int | None, source: str, suggested: bool,
                         stamps: tuple[str, str] | None = None) -> int:
        doc_id = self._check_ends(from_end, to_end)
        label = self._check_relation_label(label, from_end, to_end)
        suggested = suggested or self._end_suggested(from_end) or self._end_suggested(to_end)
        stamp = now()
        created, updated = stamps if stamps and stamps[0] else (stamp, stamp)
        row: dict[str, object] = {
            "document_id": doc_id, "label": label, "from_kind": from_end[0], "from_id": from_end[1],
            "to_kind": to_end[0], "to_id": to_end[1], "note": note, "annotator": annotator, "created": created,
            "updated": updated, "source": source, "suggested": int(suggested),
        }
        if relation_id is not None:
            if self.db.execute("select 1 from relations where id = ?", [relation_id]).fetchone():
                raise ProjectError(f"relation {relation_id} exists already")
            row["id"] = relation_id
        return insert_row(self.db.conn, "relations", row)

    def _end_suggested(self, end: End) -> bool:
        row = self.db.execute(_END_SQL[end[0]], [end[1]]).fetchone()
        return bool(row and row[2])

    def _end(self, end: End) -> tuple[int, str]:
        """(document id, label) of an end, or a one-line error."""
        kind, ident = end
        if kind not in ANNOTATION_KINDS:
            raise ProjectError(f"a relation's end is a span or a region, not a {kind!r}")
        row = self.db.execute(_END_SQL[kind], [ident]).fetchone()
        if row is None:
            raise NotFoundError(f"no {kind} {ident}")
        return row[0], row[1]

    def _check_ends(self, from_end: End, to_end: End) -> int:
        if tuple(from_end) == tuple(to_end):
            raise ProjectError(f"a relation links two annotations, not {end_name(from_end)} to itself")
        from_doc = self._end(from_end)[0]
        to_doc = self._end(to_end)[0]
        if from_doc != to_doc:
            raise ProjectError(f"{end_name(from_end)} is in document {from_doc} and {end_name(to_end)} in document "
                               f"{to_doc}; a relation links annotations of one document")
        return from_doc

    def _check_relation_label(self, label: str, from_end: End, to_end: End) -> str:
        """The relation label's name as stored (`label` may be written the other way, see Labels.label)."""
        relation_label = self.label(label)
        if not relation_label.is_relation:
            raise ProjectError(f"label {label!r} tags spans and regions; a relation needs a relation label "
                               "(scanspan labels --add NAME --kind relation)")
        for end, allowed, side in ((from_end, relation_label.from_labels, "from"),
                                   (to_end, relation_label.to_labels, "to")):
            end_label = self._end(end)[1]
            if allowed and end_label not in allowed:
                raise ProjectError(f"relation {label!r} goes {side} {' or '.join(allowed)}, "
                                   f"not {end_label} ({end_name(end)})")
        return relation_label.name
