"""A read-only view of a project on its own connection, for work off the writer's thread.

The project has one writer (the thread that owns its `Project`). An import's lookups, an export
or page rendering running on another thread open a `ProjectReader` there instead: a separate
SQLite connection in read-only mode, so it can never write and never holds the writer up (WAL).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from ..errors import ProjectError
from .project import Project


class ProjectReader(Project):
    """Every reading method of `Project`; any write fails with sqlite3.OperationalError."""

    def __init__(self, path: str | Path) -> None:  # noqa: D107 - no migrations: a reader never writes
        self.path = Path(path)
        if not self.path.is_file():
            raise ProjectError(f"{self.path}: no such project")
        try:
            # Not tied to the thread that opened it: a worker may open it and hand it on, as long as
            # one thread at a time uses it.
            conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("select count(*) from sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{self.path}: not a Scanspan project ({exc})") from None
        self.db = Database(conn)
        self._text_cache = {}
