"""Reads a document again in the background (as `scanspan reocr`), with its progress and Cancel in the status bar.

The work runs in a child process that opens the project itself (annotations/workers/jobs.py); the new words
reach the window through the project's change log, like any other writer's. The result carries the
document as it was before and after, so the window can make the new reading one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from annotations.importing.files import ImportOptions
from app.background.job_controller import JobController
from app.background.workers import JobWorker


class ReocrController(JobController):
    finished = Signal(object)  # (reocr.Reread, the document's contents before, after)
    failed = Signal(str)  # a one-line error; the document is unchanged
    cancelled = Signal()
    crashed = Signal(str)  # traceback
    CANCELLING = "OCR again: cancelling…"

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(status_bar, pool, "Stop reading it again; the document stays as it was", parent)

    def start(self, doc_id: int, name: str, options: ImportOptions) -> bool:
        if self.session is None or self.worker is not None:
            return False
        worker = JobWorker("reocr", self.session.path, doc_id, options)
        worker.signals.progress.connect(lambda done, total, what: self.step(done, total, f"OCR again: {what}"))
        worker.signals.finished.connect(lambda result: self.end(lambda: self.finished.emit(result)))
        worker.signals.failed.connect(lambda message: self.end(lambda: self.failed.emit(message)))
        worker.signals.cancelled.connect(lambda: self.end(self.cancelled.emit))
        worker.signals.crashed.connect(lambda details: self.end(lambda: self.crashed.emit(details)))
        self.launch(worker, f"OCR again: {name}…")
        return True
