"""Keys a text field needs for itself, kept from the window's shortcuts of the same keys (suggestion review)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

FIELD_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Backspace})
"""Enter accepts a suggestion and Tab goes to the next one in the window; in a field they confirm
and move focus as everywhere else (Qt offers a shortcut every key a field does not claim)."""


class _KeepKeys(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and event.key() in FIELD_KEYS:
            event.accept()
            return True
        return False


def keep_field_keys(field: QWidget) -> None:
    """Let `field` have Enter, Tab and Backspace even though the window has shortcuts on them."""
    keeper = _KeepKeys(field)
    field.installEventFilter(keeper)
