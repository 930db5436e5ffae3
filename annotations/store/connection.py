"""Opening a project's SQLite connection, write transactions that wait their turn, and errors in one line."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ProjectBusy, ProjectError, ReadOnlyProject, WriteFailed

WRITE_WAIT = 60.0
"""Seconds a write waits for other processes' writes before giving up (each writer holds the lock briefly)."""

READ_ONLY_ASKED = "opened for reading only"

LOCK_POLL_MS = 250
"""SQLite's own busy wait per attempt; between attempts we check the deadline and tell the caller."""


def read_only_reason(path: Path) -> str | None:
    """Why a project at `path` can only be read here, or None when it can be written."""
    folder = path.parent
    for target in (path, folder):
        if hasattr(os, "statvfs") and target.exists() and os.statvfs(target).f_flag & os.ST_RDONLY:
            return "it is on a read-only disk"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(folder, os.W_OK):
        # WAL mode keeps two files beside the project (-wal, -shm), so the folder must be writable too.
        return "its folder is read-only"
    return None


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are begun explicitly (see `Transactions.write`)."""
    if read_only:
        uri = path.resolve().as_uri()
        try:
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL project in a read-only folder without its -shm file cannot be opened "ro"; no
            # process can be writing there, so reading it as immutable is safe.
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {LOCK_POLL_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        # An acknowledged edit must survive the machine dying: WAL with FULL syncs on every commit.
        conn.execute("PRAGMA synchronous = FULL")
    return conn


def is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(exc)


def write_error(path: Path, exc: sqlite3.Error) -> ProjectError:
    """The domain error for an SQLite failure during a write; the transaction was rolled back."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or "disk is full" in str(exc):
        return WriteFailed(f"{path}: the disk is full; nothing of this change was stored")
    if name.startswith("SQLITE_READONLY"):
        return ReadOnlyProject(f"{path}: cannot be written ({read_only_reason(path) or exc}); nothing was changed")
    if is_busy(exc):
        return ProjectBusy(f"{path}: another program is writing to the project; nothing of this change was stored")
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        return WriteFailed(f"{path}: the disk refused the write ({exc}); nothing of this change was stored")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return WriteFailed(f"{path}: the project file is damaged ({exc})")
    return ProjectError(f"{path}: {exc}; nothing of this change was stored")


class Transactions:
    """Write transactions for one connection: each takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads before it writes gets SQLITE_BUSY at once when another
    process writes meanwhile, whatever the busy timeout; taking the lock first makes it wait.
    Nested writes join the outer transaction as savepoints.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, wait: float = WRITE_WAIT,
                 on_wait: Callable[[], None] | None = None, read_only: str | None = None) -> None:
        self.conn = conn
        self.path = path
        self.wait = wait
        self.on_wait = on_wait
        self.read_only = read_only
        self.waited = 0.0  # the longest a write waited for the lock, for benchmarks
        self._depth = 0

    @contextmanager
    def write(self, store: bool = False) -> Iterator[None]:
        """A write transaction; `store` marks the store's own housekeeping, allowed on a file that
        can be written even when the caller asked only to read."""
        if self.read_only and not (store and self.read_only == READ_ONLY_ASKED):
            raise ReadOnlyProject(f"{self.path}: opened read-only ({self.read_only}); nothing was changed")
        if self._depth:
            savepoint = f"scanspan_{self._depth}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO {savepoint}")
                    self.conn.execute(f"RELEASE {savepoint}")
                raise
            else:
                self.conn.execute(f"RELEASE {savepoint}")
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise write_error(self.path, exc) from None
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0

    def _begin(self) -> None:
        started = time.monotonic()
        deadline = started + self.wait
        told = False
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                self.waited = max(self.waited, time.monotonic() - started)
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise write_error(self.path, exc) from None
                if time.monotonic() >= deadline:
                    raise ProjectBusy(
                        f"{self.path}: another program kept the project busy for {self.wait:g} s; "
                        "nothing of this change was stored"
                    ) from None
                if not told and self.on_wait is not None:
                    told = True
                    self.on_wait()

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the failed statement may already have ended the transaction
