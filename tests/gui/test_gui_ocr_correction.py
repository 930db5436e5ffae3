"""OCR correction in place: select a word in either view, F2, type, Enter; spans stay anchored."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import rows, stored_span_texts
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from annotations.text.ranges import TextRange
from app.main_window import MainWindow


def tag(qtbot: QtBot, window: MainWindow, phrase: str, key: Qt.Key) -> None:
    assert window.select_text(phrase)
    qtbot.keyClick(window.text_view, key)


def type_into_editor(qtbot: QtBot, window: MainWindow, text: str) -> None:
    editor = window.word_editor()
    assert isinstance(editor, QLineEdit) and editor.isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.word_editor() is None


def test_double_click_on_the_scan_selects_a_word_f2_corrects_it_and_spans_stay_anchored(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    tag(qtbot, window, "Advisor on Child Rights", Qt.Key.Key_1)
    tag(qtbot, window, "Geneva, Switzerland", Qt.Key.Key_2)
    word = window.find_words("Advisor")[0]
    point = window.viewport_rect(word.box).center()

    qtbot.mouseDClick(window.page_view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.word_editor() is None
    assert window.selected_text() == "Advisor"
    qtbot.keyClick(window.page_view, Qt.Key.Key_F2)
    editor = window.word_editor()
    assert editor.text() == "Advisor"
    # The editor sits beside the scanned word, never over it.
    assert not editor.geometry().intersects(window.viewport_rect(word.box))
    type_into_editor(qtbot, window, "Adviser")

    assert rows(project_file, f"select text, ocr_text from words where id = {word.id}") == [("Adviser", "Advisor")]
    assert window.statusBar().currentMessage().startswith("Corrected “Advisor” to “Adviser”")
    assert sorted(stored_span_texts(project_file).values()) == [
        ("agency", "Adviser on Child Rights"),
        ("program", "Geneva, Switzerland"),
    ]
    # Both views show the correction, the highlight still covers the same word boxes.
    assert "Adviser on Child Rights" in window.text_view.toPlainText()
    assert len(window.highlight_items()) == 2

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(project_file, f"select text, ocr_text from words where id = {word.id}") == [("Advisor", "Advisor")]
    assert ("agency", "Advisor on Child Rights") in stored_span_texts(project_file).values()


def test_f2_in_the_text_view_corrects_a_word_inside_a_partial_span_and_shows_it_on_the_scan(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    tag(qtbot, window, "Switzerland", Qt.Key.Key_3)
    view = window.text_view
    data = view.data
    at = data.text.text.find("Geneva,")
    # A span that cuts its last word ("Gene" of "Geneva,", as an import may make) keeps its cut
    # when the word is corrected.
    window.select_range(TextRange(data.page.document_id, (1, at), (1, at + 4)))
    qtbot.keyClick(view, Qt.Key.Key_1)
    window.page_view.actual_size()
    window.page_view.verticalScrollBar().setValue(window.page_view.verticalScrollBar().maximum())
    cursor = view.textCursor()
    cursor.setPosition(at + 2)
    point = view.cursorRect(cursor).center()

    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.word_editor() is None
    assert window.selected_text() == "Geneva"  # the word, without its comma
    qtbot.keyClick(view, Qt.Key.Key_F2)
    word = window.find_words("Geneva,")[0]
    # The scan scrolled to the word being corrected.
    assert window.page_view.viewport().rect().contains(window.viewport_rect(word.box))
    type_into_editor(qtbot, window, "GENEVA,")

    texts = sorted(stored_span_texts(project_file).values())
    assert texts == [("agency", "GENE"), ("figure", "Switzerland")]
    assert "GENEVA, Switzerland" in view.toPlainText()


def test_a_refused_correction_is_a_message_not_a_crash(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    word = window.find_words("Advisor")[0]
    window.page_view.edit_word(window.page_words().index(word))
    with qtbot.waitSignal(window.messageShown) as shown:
        type_into_editor(qtbot, window, "two words")
    assert "one non-empty word" in shown.args[0]
    assert rows(project_file, f"select text from words where id = {word.id}") == [("Advisor",)]
    assert window.undo_stack().count() == 0  # nothing to undo: the edit never happened


def test_escape_cancels_a_correction(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    word = window.find_words("Advisor")[0]
    qtbot.mouseDClick(window.page_view.viewport(), Qt.MouseButton.LeftButton, pos=window.viewport_rect(word.box).center())
    qtbot.keyClick(window.page_view, Qt.Key.Key_F2)
    editor = window.word_editor()
    assert editor is not None
    qtbot.keyClicks(editor, "xyz")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.word_editor() is None
    assert rows(project_file, "select count(*) from words where text != ocr_text") == [(0,)]
    assert window.page_view.hasFocus()


def test_undoing_a_correction_from_another_page_scrolls_the_scan_to_the_word(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    word = window.find_words("Homeland")[0]  # low on page 1
    window.page_view.actual_size()  # the page is several screens tall
    window.page_view.edit_word(window.page_words().index(word))
    type_into_editor(qtbot, window, "HOMELAND")
    window.navigation.show_page(1, 2)
    qtbot.waitUntil(window.is_settled)
    window.page_view.verticalScrollBar().setValue(0)

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(project_file, f"select text from words where id = {word.id}") == [("Homeland",)]
    assert window.current_page() == (1, 1)
    assert window.page_view.viewport().rect().contains(window.viewport_rect(word.box))
