"""Tools and state the analyst can trust: a predictable region tool, undo that says where it acts,
a selection that is always what the window shows."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import click, drag, rows, stored_span_texts, union
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


def test_the_selected_regions_edges_win_over_the_region_tool_and_a_resize_is_called_one(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    window = tagged_window
    window.navigation.show_page(1, 2)
    qtbot.waitUntil(window.is_settled)
    before = region_count(tagged_file)
    region_id, rect = signature(window)
    viewport = window.page_view.viewport()
    click(qtbot, window, rect.center())
    assert window.selection.annotation == AnnotationRef("region", region_id)

    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    # Dragging the selected region's right edge with the tool on resizes it; no tiny new region appears.
    edge = QPoint(rect.right() + 2, rect.center().y())  # just outside, where the resize cursor shows
    qtbot.mouseMove(viewport, edge)
    assert viewport.cursor().shape() == Qt.CursorShape.SizeHorCursor
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=edge)
    qtbot.mouseMove(viewport, edge + QPoint(30, 0))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=edge + QPoint(30, 0))
    assert region_count(tagged_file) == before
    assert window.selection.annotation == AnnotationRef("region", region_id)
    assert window.undo_stack().undoText() == "Resize signature region"
    assert window.page_view.tool == "region"  # adjusting a region does not use up the tool

    # With the selection tool, a drag inside moves it, and is called a move.
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    inside = signature(window)[1].center()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=inside)
    qtbot.mouseMove(viewport, inside + QPoint(0, 20))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=inside + QPoint(0, 20))
    assert window.undo_stack().undoText() == "Move signature region"
    assert region_count(tagged_file) == before


def region_boxes(path: Path) -> dict[int, tuple[float, float, float, float]]:
    return {r[0]: r[1:] for r in rows(path, "select id, x0, y0, x1, y1 from regions")}


def test_the_region_tool_draws_a_region_inside_another_and_both_stay_selectable(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    viewport = window.page_view.viewport()
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(QPoint(150, 150), QPoint(650, 500)))  # a signature block, say
    ((outer_id, outer),) = region_boxes(project_file).items()
    assert window.selection.annotation == AnnotationRef("region", outer_id)
    assert window.statusBar().currentMessage() == "Drew a region labelled agency; press a label key to relabel it"

    # The tool again, and a drag that starts inside the selected region draws a new region in it
    # rather than moving it; the pointer says so beforehand.
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    qtbot.mouseMove(viewport, QPoint(300, 300))
    assert viewport.cursor().shape() == Qt.CursorShape.CrossCursor
    steps = window.undo_stack().count()
    drag(qtbot, window, QRect(QPoint(300, 300), QPoint(450, 380)))  # the signature inside it
    boxes = region_boxes(project_file)
    assert boxes[outer_id] == outer  # not moved
    ((inner_id, inner),) = [(i, b) for i, b in boxes.items() if i != outer_id]
    assert outer[0] < inner[0] < inner[2] < outer[2] and outer[1] < inner[1] < inner[3] < outer[3]
    assert window.undo_stack().count() == steps + 1 and window.undo_stack().undoText().startswith("Draw ")
    assert window.selection.annotation == AnnotationRef("region", inner_id)
    assert set(window.region_items()) == {outer_id, inner_id}
    assert window.page_view.tool == "select"

    # With the selection tool a click inside the inner region picks it, one around it the outer.
    click(qtbot, window, QPoint(600, 200))
    assert window.selection.annotation == AnnotationRef("region", outer_id)
    click(qtbot, window, QPoint(380, 340))
    assert window.selection.annotation == AnnotationRef("region", inner_id)

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert region_boxes(project_file) == {outer_id: outer}


def test_a_region_drawn_around_another_leaves_the_smaller_one_to_click(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(QPoint(300, 300), QPoint(450, 380)))  # the signature first
    ((inner_id, _),) = region_boxes(project_file).items()
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(QPoint(150, 150), QPoint(650, 500)))  # then its block around it
    (outer_id,) = set(region_boxes(project_file)) - {inner_id}

    click(qtbot, window, QPoint(380, 340))
    assert window.selection.annotation == AnnotationRef("region", inner_id)
    click(qtbot, window, QPoint(600, 200))
    assert window.selection.annotation == AnnotationRef("region", outer_id)


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


def test_words_inside_a_region_are_selected_on_the_scan_and_the_region_moves_once_selected(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    view = window.page_view
    assert view.data is not None
    words = view.data.words

    def at(text: str) -> QPoint:
        word = next(w for w in words if w.text == text)
        return view.mapFromScene((word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2)

    # A letter's body region, as accepting letter parts leaves it, over the page's words.
    first, last = at("Justice"), at("investigations")
    qtbot.keyClick(view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(QPoint(first.x() - 200, first.y() - 60), QPoint(last.x() + 200, last.y() + 60)))
    ((body_id, body),) = region_boxes(project_file).items()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert window.selection.annotation is None

    # A drag over words inside it selects them; the region stays where it is.
    drag(qtbot, window, QRect(at("Justice") - QPoint(25, 8), at("Justice") + QPoint(25, 8)))
    assert window.selected_text() == "Justice"
    assert region_boxes(project_file) == {body_id: body}
    assert window.selection.annotation is None
    # Its edge takes no press either until it is selected (selecting words near a signature must not resize it).
    edge = view.mapFromScene(body[2], (body[1] + body[3]) / 2) + QPoint(2, 0)
    drag(qtbot, window, QRect(edge, edge + QPoint(40, 0)))
    assert region_boxes(project_file) == {body_id: body}

    # A click selects the region, and a Shift+click from there selects the words between.
    click(qtbot, window, at("Justice"))
    assert window.selection.annotation == AnnotationRef("region", body_id)
    click(qtbot, window, at("investigations"), Qt.KeyboardModifier.ShiftModifier)
    assert window.selection.annotation is None
    assert window.selected_text().startswith("Justice") and window.selected_text().endswith("investigations")
    assert region_boxes(project_file) == {body_id: body}

    # A drag from inside the selected region moves it.
    click(qtbot, window, at("investigations"))
    assert window.selection.annotation == AnnotationRef("region", body_id)
    qtbot.mouseMove(view.viewport(), at("Justice"))
    assert view.viewport().cursor().shape() == Qt.CursorShape.SizeAllCursor
    drag(qtbot, window, QRect(at("Justice"), at("Justice") + QPoint(0, 30)))
    assert region_boxes(project_file)[body_id][1] > body[1]
    assert window.undo_stack().undoText() == "Move agency region"


def test_a_click_takes_the_smaller_of_a_highlight_and_a_region(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    view = window.page_view
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)  # an agency span
    (span_id,) = stored_span_texts(project_file)
    assert view.data is not None and view.page is not None
    start = view.data.text.text.find("Department of Justice")
    words = [w for i, w in enumerate(view.data.words)
             if start <= view.data.text.starts[i] < start + len("Department of Justice")]
    box = union(words)
    middle = view.mapFromScene((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)

    # A block drawn around the tagged name: a click on the name is the span's, beside it the block's.
    view.regionDrawn.emit(view.page, (box[0] - 300, box[1] - 150, box[2] + 300, box[3] + 150))
    ((block_id, _),) = region_boxes(project_file).items()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    click(qtbot, window, middle)
    assert window.selection.annotation == AnnotationRef("span", span_id)
    click(qtbot, window, view.mapFromScene(box[0] - 250, box[1] - 100))
    assert window.selection.annotation == AnnotationRef("region", block_id)

    # A region drawn on the tagged line's own words (as an ALTO or PAGE file brings one) is clicked as
    # the region: the highlight around the words is the larger.
    view.regionDrawn.emit(view.page, box)
    (line_id,) = set(region_boxes(project_file)) - {block_id}
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    click(qtbot, window, middle)
    assert window.selection.annotation == AnnotationRef("region", line_id)


def test_the_selected_region_moves_from_just_beside_a_smaller_one_inside_it(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(QPoint(300, 300), QPoint(450, 380)))  # a signature
    ((inner_id, _),) = region_boxes(project_file).items()
    qtbot.keyClick(window.page_view, Qt.Key.Key_R)
    drag(qtbot, window, QRect(QPoint(150, 150), QPoint(650, 500)))  # its block, now selected
    (outer_id,) = set(region_boxes(project_file)) - {inner_id}
    outer = region_boxes(project_file)[outer_id]
    assert window.selection.annotation == AnnotationRef("region", outer_id)
    beside = QPoint(454, 340)  # within the inner one's edge margin, outside its box
    drag(qtbot, window, QRect(beside, beside + QPoint(0, 40)))
    assert region_boxes(project_file)[outer_id][1] > outer[1]
    assert window.undo_stack().undoText().startswith("Move ")
