"""Selecting words as analysts expect: whole words in the text, the page's geometry on the scan, a count first."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from gui_helpers import click, drag, open_window, stored_span_texts, union
from helpers import run_scanspan
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from app.main_window import MainWindow
from app.settings import Settings

NAMES = ["PARTNERS", "John Adams", "Mary Baker", "Paul Clark", "Anne Dunn", "Kurt Ellis"]
BODY = [
    "Dear Senator Grassley:",
    "I am enclosing the answers to the written",
    "questions posed to me by the Committee on",
    "the Judiciary, with further information.",
    "Sincerely yours,",
    "",
]


@pytest.fixture
def letterhead(tmp_path: Path) -> Path:
    """A letter whose text layer reads a column of partner names and the body line by line across
    both, as OCR does on a letterhead: name, body, name, body."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=400)
    for n, (name, body) in enumerate(zip(NAMES, BODY)):
        y = 60 + 24 * n
        page.insert_text((36, y), name, fontname="helv", fontsize=10)
        if body:
            page.insert_text((200, y), body, fontname="tiro", fontsize=12)
    pdf = tmp_path / "letterhead.pdf"
    doc.save(pdf)
    project = tmp_path / "letterhead.scanspan"
    run = run_scanspan(["import", pdf, "-p", project], tmp_path)
    assert run.code == 0, run.err
    return project


@pytest.fixture
def letter_window(qtbot: QtBot, settings: Settings, letterhead: Path) -> MainWindow:
    return open_window(qtbot, settings, letterhead)


def word_point(window: MainWindow, text: str, nth: int = 0) -> QPoint:
    return window.viewport_rect(window.find_words(text)[nth].box).center()


def test_a_drag_starting_a_character_early_tags_whole_words_without_the_comma(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    view = window.text_view
    text = view.toPlainText()
    at = text.index("Prevention")  # "...Juvenile Justice and Delinquency Prevention (OJJDP)"
    start = text.rindex("Department", 0, at) - 2  # a character early: ", Department ..." or ". Department"
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(at + 4, QTextCursor.MoveMode.KeepAnchor)  # and stopping inside "Prevention"
    view.setFocus()
    view.setTextCursor(cursor)
    expected = " ".join(text[start + 2 : at + len("Prevention")].split())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect().center())
    # The status bar counts the words, the text view shows them whole, the scan outlines them.
    assert window.selection_status.text().startswith(f"{len(expected.split())} words selected")
    assert " ".join(view.textCursor().selectedText().replace("\u2029", " ").split()) == expected
    outlined = window.outlined_boxes()
    assert len(outlined) == len(expected.split())
    assert outlined[0] == window.find_words("Department of Justice (DOJ)")[0].box

    qtbot.keyClick(view, Qt.Key.Key_2)
    assert [(label, " ".join(text.split())) for label, text in stored_span_texts(project_file).values()] == [
        ("program", expected)]


def test_double_click_then_shift_click_in_the_text_stores_whole_words(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    view = window.text_view
    text = view.toPlainText()
    cursor = view.textCursor()
    cursor.setPosition(text.index("Child Rights") + 3)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())
    cursor.setPosition(text.index("Child Rights") + len("Child Ri"))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     view.cursorRect(cursor).center())
    assert window.selected_text() == "Child Rights"
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert list(stored_span_texts(project_file).values()) == [("agency", "Child Rights")]


def test_shift_click_on_one_printed_line_of_a_letterhead_selects_only_the_words_between(
    qtbot: QtBot, letter_window: MainWindow, letterhead: Path
) -> None:
    window = letter_window
    click(qtbot, window, word_point(window, "posed"))
    click(qtbot, window, word_point(window, "Committee"), Qt.KeyboardModifier.ShiftModifier)
    assert window.selected_text() == "posed to me by the Committee"
    assert window.selection_status.text().startswith("6 words selected")
    qtbot.keyClick(window.page_view, Qt.Key.Key_1)
    assert list(stored_span_texts(letterhead).values()) == [("agency", "posed to me by the Committee")]


def test_shift_click_across_lines_on_the_scan_never_takes_the_name_column(
    qtbot: QtBot, letter_window: MainWindow, letterhead: Path
) -> None:
    window = letter_window
    click(qtbot, window, word_point(window, "enclosing"))
    click(qtbot, window, word_point(window, "Judiciary,"), Qt.KeyboardModifier.ShiftModifier)
    body = "enclosing the answers to the written questions posed to me by the Committee on the Judiciary"
    outlined = window.outlined_boxes()
    names = {w.box for name in NAMES for part in name.split() for w in window.find_words(part)}
    assert not names & set(outlined)
    assert len(outlined) == len(body.split())
    # Counted before a key is pressed; the OCR's order puts names between the lines, so the
    # words are stored as one span per line and said so.
    assert window.selection_status.text().startswith(f"{len(body.split())} words selected in 3 runs")
    qtbot.keyClick(window.page_view, Qt.Key.Key_3)
    stored = sorted(text for _, text in stored_span_texts(letterhead).values())
    assert stored == sorted(["enclosing the answers to the written", "questions posed to me by the Committee on",
                             "the Judiciary"])
    # One undo step takes the whole tag back.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored_span_texts(letterhead) == {}


def test_a_rubber_band_over_the_body_of_a_letterhead_leaves_the_names_out(
    qtbot: QtBot, letter_window: MainWindow
) -> None:
    window = letter_window
    words = window.find_words("Dear Senator Grassley:")
    rect = window.viewport_rect(union(words)).adjusted(-2, -2, 2, 2)
    drag(qtbot, window, rect)
    assert window.selected_text() == "Dear Senator Grassley"  # the colon trimmed
    assert window.selection_status.text().startswith("3 words selected")
