"""The Document menu and the Documents panel's menu: OCR again… and Remove document…, each one undo step."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from gui_helpers import add_second_letter, open_window, rows, stored_span_texts, when_modal
from helpers import run_scanspan
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from annotations.store import Project
from app.main_window import MainWindow
from app.settings import Settings


def _active(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the window is active again after a dialog (its shortcuts need that)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _answer(button: QMessageBox.StandardButton, seen: list[str]) -> object:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()
    return act


def _listed(window: MainWindow) -> list[str]:
    tree = window.navigator.tree
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def _documents(project: Path) -> list[str]:
    return [r[0] for r in rows(project, "select name from documents order by id")]


def two_letter_window(qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path) -> MainWindow:
    add_second_letter(project_file, tmp_path)
    return open_window(qtbot, settings, project_file)


def test_remove_document_asks_removes_and_undo_brings_it_back(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    window = two_letter_window(qtbot, settings, project_file, tmp_path)
    first, second = _documents(project_file)
    words_before = rows(project_file, "select count(*) from words")[0][0]
    assert window.current_page() == (1, 1)
    seen: list[str] = []

    # Cancel keeps it.
    when_modal(qtbot, QMessageBox, _answer(QMessageBox.StandardButton.Cancel, seen))
    window.actions.remove_document.trigger()
    assert _documents(project_file) == [first, second]
    _active(qtbot, window)

    when_modal(qtbot, QMessageBox, _answer(QMessageBox.StandardButton.Yes, seen))
    window.actions.remove_document.trigger()
    assert seen[-1].startswith(f"Remove “{first}” from the project, with 2 pages,")
    assert "Undo brings it back while this window is open" in seen[-1]
    assert _documents(project_file) == [second]
    assert _listed(window) == [second]
    assert window.current_page() == (2, 1)
    assert f"Removed “{first}”" in window.statusBar().currentMessage()
    _active(qtbot, window)

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _listed(window) == [first, second])
    assert _documents(project_file) == [first, second]
    assert rows(project_file, "select count(*) from words")[0][0] == words_before
    assert f"Undid “Remove document {first}”" in window.statusBar().currentMessage()


def test_removing_the_last_document_while_the_list_has_the_keyboard_shows_the_one_before_it(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    # Rebuilding the list moved its current row to the first document, and with the keyboard in
    # the list that took the window there too.
    add_second_letter(project_file, tmp_path)
    third = tmp_path / "third"
    third.mkdir()
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "A third letter, from Project iGuardian.", fontname="tiro", fontsize=12)
    pdf.save(third / "third.pdf")
    window = open_window(qtbot, settings, project_file)
    with qtbot.waitSignal(window.importFinished, timeout=60_000):
        window.import_files([third / "third.pdf"])
    qtbot.waitUntil(lambda: len(_listed(window)) == 3)
    tree = window.navigator.tree  # chosen there, as an analyst does: the list has the keyboard
    tree.topLevelItem(2).setExpanded(True)
    page = tree.topLevelItem(2).child(0)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(page).center())
    _active(qtbot, window)
    tree.setFocus()
    qtbot.waitUntil(tree.hasFocus)
    assert window.current_page() == (3, 1)
    # Removed from the window, the list is rebuilt as the question closes and the window manager
    # gives the list the keyboard back; here the shell removes it and the list takes the keyboard
    # again in the same turn of the event loop.
    window.session.reset.connect(tree.setFocus)  # type: ignore[union-attr]
    window.page_view.setFocus()
    run = run_scanspan(["remove", "-p", project_file, "3", "--force"], tmp_path)
    assert run.code == 0, run.err
    qtbot.waitUntil(lambda: len(_listed(window)) == 2, timeout=10_000)

    def listed_where_shown() -> bool:
        item = tree.currentItem()
        return item is not None and item.data(0, Qt.ItemDataRole.UserRole) == window.current_page()[0]  # type: ignore[index]

    qtbot.waitUntil(listed_where_shown)
    assert window.current_page() == (2, 1)  # its neighbour, not the first document
    # The keyboard leaving the list and coming back moves nothing.
    window.page_view.setFocus()
    tree.setFocus()
    qtbot.waitUntil(tree.hasFocus)
    assert window.current_page() == (2, 1) and listed_where_shown()


# A popup menu on the offscreen test platform cannot be raised or grab the keyboard, and Qt says so.
@pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))")
def test_the_documents_panel_menu_removes_the_document_it_was_opened_on(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    window = two_letter_window(qtbot, settings, project_file, tmp_path)
    first, second = _documents(project_file)
    tree = window.navigator.tree
    item = tree.topLevelItem(1)
    point = tree.visualItemRect(item).center()
    chosen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(10, pick)
            return
        (action,) = [a for a in menu.actions() if a.text() == "Remove document…"]
        chosen.append(action.text())
        when_modal(qtbot, QMessageBox, _answer(QMessageBox.StandardButton.Yes, []))
        action.trigger()
        menu.close()

    QTimer.singleShot(0, pick)
    QApplication.sendEvent(tree.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                              tree.viewport().mapToGlobal(point)))
    qtbot.waitUntil(lambda: _documents(project_file) == [first])
    assert chosen == ["Remove document…"]
    qtbot.waitUntil(lambda: _listed(window) == [first])
    assert window.current_page() == (1, 1)  # the document shown stayed


def test_ocr_again_reads_the_document_again_keeps_its_spans_and_is_one_undo_step(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    window = tagged_window
    spans_before = stored_span_texts(tagged_file)
    words_before = rows(tagged_file, "select id, text from words order by id")
    asked: list[str] = []

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        asked.append(dialog.labelText())
        dialog.setTextValue("eng")
        dialog.accept()

    when_modal(qtbot, QInputDialog, choose)
    with qtbot.waitSignal(window.reocr.finished, timeout=180_000):
        window.actions.ocr_again.trigger()
    assert "Spans, notes and corrections move to the new words" in asked[0]
    qtbot.waitUntil(lambda: window.undo_stack().undoText().startswith("OCR again"))
    words_after = rows(tagged_file, "select id, text from words order by id")
    assert {i for i, _ in words_after}.isdisjoint(i for i, _ in words_before)  # new words
    assert stored_span_texts(tagged_file) == spans_before  # every span on the same text
    assert f"carried {len(spans_before)} spans" in window.statusBar().currentMessage()
    _active(qtbot, window)

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: rows(tagged_file, "select id, text from words order by id") == words_before)
    assert stored_span_texts(tagged_file) == spans_before
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: rows(tagged_file, "select id, text from words order by id") == words_after)
    qtbot.waitUntil(window.is_settled)


def test_import_settings_take_auto_languages(qtbot: QtBot, window: MainWindow) -> None:
    from app.dialogs.import_settings import ImportSettingsDialog

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportSettingsDialog)
        dialog.lang.clear()
        qtbot.keyClicks(dialog.lang, "auto")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert not dialog.problem.isVisible()

    when_modal(qtbot, ImportSettingsDialog, fill)
    window.actions.import_settings.trigger()
    assert window.importer.options.ocr.lang == "auto"




def test_import_settings_start_from_the_project_files_languages(
    qtbot: QtBot, settings: Settings, project_file: Path
) -> None:
    from app.dialogs.import_settings import ImportSettingsDialog

    with Project(project_file) as project:
        project.set_default_lang("auto")  # as `scanspan import --lang auto --keep-lang` leaves it
    window = open_window(qtbot, settings, project_file)
    shown: list[str] = []

    def read(dialog: QWidget) -> None:
        assert isinstance(dialog, ImportSettingsDialog)
        shown.append(dialog.lang.text())
        dialog.lang.clear()
        qtbot.keyClicks(dialog.lang, "tur+eng")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, ImportSettingsDialog, read)
    window.actions.import_settings.trigger()
    assert shown == ["auto"]
    # The choice goes back to the project file, so `scanspan import` there uses it too.
    assert rows(project_file, "select value from project_settings where key = 'lang'") == [("tur+eng",)]


def test_a_document_removed_by_another_program_leaves_the_window_on_its_neighbour(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    window = two_letter_window(qtbot, settings, project_file, tmp_path)
    first, second = _documents(project_file)
    assert window.current_page() == (1, 1)
    run = run_scanspan(["remove", "-p", project_file, "1", "--force"], tmp_path)
    assert run.code == 0, run.err
    qtbot.waitUntil(lambda: _listed(window) == [second], timeout=10_000)
    qtbot.waitUntil(lambda: window.current_page() == (2, 1))
    assert window.page_words()[0].text == "Reports"


def test_a_document_brought_back_by_undo_shows_its_spans_on_the_scan_and_in_the_text(
    qtbot: QtBot, settings: Settings, tagged_file: Path, tmp_path: Path
) -> None:
    window = two_letter_window(qtbot, settings, tagged_file, tmp_path)
    spans = set(stored_span_texts(tagged_file))
    assert spans and window.current_page() == (1, 1)
    drawn = {s for s in spans if window.highlight_items(s)}
    marked = set(window.text_view.highlighted())
    assert drawn and marked
    seen: list[str] = []
    when_modal(qtbot, QMessageBox, _answer(QMessageBox.StandardButton.Yes, seen))
    window.actions.remove_document.trigger()
    assert window.current_page() == (2, 1)
    _active(qtbot, window)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_page() == (1, 1) and window.is_settled())
    assert {s for s in spans if window.highlight_items(s)} == drawn
    assert set(window.text_view.highlighted()) == marked


def test_a_documents_tooltip_counts_its_pages_right_for_one(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    window = two_letter_window(qtbot, settings, project_file, tmp_path)
    tree = window.navigator.tree
    first, second = _documents(project_file)
    tips = [tree.topLevelItem(i).toolTip(0) for i in range(tree.topLevelItemCount())]
    assert tips == [f"{first}: 2 pages", f"{second}: 1 page"]
