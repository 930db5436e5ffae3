"""Opening one project after another in one window: every panel, find, review and undo work after
each switch, and nothing of the projects closed before is left alive or connected."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from gui_helpers import add_second_letter, open_window, rows, when_modal
from PySide6.QtCore import QEvent, QMetaMethod, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from annotations.assist.suggest import suggest_terms
from annotations.store import Project
from app.main_window import MainWindow
from app.settings import Settings

PROJECTS = 5


@pytest.fixture(scope="session")
def switch_template(tagged_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tagged sample, a short second letter, and "CyberTipline" suggested as a program everywhere."""
    folder = tmp_path_factory.mktemp("switch")
    path = folder / "switch.scanspan"
    shutil.copy(tagged_template, path)
    add_second_letter(path, folder)
    with Project(path) as project:
        suggest_terms(project, [d.id for d in project.documents()], ["CyberTipline"], "program", "programs.txt")
    return path


@pytest.fixture
def two_projects(switch_template: Path, tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first.scanspan", tmp_path / "second.scanspan"
    shutil.copy(switch_template, first)
    shutil.copy(switch_template, second)
    return first, second


def settle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(window.is_settled, timeout=20_000)


def drop_deleted() -> None:
    """Run the deletions Qt has queued (deleteLater) and Python's collector, as idle turns would."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()
        gc.collect()


def live_objects() -> Counter[str]:
    """Python wrappers of live Qt objects, by class."""
    return Counter(type(o).__name__ for o in shiboken6.Shiboken.getAllValidWrappers() if isinstance(o, QObject))


def connections(window: MainWindow) -> int:
    """Receivers of every signal of every object the window holds (and of the window itself)."""
    total = 0
    for obj in [window, *window.findChildren(QObject)]:
        meta = obj.metaObject()
        for i in range(meta.methodCount()):
            method = meta.method(i)
            if method.methodType() == QMetaMethod.MethodType.Signal:
                total += obj.receivers("2" + bytes(method.methodSignature().data()).decode())
    return total


def open_from_recent(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    """File ▸ Recent projects, as the analyst picks it."""
    menu = window.actions.recent_menu
    menu.aboutToShow.emit()
    (action,) = [a for a in menu.actions() if a.text() == str(path)]
    action.trigger()
    assert window.project_path() == path
    settle(qtbot, window)


def exercise(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    """What an analyst does in a project: tag, select, delete, undo, find, review, every panel."""
    view = window.page_view
    before = len(rows(path, "select id from spans"))
    # Tag from the text panel with a label key; the scan outlines it, the table lists it.
    assert window.select_text("Department of Homeland Security")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: len(rows(path, "select id from spans")) == before + 1)
    ref = window.selection.annotation
    assert ref is not None and ref.kind == "span"
    assert window.highlight_items(ref.id), "the new span is drawn on the scan"
    # Delete it, then undo the delete.
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(rows(path, "select id from spans")) == before)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(rows(path, "select id from spans")) == before + 1)
    assert "Undid" in window.statusBar().currentMessage()
    # A row of the Annotations table selects its annotation.
    window.selection.clear()
    window.panel.ensure_loaded()
    table = window.panel.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(0, 0)).center())
    qtbot.waitUntil(lambda: window.selection.annotation is not None)
    # A click on a label in the Labels panel relabels the selected annotation.
    palette = window.palette.list
    item = palette.item(1)
    qtbot.mouseClick(palette.viewport(), Qt.MouseButton.LeftButton, pos=palette.visualItemRect(item).center())
    # Find, then F3 to the next hit.
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, "OJJDP")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.selected_text() == "OJJDP")
    qtbot.keyClick(view, Qt.Key.Key_F3)
    window.find_bar.close_bar()
    # Tab to a suggestion and accept it with Enter.
    suggested = len(rows(path, "select id from spans where suggested = 1"))
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    if window.selection.annotation is None:  # the find hit was past this document's last suggestion
        assert "Tab again" in window.statusBar().currentMessage()
        qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: window.selection.annotation is not None)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(rows(path, "select id from spans where suggested = 1")) == suggested - 1)
    # The next page and the next document, from the keyboard and from the Documents panel.
    qtbot.keyClick(view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    qtbot.keyClick(view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.current_page() is not None and window.current_page()[1] == 1
    tree = window.navigator.tree
    first = tree.topLevelItem(0)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(first).center())
    settle(qtbot, window)
    # Every selection change after all that is shown by both views without an error.
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, Qt.Key.Key_Escape)
    assert window.selection.annotation is None and window.selection.range is None


def test_five_projects_in_a_row_leave_nothing_behind(
    qtbot: QtBot, settings: Settings, switch_template: Path, tmp_path: Path
) -> None:
    paths = []
    for n in range(PROJECTS):
        path = tmp_path / f"project-{n}.scanspan"
        shutil.copy(switch_template, path)
        paths.append(path)
    for path in reversed(paths):  # every project is in the recent list from the start: its menu never grows
        settings.add_recent(path)
    window = open_window(qtbot, settings, paths[0])
    counts: list[tuple[int, int, int]] = []
    for n, path in enumerate(paths):
        if n:
            open_from_recent(qtbot, window, path)
        exercise(qtbot, window, path)
        window.stack.clear()  # the undo history holds commands of this project only: not counted
        qtbot.waitUntil(lambda: not window.occurrences.running())  # the count of a tag's other occurrences
        drop_deleted()
        counts.append((len(window.findChildren(QObject)), live_objects(), connections(window)))
    # Between the second project and the fifth nothing grows: no Qt object, no Python wrapper, no
    # connection (not even the toolbar's to its actions, whose tooltips change with every edit).
    second, fifth = counts[1], counts[-1]
    assert fifth[0] == second[0] and fifth[2] == second[2], (second[::2], fifth[::2])
    assert fifth[1] == second[1], (fifth[1] - second[1], second[1] - fifth[1])


def test_opening_another_project_asks_before_giving_up_edits_a_busy_project_keeps_waiting(
    qtbot: QtBot, settings: Settings, two_projects: tuple[Path, Path]
) -> None:
    first, second = two_projects
    window = open_window(qtbot, settings, first)
    spans = len(rows(first, "select id from spans"))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
         "c.execute('begin immediate'); print('holding', flush=True); sys.stdin.readline()", str(first)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    asked: list[str] = []

    def keep(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        assert window.select_text("Department of Justice")
        qtbot.keyClick(window.text_view, Qt.Key.Key_1)
        assert window.session is not None and window.session.writes.pending() == 1
        when_modal(qtbot, QMessageBox, keep)
        assert not window.open_project(second)
        assert asked and "could not be stored yet" in asked[0]
        assert window.project_path() == first and window.session.writes.pending() == 1
    finally:
        holder.communicate("\n", timeout=10)
    # The edit the analyst kept reaches its own project once it is free, not the other one.
    qtbot.waitUntil(lambda: len(rows(first, "select id from spans")) == spans + 1, timeout=10_000)
    assert window.open_project(second)
    assert len(rows(second, "select id from spans")) == spans


def test_the_search_dock_shows_nothing_of_the_project_before(
    qtbot: QtBot, settings: Settings, two_projects: tuple[Path, Path]
) -> None:
    first, second = two_projects
    window = open_window(qtbot, settings, first)
    qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.search_panel.edit, "CyberTipline")
    qtbot.keyClick(window.search_panel.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search_panel.list.count() > 0)
    assert window.open_project(second)
    settle(qtbot, window)
    panel = window.search_panel
    assert (panel.edit.text(), panel.summary.text(), panel.list.count()) == ("", "", 0)


def wait_past_queued_steps(qtbot: QtBot) -> None:
    """Let every step a shown page queued come and go (each waits a millisecond or less)."""
    later: list[bool] = []
    QTimer.singleShot(50, lambda: later.append(True))
    qtbot.waitUntil(lambda: bool(later))


def test_a_project_closed_as_a_page_is_shown_leaves_no_step_of_it_to_fail(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    add_second_letter(project_file, tmp_path)
    window = open_window(qtbot, settings, project_file)
    window.navigation.show_page(2, 1)  # its text and chrome follow on later turns of the event loop
    window.close_project()
    wait_past_queued_steps(qtbot)
    assert window.open_project(project_file)
    qtbot.waitUntil(window.is_settled, timeout=20_000)
    window.navigation.show_page(2, 1)
    window.close()
    wait_past_queued_steps(qtbot)


def from_the_event_loop(qtbot: QtBot, act: Callable[[], object]) -> None:
    """Run `act` from a turn of the event loop, as a menu or a dialog that has just closed calls it."""
    done: list[bool] = []
    QTimer.singleShot(0, lambda: done.append(act() is not None or True))
    qtbot.waitUntil(lambda: bool(done))


def test_a_project_closed_or_switched_while_a_page_is_read_in_steps_leaves_those_steps_unrun(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    add_second_letter(project_file, tmp_path)
    other = tmp_path / "other.scanspan"
    shutil.copyfile(project_file, other)
    window = open_window(qtbot, settings, project_file)
    for switch in (window.close_project, lambda: window.open_project(other)):
        assert window.session is not None
        window.session.drop_caches()  # a page not read yet: its words and highlights come in steps
        window.navigation.show_page(2, 1)
        assert window.page_view is not None and not window.page_view.shown()
        from_the_event_loop(qtbot, switch)  # before the page's first step
        wait_past_queued_steps(qtbot)
        if window.session is None:
            assert window.open_project(project_file)
        qtbot.waitUntil(window.is_settled, timeout=20_000)
    assert window.project_path() == other
