"""What the analyst has selected: runs of document text, and/or one annotation.

A text selection is one or more ranges of (page number, character offset) positions, so it can run
across pages while each view shows only its own page, and a selection made by geometry on the scan
can skip words the OCR put between (a letterhead column). Ranges are always snapped to whole words
(see annotations.text.ranges.snap) before they get here: what is selected is what a tag stores.
Both views write it, both follow it; `origin` tells a view not to react to its own change.
It belongs to the page on screen (`page`): app/editing/shown.py keeps it to that page and is the one
check every edit of it goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from annotations.text.ranges import Anchor, Pos, TextRange, anchor

__all__ = ["Anchor", "AnnotationRef", "Pos", "Selection", "TextRange", "anchor"]


@dataclass(frozen=True)
class AnnotationRef:
    kind: str  # "span" | "region" | "relation"
    id: int


class Selection(QObject):
    rangeChanged = Signal(object, str)  # TextRange | None (the hull of the ranges), origin
    annotationChanged = Signal(object)  # AnnotationRef | None
    pageChanged = Signal(object)  # (document id, page number) | None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ranges: tuple[TextRange, ...] = ()
        self._anchor: tuple[Pos, Pos] | None = None  # the range a shift-extension grows from
        self._annotation: AnnotationRef | None = None
        self._page: tuple[int, int] | None = None

    @property
    def page(self) -> tuple[int, int] | None:
        """(document id, page number) of the page on screen, which the selection belongs to."""
        return self._page

    def set_page(self, page: tuple[int, int] | None) -> None:
        """Record the page on screen (what of the selection stays is app/editing/shown.py's rule)."""
        if page != self._page:
            self._page = page
            self.pageChanged.emit(page)

    @property
    def ranges(self) -> tuple[TextRange, ...]:
        return self._ranges

    @property
    def range(self) -> TextRange | None:
        """From the first selected word to the last (the ranges themselves may leave words out)."""
        if not self._ranges:
            return None
        first, last = self._ranges[0], self._ranges[-1]
        return TextRange(first.doc_id, first.start, last.end)

    @property
    def annotation(self) -> AnnotationRef | None:
        return self._annotation

    def set_range(self, rng: TextRange | None, origin: str, keep_anchor: bool = False) -> None:
        self.set_ranges([rng] if rng is not None else [], origin, keep_anchor)

    def set_ranges(self, ranges: Sequence[TextRange], origin: str, keep_anchor: bool = False) -> None:
        kept = tuple(sorted((r for r in ranges if not r.empty), key=lambda r: r.start))
        if not keep_anchor:
            self._anchor = (kept[0].start, kept[-1].end) if kept else None
        if kept == self._ranges:
            return
        self._ranges = kept
        if kept and self._annotation is not None:
            self._annotation = None
            self.annotationChanged.emit(None)
        self.rangeChanged.emit(self.range, origin)

    def extend_to(self, doc_id: int, start: Pos, end: Pos, origin: str) -> None:
        """Shift+click in text order: from the first selection made (the anchor) to the words [start, end)."""
        rng = self.range
        if self._anchor is None or rng is None or rng.doc_id != doc_id:
            self.set_range(TextRange(doc_id, start, end), origin)
            return
        a0, a1 = self._anchor
        grown = TextRange(doc_id, a0, max(end, a1)) if start >= a0 else TextRange(doc_id, start, a1)
        self.set_range(grown, origin, keep_anchor=True)

    def set_annotation(self, ref: AnnotationRef | None) -> None:
        if ref is not None and self._ranges:
            self._ranges = ()
            self._anchor = None
            self.rangeChanged.emit(None, "annotation")
        if ref == self._annotation:
            return
        self._annotation = ref
        self.annotationChanged.emit(ref)

    def forget(self, ref: AnnotationRef) -> None:
        """The annotation is gone (deleted, undone, removed by another program): nothing stays selected."""
        if self._annotation == ref:
            self.set_annotation(None)

    def clear(self) -> None:
        self.set_range(None, "clear")
        self.set_annotation(None)
