"""A one-line label that never pushes its neighbours: cut short with "…", its whole text in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """Asks for at most `widest` pixels (None: as much as its text needs) and keeps at least
    `least` of them (or its whole text, if shorter) when the line is crowded."""

    def __init__(self, widest: int | None = None, least: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widest = widest
        self.least = least

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width() if self.widest is None else min(hint.width(), self.widest), hint.height())

    def minimumSizeHint(self) -> QSize:
        # What does not fit is elided, so a long text never overlaps the next piece.
        return QSize(min(self.sizeHint().width(), self.least), super().minimumSizeHint().height())

    def shown_text(self) -> str:
        """What the analyst reads: the text, cut short with "…" where its room is too narrow."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())
