"""Inter-annotator agreement between each pair of analysts: span F1, token kappa and alpha, region IoU, relation F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, TypeVar

from ..layers import is_adjudicated
from ..records import REGION_IOU, Box, box_iou

if TYPE_CHECKING:
    from ..store import Project

OUTSIDE = "O"
"""The token category of a word no span of the analyst covers."""



@dataclass(frozen=True)
class Mark:
    """One analyst's span reduced to what agreement compares: where it lies and its label."""

    document_id: int
    label: str
    start: tuple[int, int, int]  # (page number, word index, characters cut from the first word)
    end: tuple[int, int, int]  # (page number, word index, characters cut from the last word)
    tokens: range  # positions in the document's word order

    @property
    def key(self) -> tuple[object, ...]:
        return self.document_id, self.label, self.start, self.end


@dataclass(frozen=True)
class Area:
    document_id: int
    page: int
    label: str
    box: Box


End = tuple[str, object]
"""One end of a link as agreement compares it: ("span", Mark.key) or ("region", Area)."""


@dataclass(frozen=True)
class Link:
    """One analyst's relation reduced to its label and its ends; an undirected one's ends in a fixed order."""

    document_id: int
    label: str
    ends: tuple[End, End]
    directed: bool


T = TypeVar("T", Mark, Area, Link)


@dataclass
class Layer:
    """What one analyst marked: spans, regions, relations, and each shared document's word labels."""

    marks: list[Mark] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    documents: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Agreement:
    """The figures for one pair of analysts, one label ("" for all) and one document (None for all).

    `a` is the reference: precision is the share of b's spans that a has too, recall the share of a's
    that b has. None where a figure is undefined (nothing to compare, or no variation for kappa/alpha).
    """

    a: str
    b: str
    label: str
    document: int | None
    documents: int
    a_spans: int
    b_spans: int
    exact: int
    precision: float | None
    recall: float | None
    f1: float | None
    overlap_precision: float | None
    overlap_recall: float | None
    overlap_f1: float | None
    tokens: int
    kappa: float | None
    alpha: float | None
    a_regions: int
    b_regions: int
    regions_matched: int
    region_f1: float | None
    region_iou: float | None
    a_relations: int = 0
    b_relations: int = 0
    relations_matched: int = 0
    relation_f1: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def exact_matches(a: Sequence[Mark], b: Sequence[Mark]) -> int:
    """Spans both have with the same label, first and last word and character cuts (each counted once)."""
    left, right = Counter(m.key for m in a), Counter(m.key for m in b)
    return sum((left & right).values())


def _overlapping(marks: Sequence[Mark], others: Sequence[Mark]) -> int:
    """How many of `marks` share at least one word with a span of `others` of the same label and document."""
    by_place: dict[tuple[int, str], list[range]] = {}
    for o in others:
        by_place.setdefault((o.document_id, o.label), []).append(o.tokens)
    return sum(
        any(r.start < m.tokens.stop and m.tokens.start < r.stop for r in by_place.get((m.document_id, m.label), []))
        for m in marks
    )


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long category sequences; None when chance agreement is total."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[c] * cb[c] for c in ca) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def krippendorff_alpha(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Krippendorff's alpha (nominal) of two analysts' token categories; None when only one category occurs."""
    values = sorted(set(a) | set(b))
    if len(values) < 2:
        return None
    import krippendorff  # numpy's import is a third of a second: only for this command

    code = {v: i for i, v in enumerate(values)}
    data = [[code[x] for x in a], [code[y] for y in b]]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def region_matches(a: Sequence[Area], b: Sequence[Area]) -> list[float]:
    """The IoU of each pair matched one to one (same page and label, best IoU first, IoU >= REGION_IOU)."""
    return [value for value, _, _ in region_pairs(a, b)]


