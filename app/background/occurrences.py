"""Counts a tagged span's other occurrences across the project in the background, before anything is stored.

The count reads every document's text (fuzzy matching over a long project takes seconds), so it runs
in a child process on its own read-only connection (annotations/workers/jobs.py) while the analyst goes on;
the window offers "Tag all N occurrences" when it arrives.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.background.workers import JobWorker
from app.project.session import ProjectSession


class OccurrenceCounter(QObject):
    counted = Signal(int, int, object)  # span id, the reviewer's epoch when asked, list[NewSuggestion]

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.session: ProjectSession | None = None
        self.workers: list[JobWorker] = []

    def set_session(self, session: ProjectSession | None) -> None:
        for worker in self.workers:
            worker.cancel()
        self.workers = []
        self.session = session

    def running(self) -> bool:
        return bool(self.workers)

    def count(self, span_id: int, epoch: int) -> None:
        if self.session is None:
            return
        worker = JobWorker("propagation", self.session.path, span_id)
        session = self.session

        def done(plan: Any) -> None:
            self._forget(worker)
            if session is self.session:  # not a project closed meanwhile
                self.counted.emit(span_id, epoch, plan)

        worker.signals.finished.connect(done)
        # The span went meanwhile (undone, deleted elsewhere): there is nothing to offer.
        worker.signals.failed.connect(lambda _message: self._forget(worker))
        worker.signals.cancelled.connect(lambda: self._forget(worker))
        worker.signals.crashed.connect(lambda _details: self._forget(worker))
        self.workers.append(worker)
        self.pool.start(worker)

    def _forget(self, worker: JobWorker) -> None:
        """The worker has sent its last signal (also when it was cancelled with its project)."""
        if worker in self.workers:
            self.workers.remove(worker)
        # Its signals' connections hold closures that hold the worker: only deleting them ends the cycle.
        worker.signals.deleteLater()
