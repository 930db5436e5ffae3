"""Trains the suggestion model in the background, with its progress and Cancel in the status bar.

The work runs in a child process that opens the project itself (annotations/jobs.py, like
`scanspan suggest --model`), so the analyst keeps working meanwhile; the suggestions it stores
reach the window through the project's change log, like any other writer's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from app.background.status_progress import StatusProgress
from app.background.workers import JobWorker
from app.project.session import ProjectSession

ITERATIONS = 30
"""Training passes, as `scanspan suggest --model` makes by default."""


class ModelController(QObject):
    finished = Signal(str)  # what the model did, for the status bar
    failed = Signal(str)  # a one-line error (no accepted spans yet, no spaCy)
    crashed = Signal(str)  # traceback

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.session: ProjectSession | None = None
        self.worker: JobWorker | None = None
        self.progress = StatusProgress(status_bar, "Stop training; nothing is stored", self.cancel, 160)
        self.label, self.bar, self.cancel_button = self.progress.label, self.progress.bar, self.progress.cancel_button

    def set_session(self, session: ProjectSession | None) -> None:
        self.stop()
        self.session = session

    def running(self) -> bool:
        return self.worker is not None

    def start(self, iterations: int = ITERATIONS) -> bool:
        if self.session is None or self.worker is not None:
            return False
        worker = JobWorker("model", self.session.path, iterations)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(lambda message: self._end(lambda: self.failed.emit(message)))
        worker.signals.cancelled.connect(lambda: self._end(lambda: self.finished.emit("Training cancelled; nothing was stored")))
        worker.signals.crashed.connect(lambda details: self._end(lambda: self.crashed.emit(details)))
        self.worker = worker
        self.progress.begin("Model: reading the accepted spans…")
        self.pool.start(worker)
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.progress.cancelling("Model: cancelling…")

    def stop(self) -> None:
        """Cancel and wait (closing the project or the window)."""
        if self.worker is not None:
            self.cancel()
            self.pool.waitForDone()
            self._done()

    def _on_progress(self, done: int, total: int, what: str) -> None:
        if self.worker is None or self.worker.is_cancelled():
            return
        self.progress.step(done, total, f"Model: {what}")

    def _done(self) -> None:
        self.worker = None
        self.progress.end()

    def _end(self, say: Any) -> None:
        self._done()
        if self.session is not None:
            self.session.sync()
        say()

    def _on_finished(self, result: Any) -> None:
        self._end(lambda: self.finished.emit(result.headline()))
