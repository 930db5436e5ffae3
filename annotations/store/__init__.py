"""SQLite project storage through sqlite-utils: schema, migrations and every query."""

from .imports import NewPage
from .project import Project, default_labels
from .reader import ProjectReader

__all__ = ["NewPage", "Project", "ProjectReader", "default_labels"]
