"""The status bar's suggestion review: how many suggestions are left, and the offer to tag a span's other occurrences."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.editing.selection import AnnotationRef, Selection
from app.project.session import ProjectSession


class SuggestionCount(QLabel):
    """How many suggestions are left to review in the project; re-counted after every span or region change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestionCount")
        self.session: ProjectSession | None = None
        self.count = 0
        # One count for a burst of changes (accepting forty suggestions changes forty spans).
        self._due = QTimer(self, singleShot=True, interval=0)
        self._due.timeout.connect(self.refresh)

    def set_session(self, session: ProjectSession | None) -> None:
        if self.session is not None:
            for signal in self._signals(self.session):
                signal.disconnect(self._due.start)
        self.session = session
        if session is not None:
            for signal in self._signals(session):
                signal.connect(self._due.start)
        self.refresh()

    @staticmethod
    def _signals(session: ProjectSession) -> tuple[SignalInstance, ...]:
        return (session.spanAdded, session.spanRemoved, session.spanChanged, session.regionAdded,
                session.regionRemoved, session.regionChanged, session.reset)

    def refresh(self) -> None:
        self._due.stop()
        counts = self.session.suggestion_counts() if self.session is not None else {}
        self.count = sum(counts.values())
        if not self.count:
            self.hide()
            self.setText("")
            return
        docs = len(counts)
        where = f" in {docs} documents" if docs > 1 else ""
        self.setText(f"{self.count} suggestion{'s' if self.count != 1 else ''} to review{where} (Tab)")
        self.setToolTip("Tab / Shift+Tab: next / previous suggestion; Enter or A accepts, X or Backspace rejects")
        self.show()


class PropagationOffer(QWidget):
    """After a tag: “N more occurrences of ‘…’” with Suggest them (T) and Tag all (Shift+T).

    The offer is the selected span's: it is made only while that span is selected (the count comes
    from the background, the analyst may have moved on) and goes as soon as the selection does
    (another annotation, other words, Esc, another document or project)."""

    suggestRequested = Signal()
    tagRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection: Selection | None = None
        self.span_id: int | None = None
        self.count = 0
        self.label = QLabel()
        self.suggest = QPushButton("Suggest them")
        self.suggest.setToolTip("Store the other occurrences as suggestions to review (T)")
        self.tag = QPushButton("Tag all")
        self.tag.setToolTip("Tag every other occurrence with this label at once (Shift+T)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.suggest)
        layout.addWidget(self.tag)
        self.suggest.clicked.connect(self.suggestRequested)
        self.tag.clicked.connect(self.tagRequested)
        self.hide()

    def set_selection(self, selection: Selection | None) -> None:
        """The open project's selection (None: no project is open); an offer made before goes."""
        if self.selection is not None:
            self.selection.annotationChanged.disconnect(self._follow)
            self.selection.rangeChanged.disconnect(self._follow)
        self.selection = selection
        if selection is not None:
            selection.annotationChanged.connect(self._follow)
            selection.rangeChanged.connect(self._follow)
        self.withdraw()

    def offer(self, span_id: int, text: str, label: str, count: int) -> None:
        if self.selection is None or self.selection.annotation != AnnotationRef("span", span_id):
            count = 0
        self.span_id, self.count = (span_id, count) if count else (None, 0)
        if not count:
            self.hide()
            return
        short = text if len(text) <= 30 else text[:29] + "…"
        self.label.setText(f"{count} more occurrence{'s' if count != 1 else ''} of “{short}”:")
        self.setToolTip(f"Found across the project, OCR variants included, not yet tagged as {label}")
        self.show()

    def withdraw(self, span_id: int | None = None) -> None:
        """The offer is gone (acted on, or its span removed); with an id, only if it is that span's."""
        if span_id is None or span_id == self.span_id:
            self.offer(0, "", "", 0)

    def _follow(self, *_: object) -> None:
        if self.span_id is not None and (self.selection is None or self.selection.annotation != AnnotationRef("span", self.span_id)):
            self.withdraw()
