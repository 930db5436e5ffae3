"""Runs imports in the background and shows their progress in the status bar, with Cancel.

Each import runs in a child process that writes the files to the project itself (workers.py);
the session sees the new documents through the change log. Imports asked for while one runs are
queued and start after it. Each project imports with the settings last chosen for it; whether
it suggests letter parts is kept in the project file itself (as `scanspan import --letter-parts`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QStatusBar

from annotations.importing.files import ImportOptions, Outcome
from annotations.importing.folders import FolderImport
from app.background.status_progress import StatusProgress
from app.background.workers import JobWorker, import_worker
from app.project.session import ProjectSession
from app.settings import Settings


class ImportController(QObject):
    started = Signal()
    finished = Signal(list)  # list[Outcome]
    cancelled = Signal(list)  # list[Outcome] as far as it got, the files not reached "cancelled"; empty when unknown
    crashed = Signal(str)  # traceback

    def __init__(self, status_bar: QStatusBar, pool: QThreadPool, parent: QObject | None = None,
                 settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.settings = settings
        self.session: ProjectSession | None = None
        self._options = settings.import_options() if settings is not None else ImportOptions()
        self.worker: JobWorker | None = None
        self.note = ""  # what else the last import had to say (files in a dropped folder it left alone)
        self.queue: list[list[Path]] = []
        self.progress = StatusProgress(status_bar, "Stop the import; files already stored stay in the project",
                                       self.cancel, 220)
        self.label, self.bar, self.cancel_button = self.progress.label, self.progress.bar, self.progress.cancel_button

    def set_session(self, session: ProjectSession | None) -> None:
        self.stop()
        self.session = session
        if session is not None and self.settings is not None:
            self._options = self.settings.import_options(session.path)
        kept = session.default_lang() if session is not None else None
        if kept:  # the project file's own default (`scanspan import --keep-lang`) is every program's
            self._options = replace(self._options, ocr=replace(self._options.ocr, lang=kept))

    @property
    def options(self) -> ImportOptions:
        """The settings imports use now; letter parts as the project file says (another program may change it)."""
        on = self.session is not None and self.session.letter_parts_on_import()
        return replace(self._options, letter_parts=on)

    def remember(self, options: ImportOptions) -> None:
        """Use these settings from now on, and for this project (and new ones) next time."""
        self._options = options
        if self.settings is not None:
            self.settings.save_import_options(options, self.session.path if self.session is not None else None)
        session = self.session
        if session is not None and not session.read_only and options.letter_parts != session.letter_parts_on_import():
            session.set_letter_parts_on_import(options.letter_parts)
        kept = session.default_lang() if session is not None and not session.read_only else None
        if session is not None and kept and kept != options.ocr.lang:
            session.set_default_lang(options.ocr.lang)

    def running(self) -> bool:
        return self.worker is not None

    def start(self, paths: list[Path]) -> None:
        if not paths or self.session is None:
            return
        if self.worker is not None:
            self.queue.append(paths)
            self.label.setText(f"{self.label.text()} (+{sum(len(q) for q in self.queue)} queued)")
            return
        worker = import_worker(self.session.path, paths, self.options)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(lambda message: self._on_finished([Outcome(Path(p), "failed", message) for p in paths]))
        worker.signals.cancelled.connect(self._on_cancelled)
        worker.signals.crashed.connect(self._on_crashed)
        self.worker = worker
        what = "folder" if any(p.is_dir() for p in paths) else "file"
        self.progress.begin(f"Importing {len(paths)} {what}{'s' if len(paths) != 1 else ''}…")
        self.started.emit()
        self.pool.start(worker)

    def cancel(self) -> None:
        self.queue.clear()
        if self.worker is not None:
            self.worker.cancel()
            self.progress.cancelling("Cancelling…")

    def stop(self) -> None:
        """Cancel and wait for the worker (closing the project or the window)."""
        self.cancel()
        if self.worker is not None:
            self.pool.waitForDone()
            self._done()

    def _on_progress(self, done: int, total: int, name: str) -> None:
        if self.worker is None or self.worker.is_cancelled():
            return
        self.progress.step(done, total, f"OCR: {name}", "pages")

    def _done(self) -> None:
        self.worker = None
        self.progress.end()

    def _next(self) -> None:
        if self.queue:
            self.start(self.queue.pop(0))

    def _on_finished(self, result: list[Outcome] | FolderImport) -> None:
        self.note = ""
        outcomes = result if isinstance(result, list) else list(result.outcomes)
        if isinstance(result, FolderImport):
            # A dropped folder: say what in it was not a letter, as `scanspan import FOLDER` does.
            outcomes += [Outcome(p, "failed", f"{p}: a folder without PDF, TIFF, PNG or JPEG files") for p in result.empty]
            if result.other:
                self.note = (f"{len(result.other)} other file{'s' if len(result.other) != 1 else ''} in the "
                             "folders left alone (not PDF, TIFF, PNG or JPEG)")
        # The kept suggestions (letter parts, term lists) failed after the files were stored.
        unsuggested = next((w for o in outcomes for w in o.warnings if w.startswith("no suggestions made")), None)
        if unsuggested:
            self.note = f"{self.note}; {unsuggested}" if self.note else unsuggested
        self._done()
        if self.session is not None:
            self.session.sync()  # the documents it stored, now rather than at the next poll
        self.finished.emit(outcomes)
        self._next()

    def _on_cancelled(self, done: object) -> None:
        self._done()
        if self.session is not None:
            self.session.sync()  # files stored before the cancel stay, and show
        self.cancelled.emit(list(done) if isinstance(done, list) else [])
        self._next()

    def _on_crashed(self, details: str) -> None:
        self._done()
        self.crashed.emit(details)
        self._next()
