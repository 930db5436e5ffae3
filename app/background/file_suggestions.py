"""Runs a term list or pattern file over the project in the background, with its progress and Cancel in the status bar.

Like the model (model_controller.py), the work runs in a child process that opens the project
itself, as `scanspan suggest --terms/--patterns` would; the suggestions it stores reach the window
through the project's change log.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from annotations.assist.suggest import FileRequest
from app.background.job_controller import JobController
from app.background.workers import JobWorker


class FileSuggestions(JobController):
    finished = Signal(object, object)  # the FileRequest, its SuggestReport
    cancelled = Signal(str)  # what the status bar says
    failed = Signal(str)  # a one-line error (a file that cannot be used, a label the project lacks)
    crashed = Signal(str)  # traceback

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(status_bar, pool, "Stop; nothing is stored", parent)

    def start(self, request: FileRequest) -> bool:
        if self.session is None or self.worker is not None:
            return False
        worker = JobWorker("suggest-file", self.session.path, request)
        name = request.path.name
        worker.signals.progress.connect(lambda done, total, doc: self.step(done, total, f"{name}: {doc}", "documents"))
        worker.signals.finished.connect(lambda report: self.end(lambda: self.finished.emit(request, report)))
        worker.signals.failed.connect(lambda message: self.end(lambda: self.failed.emit(message)))
        worker.signals.cancelled.connect(lambda: self.end(lambda: self.cancelled.emit(
            f"{name}: cancelled; nothing was stored")))
        worker.signals.crashed.connect(lambda details: self.end(lambda: self.crashed.emit(details)))
        self.launch(worker, f"{name}: reading the documents…")
        return True
