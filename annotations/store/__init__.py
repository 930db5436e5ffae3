"""SQLite project storage through sqlite-utils: schema, migrations and every query."""

import sys


def _import_sqlite_utils() -> None:
    # sqlite-utils imports pandas and numpy whenever they are installed (0.3 s of every command's
    # start-up here) only to map their scalar types to columns; the store never hands it either.
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


_import_sqlite_utils()

from .imports import NewPage  # noqa: E402
from .project import Project, default_labels  # noqa: E402
from .reader import ProjectReader  # noqa: E402

__all__ = ["NewPage", "Project", "ProjectReader", "default_labels"]
