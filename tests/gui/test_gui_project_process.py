"""The window and the child process holding its project: a killed child is restarted on the same
file and the window carries on, telling the analyst once."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from gui_helpers import rows
from helpers import run_scanspan
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.main_window import MainWindow


def span_texts(path: Path) -> list[str]:
    return [r[0] for r in rows(path, "select label from spans order by id")]


def dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # Killed but not yet reaped (its parent reaps it when it next looks): a zombie.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def test_a_killed_project_process_is_restarted_and_the_window_carries_on(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path) -> None:
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    old = window.session.project.pid  # type: ignore[union-attr]
    assert old is not None
    os.kill(old, signal.SIGKILL)
    qtbot.waitUntil(lambda: dead(old), timeout=5_000)
    # A tag made at once, before anything else has noticed: it reaches the file.
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, "1")
    qtbot.waitUntil(lambda: len(rows(project_file, "select id from spans")) == 1, timeout=5_000)
    assert window.session.project.pid != old  # type: ignore[union-attr]
    # What the command line adds afterwards shows up in the window, as before the kill.
    added = run_scanspan(["annotate", "-p", project_file, "-d", "1", "-l", "agency", "--text", "Task Force Program"],
                         tmp_path)
    assert added.code == 0, added.err
    span_id = int(added.out.split()[1].rstrip(":"))
    qtbot.waitUntil(lambda: bool(window.highlight_items(span_id)), timeout=5_000)
    assert len(window.annotation_rows()) == 2
    # Another tag after that still works.
    assert window.select_text("300,000")
    qtbot.keyClick(window.text_view, "2")
    qtbot.waitUntil(lambda: len(rows(project_file, "select id from spans")) == 3, timeout=5_000)
    restarted = [m for m in said if "restarted" in m]
    assert len(restarted) == 1 and restarted[0].startswith("The project's process stopped and was restarted;")
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert rows(project_file, "pragma integrity_check") == [("ok",)]


def test_a_killed_project_process_whose_file_is_gone_closes_the_project_with_one_message(
        qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    shown: list[str] = []
    window.messageShown.connect(shown.append)
    for path in project_file.parent.glob(project_file.name + "*"):
        path.unlink()
    old = window.session.project.pid  # type: ignore[union-attr]
    assert old is not None
    os.kill(old, signal.SIGKILL)
    qtbot.waitUntil(lambda: window.session is None, timeout=5_000)
    assert len(shown) == 1 and "the file is gone; the project was closed" in shown[0]
    assert not project_file.exists()  # no empty project made in its place
    assert window.windowTitle() == "Scanspan"


def test_a_stopped_project_process_never_freezes_the_window(qtbot: QtBot, window: MainWindow,
                                                            project_file: Path) -> None:
    child = window.session.project.pid  # type: ignore[union-attr]
    assert child is not None
    assert window.select_text("Department of Justice")
    qtbot.waitUntil(lambda: window.page_view.prefetch.pending() == 0)  # type: ignore[union-attr]
    os.kill(child, signal.SIGSTOP)
    # A window that waits for its child would wait for ever: this lets the child go on after 3 s,
    # so such a window fails the test below instead of hanging it.
    rescue = threading.Timer(3.0, os.kill, (child, signal.SIGCONT))
    rescue.start()
    try:
        took: list[float] = []
        for widget, key, modifier in ((window.text_view, "1", Qt.KeyboardModifier.NoModifier),
                                      (window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)):
            start = time.monotonic()
            qtbot.keyClick(widget, key, modifier)
            took.append(time.monotonic() - start)
        assert max(took) < 0.5, took
        assert window.current_page() == (window.navigation.doc_id, 2)
        assert "busy" in window.statusBar().currentMessage()
        assert rows(project_file, "select id from spans") == []
    finally:
        rescue.cancel()
        os.kill(child, signal.SIGCONT)
    qtbot.waitUntil(lambda: len(rows(project_file, "select id from spans")) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "All changes stored", timeout=5_000)
    assert rows(project_file, "select label from spans") == [("agency",)]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_a_page_a_stopped_project_process_cannot_give_is_shown_once_it_answers(qtbot: QtBot, window: MainWindow) -> None:
    child = window.session.project.pid  # type: ignore[union-attr]
    assert child is not None
    qtbot.waitUntil(lambda: window.page_view.prefetch.pending() == 0)  # type: ignore[union-attr]
    window.session.drop_caches()  # type: ignore[union-attr]
    os.kill(child, signal.SIGSTOP)
    rescue = threading.Timer(3.0, os.kill, (child, signal.SIGCONT))
    rescue.start()
    try:
        start = time.monotonic()
        qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        assert time.monotonic() - start < 0.5
        assert window.current_page() == (window.navigation.doc_id, 1)
        assert window.statusBar().currentMessage() == (
            "The project's process is not answering; page 2 is shown when it does")
    finally:
        rescue.cancel()
        os.kill(child, signal.SIGCONT)
    qtbot.waitUntil(lambda: window.current_page() == (window.navigation.doc_id, 2), timeout=5_000)
    qtbot.waitUntil(window.is_settled, timeout=10_000)
    assert "not answering" not in window.statusBar().currentMessage()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
