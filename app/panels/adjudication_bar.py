"""The adjudication bar: the disagreement shown, both analysts' versions side by side, and its keys."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from annotations.team.adjudication import Disagreement
from annotations.team.region_adjudication import RegionDisagreement
from annotations.team.relation_adjudication import RelationDisagreement
from app.editing.adjudication import Adjudicator

KEYS = {Qt.Key.Key_1: "a", Qt.Key.Key_2: "b", Qt.Key.Key_B: "both", Qt.Key.Key_N: "neither"}
HINT = "1 keep A · 2 keep B · B both · N neither · Tab next · Shift+Tab previous · Esc stop"


class AdjudicationBar(QFrame):
    """Shown while two analysts are adjudicated. Its keys win over the window's (1 and 2 would tag,
    N edit a note, Tab walk suggestions) wherever the focus is in the window, except in a text field."""

    def __init__(self, adjudicator: Adjudicator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.adjudicator = adjudicator
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold")
        self.version_a = QLabel()
        self.version_b = QLabel()
        for label in (self.version_a, self.version_b):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        stop = QPushButton("Stop")
        stop.setToolTip("Leave adjudication (Esc)")
        stop.clicked.connect(adjudicator.stop)
        hint = QLabel(HINT)
        hint.setStyleSheet("color: palette(mid)")
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.title, 0, 0, 1, 2)
        grid.addWidget(stop, 0, 2)
        grid.addWidget(self.version_a, 1, 0)
        grid.addWidget(self.version_b, 1, 1, 1, 2)
        grid.addWidget(hint, 2, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        adjudicator.shown.connect(self.show_disagreement)
        self.hide()

    def show_disagreement(self, stretch: Disagreement | RegionDisagreement | RelationDisagreement | None) -> None:
        pair = self.adjudicator.pair
        if pair is None:
            self._listen(False)
            self.hide()
            return
        a, b = pair
        self._listen(True)
        self.show()
        if stretch is None:
            self.title.setText(f"Adjudicating {a} and {b}: nothing left to settle in this document")
            self.version_a.clear()
            self.version_b.clear()
            return
        kind, version_a, version_b = self.adjudicator.describe(stretch)
        position = f"{self.adjudicator.index + 1} of {len(self.adjudicator.items)}"
        self.title.setText(f"Adjudicating {a} and {b}: disagreement {position}, {kind}")
        self.version_a.setText(f"A · {a}: {version_a}")
        self.version_b.setText(f"B · {b}: {version_b}")

    def texts(self) -> tuple[str, str, str]:
        return self.title.text(), self.version_a.text(), self.version_b.text()

    # -- keys -------------------------------------------------------------------------------------

    def _listen(self, on: bool) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
            if on:
                app.installEventFilter(self)

    def _ours(self, watched: QObject, event: QKeyEvent) -> str | None:
        """What a key does here, or None when it is not this bar's to take."""
        if not isinstance(watched, QWidget) or watched.window() is not self.window() or not self.isVisible():
            return None
        if isinstance(watched, QLineEdit) or (isinstance(watched, (QTextEdit, QPlainTextEdit)) and not watched.isReadOnly()):
            return None  # typing a note, a search or a correction
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = Qt.Key(event.key())
        if key == Qt.Key.Key_Backtab or (key == Qt.Key.Key_Tab and modifiers == Qt.KeyboardModifier.ShiftModifier):
            return "previous"
        if modifiers != Qt.KeyboardModifier.NoModifier:
            return None
        if key == Qt.Key.Key_Tab:
            return "next"
        if key == Qt.Key.Key_Escape:
            return "stop"
        return KEYS.get(key)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        what = self._ours(watched, event)
        if what is None:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the key comes as a key press, not as the window's shortcut
            return True
        if what == "next":
            self.adjudicator.step(1)
        elif what == "previous":
            self.adjudicator.step(-1)
        elif what == "stop":
            self.adjudicator.stop()
        else:
            self.adjudicator.decide(what)
        return True
