"""Exports and copies of the open project: asked for in the window, run in child processes, reported in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar, QWidget

from app.background.workers import JobWorker, backup_worker, export_worker
from app.crash import CrashHandler

if TYPE_CHECKING:
    from annotations.exporters.base import ExportReport  # the exporters load when an export starts

PROJECT_FILTER = "Scanspan projects (*.scanspan *.db *.sqlite);;All files (*)"


def written(report: ExportReport) -> str:
    """"Wrote" and the full path of every file written (each split's, the page images' folders)."""
    files = ", ".join(str(Path(f).resolve()) for f in report.files) or "nothing"
    folders = ", ".join(str(Path(f).resolve()) for f in report.image_folders)
    images = f" and {report.images} page images to {folders}" if report.images else ""
    return f"Wrote {files}{images}"


class ExportController(QObject):
    exported = Signal(object)  # the ExportReport, or the error message
    copied = Signal(str)  # the status message; empty when the copy failed

    def __init__(self, parent: QWidget, status: QStatusBar, pool: QThreadPool, crash: CrashHandler,
                 show_error: Callable[[str, str], None]) -> None:
        super().__init__(parent)
        self.window = parent
        self.status = status
        self.pool = pool
        self.crash = crash
        self.show_error = show_error

    def _start(self, worker: JobWorker, what: str) -> None:
        # The status bar said the job was under way: once it has stopped it must not go on saying so.
        worker.signals.crashed.connect(lambda _details: self.status.showMessage(
            f"{what[0].upper()}{what[1:]} stopped on an internal error", 10000))
        worker.signals.crashed.connect(lambda details: self.crash.report(details, f"{what} stopped on an internal error"))
        self.pool.start(worker)

    def export(self, project: Path, fmt: str, output: Path, documents: list[int] | None = None,
               options: object = None) -> None:
        worker = export_worker(project, fmt, output, documents, options)
        worker.signals.finished.connect(self._exported)
        worker.signals.failed.connect(self._export_failed)
        self.status.showMessage(f"Exporting to {output}…")
        self._start(worker, "the export")

    def _exported(self, report: ExportReport) -> None:
        lines = report.summary()
        wrote = written(report)
        self.status.showMessage(f"{wrote}: {lines[0]}" if lines else wrote, 10000)
        if len(lines) > 1:
            # A warning is something to fix in the project before training on the export.
            warned = any(line.startswith("warning:") for line in lines)
            icon = QMessageBox.Icon.Warning if warned else QMessageBox.Icon.Information
            box = QMessageBox(icon, "Export finished", wrote, QMessageBox.StandardButton.Ok, self.window)
            box.setInformativeText("\n".join(lines))
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # a path to copy
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        self.exported.emit(report)

    def _export_failed(self, message: str) -> None:
        self.status.showMessage(f"Export failed: {message}", 10000)  # no longer "Exporting to …"
        self.show_error("Export failed", message)
        self.exported.emit(message)

    def copy_dialog(self, project: Path) -> None:
        suggested = str(project.with_name(f"{project.stem}-copy{project.suffix}"))
        path, _ = QFileDialog.getSaveFileName(self.window, "Save a copy of the project", suggested, PROJECT_FILTER)
        if path:
            self.copy(project, Path(path))

    def copy(self, project: Path, output: Path) -> None:
        """A consistent copy of the whole project in one file, made while the window (and others) go on."""
        if output.exists():
            try:
                output.unlink()  # the save dialog has asked whether to replace it
            except OSError as exc:
                self.show_error("Cannot save a copy", f"{output}: {exc.strerror or exc}")
                return
        worker = backup_worker(project, output)
        worker.signals.finished.connect(lambda path: self._copied(f"Saved a copy of the project to {path}"))
        worker.signals.failed.connect(lambda message: (
            self.status.showMessage(f"Cannot save a copy: {message}", 10000),
            self.show_error("Cannot save a copy", message), self._copied("")))
        self.status.showMessage(f"Saving a copy to {output}…")
        self._start(worker, "saving a copy")

    def _copied(self, message: str) -> None:
        if message:
            self.status.showMessage(message, 10000)
        self.copied.emit(message)
