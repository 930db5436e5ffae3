"""Inter-annotator agreement between each pair of analysts: span F1, token kappa and alpha, region IoU."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, TypeVar

from .layers import is_adjudicated
from .model import Box, box_iou

if TYPE_CHECKING:
    from .store import Project

OUTSIDE = "O"
"""The token category of a word no span of the analyst covers."""

REGION_IOU = 0.5
"""Two regions of one label on one page agree when their intersection over union reaches this."""


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


T = TypeVar("T", Mark, Area)


@dataclass
class Layer:
    """What one analyst marked: spans, regions, and each shared document's word labels."""

    marks: list[Mark] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
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
    pairs = sorted(
        ((box_iou(x.box, y.box), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
         if (x.document_id, x.page, x.label) == (y.document_id, y.page, y.label)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched = []
    for value, i, j in pairs:
        if value < REGION_IOU:
            break
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched.append(value)
    return matched


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
    )


def layers(project: Project) -> tuple[dict[str, Layer], dict[int, int]]:
    """Each analyst's layer (accepted spans and regions they made, adjudication left out) and each
    document's word count."""
    found: dict[str, Layer] = {}
    sizes: dict[int, int] = {}
    for doc in project.documents():
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
            layer.marks.append(Mark(doc.id, span.label, (p1, i1, span.head), (p2, i2, span.tail), tokens))
            layer.documents.add(doc.id)
        for region in project.regions(doc.id):
            if region.suggested or is_adjudicated(region):
                continue
            layer = found.setdefault(region.annotator, Layer())
            layer.areas.append(Area(doc.id, page_numbers[region.page_id], region.label, region.box))
            layer.documents.add(doc.id)
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
            labels = sorted({m.label for m in a.marks + b.marks} | {r.label for r in a.areas + b.areas})
            results += [compare(a_name, b_name, a, b, sizes, label=name) for name in labels]
        if by_document:
            results += [compare(a_name, b_name, a, b, sizes, document=d) for d in sorted(a.documents & b.documents)]
    return results
