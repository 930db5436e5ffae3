"""A job in a child process that opens the project itself, with its progress and Cancel in the status bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool
from PySide6.QtWidgets import QStatusBar

from app.background.status_progress import StatusProgress
from app.background.workers import JobWorker
from app.project.session import ProjectSession


class JobController(QObject):
    """One job at a time: what it stores reaches the window through the project's change log, which is
    read before its end is announced, so the window shows what the announcement names."""

    CANCELLING = "Cancelling…"

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, cancel_tip: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.session: ProjectSession | None = None
        self.worker: JobWorker | None = None
        self.progress = StatusProgress(status_bar, cancel_tip, self.cancel, 160)
        self.label, self.bar, self.cancel_button = self.progress.label, self.progress.bar, self.progress.cancel_button

    def set_session(self, session: ProjectSession | None) -> None:
        self.stop()
        self.session = session

    def running(self) -> bool:
        return self.worker is not None

    def launch(self, worker: JobWorker, begin: str) -> None:
        """Start `worker` (its signals already connected), saying `begin` in the status bar."""
        self.worker = worker
        self.progress.begin(begin)
        self.pool.start(worker)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.progress.cancelling(self.CANCELLING)

    def stop(self) -> None:
        """Cancel and wait (closing the project or the window)."""
        if self.worker is not None:
            self.cancel()
            self.pool.waitForDone()
            self._done()

    def step(self, done: int, total: int, what: str, unit: str = "") -> None:
        """The job's progress, unless it is being cancelled."""
        if self.worker is None or self.worker.is_cancelled():
            return
        self.progress.step(done, total, what, unit)

    def _done(self) -> None:
        if self.worker is not None:
            self.worker.signals.deleteLater()  # its connections hold closures that hold the worker
        self.worker = None
        self.progress.end()

    def end(self, say: Callable[[], None]) -> None:
        """The job ended: read what it stored, then `say` so."""
        self._done()
        if self.session is not None:
            self.session.sync()
        say()
