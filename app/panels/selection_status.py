"""The status bar's account of the selection: how many words, or which annotation, before a key is pressed."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget

from annotations.pagetext import words_in
from app.editing.selection import AnnotationRef, Selection
from app.editing.shown import shown_annotation, shown_ranges
from app.project.session import ProjectSession

WIDEST = 420
"""Pixels the label asks for at most: the status bar's messages ("Accepted …; 15 suggestions left")
keep the room left of it, and a longer account is cut short with its whole text in the tooltip."""


class SelectionStatus(QLabel):
    """Always true: it is rewritten on every change of the selection, never left to expire."""

    def __init__(self, selection: Selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.session: ProjectSession | None = None
        self.setObjectName("selectionStatus")
        selection.rangeChanged.connect(lambda *_: self.refresh())
        selection.annotationChanged.connect(lambda *_: self.refresh())
        selection.pageChanged.connect(lambda *_: self.refresh())

    def set_session(self, session: ProjectSession | None) -> None:
        if self.session is not None:
            for signal in (self.session.spanChanged, self.session.spanRemoved, self.session.regionChanged,
                           self.session.regionRemoved):
                signal.disconnect(self.refresh)
        self.session = session
        if session is not None:
            for signal in (session.spanChanged, session.spanRemoved, session.regionChanged, session.regionRemoved):
                signal.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        text = self.describe()
        self.setText(text)
        self.setToolTip(text)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), WIDEST), hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(min(super().minimumSizeHint().width(), WIDEST), super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self.alignment()), shown)

    def describe(self) -> str:
        session = self.session
        if session is None:
            return ""
        ranges = self.selection.ranges
        if ranges:
            pages = session.pages(ranges[0].doc_id)
            count = sum(words_in(r, pages, session.page_data) for r in ranges)
            runs = f" in {len(ranges)} runs" if len(ranges) > 1 else ""
            words = f"{count} word{'s' if count != 1 else ''} selected{runs}"
            if not shown_ranges(self.selection):  # left on another page, to be taken on from this one
                return f"{words} on page {ranges[0].start[0]}: Shift+click a word here to take it on to this page"
            return f"{words}: a label key tags"
        if self.selection.annotation is not None and shown_annotation(session, self.selection) is None:
            return "Nothing selected on this page"
        ref = self.selection.annotation
        return self._annotation(ref) if ref is not None else "Nothing selected"

    def _annotation(self, ref: AnnotationRef) -> str:
        assert self.session is not None
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is None:
                return "Nothing selected"
            text = self.session.span_text(span)
            short = text if len(text) <= 40 else text[:39] + "…"
            if span.suggested:
                return f"Suggested {span.label} “{short}”: Enter accepts, X rejects, Tab skips"
            return f"Selected {span.label} span “{short}”: a label key relabels, Delete deletes"
        region = self.session.find_region(ref.id)
        if region is None:
            return "Nothing selected"
        if region.suggested:
            return f"Suggested {region.label} region: Enter accepts, X rejects, Tab skips"
        return f"Selected {region.label} region: a label key relabels, Delete deletes"
