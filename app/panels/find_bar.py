"""Find in the current document: Ctrl+F, F3 / Shift+F3 through the hits across its pages."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from annotations.text.ranges import Hit, find
from app.panels.typing_keys import keep_field_keys
from app.project.session import ProjectSession


class FindBar(QWidget):
    """The query, "3 of 12", previous/next. Hits are found on every page of the document shown;
    the current one is where the window goes (and what it selects, so a label key tags it)."""

    hitChosen = Signal(int, object)  # document id, Hit
    hitsChanged = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self.doc_id: int | None = None
        self.hits: list[Hit] = []
        self.current = -1
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Find in this document")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        keep_field_keys(self.edit)
        self.count = QLabel()
        self.count.setMinimumWidth(110)
        previous, following, close = QToolButton(), QToolButton(), QToolButton()
        previous.setText("▲")
        previous.setToolTip("Previous hit (Shift+F3)")
        following.setText("▼")
        following.setToolTip("Next hit (F3)")
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count)
        for button in (previous, following, close):
            layout.addWidget(button)
        # Searching a long document on every key press would stall typing: wait for a pause.
        self._typing = QTimer(self, singleShot=True, interval=150)
        self._typing.timeout.connect(self.search)
        self.edit.textChanged.connect(lambda _text: self._typing.start())
        self.edit.returnPressed.connect(self.next)
        previous.clicked.connect(self.previous)
        following.clicked.connect(self.next)
        close.clicked.connect(self.close_bar)
        self.hide()

    def set_document(self, session: ProjectSession | None, doc_id: int | None) -> None:
        if (session, doc_id) == (self.session, self.doc_id):
            return
        self.session, self.doc_id = session, doc_id
        if self.isVisible():
            self.search()

    def open(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.hits, self.current = [], -1
        self.hitsChanged.emit()
        self.closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Esc closes the bar while typing; the window's own Esc (clear the selection) must not win.
        if watched is self.edit and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.close_bar()
                return True
        return False

    def search(self) -> None:
        self._typing.stop()
        self.hits, self.current = [], -1
        phrase = self.edit.text()
        if self.session is not None and self.doc_id is not None and phrase.strip():
            pages = self.session.pages(self.doc_id)
            self.hits = find([(p.number, self.session.page_text(p)) for p in pages], phrase)
        self._show_count()
        self.hitsChanged.emit()

    def on_page(self, doc_id: int | None, number: int | None) -> list[tuple[int, int, bool]]:
        """(start, end, current) of the hits on one page."""
        if doc_id != self.doc_id or not self.isVisible():
            return []
        return [(h.start, h.end, i == self.current) for i, h in enumerate(self.hits) if h.page == number]

    def next(self) -> None:
        self._step(1)

    def previous(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if self._typing.isActive() or not self.hits and self.edit.text().strip():
            self.search()
        if not self.hits or self.doc_id is None:
            self._show_count()
            return
        self.current = (self.current + delta) % len(self.hits) if self.current >= 0 else (0 if delta > 0 else len(self.hits) - 1)
        self._show_count()
        self.hitChosen.emit(self.doc_id, self.hits[self.current])
        self.hitsChanged.emit()

    def _show_count(self) -> None:
        if not self.edit.text().strip():
            self.count.setText("")
        elif not self.hits:
            self.count.setText("No hits")
        elif self.current < 0:
            self.count.setText(f"{len(self.hits)} hit{'s' if len(self.hits) != 1 else ''}")
        else:
            self.count.setText(f"{self.current + 1} of {len(self.hits)}")
