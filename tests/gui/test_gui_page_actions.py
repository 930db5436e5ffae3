"""The toolbar's Previous and Next page buttons are enabled only where there is such a page."""

from __future__ import annotations

from pathlib import Path

from helpers import run_scanspan
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.main_window import MainWindow


def _buttons(window: MainWindow) -> tuple[bool, bool]:
    return window.actions.previous_page.isEnabled(), window.actions.next_page.isEnabled()


def test_a_label_added_by_another_program_leaves_previous_and_next_as_the_page_allows(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path) -> None:
    assert window.current_page() is not None and window.current_page()[1] == 1  # type: ignore[index]
    assert _buttons(window) == (False, True)
    # The Labels panel and the label keys are rebuilt for the new label, and the actions enabled again.
    added = run_scanspan(["labels", "-p", project_file, "--add", "stamp"], tmp_path)
    assert added.code == 0, added.err
    qtbot.waitUntil(lambda: "stamp" in [a.text() for a in window.label_keys.actions], timeout=5_000)
    assert _buttons(window) == (False, True)

    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_page()[1] == 2)  # type: ignore[index]
    assert _buttons(window) == (True, False)
    added = run_scanspan(["labels", "-p", project_file, "--add", "seal"], tmp_path)
    assert added.code == 0, added.err
    qtbot.waitUntil(lambda: "seal" in [a.text() for a in window.label_keys.actions], timeout=5_000)
    assert _buttons(window) == (True, False)
