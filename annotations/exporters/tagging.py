"""Token-level tagging shared by the sequence formats: overlap resolution, IOB2 and BILOU tags."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import TypeVar

from ..errors import ProjectError
from ..labels import label_name_problem

T = TypeVar("T")

OUTSIDE = "O"


def label_export_error(fmt: str, name: str, problem: str) -> ProjectError:
    """The one-line error for a stored label a format cannot carry, with the two ways out."""
    shown = repr(name) if len(name) <= 80 else repr(name[:60]) + "…"
    return ProjectError(
        f"cannot export {fmt}: label {shown} {problem}; it was stored before label names were checked: "
        "relabel its annotations, or leave it out with --labels"
    )


def check_tag_labels(labels: Iterable[str], fmt: str) -> None:
    """Refuse labels that would make ambiguous or unreadable tags (a line break, a tag prefix, "O"...)."""
    for name in sorted(set(labels)):
        problem = label_name_problem(name)
        if problem is not None:
            raise label_export_error(fmt, name, problem)


def longest_wins(items: Sequence[T], ranges: Sequence[tuple[int, int]]) -> tuple[list[T], list[T]]:
    """Split items into a non-overlapping selection and the ones set aside.

    Longer ranges win; among equals the earlier one, then the earlier item. The selection comes
    back in order of position. Two ranges overlap when `s1 < e2 and s2 < e1`.
    """
    order = sorted(range(len(items)), key=lambda i: (-(ranges[i][1] - ranges[i][0]), ranges[i][0], i))
    # Candidates come by length, not position, so a left-to-right sweep cannot decide them. Instead a
    # prefix-maximum tree over the sorted start positions answers "does any range taken so far start
    # before `end` and end after `start`?" in O(log n): the whole selection is O(n log n), where
    # comparing each candidate with every range taken was O(n^2) (4,000 spans: most of a CoNLL export).
    starts = sorted({start for start, _ in ranges})
    tree = _PrefixMax(len(starts))
    kept: list[int] = []
    aside: list[T] = []
    for i in order:
        start, end = ranges[i]
        if tree.maximum(bisect_left(starts, end)) > start:
            aside.append(items[i])
        else:
            tree.raise_to(bisect_left(starts, start), end)
            kept.append(i)
    kept.sort(key=lambda i: ranges[i])
    return [items[i] for i in kept], aside


class _PrefixMax:
    """A Fenwick tree of running maxima: raise one slot, read the maximum of the first k slots."""

    def __init__(self, size: int) -> None:
        self._tree: list[float] = [-math.inf] * (size + 1)

    def raise_to(self, slot: int, value: float) -> None:
        k = slot + 1
        while k < len(self._tree):
            if self._tree[k] < value:
                self._tree[k] = value
            k += k & -k

    def maximum(self, count: int) -> float:
        best = -math.inf
        k = count
        while k > 0:
            if self._tree[k] > best:
                best = self._tree[k]
            k -= k & -k
        return best


def iob2(length: int, entities: Sequence[tuple[int, int, str]]) -> list[str]:
    """Tags for `length` tokens; entities are non-overlapping token ranges [first, last) with a label."""
    tags = [OUTSIDE] * length
    for first, last, label in entities:
        for k in range(first, last):
            tags[k] = ("B-" if k == first else "I-") + label
    return tags


def bilou(tags: Sequence[str]) -> list[str]:
    """IOB2 tags of one sentence rewritten as BILOU (U- single-token, L- last token of an entity)."""
    out = list(tags)
    for k, tag in enumerate(tags):
        if tag == OUTSIDE:
            continue
        continues = k + 1 < len(tags) and tags[k + 1] == "I-" + tag[2:]
        if tag.startswith("B-"):
            out[k] = tag if continues else "U-" + tag[2:]
        elif not continues:
            out[k] = "L-" + tag[2:]
    return out

