"""Where two analysts' relations differ, grouped by the pair of annotations they link, to settle into the adjudicated layer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ProjectError
from ..layers import is_adjudicated
from ..records import Region, Relation, Span
from .agreement import Area, region_pairs

if TYPE_CHECKING:
    from ..store import Project

EndKey = tuple[object, ...]
"""What an end is, whoever made it: ("span", label, first word id, last word id, head, tail) or
("region", page id, label, box), a region of b standing for the region of a it pairs with."""


@dataclass(frozen=True)
class RelationDisagreement:
    """The relations of a and b between one pair of annotations (theirs matching as agreement matches them).

    `kind`: "only a" or "only b" (the other linked them by nothing), "label" (both linked them, under
    other labels), "direction" (the same labels, one of them the other way round), or "" when both
    made the same relations. `ends` (the pair's identity as text) is how the decision is remembered.
    """

    document_id: int
    ends: str
    a: tuple[Relation, ...]
    b: tuple[Relation, ...]
    kind: str

    @property
    def agreed(self) -> bool:
        return not self.kind


def _span_key(span: Span) -> EndKey:
    return ("span", span.label, span.first_word_id, span.last_word_id, span.head, span.tail)


def _region_key(region: Region) -> EndKey:
    return ("region", region.page_id, region.label, tuple(region.box))


def _own(item: Span | Region, a: str, b: str) -> bool:
    return not item.suggested and not is_adjudicated(item) and item.annotator in (a, b)


def relation_stretches(project: Project, doc_id: int, a: str, b: str) -> list[RelationDisagreement]:
    """Every pair of annotations a or b linked, agreed ones included, in the order of their first relation.

    Only what each analyst made counts: suggestions not accepted and adjudicated relations do not.
    """
    relations = [r for r in project.relations(doc_id)
                 if not r.suggested and not is_adjudicated(r) and r.annotator in (a, b)]
    if not relations:
        return []
    spans = {s.id: s for s in project.spans(doc_id)}
    regions = {g.id: g for g in project.regions(doc_id)}
    mine = [g for g in regions.values() if _own(g, a, b) and g.annotator == a]
    theirs = [g for g in regions.values() if _own(g, a, b) and g.annotator == b]

    def area(g: Region) -> Area:
        return Area(doc_id, g.page_id, g.label, g.box)

    as_a = {theirs[j].id: mine[i].id for _, i, j in region_pairs([area(g) for g in mine], [area(g) for g in theirs])}

    def key(kind: str, ident: int) -> EndKey:
        if kind == "span":
            return _span_key(spans[ident])
        return _region_key(regions[as_a.get(ident, ident)])

    groups: dict[str, list[tuple[Relation, EndKey, EndKey]]] = {}
    for r in relations:
        ends = key(*r.from_end), key(*r.to_end)
        pair = json.dumps(sorted(ends, key=repr), default=list)
        groups.setdefault(pair, []).append((r, *ends))
    directed = {label.name: label.directed for label in project.labels() if label.is_relation}
    result = []
    for pair, members in groups.items():
        def signature(who: str) -> list[tuple[str, str]]:
            found = []
            for r, start, end in members:  # noqa: B023 - used at once
                if r.annotator != who:
                    continue
                ends = [repr(start), repr(end)]
                found.append((r.label, "->".join(ends if directed.get(r.label, True) else sorted(ends))))
            return sorted(found)

        left, right = signature(a), signature(b)
        in_a = tuple(r for r, _, _ in members if r.annotator == a)
        in_b = tuple(r for r, _, _ in members if r.annotator == b)
        if left == right:
            kind = ""
        elif not right:
            kind = "only a"
        elif not left:
            kind = "only b"
        else:
            kind = "direction" if sorted(x[0] for x in left) == sorted(x[0] for x in right) else "label"
        result.append(RelationDisagreement(doc_id, pair, in_a, in_b, kind))
    return result


def open_relation_disagreements(project: Project, doc_id: int, a: str, b: str) -> list[RelationDisagreement]:
    """The pairs whose relations a and b disagree on that nobody has settled yet."""
    done = project.settled_relations(doc_id, a, b)
    return [d for d in relation_stretches(project, doc_id, a, b) if not d.agreed and d.ends not in done]


def adopt_agreed_relations(project: Project, doc_id: int, a: str, b: str, adjudicator: str) -> int:
    """Copy every pair both linked alike (a's relations) into the adjudicated layer (once), where both
    its ends are there already; how many pairs. A pair whose ends are not is adopted by a later run."""
    done = project.settled_relations(doc_id, a, b)
    count = 0
    for group in relation_stretches(project, doc_id, a, b):
        if group.agreed and group.ends not in done and not project.relations_unplaced(group.a):
            project.settle_relations(group, a, b, "agreed", adjudicator, group.a)
            count += 1
    return count


def keep_relations(project: Project, group: RelationDisagreement, a: str, b: str, decision: str,
                   adjudicator: str) -> list[Relation]:
    """Settle a disagreement: keep a's relations, b's, both or neither in the adjudicated layer, between
    the adjudicated copies of their ends (a ProjectError, and nothing changed, when one is not there)."""
    choices: dict[str, Sequence[Relation]] = {"a": group.a, "b": group.b, "both": group.a + group.b, "neither": ()}
    if decision not in choices:
        raise ProjectError(f"keep a, b, both or neither, not {decision!r}")
    return project.settle_relations(group, a, b, decision, adjudicator, choices[decision])
