"""Import and OCR in the background: the window keeps turning, progress shows, errors are messages."""

from __future__ import annotations

import time
from pathlib import Path

import pymupdf
import pytest
from gui_helpers import open_window, rows, when_modal
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from app.dialogs.import_settings import ImportSettingsDialog
from app.main_window import MainWindow
from app.settings import Settings

LINES = [
    "Dear Director,",
    "The Office of Refugee Resettlement thanks the",
    "Department of State for its letter of 4 May.",
    "Sincerely, the Secretariat",
]


def scanned_letter(path: Path, dpi: int = 200) -> Path:
    """A one-page letter drawn with PyMuPDF and rasterised: a PNG that has to be OCRed."""
    doc = pymupdf.open()
    page = doc.new_page(width=6 * 72, height=3 * 72)
    for i, line in enumerate(LINES):
        page.insert_text((36, 40 + i * 30), line, fontname="cour", fontsize=13)
    page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY).save(str(path))
    return path


@pytest.fixture
def empty_window(qtbot: QtBot, settings: Settings, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, settings, tmp_path / "new.scanspan")


def test_the_event_loop_keeps_turning_while_ocr_runs(qtbot: QtBot, empty_window: MainWindow, tmp_path: Path) -> None:
    window = empty_window
    letter = scanned_letter(tmp_path / "letter.png")
    ticks: list[float] = []
    progress_seen: list[bool] = []

    def tick() -> None:
        ticks.append(time.monotonic())
        progress_seen.append(window.importer.bar.isVisible())

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    timer.start()
    started = time.monotonic()
    with qtbot.waitSignal(window.importFinished, timeout=120_000) as finished:
        window.import_files([letter])
    timer.stop()
    elapsed = time.monotonic() - started

    (outcome,) = finished.args[0]
    assert outcome.status == "imported", outcome.message
    assert outcome.pages_ocr == 1  # tesseract really ran
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > elapsed / 0.010 / 4, "the GUI thread was busy for most of the import"
    # OCR of this page takes seconds; a window waiting on it would show one gap that long. The bound
    # is loose so a loaded machine's scheduling alone cannot fail it.
    assert max(gaps) < 1.0, f"the window froze for {max(gaps):.2f} s during OCR"
    assert any(progress_seen) and not window.importer.bar.isVisible()
    # The document is stored by the GUI thread and shown, and the status line says how it was read.
    assert window.statusBar().currentMessage() == "Imported letter.png (1 page, OCR)"
    assert window.current_page() == (1, 1)
    qtbot.waitUntil(window.is_settled)
    assert "Department of State" in window.text_view.toPlainText()
    assert rows(window.project_path(), "select count(*) from documents") == [(1,)]


def test_cancel_stops_the_import(qtbot: QtBot, empty_window: MainWindow, tmp_path: Path) -> None:
    window = empty_window
    letters = [scanned_letter(tmp_path / f"letter{i}.png", dpi=200 + i) for i in range(6)]
    with qtbot.waitSignal(window.importFinished, timeout=120_000) as finished:
        window.import_files(letters)
        qtbot.waitUntil(lambda: window.importer.bar.maximum() > 0)
        qtbot.mouseClick(window.importer.cancel_button, Qt.MouseButton.LeftButton)
    assert "cancelled" in [o.status for o in finished.args[0]]
    stored = rows(window.project_path(), "select count(*) from documents")[0][0]
    assert stored < len(letters)
    assert not window.importer.running()


def test_an_import_folder_cancelled_midway_says_how_many_files_it_stored_and_keeps_them(
    qtbot: QtBot, empty_window: MainWindow, tmp_path: Path
) -> None:
    window = empty_window
    folder = tmp_path / "batch"
    folder.mkdir()
    letters = [scanned_letter(folder / f"letter{i:02}.png", dpi=200 + i) for i in range(12)]
    project = window.project_path()
    assert project is not None

    def pick(chooser: QWidget) -> None:
        assert isinstance(chooser, QFileDialog)
        chooser.setDirectory(str(folder))
        chooser.accept()

    with qtbot.waitSignal(window.importFinished, timeout=120_000) as finished:
        when_modal(qtbot, QFileDialog, pick)
        qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        # Cancelled once the first letter is stored: the others are still being read.
        qtbot.waitUntil(lambda: rows(project, "select count(*) from documents")[0][0] > 0, timeout=60_000)
        qtbot.mouseClick(window.importer.cancel_button, Qt.MouseButton.LeftButton)

    stored = rows(project, "select count(*) from documents")[0][0]
    assert 0 < stored < len(letters)
    assert window.statusBar().currentMessage() == (
        f"Import cancelled: {stored} of {len(letters)} files imported; {len(letters) - stored} not imported")
    assert sorted(o.status for o in finished.args[0]) == ["cancelled"] * (len(letters) - stored) + ["imported"] * stored
    tree = window.navigator.tree
    qtbot.waitUntil(lambda: tree.topLevelItemCount() == stored)  # they stay, listed
    assert window.current_page() is not None  # and the first is shown


