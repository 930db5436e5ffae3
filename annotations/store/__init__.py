"""SQLite project storage through sqlite-utils: schema, migrations and every query."""

from .project import NewPage, Project, default_labels

__all__ = ["NewPage", "Project", "default_labels"]
