"""Annotation layers: each analyst's spans and regions, the adjudicated layer, and their union."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

ADJUDICATED = "adjudicated"
"""The `source` of a span or region kept by adjudication; together they are the adjudicated layer."""

UNION = "union"


class Annotation(Protocol):
    @property
    def annotator(self) -> str: ...

    @property
    def source(self) -> str: ...


class Reviewable(Annotation, Protocol):
    @property
    def suggested(self) -> bool: ...


def is_adjudicated(item: Annotation) -> bool:
    return item.source == ADJUDICATED


def is_tag(item: Reviewable) -> bool:
    """Whether a span or region counts as one of a document's tags: made or accepted by an analyst,
    not a suggestion still to review, and not adjudication's copy of a tag already counted."""
    return not item.suggested and not is_adjudicated(item)


def in_layer(item: Annotation, layer: str) -> bool:
    """Whether a span or region belongs to `layer`: "adjudicated", "union" (everything) or an annotator's name.

    An analyst's layer is what they made themselves, not what they kept while adjudicating.
    """
    if layer == UNION:
        return True
    if layer == ADJUDICATED:
        return is_adjudicated(item)
    return item.annotator == layer and not is_adjudicated(item)


def default_layer(items: Sequence[Annotation]) -> str:
    """The adjudicated layer where any of `items` was adjudicated, else the union (what exports gave before layers)."""
    return ADJUDICATED if any(is_adjudicated(i) for i in items) else UNION