def region_pairs(a: Sequence[Area], b: Sequence[Area]) -> list[tuple[float, int, int]]:
    """(IoU, index in a, index in b) of each pair `region_matches` counts."""
    pairs = sorted(
        ((box_iou(x.box, y.box), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
         if (x.document_id, x.page, x.label) == (y.document_id, y.page, y.label)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched: list[tuple[float, int, int]] = []
    for value, i, j in pairs:
        if value < REGION_IOU:
            break
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched.append((value, i, j))
    return matched


def _link_key(link: Link, as_a: dict[Area, Area]) -> tuple[object, ...]:
    """What two links must share to match: document, label and both ends, a region end of b standing
    for the region of a it was paired with (so the IoU rule decides), an undirected link's ends either way."""
    ends = [(kind, as_a.get(value, value) if kind == "region" else value) for kind, value in link.ends]  # type: ignore[call-overload]
    if not link.directed:
        ends.sort(key=repr)
    return link.document_id, link.label, *ends


def relation_matches(a: Layer, b: Layer, a_links: Sequence[Link], b_links: Sequence[Link]) -> int:
    """How many of the links match one to one: same label, and both ends match as spans (same words,
    cuts and label) and regions (paired at IoU >= REGION_IOU, same page and label) do."""
    as_a = {b.areas[j]: a.areas[i] for _, i, j in region_pairs(a.areas, b.areas)}
    left = Counter(_link_key(link, {}) for link in a_links)
    right = Counter(_link_key(link, as_a) for link in b_links)
    return sum((left & right).values())


def token_labels(marks: Iterable[Mark], size: int) -> list[str]:
    """Each word's label from the analyst's spans; where two overlap, the one starting first wins."""
    labels = [OUTSIDE] * size
    for mark in sorted(marks, key=lambda m: (m.tokens.start, m.tokens.stop), reverse=True):
        for t in mark.tokens:
            labels[t] = mark.label
    return labels


def compare(a_name: str, b_name: str, a: Layer, b: Layer, sizes: dict[int, int], label: str = "",
            document: int | None = None) -> Agreement:
    """The agreement of two layers over the documents both annotated (`sizes`: words per document)."""
    shared = a.documents & b.documents
    if document is not None:
        shared &= {document}

    def keep(items: Iterable[T]) -> list[T]:
        return [i for i in items if i.document_id in shared and (not label or i.label == label)]

    ma, mb = keep(a.marks), keep(b.marks)
    ra, rb = keep(a.areas), keep(b.areas)
    la, lb = keep(a.links), keep(b.links)
    linked = relation_matches(a, b, la, lb)
    l_precision, l_recall = _ratio(linked, len(lb)), _ratio(linked, len(la))
    exact = exact_matches(ma, mb)
    precision, recall = _ratio(exact, len(mb)), _ratio(exact, len(ma))
    o_precision, o_recall = _ratio(_overlapping(mb, ma), len(mb)), _ratio(_overlapping(ma, mb), len(ma))
    ta: list[str] = []
    tb: list[str] = []
    for doc_id in sorted(shared):
        doc_a = token_labels((m for m in ma if m.document_id == doc_id), sizes[doc_id])
        doc_b = token_labels((m for m in mb if m.document_id == doc_id), sizes[doc_id])
        if label:  # one label against everything else
            doc_a = [t if t == label else OUTSIDE for t in doc_a]
            doc_b = [t if t == label else OUTSIDE for t in doc_b]
        ta += doc_a
        tb += doc_b
    ious = region_matches(ra, rb)
    r_precision, r_recall = _ratio(len(ious), len(rb)), _ratio(len(ious), len(ra))
    return Agreement(
        a_name, b_name, label, document, len(shared), len(ma), len(mb), exact,
        precision, recall, _f1(precision, recall), o_precision, o_recall, _f1(o_precision, o_recall),
        len(ta), cohen_kappa(ta, tb), krippendorff_alpha(ta, tb),
        len(ra), len(rb), len(ious), _f1(r_precision, r_recall), sum(ious) / len(ious) if ious else None,
        len(la), len(lb), linked, _f1(l_precision, l_recall),
    )


def layers(project: Project) -> tuple[dict[str, Layer], dict[int, int]]:
    """Each analyst's layer (accepted spans, regions and relations they made, adjudication left out)
    and each document's word count."""
    found: dict[str, Layer] = {}
    sizes: dict[int, int] = {}
    directed = {label.name: label.directed for label in project.labels() if label.is_relation}
    for doc in project.documents():
        ends: dict[tuple[str, int], End] = {}
        order: dict[tuple[int, int], int] = {}
        page_numbers = {}
        for page in project.pages(doc.id):
            page_numbers[page.id] = page.number
            for row in project.word_rows(page.id):
                order[(page.number, row[2])] = len(order)
        sizes[doc.id] = len(order)
        for span, (p1, i1, p2, i2) in project.located_spans(doc.id):
            if span.suggested or is_adjudicated(span):
                continue
            layer = found.setdefault(span.annotator, Layer())
            tokens = range(order[(p1, i1)], order[(p2, i2)] + 1)
            mark = Mark(doc.id, span.label, (p1, i1, span.head), (p2, i2, span.tail), tokens)
            ends[("span", span.id)] = ("span", mark.key)
            layer.marks.append(mark)
            layer.documents.add(doc.id)
        for region in project.regions(doc.id):
            if region.suggested or is_adjudicated(region):
                continue
            layer = found.setdefault(region.annotator, Layer())
            area = Area(doc.id, page_numbers[region.page_id], region.label, region.box)
            ends[("region", region.id)] = ("region", area)
            layer.areas.append(area)
            layer.documents.add(doc.id)
        for relation in project.relations(doc.id):
            # A relation counts where both its ends are the analysts' own judgments, as spans and regions do.
            if relation.suggested or is_adjudicated(relation) or relation.annotator not in found:
                continue
            if relation.from_end not in ends or relation.to_end not in ends:
                continue
            found[relation.annotator].links.append(Link(doc.id, relation.label,
                                                        (ends[relation.from_end], ends[relation.to_end]),
                                                        directed.get(relation.label, True)))
    return found, sizes


def agreement(project: Project, by_label: bool = False, by_document: bool = False) -> list[Agreement]:
    """Every pair of analysts (in name order, the first the reference): overall, then per label and
    per document when asked."""
    found, sizes = layers(project)
    results = []
    for a_name, b_name in combinations(sorted(found), 2):
        a, b = found[a_name], found[b_name]
        results.append(compare(a_name, b_name, a, b, sizes))
        if by_label:
            labels = sorted({m.label for m in a.marks + b.marks} | {r.label for r in a.areas + b.areas}
                            | {link.label for link in a.links + b.links})
            results += [compare(a_name, b_name, a, b, sizes, label=name) for name in labels]
        if by_document:
            results += [compare(a_name, b_name, a, b, sizes, document=d) for d in sorted(a.documents & b.documents)]
    return results
