"""Undoing "Accept all of a label" over hundreds of suggestions in the real window puts every one back."""

from __future__ import annotations

import time
from pathlib import Path

from gui_helpers import open_window, rows, when_modal
from letter_project import add_letter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from annotations.assist.suggest import suggest_terms
from annotations.store import Project
from app.settings import Settings

PAGES = 10
LINES = 6
PER_LINE = 5  # 10 pages of 6 lines of 5 words: 300 suggestions


def test_undoing_accept_all_of_a_label_over_300_suggestions_makes_every_one_a_suggestion_again(
    qtbot: QtBot, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "many.scanspan"
    with Project(path) as project:
        doc = add_letter(project, "many.pdf", [[" ".join(["OJJDP"] * PER_LINE)] * LINES] * PAGES)
        suggest_terms(project, [doc], ["OJJDP"], "agency", "agencies.txt")
    total = PAGES * LINES * PER_LINE
    assert rows(path, "select count(*) from spans where suggested = 1") == [(total,)]
    window = open_window(qtbot, settings, path)
    menu = window.actions.accept_label_menu
    menu.aboutToShow.emit()  # what opening Suggestions ▸ Accept all of a label lists
    entries = {a.text(): a for a in menu.actions()}
    assert set(entries) == {f"agency ({total})"}

    def yes(box: QWidget) -> None:  # they are on other pages too: asked first
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()
        window.activateWindow()

    when_modal(qtbot, QMessageBox, yes)
    entries[f"agency ({total})"].trigger()
    assert rows(path, "select suggested, annotator, count(*) from spans group by 1, 2") == [
        (0, window.session.annotator if window.session else "", total)]
    qtbot.waitUntil(lambda: not window.suggestion_count.isVisible())

    started = time.perf_counter()
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    print(f"undo of accepting {total} suggestions: {time.perf_counter() - started:.2f} s")
    assert rows(path, "select suggested, annotator, count(*) from spans group by 1, 2") == [(1, "", total)]
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith(f"{total} suggestions"))
