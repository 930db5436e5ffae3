"""Reads a document again in the background (as `scanspan reocr`), with its progress and Cancel in the status bar.

The work runs in a child process that opens the project itself (annotations/jobs.py); the new words
reach the window through the project's change log, like any other writer's. The result carries the
document as it was before and after, so the window can make the new reading one undo step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from annotations.importer import ImportOptions
from app.background.status_progress import StatusProgress
from app.background.workers import JobWorker
from app.project.session import ProjectSession


class ReocrController(QObject):
    finished = Signal(object)  # (reocr.Reread, the document's contents before, after)
    failed = Signal(str)  # a one-line error; the document is unchanged
    cancelled = Signal()
    crashed = Signal(str)  # traceback

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.session: ProjectSession | None = None
        self.worker: JobWorker | None = None
        self.progress = StatusProgress(status_bar, "Stop reading it again; the document stays as it was",
                                       self.cancel, 160)

    def set_session(self, session: ProjectSession | None) -> None:
        self.stop()
        self.session = session

    def running(self) -> bool:
        return self.worker is not None

    def start(self, doc_id: int, name: str, options: ImportOptions) -> bool:
        if self.session is None or self.worker is not None:
            return False
        worker = JobWorker("reocr", self.session.path, doc_id, options)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(lambda result: self._end(lambda: self.finished.emit(result)))
        worker.signals.failed.connect(lambda message: self._end(lambda: self.failed.emit(message)))
        worker.signals.cancelled.connect(lambda: self._end(self.cancelled.emit))
        worker.signals.crashed.connect(lambda details: self._end(lambda: self.crashed.emit(details)))
        self.worker = worker
        self.progress.begin(f"OCR again: {name}…")
        self.pool.start(worker)
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.progress.cancelling("OCR again: cancelling…")

    def stop(self) -> None:
        """Cancel and wait (closing the project or the window)."""
        if self.worker is not None:
            self.cancel()
            self.pool.waitForDone()
            self._done()

    def _on_progress(self, done: int, total: int, what: str) -> None:
        if self.worker is None or self.worker.is_cancelled():
            return
        self.progress.step(done, total, f"OCR again: {what}")

    def _done(self) -> None:
        self.worker = None
        self.progress.end()

    def _end(self, say: Any) -> None:
        self._done()
        if self.session is not None:
            self.session.sync()
        say()
