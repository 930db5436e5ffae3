"""The real main window in a process of its own, driven by tab-separated commands on stdin.

For tests that need the window's process to be a real, separate, killable process: they write a
command line, read one answer line, and may SIGKILL it at any point. Commands:
  touch                 open and close the project file (and its -wal, -shm) with plain open()
  dialog                browse a (non-native) Qt file dialog into the project's folder, then cancel
  tag PHRASE KEY        select PHRASE in the text panel and press KEY; answers "tagged SPAN_ID"
  region X0 Y0 X1 Y1    draw a region with the region tool over that box; answers "region REGION_ID"
  spans                 answers "spans ID ID ..." for the spans the window shows for its document
  pids                  answers "pids WINDOW STORE"
  state                 answers "state TITLE|READ-ONLY NOTICE|REGION TOOL ENABLED"
  quit                  close the window normally
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QRect, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog  # noqa: E402

from app.main_window import MainWindow  # noqa: E402
from app.settings import Settings  # noqa: E402


def wait_until(app: QApplication, condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def touch(project: Path) -> str:
    opened = 0
    for path in (project, project.with_name(project.name + "-wal"), project.with_name(project.name + "-shm")):
        if path.exists():
            with path.open("rb") as handle:  # closing it is what drops a process's POSIX locks
                handle.read(16)
            opened += 1
    return f"touched {opened}"


def browse(app: QApplication, window: MainWindow, folder: Path) -> str:
    dialog = QFileDialog(window, "Import documents", str(folder))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    loaded: list[str] = []
    dialog.directoryEntered.connect(loaded.append)
    dialog.show()
    dialog.setDirectory(str(folder))
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # let its model list (and sniff) the folder's files
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    dialog.reject()
    app.processEvents()
    return "browsed"


def main() -> None:
    project, settings_file = Path(sys.argv[1]), sys.argv[2]
    app = QApplication(sys.argv[:1])
    settings = Settings(QSettings(settings_file, QSettings.Format.IniFormat))
    settings.set_analyst("driver")  # so the window does not ask for a name nobody will type
    window = MainWindow(settings)
    window.resize(1400, 900)
    if not window.open_project(project):
        print(f"error {window.last_message()}", flush=True)
        return
    window.show()
    window.activateWindow()
    wait_until(app, window.is_settled)
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.rstrip("\n").split("\t")
        if command == "touch":
            answer = touch(project)
        elif command == "dialog":
            answer = browse(app, window, project.parent)
        elif command == "tag":
            phrase, key = args
            window.activateWindow()  # label keys are window shortcuts: they need the window active
            wait_until(app, lambda: QApplication.activeWindow() is window)
            assert window.select_text(phrase), phrase
            QTest.keyClick(window.text_view, key)
            ref = window.selection.annotation
            answer = (f"tagged {ref.id}" if ref is not None and ref.kind == "span"
                      else f"failed {window.statusBar().currentMessage() or window.last_message()}")
        elif command == "region":
            box = tuple(float(v) for v in args)
            if not window.actions.region_tool.isChecked():
                window.actions.region_tool.trigger()
            window.activateWindow()
            rect: QRect = window.viewport_rect(box)  # type: ignore[arg-type]
            viewport = window.page_view.viewport()
            QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=rect.topLeft())
            QTest.mouseMove(viewport, rect.center())
            QTest.mouseMove(viewport, rect.bottomRight())
            QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=rect.bottomRight())
            ref = window.selection.annotation
            answer = f"region {ref.id}" if ref is not None and ref.kind == "region" else "failed"
        elif command == "spans":
            assert window.session is not None and window.navigation.doc_id is not None
            window.changes.follow()
            answer = "spans " + " ".join(str(i) for i in sorted(window.session.spans(window.navigation.doc_id)))
        elif command == "state":
            notice = window.read_only_label.text() if window.read_only_label.isVisible() else ""
            answer = f"state {window.windowTitle()}|{notice}|{window.actions.region_tool.isEnabled()}"
        elif command == "pids":
            assert window.session is not None
            answer = f"pids {os.getpid()} {window.session.project.pid}"
        elif command == "quit":
            window.close()
            print("bye", flush=True)
            return
        else:
            answer = f"unknown {command}"
        app.processEvents()
        print(answer, flush=True)


if __name__ == "__main__":
    main()
