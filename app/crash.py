"""Unexpected exceptions: logged with their traceback to the user's data folder, shown in a dialog.

Errors the core reports (a bad file, missing tesseract) are not crashes: the window shows them as
messages. This is for bugs, so that the window survives them and the user has a file to send.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from annotations.errors import ProjectBusy


def data_dir() -> Path:
    """Where Scanspan keeps its own files: $SCANSPAN_DATA_DIR, or the platform's app data folder."""
    override = os.environ.get("SCANSPAN_DATA_DIR")
    if override:
        return Path(override)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(location) if location else Path.home() / ".local" / "share" / "scanspan"


def write_log(text: str, folder: Path | None = None) -> Path:
    folder = folder or data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "crash.log"
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"--- {datetime.now().isoformat(timespec='seconds')}\n{text.rstrip()}\n\n")
    return log


class CrashHandler(QObject):
    """sys.excepthook for the GUI: log, then tell the user in a dialog; never a bare traceback."""

    crashed = Signal(str, str)  # one-line summary, log path
    busy = Signal(str)  # an action stopped because the project's process did not answer in time

    def __init__(self, parent_widget: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__()
        self.parent_widget = parent_widget
        self.folder = folder
        self._previous = sys.excepthook
        self._showing = False

    def install(self) -> None:
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        sys.excepthook = self._previous

    def handle(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, exc, tb)
            return
        if issubclass(kind, ProjectBusy):
            # Not a bug: a read for a key, click or menu found the project's process stopped and
            # was given up on before anything on screen changed (the window does its reads before
            # it changes what is shown), so the action can simply be tried again.
            self.busy.emit(str(exc))
            return
        self.report("".join(traceback.format_exception(kind, exc, tb)), f"{kind.__name__}: {exc}")

    def report(self, details: str, summary: str) -> Path | None:
        try:
            log: Path | None = write_log(details, self.folder)
        except OSError:
            log = None
        self.crashed.emit(summary, str(log or ""))
        if self._showing:  # one dialog at a time: an error inside the dialog must not loop
            return log
        self._showing = True
        box = QMessageBox(QMessageBox.Icon.Critical, "Scanspan: unexpected error",
                          "Something went wrong inside Scanspan. Your work is saved: every edit is "
                          "stored in the project as you make it.", QMessageBox.StandardButton.Ok, self.parent_widget)
        box.setInformativeText(summary + (f"\n\nDetails were written to {log}" if log else ""))
        box.setDetailedText(details)
        box.finished.connect(self._closed)
        box.open()
        return log

    def _closed(self) -> None:
        self._showing = False
