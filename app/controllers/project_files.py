"""Choosing files: projects (new, open, the recent ones), letters or a folder of them to import, and
what a drop on the window opens or imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from app.background.export_controller import PROJECT_FILTER
from app.paths import is_project_file

if TYPE_CHECKING:
    from app.main_window import MainWindow

DOCUMENT_FILTER = (
    "Scanned letters and their OCR files (*.pdf *.tif *.tiff *.png *.jpg *.jpeg *.xml *.hocr *.html);;"
    "hOCR, ALTO and PAGE files, with the image they name (*.xml *.hocr *.html);;All files (*)"
)


class ProjectFiles:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def new_dialog(self) -> None:
        w = self.window
        path, _ = QFileDialog.getSaveFileName(w, "New project", "untitled.scanspan", PROJECT_FILTER,
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        if Path(path).exists():  # never overwrite: it may hold someone's work
            w.show_error("Cannot create project", f"{path} already exists; choose a new name, or open it.")
            return
        w.open_project(path)

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", "", PROJECT_FILTER)
        if path:
            self.window.open_project(path)

    def fill_recent(self) -> None:
        w = self.window
        menu = w.actions.recent_menu
        menu.clear()
        for path in w.settings.recent_projects():
            action = menu.addAction(str(path), self._opener(path))
            action.setEnabled(path.exists())
        if menu.isEmpty():
            menu.addAction("No recent projects").setEnabled(False)

    def _opener(self, path: Path) -> Callable[[], None]:
        def open_it() -> None:
            self.window.open_project(path)

        return open_it

    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import documents", self.import_start(), DOCUMENT_FILTER)
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_folder_dialog(self) -> None:
        """A folder with its subfolders, as `scanspan import --recursive FOLDER`; files found by content."""
        folder = QFileDialog.getExistingDirectory(self.window, "Import a folder and its subfolders", self.import_start())
        if folder:
            self.import_paths([Path(folder)])

    def import_start(self) -> str:
        """Where the import dialogs open: the folder last imported from (letters come in batches from one
        place, rarely from beside the project), else the project's folder."""
        w = self.window
        last = w.settings.import_folder()
        while last is not None and not last.is_dir():  # moved or unmounted: the nearest folder still there
            last = last.parent if last.parent != last else None
        if last is not None:
            return str(last)
        return str(w.session.path.absolute().parent) if w.session is not None else ""

    def import_paths(self, paths: list[Path]) -> None:
        """Import into the open project, and remember where from for the next import dialog."""
        w = self.window
        if w.session is not None and paths:
            w.settings.set_import_folder(paths[0] if paths[0].is_dir() else paths[0].parent)
        w.import_files([*paths])

    def dropped(self, paths: list[Path]) -> None:
        """One project file opens; letters are imported into the open project."""
        w = self.window
        projects = [p for p in paths if is_project_file(p)]
        if len(projects) == 1 and len(paths) == 1:
            w.open_project(projects[0])
        elif w.session is None:
            w.show_error("No project", "Open or create a project first (File ▸ New project), then drop letters on it.")
        else:
            self.import_paths(paths)
