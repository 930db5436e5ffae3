"""The window as one writer among several, with real processes on a real project file: its edits
reach the file whatever else its process does with that file, survive SIGKILL, never collide with
another writer's rows, wait for a busy project instead of failing, and other writers' changes
show up in the window."""

from __future__ import annotations

import os
import shlex
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from gui_helpers import open_window, rows
from helpers import cli_env, draw_pdf, namespaces_problem, run_scanspan
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from annotations.store import Project
from app.main_window import MainWindow
from app.settings import Settings

DRIVER = Path(__file__).with_name("window_driver.py")
ROOT = Path(__file__).resolve().parents[2]


class DrivenWindow:
    """The window in its own process (tests/gui/window_driver.py), one command at a time."""

    def __init__(self, project: Path, tmp: Path, mount_read_only: Path | None = None) -> None:
        env = cli_env(tmp)
        env["QT_QPA_PLATFORM"] = "offscreen"
        env["SCANSPAN_DATA_DIR"] = str(tmp / "data")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(DRIVER.parent)])
        # A session of its own, so that SIGKILL to its group takes the window and its children at once.
        command = [sys.executable, str(DRIVER), str(project), str(tmp / "driver.ini")]
        if mount_read_only is not None:  # in a mount namespace of its own, where that folder is read-only
            folder = shlex.quote(str(mount_read_only))
            command = ["unshare", "-rm", "sh", "-c", f"mount --bind {folder} {folder} && "
                       f"mount -o remount,ro,bind {folder} && exec {shlex.join(command)}"]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
        )
        assert self.answer() == "ready"

    def answer(self) -> str:
        line = self.proc.stdout.readline().strip()  # type: ignore[union-attr]
        if not line:
            raise AssertionError(f"the window process ended: {self.proc.stderr.read()}")  # type: ignore[union-attr]
        return line

    def ask(self, *command: object) -> str:
        self.proc.stdin.write("\t".join(map(str, command)) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return self.answer()

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.communicate(timeout=30)  # reaps it and closes the pipes


def span_ids(path: Path) -> set[int]:
    """The spans in the file, as another program (here: this test process) reads it."""
    return {r[0] for r in rows(path, "select id from spans")}


def locks_held(pid: int) -> int:
    """POSIX locks a process holds (the SQLite locks, on a project; /proc/locks lists them)."""
    return sum(1 for line in Path("/proc/locks").read_text().splitlines() if line.split()[4] == str(pid))


def test_edits_reach_the_file_after_other_code_in_the_window_closes_it(project_file: Path, tmp_path: Path) -> None:
    window = DrivenWindow(project_file, tmp_path)
    try:
        gui_pid, store_pid = map(int, window.ask("pids").split()[1:])
        before = locks_held(store_pid)
        assert before > 0 and locks_held(gui_pid) == 0  # the window's own process holds no lock to lose
        acked: list[int] = []
        for phrase, key in (("Department of Justice", "1"), ("Task Force Program", "2"), ("300,000", "3")):
            assert window.ask("touch").startswith("touched")
            assert window.ask("dialog") == "browsed"
            # A command that closes its connection: with the window's locks gone it would checkpoint
            # and delete the -wal file the window goes on writing into.
            assert run_scanspan(["list", "-p", project_file], tmp_path).code == 0
            answer = window.ask("tag", phrase, key)
            assert answer.startswith("tagged"), answer
            acked.append(int(answer.split()[1]))
            assert set(acked) <= span_ids(project_file)
        assert window.ask("region", 300, 2500, 1500, 2800).startswith("region")
        assert locks_held(store_pid) == before
    finally:
        window.kill()  # the window, its project process and its render process, all at once
    assert set(acked) <= span_ids(project_file)
    assert rows(project_file, "select count(*) from regions") == [(1,)]
    assert rows(project_file, "pragma integrity_check") == [("ok",)]


def test_the_window_shows_what_the_command_line_writes(qtbot: QtBot, window: MainWindow, project_file: Path,
                                                       tmp_path: Path) -> None:
    added = run_scanspan(["annotate", "-p", project_file, "-d", "1", "-l", "agency", "--text", "Department of Justice"],
                         tmp_path)
    assert added.code == 0, added.err
    span_id = int(added.out.split()[1].rstrip(":"))
    qtbot.waitUntil(lambda: bool(window.highlight_items(span_id)), timeout=5_000)
    assert ("agency", "Department of Justice", 1, "") in window.annotation_rows()
    # A correction from elsewhere shows in the text panel, and a deleted span goes away.
    word = rows(project_file, "select w.id, w.text from words w where w.text = 'Justice' limit 1")[0]
    conn = sqlite3.connect(project_file)
    with conn:
        conn.execute("update words set text = 'JUSTICE' where id = ?", [word[0]])
        conn.execute("delete from spans where id = ?", [span_id])
    conn.close()
    qtbot.waitUntil(lambda: "Department of JUSTICE" in window.text_view.toPlainText(), timeout=5_000)
    qtbot.waitUntil(lambda: not window.highlight_items(span_id), timeout=5_000)
    assert window.annotation_rows() == []
    # A letter imported by the command line joins the documents panel.
    letter = tmp_path / "minutes.pdf"
    letter.write_bytes(draw_pdf([["Minutes of the meeting of the Task Force", "held on 3 December 2015"]]).pdf)
    assert run_scanspan(["import", letter, "-p", project_file], tmp_path).code == 0
    tree = window.navigator.tree
    names = lambda: [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]  # noqa: E731
    qtbot.waitUntil(lambda: "minutes.pdf" in names(), timeout=5_000)


def test_undo_and_redo_touch_only_the_windows_own_rows(qtbot: QtBot, window: MainWindow, project_file: Path,
                                                       tmp_path: Path) -> None:
    assert window.select_text("Task Force Program")
    qtbot.keyClick(window.text_view, "2")
    mine = window.selection.annotation.id  # type: ignore[union-attr]
    window.undo_stack().undo()
    assert span_ids(project_file) == set()
    other = run_scanspan(["annotate", "-p", project_file, "-d", "1", "-l", "agency", "--text", "Department of Justice"],
                         tmp_path)
    assert other.code == 0, other.err
    theirs = int(other.out.split()[1].rstrip(":"))
    assert theirs != mine  # ids are never handed out twice
    window.undo_stack().redo()
    assert span_ids(project_file) == {mine, theirs}
    window.undo_stack().undo()
    assert span_ids(project_file) == {theirs}
    assert not any("UNIQUE" in m for m in [window.last_message()])


def test_a_busy_project_keeps_the_edit_and_stores_it_when_free(qtbot: QtBot, window: MainWindow,
                                                               project_file: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
         "c.execute('begin immediate'); print('holding', flush=True); sys.stdin.readline()", str(project_file)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"  # type: ignore[union-attr]
        assert window.select_text("Department of Justice")
        qtbot.keyClick(window.text_view, "1")
        assert "busy" in window.statusBar().currentMessage()
        assert window.session.writes.pending() == 1  # type: ignore[union-attr]
        assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert span_ids(project_file) == set()
    finally:
        holder.communicate("\n", timeout=10)  # it lets go, and its pipes are closed
    qtbot.waitUntil(lambda: len(span_ids(project_file)) == 1, timeout=10_000)
    qtbot.waitUntil(lambda: bool(window.highlight_items()), timeout=5_000)
    assert window.statusBar().currentMessage() == "All changes stored"


def test_a_read_only_project_opens_read_only_with_a_notice(project_file: Path, tmp_path: Path) -> None:
    if namespaces_problem():  # root ignores file permissions: a read-only mount is the only way
        pytest.skip(namespaces_problem())
    folder = tmp_path / "readonly"
    folder.mkdir()
    target = folder / project_file.name
    target.write_bytes(project_file.read_bytes())
    window = DrivenWindow(target, tmp_path, mount_read_only=folder)
    try:
        title, notice, region_tool = window.ask("state").removeprefix("state ").split("|")
        assert "[read-only]" in title and notice == "Read-only: it is on a read-only disk" and region_tool == "False"
        answer = window.ask("tag", "Department of Justice", "1")
        assert answer.startswith("failed") and "read-only" in answer
    finally:
        window.kill()
    assert rows(target, "select count(*) from spans") == [(0,)]


def test_save_a_copy_holds_everything_while_the_window_is_open(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, "1")
    copy = tmp_path / "copy.scanspan"
    with qtbot.waitSignal(window.copySaved, timeout=60_000) as saved:
        window.save_copy(copy)
    assert "Saved a copy" in saved.args[0]
    assert not Path(f"{copy}-wal").exists()
    assert rows(copy, "select label from spans") == [("agency",)]
    assert rows(copy, "pragma integrity_check") == [("ok",)]


def test_closing_the_window_leaves_everything_in_the_project_file_itself(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, settings, project_file)
    # Another program keeps the project open, so the -wal file stays; the window's close copies it in.
    keeper = sqlite3.connect(project_file)
    keeper.execute("select count(*) from spans").fetchone()
    try:
        assert window.select_text("Task Force Program")
        qtbot.keyClick(window.text_view, "2")
        window.close()
        alone = tmp_path / "alone.scanspan"
        alone.write_bytes(project_file.read_bytes())  # the .db file only, as a user would copy it
        assert rows(alone, "select label from spans") == [("program",)]
    finally:
        keeper.close()


def test_status_changes_are_undone_where_they_were_made(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    window.editor.set_status(1, "done")  # type: ignore[union-attr]
    assert rows(project_file, "select status from documents") == [("done",)]
    conn = sqlite3.connect(project_file)
    with conn:
        conn.execute("update documents set status = 'in progress'")
    conn.close()
    qtbot.waitUntil(lambda: window.session.document(1).status == "in progress", timeout=5_000)  # type: ignore[union-attr]
    assert window.navigator.status.currentText() == "in progress"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(project_file, "select status from documents") == [("new",)]


def test_a_document_reordered_by_another_program_is_read_again(qtbot: QtBot, window: MainWindow,
                                                               project_file: Path) -> None:
    first = window.text_view.toPlainText().split()[0]
    with Project(project_file) as project:
        page = project.pages(1)[0]
        ids = [w.id for w in project.words(page.id)]
        last = project.words(page.id)[-1].text
        project.reorder_document(1, {page.id: list(reversed(ids))}, "test", [page.id], {}, {})
    qtbot.waitUntil(lambda: window.text_view.toPlainText().split()[:1] == [last], timeout=10_000)
    assert window.text_view.toPlainText().split()[-1] == first


def test_a_copy_that_cannot_be_saved_does_not_leave_the_status_bar_saying_it_is_saving(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    copy = tmp_path / "notes.txt" / "copy.scanspan"
    with qtbot.waitSignal(window.copySaved, timeout=60_000) as saved:
        window.save_copy(copy)
    assert saved.args[0] == ""  # it failed
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    box.accept()
    said = window.statusBar().currentMessage()
    assert said.startswith("Cannot save a copy: "), said
