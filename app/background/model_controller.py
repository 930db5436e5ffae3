"""Trains the suggestion model in the background, with its progress and Cancel in the status bar.

The work runs in a child process that opens the project itself (annotations/workers/jobs.py, like
`scanspan suggest --model`), so the analyst keeps working meanwhile; the suggestions it stores
reach the window through the project's change log, like any other writer's.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from app.background.job_controller import JobController
from app.background.workers import JobWorker

ITERATIONS = 30
"""Training passes, as `scanspan suggest --model` makes by default."""


class ModelController(JobController):
    finished = Signal(str)  # what the model did, for the status bar
    failed = Signal(str)  # a one-line error (no accepted spans yet, no spaCy)
    crashed = Signal(str)  # traceback
    CANCELLING = "Model: cancelling…"

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(status_bar, pool, "Stop training; nothing is stored", parent)

    def start(self, iterations: int = ITERATIONS) -> bool:
        if self.session is None or self.worker is not None:
            return False
        worker = JobWorker("model", self.session.path, iterations)
        worker.signals.progress.connect(lambda done, total, what: self.step(done, total, f"Model: {what}"))
        worker.signals.finished.connect(lambda result: self.end(lambda: self.finished.emit(result.headline())))
        worker.signals.failed.connect(lambda message: self.end(lambda: self.failed.emit(message)))
        worker.signals.cancelled.connect(lambda: self.end(lambda: self.finished.emit("Training cancelled; nothing was stored")))
        worker.signals.crashed.connect(lambda details: self.end(lambda: self.crashed.emit(details)))
        self.launch(worker, "Model: reading the accepted spans…")
        return True
