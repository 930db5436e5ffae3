"""A read-only view of a project, for work that must never write or wait for writers (exports, lookups)."""

from __future__ import annotations

from pathlib import Path

from .project import Project


class ProjectReader(Project):
    """Every reading method of `Project` on a read-only connection; a write raises ReadOnlyProject."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, read_only=True)