def drop(window: MainWindow, paths: list[Path]) -> None:
    """Drag `paths` over the window and drop them, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = QPointF(400, 300)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        enter = QDragEnterEvent(where, *args)  # Qt 6.12 takes a QPointF (its QPoint form is deprecated)
    except TypeError:
        enter = QDragEnterEvent(where.toPoint(), *args)  # older Qt: only a QPoint
    assert QApplication.sendEvent(window, enter) and enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(where, *args))


def test_dropping_files_on_the_window_imports_them(qtbot: QtBot, empty_window: MainWindow, tmp_path: Path) -> None:
    window = empty_window
    letter = scanned_letter(tmp_path / "dropped.png")
    with qtbot.waitSignal(window.importFinished, timeout=120_000) as finished:
        drop(window, [letter])
    assert [o.status for o in finished.args[0]] == ["imported"]


def test_dropping_a_folder_imports_the_letters_in_it_and_its_subfolders(
    qtbot: QtBot, empty_window: MainWindow, tmp_path: Path
) -> None:
    window = empty_window
    folder = tmp_path / "archive"
    (folder / "1997").mkdir(parents=True)
    for name, where in (("first.pdf", folder), ("second.dat", folder / "1997")):  # found by content, not name
        doc = pymupdf.open()
        doc.new_page().insert_text((72, 72), f"A letter called {name}.", fontname="tiro", fontsize=12)
        doc.save(where / name)
    (folder / "notes.txt").write_text("not a letter")
    with qtbot.waitSignal(window.importFinished, timeout=120_000) as finished:
        drop(window, [folder])
    assert sorted((o.path.name, o.status) for o in finished.args[0]) == [("first.pdf", "imported"),
                                                                       ("second.dat", "imported")]
    assert window.statusBar().currentMessage() == (
        "Imported 2 files; 1 other file in the folders left alone (not PDF, TIFF, PNG or JPEG)")
    assert sorted(r[0] for r in rows(window.project_path(), "select name from documents")) == ["first.pdf", "second.dat"]


def test_bad_files_are_reported_in_the_window(qtbot: QtBot, empty_window: MainWindow, tmp_path: Path) -> None:
    window = empty_window
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf at all")
    with qtbot.waitSignal(window.messageShown, timeout=60_000) as shown:
        window.import_files([empty, text])
    assert "empty.pdf: empty file" in shown.args[0]
    assert "notes.pdf" in shown.args[0]
    assert window.isVisible() and not window.importer.running()


def test_missing_tesseract_is_a_clear_message(
    qtbot: QtBot, empty_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import runs in a child process, which inherits this environment: no tesseract on PATH.
    monkeypatch.setenv("PATH", str(tmp_path))
    with qtbot.waitSignal(empty_window.messageShown, timeout=60_000) as shown:
        empty_window.import_files([scanned_letter(tmp_path / "letter.png")])
    assert "tesseract is not installed" in shown.args[0]


def test_a_project_that_cannot_be_opened_is_a_message(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with qtbot.waitSignal(window.messageShown) as shown:
        assert not window.open_project(other)
    assert "other.db" in shown.args[0]
    assert window.current_page() == (1, 1)  # the open project stays open


def test_a_page_never_read_shows_its_scan_first_then_its_words_and_highlights(qtbot: QtBot,
                                                                               tagged_window: MainWindow) -> None:
    window = tagged_window
    view = window.page_view
    words, spans = len(window.page_words()), set(view.highlight_items())
    assert words and spans
    page = view.page
    window.session.drop_caches()  # as if jumping to a page whose words were never read
    with qtbot.waitSignal(view.pageReady, timeout=10_000):
        view.show_page(page)
        assert not view.shown() and view.words is None and view.highlights is None  # the scan only, this turn
    assert view.shown()
    assert len(window.page_words()) == words and set(view.highlight_items()) == spans
    # Anything that needs the words meanwhile finishes the steps at once.
    window.session.drop_caches()
    view.show_page(page)
    assert len(window.page_words()) == words and view.shown() and set(view.highlight_items()) == spans


def test_the_import_settings_time_limit_stops_a_hung_ocr(
    qtbot: QtBot, empty_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bin" / "tesseract"
    fake.parent.mkdir()
    # Answers as tesseract 5.3 does, then never finishes a page.
    fake.write_text("#!/bin/sh\ncase \"$1\" in\n--version) echo 'tesseract 5.3.0'; exit 0 ;;\n"
                    "--list-langs) printf 'List of available languages (1):\\neng\\n'; exit 0 ;;\nesac\nexec sleep 3600\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    window = empty_window

    def choose() -> None:
        dialog = window.findChild(ImportSettingsDialog)
        assert dialog is not None
        dialog.timeout.setValue(2)
        dialog.accept()

    QTimer.singleShot(0, choose)
    window.actions.import_settings.trigger()
    assert window.settings.import_options().ocr_timeout == 2  # remembered for the next run
    with qtbot.waitSignal(window.messageShown, timeout=60_000) as shown:
        window.import_files([scanned_letter(tmp_path / "letter.png")])
    assert "letter.png" in shown.args[0] and "2 s" in shown.args[0]
