"""Where two analysts' spans differ, grouped into disagreements to settle into the adjudicated layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ProjectError
from ..layers import is_adjudicated
from ..records import Span

if TYPE_CHECKING:
    from ..store import Project

KINDS = ("only a", "only b", "label", "boundary")


@dataclass(frozen=True)
class Disagreement:
    """Spans of a and b over one stretch of words (spans that share a word, transitively).

    `kind`: "only a" or "only b" (the other marked nothing there), "label" (the same words, another
    label), "boundary" (overlapping words, other extents). `extent` is the stretch's first and last
    word id; `agreed` stretches (both marked exactly the same) come with kind "".
    """

    document_id: int
    extent: tuple[int, int]
    a: tuple[Span, ...]
    b: tuple[Span, ...]
    kind: str

    @property
    def agreed(self) -> bool:
        return not self.kind


def _key(span: Span) -> tuple[object, ...]:
    return span.label, span.first_word_id, span.last_word_id, span.head, span.tail


def _kind(a: list[Span], b: list[Span]) -> str:
    if sorted(map(_key, a)) == sorted(map(_key, b)):
        return ""
    if not b:
        return "only a"
    if not a:
        return "only b"
    extents = sorted(k[1:] for k in map(_key, a)), sorted(k[1:] for k in map(_key, b))
    return "label" if extents[0] == extents[1] else "boundary"


def stretches(project: Project, doc_id: int, a: str, b: str) -> list[Disagreement]:
    """Every stretch of words where a or b marked spans, in reading order, agreed ones included.

    Only what each analyst made counts: suggestions not accepted and adjudicated spans do not.
    """
    order: list[int] = []
    position: dict[tuple[int, int], int] = {}
    for page in project.pages(doc_id):
        for row in project.word_rows(page.id):
            position[(page.number, row[2])] = len(order)
            order.append(row[0])
    marked = []
    for span, (p1, i1, p2, i2) in project.located_spans(doc_id):
        if span.suggested or is_adjudicated(span) or span.annotator not in (a, b):
            continue
        marked.append((position[(p1, i1)], position[(p2, i2)], span))
    marked.sort(key=lambda m: (m[0], m[1], m[2].id))
    groups: list[tuple[int, int, list[Span]]] = []
    for start, end, span in marked:
        if groups and start <= groups[-1][1]:
            first, last, spans = groups[-1]
            groups[-1] = (first, max(last, end), [*spans, span])
        else:
            groups.append((start, end, [span]))
    result = []
    for first, last, spans in groups:
        mine = [s for s in spans if s.annotator == a]
        theirs = [s for s in spans if s.annotator == b]
        result.append(Disagreement(doc_id, (order[first], order[last]), tuple(mine), tuple(theirs), _kind(mine, theirs)))
    return result


def open_disagreements(project: Project, doc_id: int, a: str, b: str) -> list[Disagreement]:
    """The stretches of a document a and b disagree on that nobody has settled yet."""
    done = project.settled(doc_id, a, b)
    return [d for d in stretches(project, doc_id, a, b) if not d.agreed and d.extent not in done]


def adopt_agreed(project: Project, doc_id: int, a: str, b: str, adjudicator: str) -> int:
    """Copy every stretch both marked alike into the adjudicated layer (once); how many stretches."""
    done = project.settled(doc_id, a, b)
    count = 0
    for stretch in stretches(project, doc_id, a, b):
        if stretch.agreed and stretch.extent not in done:
            project.settle(doc_id, a, b, stretch.extent, "agreed", adjudicator, stretch.a)
            count += 1
    return count


def keep(project: Project, stretch: Disagreement, a: str, b: str, decision: str, adjudicator: str) -> list[Span]:
    """Settle a disagreement: keep a's spans, b's, both or neither in the adjudicated layer."""
    choices = {"a": stretch.a, "b": stretch.b, "both": stretch.a + stretch.b, "neither": ()}
    if decision not in choices:
        raise ProjectError(f"keep a, b, both or neither, not {decision!r}")
    return project.settle(stretch.document_id, a, b, stretch.extent, decision, adjudicator, choices[decision])
