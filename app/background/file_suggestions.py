"""Runs a term list or pattern file over the project in the background, with its progress and Cancel in the status bar.

Like the model (model_controller.py), the work runs in a child process that opens the project
itself, as `scanspan suggest --terms/--patterns` would; the suggestions it stores reach the window
through the project's change log.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from annotations.suggest import FileRequest
from app.background.status_progress import StatusProgress
from app.background.workers import JobWorker
from app.project.session import ProjectSession


class FileSuggestions(QObject):
    finished = Signal(object, object)  # the FileRequest, its SuggestReport
    cancelled = Signal(str)  # what the status bar says
    failed = Signal(str)  # a one-line error (a file that cannot be used, a label the project lacks)
    crashed = Signal(str)  # traceback

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.session: ProjectSession | None = None
        self.worker: JobWorker | None = None
        self.progress = StatusProgress(status_bar, "Stop; nothing is stored", self.cancel, 160)
        self.label, self.bar, self.cancel_button = self.progress.label, self.progress.bar, self.progress.cancel_button

    def set_session(self, session: ProjectSession | None) -> None:
        self.stop()
        self.session = session

    def running(self) -> bool:
        return self.worker is not None

    def start(self, request: FileRequest) -> bool:
        if self.session is None or self.worker is not None:
            return False
        worker = JobWorker("suggest-file", self.session.path, request)
        name = request.path.name
        worker.signals.progress.connect(lambda done, total, doc: self._on_progress(name, done, total, doc))
        worker.signals.finished.connect(lambda report: self._end(lambda: self.finished.emit(request, report)))
        worker.signals.failed.connect(lambda message: self._end(lambda: self.failed.emit(message)))
        worker.signals.cancelled.connect(lambda: self._end(lambda: self.cancelled.emit(
            f"{name}: cancelled; nothing was stored")))
        worker.signals.crashed.connect(lambda details: self._end(lambda: self.crashed.emit(details)))
        self.worker = worker
        self.progress.begin(f"{name}: reading the documents…")
        self.pool.start(worker)
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.progress.cancelling("Cancelling…")

    def stop(self) -> None:
        """Cancel and wait (closing the project or the window)."""
        if self.worker is not None:
            self.cancel()
            self.pool.waitForDone()
            self._done()

    def _on_progress(self, name: str, done: int, total: int, doc: str) -> None:
        if self.worker is None or self.worker.is_cancelled():
            return
        self.progress.step(done, total, f"{name}: {doc}", "documents")

    def _done(self) -> None:
        if self.worker is not None:
            self.worker.signals.deleteLater()  # its connections hold closures that hold the worker
        self.worker = None
        self.progress.end()

    def _end(self, say: Any) -> None:
        self._done()
        if self.session is not None:
            self.session.sync()  # the new suggestions are in the window before it shows them
        say()
