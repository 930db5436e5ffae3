"""What the window remembers between runs, in QSettings: geometry, dock layout, recent projects,
the analyst's name, the folder last imported from, and the import settings chosen for each project.

Nothing else goes here (the project file holds the work). Tests pass their own QSettings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

from annotations.importing.files import ImportOptions
from annotations.ingest import ocr

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

    def import_folder(self) -> Path | None:
        """The folder the last import from a dialog or a drop read from; None before the first."""
        value = self.q.value("importFolder")
        return Path(value) if isinstance(value, str) and value else None

    def set_import_folder(self, folder: Path) -> None:
        self.q.setValue("importFolder", str(folder.resolve()))

    def analyst(self) -> str | None:
        """The name the analyst's edits are recorded under; None until they have chosen one."""
        value = self.q.value("analyst/name")
        return value.strip() if isinstance(value, str) and value.strip() else None

    def set_analyst(self, name: str) -> None:
        self.q.setValue("analyst/name", name.strip())

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

    @staticmethod
    def _project_group(project: Path) -> str:
        # A hash, not the path: QSettings treats "/" in a key as a group separator.
        digest = hashlib.sha256(str(project.resolve()).encode("utf-8")).hexdigest()[:16]
        return f"projects/{digest}/import"

    def import_options(self, project: Path | None = None) -> ImportOptions:
        """The import settings chosen for `project`; for a project never set (or none), the last ones chosen anywhere."""
        group = "import"
        if project is not None and self.q.contains(f"{self._project_group(project)}/dpi"):
            group = self._project_group(project)
        default = ImportOptions()

        def number(key: str, fallback: float) -> float:
            try:
                return float(self.q.value(f"{group}/{key}", fallback))
            except (TypeError, ValueError):
                return fallback

        lang = self.q.value(f"{group}/lang", default.ocr.lang)
        force = self.q.value(f"{group}/forceOcr", default.force_ocr)
        return ImportOptions(
            dpi=number("dpi", default.dpi),
            force_ocr=force is True or (isinstance(force, str) and force.lower() == "true"),  # INI files give text
            ocr=ocr.OcrSettings(lang=lang if isinstance(lang, str) and lang else default.ocr.lang,
                                psm=int(number("psm", default.ocr.psm))),
            jobs=int(number("jobs", default.jobs)),
            ocr_timeout=number("ocrTimeout", default.ocr_timeout),
        )

    def save_import_options(self, options: ImportOptions, project: Path | None = None) -> None:
        """Remember the settings for `project`, and as where the next project never set starts from."""
        groups = ["import"] + ([self._project_group(project)] if project is not None else [])
        for group in groups:
            for key, value in (("dpi", options.dpi), ("lang", options.ocr.lang), ("psm", options.ocr.psm),
                               ("jobs", options.jobs), ("ocrTimeout", options.ocr_timeout),
                               ("forceOcr", options.force_ocr)):
                self.q.setValue(f"{group}/{key}", value)
        if project is not None:
            self.q.setValue(f"{self._project_group(project)}/path", str(project.resolve()))  # for a person reading the file

    def sync(self) -> None:
        self.q.sync()
