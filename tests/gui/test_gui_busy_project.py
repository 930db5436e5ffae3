"""The window and a stopped or slow project process: actions say so and change nothing, slow reads say they wait, closing never waits."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from gui_helpers import add_second_letter, open_window, rows, when_modal
from helpers import pid_running, run_scanspan
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from annotations.errors import ProjectBusy
from app.controllers.changes import NOT_ANSWERING, WAITING
from app.controllers.navigation import LISTS_WAIT
from app.editing.selection import AnnotationRef
from app.main_window import MainWindow
from app.settings import Settings


@contextmanager
def stopped(window: MainWindow, rescue_after: float = 3.0) -> Iterator[int]:
    """The window's project process stopped (SIGSTOP) for the block, then continued whatever happens."""
    child = window.session.project.pid  # type: ignore[union-attr]
    assert child is not None
    os.kill(child, signal.SIGSTOP)
    # A window that waits for its child would wait for ever: this lets the child go on after a
    # while, so such a window fails the test instead of hanging it.
    rescue = threading.Timer(rescue_after, os.kill, (child, signal.SIGCONT))
    rescue.start()
    try:
        yield child
    finally:
        rescue.cancel()
        with suppress(ProcessLookupError):  # it may have been killed meanwhile
            os.kill(child, signal.SIGCONT)


@contextmanager
def stopped_at(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, child: int,
               after: bool = True) -> Iterator[list[threading.Timer]]:
    """The project's process stopped (SIGSTOP) at the first call of `owner.name` in the block, just
    after it answered (`after`) or just before it is asked, and continued a second later; the list
    holds that continuation once the call came."""
    call = getattr(owner, name)
    rescue: list[threading.Timer] = []

    def stop() -> None:
        os.kill(child, signal.SIGSTOP)
        timer = threading.Timer(1.0, os.kill, (child, signal.SIGCONT))
        rescue.append(timer)
        timer.start()

    def once(*args: object, **kwargs: object) -> object:
        monkeypatch.setattr(owner, name, call)  # only the first call
        if not after:
            stop()
        answer = call(*args, **kwargs)
        if after:
            stop()
        return answer

    monkeypatch.setattr(owner, name, once)
    try:
        yield rescue
    finally:
        for timer in rescue:
            timer.join()
        with suppress(ProcessLookupError):
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


def search(qtbot: QtBot, window: MainWindow, query: str = "Justice") -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    window.search_panel.edit.clear()
    qtbot.keyClicks(window.search_panel.edit, query)
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
    if action == "search":
        search(qtbot, window, "CyberTipline")  # hits that a search the process cannot answer leaves
    qtbot.waitUntil(lambda: window.page_view.prefetch.pending() == 0)  # type: ignore[union-attr]
    place, table, labels = window.current_page(), window.annotation_rows(), window.palette.names()  # type: ignore[union-attr]
    hits = window.search_panel.list.count()
    assert hits > 0 or action != "search"
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


def test_another_document_whose_page_was_read_ahead_is_shown_and_its_annotations_listed_once_the_process_answers(
        qtbot: QtBot, settings: Settings, tagged_file: Path, tmp_path: Path) -> None:
    add_second_letter(tagged_file, tmp_path)
    tagged = run_scanspan(["annotate", "-p", tagged_file, "-d", "2", "-l", "agency", "--text", "OJJDP"], tmp_path)
    assert tagged.code == 0, tagged.err
    window = open_window(qtbot, settings, tagged_file)
    session = window.session
    assert session is not None
    first, second = (d.id for d in session.documents())
    # Its page was read ahead (words, the spans on it, its regions), its list of annotations not yet.
    page = session.page(second, 1)
    session.page_data(page)
    session.spans_on_page(page)
    session.regions(second)
    assert not session.spans_loaded(second)
    qtbot.waitUntil(lambda: window.page_view.prefetch.pending() == 0)  # type: ignore[union-attr]
    assert window.annotation_rows()
    with crashes_seen(window) as crashes:
        with stopped(window):
            next_document(qtbot, window)
            qtbot.waitUntil(lambda: window.statusBar().currentMessage() == LISTS_WAIT)
            assert window.current_page() == (second, 1)
            assert crashes == [] and open_boxes() == []
            # No other document's annotations beside this page; nothing half-listed.
            assert window.panel.model.rowCount() == 0  # type: ignore[union-attr]
        qtbot.waitUntil(window.is_settled, timeout=10_000)
        assert crashes == []
    assert window.current_page() == (second, 1)
    assert window.statusBar().currentMessage() != LISTS_WAIT
    assert window.panel.loaded()  # type: ignore[union-attr]
    assert [row[:3] for row in window.annotation_rows()] == [("agency", "OJJDP", 1)]
    window.navigation.show_page(first, 1)
    qtbot.waitUntil(lambda: len(window.annotation_rows()) > 1, timeout=5_000)


