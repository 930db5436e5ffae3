"""Token-level tagging shared by the sequence formats: overlap resolution, IOB2 and BILOU tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

OUTSIDE = "O"


def longest_wins(items: Sequence[T], ranges: Sequence[tuple[int, int]]) -> tuple[list[T], list[T]]:
    """Split items into a non-overlapping selection and the ones set aside.

    Longer ranges win; among equals the earlier one, then the earlier item. The selection comes
    back in order of position.
    """
    order = sorted(range(len(items)), key=lambda i: (-(ranges[i][1] - ranges[i][0]), ranges[i][0], i))
    taken: list[tuple[int, int]] = []
    kept: list[int] = []
    aside: list[T] = []
    for i in order:
        start, end = ranges[i]
        if any(start < e and s < end for s, e in taken):
            aside.append(items[i])
        else:
            taken.append((start, end))
            kept.append(i)
    kept.sort(key=lambda i: ranges[i])
    return [items[i] for i in kept], aside


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

