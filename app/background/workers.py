"""Long work off the GUI thread: QRunnables on a QThreadPool that only emit signals.

Each worker runs one job in a child process (annotations/workers/jobs.py) and relays its messages: an
import is one more writer beside the window, like `scanspan import`, so the window never holds
the project file in its own process and never stores a long document on its own thread; the new
documents reach the window through the project's change log. Cancel is cooperative.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from annotations.importing.files import ImportOptions
from annotations.workers import jobs


class JobSignals(QObject):
    progress = Signal(int, int, str)  # pages done, pages known, file name
    finished = Signal(object)  # the job's result
    failed = Signal(str)  # a one-line error from the core
    cancelled = Signal(object)  # what the job finished before it stopped (an import's outcomes), or None
    crashed = Signal(str)  # a traceback: a bug, not a bad file


class JobWorker(QRunnable):
    """Runs one of annotations.workers.jobs.WORKS in a child process and turns its messages into signals."""

    def __init__(self, work: str, *args: Any) -> None:
        super().__init__()
        self.work = work
        self.args = args
        self.signals = JobSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            job = jobs.Job(self.work, *self.args)
        except OSError as exc:
            self.signals.failed.emit(f"cannot start the background process ({exc.strerror or exc})")
            return
        asked = False
        try:
            for message in job.messages():
                if self._cancel.is_set() and not asked:
                    asked = True
                    job.cancel()
                if message is None:
                    continue
                kind = message[0]
                if kind == "progress":
                    self.signals.progress.emit(*message[1:4])
                elif kind == "result":
                    self.signals.finished.emit(message[1])
                elif kind == "cancelled":
                    self.signals.cancelled.emit(message[1])
                elif kind == "error":
                    self.signals.failed.emit(message[1])
                else:
                    self.signals.crashed.emit(message[1])
        finally:
            job.close()


def import_worker(project_path: Path, paths: Sequence[Path], options: ImportOptions | None = None) -> JobWorker:
    """Files, or folders (searched with their subfolders; the result is then a FolderImport)."""
    if any(p.is_dir() for p in paths):
        return JobWorker("import-folders", project_path, list(paths), options or ImportOptions(), True)
    return JobWorker("import", project_path, list(paths), options or ImportOptions())


def export_worker(project_path: Path, fmt: str, output: Path, documents: Sequence[int] | None,
                  options: object = None) -> JobWorker:
    return JobWorker("export", project_path, fmt, output,
                     list(documents) if documents is not None else None, options)


def backup_worker(project_path: Path, output: Path) -> JobWorker:
    return JobWorker("backup", project_path, output)
