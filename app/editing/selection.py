"""What the analyst has selected: a run of document text, and/or one annotation.

A text selection is a pair of positions (page number, character offset in that page's text), so it
can run across pages while each view shows only its own page. Both views write it, both follow it;
`origin` tells a view not to react to its own change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from annotations.model import Page

from app.project.session import PageData

Pos = tuple[int, int]
"""(page number, character offset in that page's text)"""


@dataclass(frozen=True)
class TextRange:
    doc_id: int
    start: Pos
    end: Pos

    @classmethod
    def between(cls, doc_id: int, a: Pos, b: Pos) -> TextRange:
        return cls(doc_id, min(a, b), max(a, b))

    @property
    def empty(self) -> bool:
        return self.start >= self.end

    def on_page(self, number: int, length: int) -> tuple[int, int] | None:
        """The part of this range on page `number` (whose text has `length` characters)."""
        if not self.start[0] <= number <= self.end[0]:
            return None
        start = self.start[1] if number == self.start[0] else 0
        end = self.end[1] if number == self.end[0] else length
        return (start, end) if end > start else None


@dataclass(frozen=True)
class AnnotationRef:
    kind: str  # "span" | "region"
    id: int


@dataclass(frozen=True)
class Anchor:
    """A text range snapped to words, as the core stores a span."""

    first_word_id: int
    last_word_id: int
    head: int
    tail: int


def anchor(rng: TextRange, pages: list[Page], data: Callable[[Page], PageData]) -> Anchor | None:
    """The words a range covers (partial words keep head/tail offsets); None when it covers none."""
    first: tuple[int, int] | None = None  # (word id, head)
    last: tuple[int, int] | None = None  # (word id, tail)
    for number in range(rng.start[0], rng.end[0] + 1):
        page_data = data(pages[number - 1])
        text = page_data.text
        part = rng.on_page(number, len(text.text))
        if part is None:
            continue
        hits = text.words_in_range(*part)
        if not hits:
            continue
        if first is None:
            i = hits[0]
            first = (text.words[i].id, max(0, part[0] - text.starts[i]))
        j = hits[-1]
        last = (text.words[j].id, max(0, text.ends[j] - part[1]))
    if first is None or last is None:
        return None
    return Anchor(first[0], last[0], first[1], last[1])


class Selection(QObject):
    rangeChanged = Signal(object, str)  # TextRange | None, origin
    annotationChanged = Signal(object)  # AnnotationRef | None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._range: TextRange | None = None
        self._anchor: tuple[Pos, Pos] | None = None  # the range a shift-extension grows from
        self._annotation: AnnotationRef | None = None

    @property
    def range(self) -> TextRange | None:
        return self._range

    @property
    def annotation(self) -> AnnotationRef | None:
        return self._annotation

    def set_range(self, rng: TextRange | None, origin: str, keep_anchor: bool = False) -> None:
        if rng is not None and rng.empty:
            rng = None
        if not keep_anchor:
            self._anchor = (rng.start, rng.end) if rng else None
        if rng == self._range:
            return
        self._range = rng
        if rng is not None and self._annotation is not None:
            self._annotation = None
            self.annotationChanged.emit(None)
        self.rangeChanged.emit(rng, origin)

    def extend_to(self, doc_id: int, start: Pos, end: Pos, origin: str) -> None:
        """Shift+click: from the first selection made (the anchor) to the words [start, end)."""
        if self._anchor is None or self._range is None or self._range.doc_id != doc_id:
            self.set_range(TextRange(doc_id, start, end), origin)
            return
        a0, a1 = self._anchor
        rng = TextRange(doc_id, a0, max(end, a1)) if start >= a0 else TextRange(doc_id, start, a1)
        self.set_range(rng, origin, keep_anchor=True)

    def set_annotation(self, ref: AnnotationRef | None) -> None:
        if ref is not None and self._range is not None:
            self._range = None
            self._anchor = None
            self.rangeChanged.emit(None, "annotation")
        if ref == self._annotation:
            return
        self._annotation = ref
        self.annotationChanged.emit(ref)

    def clear(self) -> None:
        self.set_range(None, "clear")
        self.set_annotation(None)
