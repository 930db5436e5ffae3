"""Small helpers shared by the GUI tests: reading the project file as another program would,
mouse gestures on the scan, and acting on a modal dialog."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pymupdf
from PySide6.QtCore import QDeadlineTimer, QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from annotations.importing.files import ImportOptions, import_into
from annotations.records import Word
from annotations.store import Project
from app.crash import CrashHandler
from app.main_window import MainWindow
from app.settings import Settings


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def stored_span_texts(path: Path) -> dict[int, tuple[str, str]]:
    """span id -> (label, text) as the core resolves it from the file."""
    with Project(path) as project:
        doc = project.documents()[0]
        text = project.document_text(doc.id)
        return {s.id: (s.label, text.resolve(s).text) for s in project.spans(doc.id)}


def union(words: list[Word]) -> tuple[float, float, float, float]:
    return (min(w.box[0] for w in words), min(w.box[1] for w in words),
            max(w.box[2] for w in words), max(w.box[3] for w in words))


def drag(qtbot: QtBot, window: MainWindow, rect: QRect) -> None:
    viewport = window.page_view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=rect.topLeft())
    qtbot.mouseMove(viewport, rect.center())
    qtbot.mouseMove(viewport, rect.bottomRight())
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=rect.bottomRight())


def click(qtbot: QtBot, window: MainWindow, point: QPoint,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    viewport = window.page_view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, point)


def open_window(qtbot: QtBot, settings: Settings, path: Path | None, crash: CrashHandler | None = None) -> MainWindow:
    window = MainWindow(settings, crash)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    if path is not None:
        assert window.open_project(path)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts need an active window
    qtbot.waitUntil(window.is_settled, timeout=20_000)
    return window


def when_modal(qtbot: QtBot, kind: type, act: Callable[[QWidget], None]) -> None:
    """Run `act` on the next modal dialog of `kind` once it is up (the code that opens it blocks in exec)."""

    deadline = QDeadlineTimer(10_000)  # a dialog that never opens must not act on a later test's

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            act(dialog)
        elif not deadline.hasExpired():
            QTimer.singleShot(10, attempt)

    QTimer.singleShot(0, attempt)


def add_second_letter(project: Path, folder: Path) -> None:
    """Import a short born-digital letter (no OCR) that names the CyberTipline and OJJDP once each."""
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "Reports from the CyberTipline reach OJJDP every week.", fontname="tiro", fontsize=12)
    pdf.save(folder / "second.pdf")
    with Project(project) as store:
        (outcome,) = import_into(store, [folder / "second.pdf"], ImportOptions())
        assert outcome.status == "imported", outcome.message
