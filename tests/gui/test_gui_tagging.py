"""Selecting words in either view, tagging with a key, regions, relabelling, undo and redo.

Every check of what was stored reads the project file through a fresh connection, as another
program would: the window has no unsaved state.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import click, drag, rows, stored_span_texts, union
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from app.editing.selection import AnnotationRef
from app.main_window import MainWindow


def test_the_window_opens_the_sample_with_scan_and_text_side_by_side(window: MainWindow, project_file: Path) -> None:
    assert window.windowTitle() == "letters — Scanspan"
    assert window.current_page() == (1, 1)
    assert window.page_view.image_ready()
    assert "UNITED STATES MISSION" in window.text_view.toPlainText()
    assert len(window.page_words()) > 300
    # Side by side: the scan left of the text, both visible.
    assert window.page_view.isVisible() and window.text_view.isVisible()
    assert window.page_view.mapTo(window, QPoint(0, 0)).x() < window.text_view.mapTo(window, QPoint(0, 0)).x()


def test_select_a_phrase_in_the_text_and_press_1_tags_it(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    phrase = "Department of Justice"
    assert window.select_text(phrase)
    assert window.selected_text() == phrase
    # The scan outlines exactly the covered words.
    assert window.outlined_boxes() == [w.box for w in window.find_words(phrase)]

    qtbot.keyClick(window.text_view, Qt.Key.Key_1)

    stored = stored_span_texts(project_file)
    assert list(stored.values()) == [("agency", phrase)]
    (span_id,) = stored
    items = window.highlight_items(span_id)
    assert items and all(item.scene() is window.page_view.scene() for item in items)
    assert items[0].brush().color().rgb() == QColor("#1f77b4").rgb()
    # The text view highlights it too, and the new span is the selected annotation.
    assert window.text_view.highlighted() == {span_id: phrase}
    assert window.selection.annotation == AnnotationRef("span", span_id)


def test_rubber_band_on_the_scan_selects_the_words_inside(qtbot: QtBot, window: MainWindow) -> None:
    phrase = "Thank you for your inquiry"
    words = window.find_words(phrase)
    assert [w.text for w in words] == phrase.split()
    rect = window.viewport_rect(union(words)).adjusted(-2, -2, 2, 2)

    drag(qtbot, window, rect)

    assert window.selected_text() == phrase
    assert window.text_view.textCursor().selectedText() == phrase
    assert window.outlined_boxes() == [w.box for w in words]


def test_clicking_a_word_selects_it_and_shift_click_extends(qtbot: QtBot, window: MainWindow) -> None:
    words = window.find_words("Thank you for your inquiry")
    click(qtbot, window, window.viewport_rect(words[0].box).center())
    assert window.selected_text() == "Thank"
    click(qtbot, window, window.viewport_rect(words[3].box).center(), Qt.KeyboardModifier.ShiftModifier)
    assert window.selected_text() == "Thank you for your"


def test_a_span_may_cross_pages(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    last = window.page_words()[-1]
    click(qtbot, window, window.viewport_rect(last.box).center())
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == (1, 2)
    first = window.page_words()[0]
    click(qtbot, window, window.viewport_rect(first.box).center(), Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.page_view, Qt.Key.Key_3)

    ((span_id, (label, text)),) = stored_span_texts(project_file).items()
    assert label == "figure"
    assert text.startswith(last.text) and text.endswith(first.text) and "\f" in text
    assert window.highlight_items(span_id)  # on page 2 ...
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.highlight_items(span_id)  # ... and on page 1


def test_region_tool_draws_a_region_with_the_current_label(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_4)  # nothing selected: chooses the label for regions
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    assert window.actions.region_tool.isChecked()
    words = window.find_words("December 3, 2015")
    rect = window.viewport_rect(union(words)).adjusted(-6, -6, 6, 6)

    drag(qtbot, window, rect)

    ((region_id, label, x0, y0, x1, y1),) = rows(project_file, "select id, label, x0, y0, x1, y1 from regions")
    assert label == "signature"
    box = union(words)
    tolerance = 8 / window.page_view.zoom()  # 6 screen pixels of margin, plus rounding
    assert abs(x0 - box[0]) < tolerance and abs(y0 - box[1]) < tolerance
    assert abs(x1 - box[2]) < tolerance and abs(y1 - box[3]) < tolerance
    assert region_id in window.region_items()
    assert window.selection.annotation == AnnotationRef("region", region_id)


def test_a_region_moves_as_one_undoable_edit(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(200, 200, 120, 80))
    ((before,),) = rows(project_file, "select x0 from regions")
    assert window.page_view.tool == "select"  # drawing used the tool up
    viewport = window.page_view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=QPoint(260, 240))
    for x in range(262, 320, 8):
        qtbot.mouseMove(viewport, QPoint(x, 240))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=QPoint(320, 240))
    ((after,),) = rows(project_file, "select x0 from regions")
    zoom = window.page_view.zoom()
    assert after - before == pytest.approx(60 / zoom, abs=2 / zoom)
    assert window.undo_stack().count() == 2  # one for drawing, one for the whole move
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(project_file, "select x0 from regions") == [(before,)]


def test_clicking_a_highlight_selects_it_and_a_key_relabels_it(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    window.select_text("Office of the United Nations")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    qtbot.keyClick(window.text_view, Qt.Key.Key_Escape)
    assert window.selection.annotation is None
    (span_id,) = stored_span_texts(project_file)
    item = window.highlight_items(span_id)[0]
    point = window.page_view.mapFromScene(item.sceneBoundingRect().center())

    click(qtbot, window, point)
    assert window.selection.annotation == AnnotationRef("span", span_id)
    qtbot.keyClick(window.page_view, Qt.Key.Key_2)

    assert stored_span_texts(project_file)[span_id] == ("program", "Office of the United Nations")
    assert window.highlight_items(span_id)[0].brush().color().rgb() == QColor("#2ca02c").rgb()
    assert window.annotation_rows()[0][:2] == ("program", "Office of the United Nations")


def test_delete_removes_the_selected_annotation(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    window.select_text("Geneva, Switzerland")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    assert len(stored_span_texts(project_file)) == 1
    qtbot.keyClick(window.text_view, Qt.Key.Key_Delete)
    assert stored_span_texts(project_file) == {}
    assert window.highlight_items() == []


def test_undo_and_redo_round_trip_every_edit(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    def state() -> tuple:
        return (
            rows(project_file, "select id, label, first_word_id, last_word_id, head, tail, note from spans order by id"),
            rows(project_file, "select id, label, x0, y0, x1, y1 from regions order by id"),
            rows(project_file, "select id, text from words where text != ocr_text"),
        )

    states = [state()]
    window.select_text("Advisor on Child Rights")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)  # create
    states.append(state())
    qtbot.keyClick(window.text_view, Qt.Key.Key_3)  # relabel (the new span is selected)
    states.append(state())
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(150, 150, 90, 60))  # a region
    states.append(state())
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)  # delete that region
    states.append(state())
    word = window.find_words("Advisor")[0]
    window.editor.correct_word(word.id, word.text, "Adviser")  # OCR correction (the editor's path)
    states.append(state())
    assert all(a != b for a, b in zip(states, states[1:]))  # every step changed the file

    for expected in reversed(states[:-1]):
        qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert state() == expected
    for expected in states[1:]:
        qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert state() == expected  # the same ids come back on redo
    assert window.highlight_items()  # the views followed: the span is back on the page


def test_undoing_the_delete_of_a_colleagues_annotations_gives_them_back_as_they_were(
        qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path) -> None:
    # Agreement and adjudication go by who made what: an undo must not re-sign another's work.
    from helpers import run_scanspan

    for args in (["--text", "300,000", "-l", "figure"], ["--page", "1", "--box", "100,100,400,200", "-l", "signature"]):
        made = run_scanspan(["annotate", "-p", project_file, "-d", "1", "--annotator", "alice", *args], tmp_path)
        assert made.code == 0, made.err
    qtbot.waitUntil(lambda: (window.changes.follow(), len(window.annotation_rows()) == 2)[1], timeout=5_000)
    before = (rows(project_file, "select id, label, annotator, created from spans"),
              rows(project_file, "select id, label, annotator, created from regions"))
    assert {r[2] for r in before[0] + before[1]} == {"alice"}
    for ref in (AnnotationRef("span", before[0][0][0]), AnnotationRef("region", before[1][0][0])):
        window.navigation.go_to_annotation(ref)
        assert window.selection.annotation == ref
        qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
        qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (rows(project_file, "select id, label, annotator, created from spans"),
            rows(project_file, "select id, label, annotator, created from regions")) == before
