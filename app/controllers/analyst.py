"""Whose edits these are: the analyst's name, asked once over the window before the first edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from app.dialogs.analyst_dialog import ask_analyst
from app.project.session import default_annotator

if TYPE_CHECKING:
    from app.main_window import MainWindow


class AnalystName:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._ask = False  # the analyst's name is to be asked once the window shows

    def name(self) -> str:
        """The name this window's edits are recorded under: the one chosen, else the OS user."""
        return self.window.settings.analyst() or default_annotator()

    def ask_later(self) -> None:
        """A writable project opened and no name is chosen: ask once the window is up."""
        if self.window.settings.analyst() is None:
            # Asked once (until chosen), over the window once it is up, before the first edit.
            self._ask = True
            if self.window.isVisible():
                QTimer.singleShot(0, self._ask_first)

    def on_shown(self) -> None:
        if self._ask:
            QTimer.singleShot(0, self._ask_first)

    def _ask_first(self) -> None:
        if self._ask and self.window.session is not None:
            self._ask = False
            self.dialog()

    def dialog(self) -> None:
        w = self.window
        name = ask_analyst(self.name(), w)
        w.activateWindow()  # the window's shortcuts work again at once, without a click
        if name is not None:
            w.settings.set_analyst(name)
            w.status_line.say(f"Your edits are recorded as {name}", 6000)
        if w.session is not None:
            w.session.annotator = self.name()
