"""Tools and state the analyst can trust: a predictable region tool, undo that says where it acts,
a selection that is always what the window shows."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import click, drag, rows, stored_span_texts
from PySide6.QtCore import QPoint, QRect, Qt
from pytestqt.qtbot import QtBot

from app.editing.selection import AnnotationRef
from app.main_window import MainWindow


def region_count(path: Path) -> int:
    return rows(path, "select count(*) from regions")[0][0]


def signature(window: MainWindow) -> tuple[int, QRect]:
    ((region_id, item),) = window.region_items().items()
    window.page_view.reveal(AnnotationRef("region", region_id))
    return region_id, window.page_view.mapFromScene(item.rect()).boundingRect()


def test_the_region_tool_draws_one_region_then_the_mouse_selects_again(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    assert window.page_view.tool == "region" and window.actions.region_tool.isChecked()
    drag(qtbot, window, QRect(QPoint(200, 200), QPoint(320, 260)))
    assert region_count(project_file) == 1
    assert window.page_view.tool == "select" and not window.actions.region_tool.isChecked()
    assert window.undo_stack().undoText().startswith("Draw ")
    # A second drag selects words; it draws nothing.
    drag(qtbot, window, QRect(QPoint(200, 400), QPoint(420, 460)))
    assert region_count(project_file) == 1


def test_region_handles_win_over_the_region_tool_and_a_resize_is_called_one(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    window = tagged_window
    window.navigation.show_page(1, 2)
    qtbot.waitUntil(window.is_settled)
    before = region_count(tagged_file)
    region_id, rect = signature(window)
    viewport = window.page_view.viewport()

    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    # Dragging the region's right edge with the tool on resizes it; no tiny new region appears.
    edge = QPoint(rect.right() + 2, rect.center().y())  # just outside, where the resize cursor shows
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=edge)
    qtbot.mouseMove(viewport, edge + QPoint(30, 0))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=edge + QPoint(30, 0))
    assert region_count(tagged_file) == before
    assert window.selection.annotation == AnnotationRef("region", region_id)  # the press selected it
    assert window.undo_stack().undoText() == "Resize signature region"

    # A drag inside moves it, and is called a move.
    inside = signature(window)[1].center()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=inside)
    qtbot.mouseMove(viewport, inside + QPoint(0, 20))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=inside + QPoint(0, 20))
    assert window.undo_stack().undoText() == "Move signature region"


def test_clicking_a_region_selects_it(qtbot: QtBot, tagged_window: MainWindow) -> None:
    window = tagged_window
    window.navigation.show_page(1, 2)
    qtbot.waitUntil(window.is_settled)
    window.selection.clear()
    region_id, rect = signature(window)
    click(qtbot, window, rect.center())
    assert window.selection.annotation == AnnotationRef("region", region_id)
    assert window.selection_status.text().startswith("Selected signature region")


def test_undo_goes_to_the_page_it_changes_and_says_so(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    window.navigation.show_page(1, 2)
    qtbot.waitUntil(window.is_settled)

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored_span_texts(project_file) == {}
    assert window.current_page() == (1, 1)
    message = window.statusBar().currentMessage()
    assert message.startswith("Undid “Tag as agency” in ") and message.endswith(", page 1")

    window.navigation.show_page(1, 2)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert list(stored_span_texts(project_file).values()) == [("agency", "Department of Justice")]
    assert window.current_page() == (1, 1)
    assert window.statusBar().currentMessage().startswith("Redid “Tag as agency”")


def test_after_undo_nothing_looks_selected_and_a_label_key_says_what_it_did(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    table = window.panel.table
    assert table.selectionModel().hasSelection()  # the new span's row

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.selection.annotation is None and window.selection.range is None
    assert not table.selectionModel().hasSelection() and not table.currentIndex().isValid()
    assert window.selection_status.text() == "Nothing selected"

    qtbot.keyClick(window.page_view, Qt.Key.Key_2)
    assert stored_span_texts(project_file) == {}
    assert "program is now the current label" in window.statusBar().currentMessage()


def test_delete_twice_in_the_table_deletes_one_annotation(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    window = tagged_window
    total = len(stored_span_texts(tagged_file)) + region_count(tagged_file)
    table = window.panel.table
    window.panel.ensure_loaded()
    table.setFocus()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(window.panel.proxy.index(1, 1)).center())
    assert window.selection.annotation is not None
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert window.selection.annotation is None  # the next row was not selected in its place
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert len(stored_span_texts(tagged_file)) + region_count(tagged_file) == total - 1



def test_undo_of_a_delete_scrolls_to_the_annotation_it_brings_back(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    window = tagged_window
    window.page_view.actual_size()  # the page is several screens tall
    span_id, (label, text) = next((i, v) for i, v in stored_span_texts(tagged_file).items()
                                  if "Homeland" in v[1])  # low on page 1
    window.navigation.go_to_annotation(AnnotationRef("span", span_id))
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
    window.navigation.show_page(1, 2)
    qtbot.waitUntil(window.is_settled)

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored_span_texts(tagged_file)[span_id] == (label, text)
    assert window.current_page() == (1, 1)
    view = window.page_view
    (item,) = window.highlight_items(span_id)[:1]
    assert view.viewport().rect().intersects(view.mapFromScene(item.sceneBoundingRect()).boundingRect())


def test_a_long_selection_account_leaves_the_status_message_its_room(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    from app.panels.selection_status import WIDEST

    window = tagged_window
    span_id, _ = max(stored_span_texts(tagged_file).items(), key=lambda item: len(item[1][1]))
    window.navigation.go_to_annotation(AnnotationRef("span", span_id))
    status = window.selection_status
    assert status.text().startswith("Selected ") and status.fontMetrics().horizontalAdvance(status.text()) > WIDEST
    assert status.toolTip() == status.text()  # the whole account, on hover
    assert status.width() <= WIDEST  # shown cut short, so a status message beside it is read whole
