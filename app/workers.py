"""Long work off the GUI thread: QRunnables on a QThreadPool that only emit signals.

Import: the core's `run_import` runs in the worker with a lookup on its OWN read-only connection;
each finished file is handed to the GUI thread (`prepared` signal), which stores it through the
project's one writer and answers with the stored Document. Cancel is cooperative: the importer
polls `cancel()`, which reads a flag the GUI sets.

Export: the core's `export` on a read-only connection, so a long export never blocks the window.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from annotations.errors import Cancelled, ProjectError, ScanspanError
from annotations.importer import ImportOptions, Outcome, Prepared, run_import
from annotations.model import Document
from annotations.store import ProjectReader


class Handoff:
    """One file passed from the worker to the GUI thread, and the GUI's answer."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self._done = threading.Event()
        self._document: Document | None = None
        self._error: str | None = None

    def stored(self, document: Document) -> None:
        self._document = document
        self._done.set()

    def failed(self, message: str) -> None:
        self._error = message
        self._done.set()

    def wait(self, cancelled: threading.Event) -> Document:
        while not self._done.wait(0.1):
            if cancelled.is_set():
                raise Cancelled()
        if self._error is not None:
            raise ProjectError(self._error)
        assert self._document is not None
        return self._document


class ImportSignals(QObject):
    progress = Signal(int, int, str)  # pages done, pages known, file name
    prepared = Signal(object)  # Handoff: store it on the GUI thread, then answer
    finished = Signal(list)  # list[Outcome]
    cancelled = Signal()
    crashed = Signal(str)  # a traceback: a bug, not a bad file


class ImportWorker(QRunnable):
    def __init__(self, project_path: Path, paths: Sequence[Path], options: ImportOptions | None = None) -> None:
        super().__init__()
        self.project_path = project_path
        self.paths = list(paths)
        self.options = options or ImportOptions()
        self.signals = ImportSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            reader = ProjectReader(self.project_path)
        except ScanspanError as exc:
            self.signals.finished.emit([Outcome(Path(p), "failed", str(exc)) for p in self.paths])
            return
        try:
            outcomes = run_import(
                self.paths, self.options, reader, self._deliver,
                progress=lambda done, total, name: self.signals.progress.emit(done, total, name),
                cancel=self._cancel.is_set,
            )
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception:  # noqa: BLE001 - reported to the window as a crash, with the traceback
            self.signals.crashed.emit(traceback.format_exc())
        else:
            self.signals.finished.emit(outcomes)
        finally:
            reader.close()

    def _deliver(self, prepared: Prepared) -> Document:
        handoff = Handoff(prepared)
        self.signals.prepared.emit(handoff)
        return handoff.wait(self._cancel)


class ExportSignals(QObject):
    finished = Signal(object)  # ExportReport
    failed = Signal(str)
    crashed = Signal(str)


class ExportWorker(QRunnable):
    def __init__(self, project_path: Path, fmt: str, output: Path, documents: Sequence[int] | None,
                 options: object = None) -> None:
        super().__init__()
        self.project_path = project_path
        self.fmt = fmt
        self.output = output
        self.documents = list(documents) if documents is not None else None
        self.options = options
        self.signals = ExportSignals()

    def run(self) -> None:
        try:
            from annotations.exporters import (
                export,  # here: some exporters load large libraries
            )

            with ProjectReader(self.project_path) as reader:
                if self.options is None:
                    report = export(reader, self.fmt, self.output, self.documents)
                else:
                    report = export(reader, self.fmt, self.output, self.documents, self.options)  # type: ignore[call-arg]
        except ScanspanError as exc:
            self.signals.failed.emit(str(exc))
        except OSError as exc:
            self.signals.failed.emit(f"{self.output}: {exc.strerror or exc}")
        except Exception:  # noqa: BLE001
            self.signals.crashed.emit(traceback.format_exc())
        else:
            self.signals.finished.emit(report)
