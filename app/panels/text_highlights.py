"""Span highlights in the OCR text, applied per block by a QSyntaxHighlighter.

Overlaps stay visible: each stretch of text gets the colours of every span over it, composited,
and the underline of the innermost one. Only the blocks on screen are ever laid out, and a page's
300 spans cost a few milliseconds (no QTextCursor per span).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

FILL_ALPHA = 0.28
SUGGESTION_ALPHA = 0.1  # a suggestion not yet reviewed: a light background over a dotted underline
CURRENT_ALPHA = 0.8


@dataclass(frozen=True)
class Mark:
    start: int  # Qt positions in the document
    end: int
    span_id: int
    color: QColor
    suggested: bool = False


def _over(base: tuple[float, float, float], color: QColor, alpha: float) -> tuple[float, float, float]:
    return tuple(b * (1 - alpha) + c * alpha for b, c in zip(base, (color.red(), color.green(), color.blue())))  # type: ignore[return-value]


class SpanHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.marks: list[Mark] = []
        self._starts: list[int] = []
        self._longest = 0
        self._formats: dict[tuple, QTextCharFormat] = {}
        self.current: int | None = None  # the selected span, drawn strong

    def set_marks(self, marks: list[Mark], current: int | None, rehighlight: bool = True) -> None:
        """`marks` sorted by (start, -end)."""
        self.marks = marks
        self.current = current
        self._starts = [m.start for m in self.marks]
        self._longest = max((m.end - m.start for m in self.marks), default=0)
        if rehighlight:
            self.rehighlight()

    def set_current(self, current: int | None) -> None:
        if current != self.current:
            self.current = current
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        if not self.marks:
            return
        block = self.currentBlock()
        b0 = block.position()
        b1 = b0 + len(text)
        # Marks that start before the block's end and end after its start: only those starting at
        # most one mark-length before the block can reach into it.
        first = bisect_left(self._starts, b0 - self._longest)
        candidates = [m for m in self.marks[first : bisect_right(self._starts, b1)] if m.end > b0]
        if not candidates:
            return
        cuts = sorted({b0, b1, *(max(b0, min(b1, m.start)) for m in candidates), *(max(b0, min(b1, m.end)) for m in candidates)})
        for a, b in zip(cuts, cuts[1:]):
            over = [m for m in candidates if m.start <= a and m.end >= b]
            if over and b > a:
                self.setFormat(a - b0, b - a, self._format(over))

    def _format(self, over: list[Mark]) -> QTextCharFormat:
        key = tuple((m.color.rgb(), m.span_id == self.current, m.suggested) for m in over)
        fmt = self._formats.get(key)
        if fmt is None:
            rgb = (255.0, 255.0, 255.0)
            for m in over:
                alpha = CURRENT_ALPHA if m.span_id == self.current else SUGGESTION_ALPHA if m.suggested else FILL_ALPHA
                rgb = _over(rgb, m.color, alpha)
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(*(round(v) for v in rgb)))
            inner = min(over, key=lambda m: m.end - m.start)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine if inner.suggested
                                  else QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(inner.color)
            if any(m.span_id == self.current for m in over):
                fmt.setForeground(QColor("white"))
            self._formats[key] = fmt
        return fmt
