"""What the window remembers between runs, in QSettings: geometry, dock layout, recent projects.

Nothing else goes here (the project file holds the work). Tests pass their own QSettings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

MAX_RECENT = 8
STATE_VERSION = 1


def default_settings() -> QSettings:
    return QSettings("Scanspan", "Scanspan")


class Settings:
    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings if qsettings is not None else default_settings()

    def recent_projects(self) -> list[Path]:
        value = self.q.value("recentProjects", [])
        if isinstance(value, str):  # QSettings gives a lone string for a one-item list in INI files
            value = [value]
        return [Path(v) for v in value or [] if isinstance(v, str) and v]

    def add_recent(self, path: Path) -> None:
        path = path.resolve()
        recent = [p for p in self.recent_projects() if p != path]
        self.q.setValue("recentProjects", [str(p) for p in [path, *recent][:MAX_RECENT]])

    def forget_recent(self, path: Path) -> None:
        self.q.setValue("recentProjects", [str(p) for p in self.recent_projects() if p != path])

    def save_window(self, window: QMainWindow) -> None:
        self.q.setValue("window/geometry", window.saveGeometry())
        self.q.setValue("window/state", window.saveState(STATE_VERSION))

    def restore_window(self, window: QMainWindow) -> bool:
        geometry = self.q.value("window/geometry")
        state = self.q.value("window/state")
        restored = False
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            restored = window.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            window.restoreState(state, STATE_VERSION)
        return restored

    def sync(self) -> None:
        self.q.sync()
