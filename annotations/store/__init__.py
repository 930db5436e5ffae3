"""SQLite project storage through sqlite-utils: schema, migrations and every query."""

from .project import NewPage, Project, default_labels
from .reader import ProjectReader

__all__ = ["NewPage", "Project", "ProjectReader", "default_labels"]
