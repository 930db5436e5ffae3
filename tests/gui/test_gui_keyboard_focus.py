"""The keyboard is on the page once a project opens, wherever it was in the one before."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.main_window import MainWindow


def test_after_opening_another_project_from_the_search_field_tab_reviews_and_a_key_tags(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.scanspan"
    shutil.copy(project_file, other)
    qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is window.search_panel.edit
    assert window.open_project(other)
    qtbot.waitUntil(window.is_settled, timeout=20_000)
    # The Search dock stays open, but what the analyst types next is for the page: Tab reviews.
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClick(focus, Qt.Key.Key_Tab)
    assert window.status_line.currentMessage() == "No suggestions left to review"
    assert QApplication.focusWidget() is window.page_view
