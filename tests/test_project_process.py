"""The child process holding a window's project, killed in the middle of a write: another child
takes over on the same file, and a write is never stored twice nor reported stored when it is not."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from helpers import wait_until

from annotations.records import Label
from annotations.store import Project
from annotations.store.server import ProjectProcess, StoreRestarted

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("begin immediate")
print("holding", flush=True)
if sys.stdin.readline().strip() == "write":
    conn.execute("insert into changes (kind, op) values ('label', 'update')")
conn.execute("commit")
"""
"""Holds the project's write lock until told to let go, and then commits a change of its own or nothing."""


def label_count(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select count(*) from labels where name = ?", [name]).fetchone()[0]
    finally:
        conn.close()


def waiting_for_the_lock(pid: int) -> bool:
    """The child is in SQLite's busy wait (sleeping between attempts), so the write reached it."""
    return any("nanosleep" in (task / "wchan").read_text() for task in Path(f"/proc/{pid}/task").iterdir())


def kill_during_a_write(path: Path, holder_then: str) -> tuple[ProjectProcess, list[object]]:
    """Send a write that waits for another process's lock, kill the child while it waits, let the
    other process go (committing a change of its own when `holder_then` is "write"), and return
    the handle and what the write answered."""
    Project(path).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    process = ProjectProcess(path, wait=30)
    answers: list[object] = []

    def write() -> None:
        try:
            answers.append(process.add_label(Label("mine", "#112233")))
        except StoreRestarted as exc:
            answers.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        child = process.pid
        assert child is not None
        assert wait_until(lambda: waiting_for_the_lock(child), timeout=10)
        os.kill(child, signal.SIGSTOP)  # it cannot take the lock once the other process lets go
        holder.communicate(holder_then + "\n", timeout=10)
        os.kill(child, signal.SIGKILL)
    finally:
        writer.join(timeout=30)
    return process, answers


def test_a_write_in_flight_that_the_file_shows_not_stored_is_stored_once_by_the_next_child(tmp_path: Path) -> None:
    path = tmp_path / "p.scanspan"
    process, answers = kill_during_a_write(path, "rollback")
    try:
        assert answers == [Label("mine", "#112233")]
        assert (process.restarts, process.stored_again, process.not_stored) == (1, 1, 0)
        assert label_count(path, "mine") == 1
        assert process.labels()[-1].name == "mine"  # the new child goes on serving
    finally:
        process.close()


def test_a_write_in_flight_whose_fate_the_file_cannot_tell_is_reported_not_stored(tmp_path: Path) -> None:
    path = tmp_path / "p.scanspan"
    process, answers = kill_during_a_write(path, "write")  # another program wrote meanwhile
    try:
        assert len(answers) == 1 and isinstance(answers[0], StoreRestarted)
        assert "not stored" in str(answers[0])
        assert (process.restarts, process.stored_again, process.not_stored) == (1, 0, 1)
        assert label_count(path, "mine") == 0  # the killed child never stored it, and it was not sent again
    finally:
        process.close()
