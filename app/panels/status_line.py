"""The status bar, composed in one place: one transient message, then the selection, suggestions and page."""

from __future__ import annotations

from PySide6.QtCore import QTimer, SignalInstance
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.editing.selection import Selection
from app.panels.elided_label import ElidedLabel
from app.panels.selection_status import SelectionStatus
from app.panels.suggestion_status import PropagationOffer, SuggestionCount
from app.project.session import ProjectSession

SAID_FOR = 8000
"""Milliseconds a message stays when its sender names no time."""

MESSAGE_ROOM = 280
"""Pixels the message keeps however crowded the line: what the last key did is read first."""


class StatusLine(QStatusBar):
    """From left to right: what the last action did (one message, cut short rather than run into
    the next piece), read-only notice, the offer of a tag's other occurrences, the account of the
    selection, the suggestions left, the document and page, the zoom.

    Every message, whoever sends it (`say`, or QStatusBar's own showMessage that the background
    controllers call), replaces the one before. The pieces after it are rewritten from the current
    state and emptied when no page or no project is shown, so nothing of another document or
    project stays on screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusLine")
        self.message = ElidedLabel(least=MESSAGE_ROOM)
        self.message.setObjectName("statusMessage")
        self._expire = QTimer(self, singleShot=True)
        self._expire.timeout.connect(self.clearMessage)
        self.read_only_label = QLabel()
        self.read_only_label.setStyleSheet("QLabel { color: #8a4b00; font-weight: bold; }")
        self.read_only_label.hide()
        self.selection: Selection | None = None
        self.offer = PropagationOffer()
        self.selection_status = SelectionStatus()
        self.suggestion_count = SuggestionCount()
        self.page_label = ElidedLabel(360, 260)
        self.page_label.setObjectName("pageLabel")
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("zoomLabel")
        self.addWidget(self.message, 1)
        for widget in (self.read_only_label, self.offer, self.selection_status, self.suggestion_count,
                       self.page_label, self.zoom_label):
            self.addPermanentWidget(widget)

    def set_session(self, session: ProjectSession | None, selection: Selection | None) -> None:
        """Follow an open project and its selection (None, None: no project is open)."""
        for signal in self._signals():
            signal.disconnect(self._selection_moved)
        self.selection = selection
        for signal in self._signals():
            signal.connect(self._selection_moved)
        self.offer.set_selection(selection)
        self.selection_status.set_session(session, selection)
        self.suggestion_count.set_session(session)
        if session is None:
            self.clearMessage()
            self.clear_place()

    def _signals(self) -> tuple[SignalInstance, ...]:
        selection = self.selection
        return (selection.rangeChanged, selection.annotationChanged) if selection is not None else ()

    def _selection_moved(self, *_: object) -> None:
        """What the last message said is stale once the selection moves on."""
        self.clearMessage()

    # -- the transient message --------------------------------------------------------------------

    def say(self, text: str, timeout: int = SAID_FOR) -> None:
        """Show `text` instead of whatever was said before, for `timeout` ms (0: until replaced)."""
        self.message.setText(text)
        if text and timeout > 0:
            self._expire.start(timeout)
        else:
            self._expire.stop()
        self.messageChanged.emit(text)

    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        self.say(text, timeout or 0)

    def clearMessage(self) -> None:
        if self.message.text():
            self.say("", 0)

    def currentMessage(self) -> str:
        return self.message.text()

    # -- the permanent pieces ---------------------------------------------------------------------

    def show_place(self, document: str, number: int, pages: int) -> None:
        self.page_label.setText(f"{document} · page {number} of {pages}")

    def show_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f}%")

    def clear_place(self) -> None:
        """No page is shown (the project closed, or has no page): no document, page or zoom either."""
        self.page_label.setText("")
        self.zoom_label.setText("")
