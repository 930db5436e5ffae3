"""Small facts about files, for the command line and the window alike (no Qt, nothing heavy)."""

from __future__ import annotations

from pathlib import Path


def is_project_file(path: Path) -> bool:
    """An SQLite file (a Scanspan project, or something the core will refuse with a message)."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
