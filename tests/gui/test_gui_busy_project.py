"""The window and a project process that is stopped or slow: keys, clicks and menus that need it
say so in the status line and change nothing; a slow one is waited for with a message; closing
never waits for it."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from gui_helpers import add_second_letter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.controllers.changes import NOT_ANSWERING
from app.main_window import MainWindow


@contextmanager
def stopped(window: MainWindow) -> Iterator[int]:
    """The window's project process stopped (SIGSTOP) for the block, then continued whatever happens."""
    child = window.session.project.pid  # type: ignore[union-attr]
    assert child is not None
    os.kill(child, signal.SIGSTOP)
    # A window that waits for its child would wait for ever: this lets the child go on after 3 s,
    # so such a window fails the test instead of hanging it.
    rescue = threading.Timer(3.0, os.kill, (child, signal.SIGCONT))
    rescue.start()
    try:
        yield child
    finally:
        rescue.cancel()
        os.kill(child, signal.SIGCONT)


@contextmanager
def crashes_seen(window: MainWindow) -> Iterator[list[str]]:
    """The window's crash handler installed as the application installs it; what it reported."""
    seen: list[str] = []
    window.crash.crashed.connect(lambda summary, _log: seen.append(summary))
    window.crash.install()
    try:
        yield seen
    finally:
        window.crash.uninstall()


def open_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def next_document(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)


def search(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window.search_panel.edit.clear()
    qtbot.keyClicks(window.search_panel.edit, "Justice")
    qtbot.keyClick(window.search_panel.edit, Qt.Key.Key_Return)


def next_suggestion(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_Tab)


def adjudicate(_qtbot: QtBot, window: MainWindow) -> None:
    window.actions.adjudicate.trigger()


def delete_label(qtbot: QtBot, window: MainWindow) -> None:
    window.palette.set_current("agency")  # type: ignore[union-attr]
    qtbot.mouseClick(window.palette.delete, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]


ACTIONS: dict[str, Callable[[QtBot, MainWindow], None]] = {
    "another document": next_document, "search": search, "next suggestion": next_suggestion,
    "adjudicate": adjudicate, "delete a label": delete_label,
}


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_a_stopped_project_process_cannot_answer_says_so_and_changes_nothing(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path, action: str) -> None:
    add_second_letter(project_file, tmp_path)
    qtbot.waitUntil(lambda: len(window.session.documents()) == 2, timeout=5_000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.page_view.prefetch.pending() == 0)  # type: ignore[union-attr]
    place, table, labels = window.current_page(), window.annotation_rows(), window.palette.names()  # type: ignore[union-attr]
    hits = window.search_panel.list.count()
    with crashes_seen(window) as crashes:
        with stopped(window):
            ACTIONS[action](qtbot, window)
            assert window.statusBar().currentMessage() == NOT_ANSWERING
            assert crashes == [] and open_boxes() == []
            assert (window.current_page(), window.annotation_rows(), window.palette.names()) == (place, table, labels)  # type: ignore[union-attr]
            assert window.search_panel.list.count() == hits
        # Once the process answers again the message goes, and the same action works.
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() != NOT_ANSWERING, timeout=5_000)
        ACTIONS[action](qtbot, window)
        assert crashes == []
    assert window.statusBar().currentMessage() != NOT_ANSWERING
    for box in open_boxes():
        box.done(0)