def test_closing_the_window_does_not_wait_for_a_stopped_project_process(
        qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, "1")
    assert rows(project_file, "select label from spans") == [("agency",)]
    with stopped(window, rescue_after=10.0) as child:
        start = time.monotonic()
        window.close()
        took = time.monotonic() - start
        assert not window.isVisible()
        assert not pid_running(child)  # killed and reaped, not left stopped
    # Before, it waited up to 30 s for the child (here until the test let it go). Closing takes
    # well under a second, but a loaded machine can stretch that: what counts is not waiting.
    assert took < 10.0, took
    assert rows(project_file, "pragma integrity_check") == [("ok",)]
    assert rows(project_file, "select label from spans") == [("agency",)]


def test_closing_with_an_edit_a_stopped_project_process_never_took_asks_first_then_closes_at_once(
        qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    asked: list[str] = []

    def discard(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Discard).click()

    with stopped(window, rescue_after=10.0) as child:
        assert window.select_text("Department of Justice")
        qtbot.keyClick(window.text_view, "1")
        assert window.statusBar().currentMessage().startswith("The project is busy")
        when_modal(qtbot, QMessageBox, discard)
        start = time.monotonic()
        window.close()
        took = time.monotonic() - start
        assert not window.isVisible() and not pid_running(child)
    assert len(asked) == 1 and "1 change could not be stored yet" in asked[0]
    # The tries to store it (about 1 s) and the question (answered at once), but no wait for the child,
    # which the test lets go only after 10 s; a loaded machine may stretch the rest.
    assert took < 10.0, took
    assert rows(project_file, "select id from spans") == []
    assert rows(project_file, "pragma integrity_check") == [("ok",)]


def test_while_the_window_waits_for_a_working_project_process_the_status_line_says_so(
        qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    other = sqlite3.connect(project_file, isolation_level=None)  # another program, writing
    other.execute("begin immediate")
    try:
        assert window.select_text("Department of Justice")
        # The tag waits in the project's process for the other program's lock (a second), then
        # for the write queue.
        qtbot.keyClick(window.text_view, "1")
        assert WAITING in said
        assert said.index(WAITING) < next(i for i, m in enumerate(said) if m.startswith("The project is busy"))
        assert window.statusBar().currentMessage().startswith("The project is busy")
    finally:
        other.execute("rollback")
        other.close()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "All changes stored", timeout=10_000)
    assert rows(project_file, "select label from spans") == [("agency",)]


def in_busy_handler(pid: int) -> bool:
    """A thread of the process sleeps in SQLite's busy handler (its only sleep: the others wait
    on a pipe or a lock)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(OSError):
            if (task / "wchan").read_text() == "hrtimer_nanosleep":
                return True
    return False


def test_a_read_that_waits_for_a_working_project_process_says_so_then_does_what_was_asked(
        qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    session = window.session
    assert session is not None and session.project.pid is not None
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    other = sqlite3.connect(project_file, isolation_level=None)  # another program, writing
    other.execute("begin immediate")
    # Another thread's write holds the project's process for a second (it waits for that lock).
    blocked: list[BaseException] = []

    def write() -> None:
        try:
            session.project.set_status(window.navigation.doc_id, "done")
        except ProjectBusy as exc:
            blocked.append(exc)

    writer = threading.Thread(target=write)
    try:
        writer.start()
        qtbot.waitUntil(lambda: in_busy_handler(session.project.pid))  # type: ignore[arg-type]
        qtbot.keyClick(window.page_view, Qt.Key.Key_Tab)  # reads the suggestions: waits for the process
        assert WAITING in said
        assert blocked  # the read was answered after the other request
        assert window.statusBar().currentMessage() not in ("", WAITING)
        assert "not answering" not in window.statusBar().currentMessage()
    finally:
        writer.join()
        other.execute("rollback")
        other.close()


def test_a_page_whose_reading_the_stopped_process_interrupts_is_finished_once_it_answers(
        qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.page_view.prefetch.pending() == 0)  # type: ignore[union-attr]
    window.session.drop_caches()  # type: ignore[union-attr]
    with crashes_seen(window) as crashes:
        # The process answers when page 2 is asked for, and stops before its words are read (in
        # steps, on the next turns of the event loop).
        qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        with stopped(window):
            assert not window.page_view.shown()  # type: ignore[union-attr]
            qtbot.waitUntil(lambda: "not answering" in window.statusBar().currentMessage())
            assert crashes == [] and open_boxes() == []
        qtbot.waitUntil(window.is_settled, timeout=10_000)
        assert crashes == []
    assert window.current_page() == (window.navigation.doc_id, 2)
    assert len(window.page_words()) > 100
    assert "not answering" not in window.statusBar().currentMessage()


def test_an_edit_a_stopped_project_process_has_not_taken_says_it_waits_then_is_done(
        qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path) -> None:
    window = tagged_window
    span_id, label = rows(tagged_file, "select id, label from spans order by id limit 1")[0]
    assert window.highlight_items(span_id)
    with stopped(window):
        window.navigation.go_to_annotation(AnnotationRef("span", span_id))
        qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
        # Not "Deleted …": the span is still in the file and on the page.
        assert window.statusBar().currentMessage() == f"The project is busy; “Delete {label} span” is done as soon as it frees"
        assert window.highlight_items(span_id)
        assert rows(tagged_file, f"select id from spans where id = {span_id}") == [(span_id,)]
    qtbot.waitUntil(lambda: not window.highlight_items(span_id), timeout=5_000)
    assert rows(tagged_file, f"select id from spans where id = {span_id}") == []


def test_a_document_clicked_in_the_list_while_the_process_is_stopped_leaves_the_list_on_the_shown_one(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path) -> None:
    add_second_letter(project_file, tmp_path)
    qtbot.waitUntil(lambda: len(window.session.documents()) == 2, timeout=5_000)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.page_view.prefetch.pending() == 0)  # type: ignore[union-attr]
    shown = window.current_page()
    assert shown is not None
    tree = window.navigator.tree  # type: ignore[union-attr]
    other = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                 if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) != shown[0])
    window.session.drop_caches()  # type: ignore[union-attr]  # its pages must be read: the process must answer
    with crashes_seen(window) as crashes, stopped(window):
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(other).center())
        assert window.statusBar().currentMessage() == NOT_ANSWERING
        assert crashes == [] and window.current_page() == shown
        # The list shows the document on screen, not the one the click could not open.
        assert tree.currentItem().data(0, Qt.ItemDataRole.UserRole) == shown[0]


def test_a_tag_stored_just_before_the_process_stops_is_stored_once(
        qtbot: QtBot, window: MainWindow, project_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The process stops right after it answered the write, before the window reads the change back:
    # the write must not be queued again, or the span would be stored twice once it goes on.
    session = window.session
    assert session is not None
    child = session.project.pid  # type: ignore[attr-defined]
    before = rows(project_file, "select count(*) from spans")[0][0]
    assert window.select_text("Department of Justice")
    with stopped_at(monkeypatch, session, "sync", child, after=False):  # the first read back after the write
        qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: session.writes.pending() == 0, timeout=5_000)
    window.changes.follow()
    assert rows(project_file, "select count(*) from spans")[0][0] == before + 1
    assert len(session.spans(window.current_page()[0])) == before + 1  # type: ignore[index]


def test_a_change_whose_reading_the_stopped_process_interrupted_is_shown_at_a_later_poll(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The process answers the poll's "anything new?" and then stops before the window reads what is
    # new. No other program writes afterwards, so nothing else would make the window look again.
    session = window.session
    assert session is not None
    child = session.project.pid  # type: ignore[attr-defined]
    tagged = run_scanspan(["annotate", "-p", project_file, "-d", "1", "-l", "figure", "--text", "300,000"], tmp_path)
    assert tagged.code == 0, tagged.err
    in_file = {r[0] for r in rows(project_file, "select id from spans")}
    with stopped_at(monkeypatch, session.project, "data_version", child):  # the first poll
        window.changes.follow()
        assert set(session.spans(1)) != in_file

    def shown() -> bool:
        window.changes.follow()  # as the window's timer does
        return set(session.spans(1)) == in_file

    qtbot.waitUntil(shown, timeout=5_000)
    assert ("figure", "300,000", 1) in [row[:3] for row in window.annotation_rows()]


def test_a_project_whose_process_is_slow_to_give_its_first_answers_opens(
        qtbot: QtBot, settings: Settings, project_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a loaded machine the new process may take longer than a poll's patience to answer the
    # window's first questions (where the change log starts); the window must wait for them.
    from app.project import change_log

    first_answers = change_log.ChangeLog.__init__
    rescue: list[threading.Timer] = []

    def slow(self: change_log.ChangeLog, session: object, caches: object) -> None:
        child = session.project.pid  # type: ignore[attr-defined]
        os.kill(child, signal.SIGSTOP)
        timer = threading.Timer(0.5, os.kill, (child, signal.SIGCONT))
        rescue.append(timer)
        timer.start()
        first_answers(self, session, caches)  # type: ignore[arg-type]

    monkeypatch.setattr(change_log.ChangeLog, "__init__", slow)
    try:
        window = open_window(qtbot, settings, project_file)
    finally:
        for timer in rescue:
            timer.join()
    assert rescue
    assert window.session is not None and window.session.documents()
    assert window.current_page() == (window.session.documents()[0].id, 1)


def test_a_document_whose_reading_the_stopped_process_interrupted_is_listed_at_a_later_poll(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The process answers what changed (another program imported a document), then stops before
    # the window reads that document's row: the change must not be counted as taken in.
    session = window.session
    assert session is not None
    child = session.project.pid  # type: ignore[attr-defined]
    add_second_letter(project_file, tmp_path)
    with stopped_at(monkeypatch, session.project, "changes_since", child) as rescue:  # the first read
        window.changes.follow()
        assert rescue, "the poll did not read the changes"

    def listed() -> bool:
        window.changes.follow()  # as the window's timer does
        tree = window.navigator.tree
        return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == [
            "geneva-letter-2015.pdf", "second.pdf"]

    qtbot.waitUntil(listed, timeout=5_000)
