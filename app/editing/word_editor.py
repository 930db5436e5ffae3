"""The in-place editor for correcting one OCR word, shared by the scan and the text view."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from annotations.records import Word


class WordEditor(QLineEdit):
    """Enter commits, Escape cancels, leaving the field commits (as in a spreadsheet)."""

    committed = Signal(int, str, str)  # word id, old text, new text

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.word: Word | None = None
        self.setObjectName("wordEditor")
        self.setStyleSheet("QLineEdit#wordEditor { border: 2px solid #0a5ad4; background: #fffbe6; }")
        self.hide()
        self.installEventFilter(self)

    def edit(self, word: Word, rect: QRect) -> None:
        self.word = word
        self.setText(word.text)
        self.setToolTip(f"OCR read {word.ocr_text!r}" if word.corrected else "")
        self.setGeometry(rect)
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.selectAll()

    def editing(self) -> bool:
        return self.word is not None

    def cancel(self) -> None:
        self.word = None
        self.hide()

    def commit(self) -> None:
        word, self.word = self.word, None
        self.hide()
        if word is None:
            return
        text = self.text().strip()
        if text and text != word.text:
            self.committed.emit(word.id, word.text, text)

    def event(self, event: QEvent) -> bool:
        # Keys the editor needs must not fire the window's shortcuts (Escape clears the selection there).
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Delete,
                               Qt.Key.Key_Backspace, Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commit()
            self.parentWidget().setFocus()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            self.parentWidget().setFocus()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.FocusOut and self.word is not None:
            self.commit()
        return False
