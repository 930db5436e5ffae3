"""The annotations table, the navigator, the label palette, zoom and hover on the scan."""

from __future__ import annotations

import json
from pathlib import Path

from gui_helpers import click, rows, stored_span_texts
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from app.dialogs.export import ExportDialog
from app.editing.selection import AnnotationRef
from app.main_window import MainWindow
from app.panels.label_palette import AddLabelDialog


def test_the_table_lists_filters_and_jumps_to_annotations(qtbot: QtBot, tagged_window: MainWindow) -> None:
    window = tagged_window
    panel = window.panel
    assert len(panel.visible_refs()) == 18  # 17 spans and the signature region
    assert len(window.highlight_items()) == 8  # page 1's spans are drawn
    panel.filter_label("figure")
    figures = panel.visible_refs()
    assert len(figures) == 3 and all(ref.kind == "span" for ref in figures)
    panel.filter_label("signature")
    region = next(ref for ref in panel.visible_refs() if ref.kind == "region")

    row = panel.visible_refs().index(region)
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert window.current_page() == (1, 2)  # the signature is on page 2
    assert window.selection.annotation == region
    assert window.region_items()[region.id].current


def test_clicking_a_highlight_selects_its_row(qtbot: QtBot, tagged_window: MainWindow) -> None:
    window = tagged_window
    span_id, item = next(iter(window.page_view.highlight_items().items()))
    click(qtbot, window, window.page_view.mapFromScene(item.sceneBoundingRect().center()))
    selected = window.panel.table.selectionModel().selectedRows()
    assert [i.data(Qt.ItemDataRole.UserRole) for i in selected] == [AnnotationRef("span", span_id)]


def test_notes_are_edited_in_the_table_and_undone(qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path) -> None:
    window = tagged_window
    panel = window.panel
    ref = panel.visible_refs()[0]
    window.navigation.go_to_annotation(ref)
    qtbot.keyClick(window.page_view, Qt.Key.Key_N)  # Edit note: opens the note cell's editor
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "check the acronym")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the table commits its editor on the next turn of the loop

    qtbot.waitUntil(lambda: rows(tagged_file, f"select note from spans where id = {ref.id}") == [("check the acronym",)])
    assert tagged_window.annotation_rows()[0][3] == "check the acronym"
    window.undo_stack().undo()
    assert rows(tagged_file, f"select note from spans where id = {ref.id}") == [("",)]


def test_delete_in_the_table_removes_the_row_and_the_highlight(qtbot: QtBot, tagged_window: MainWindow,
                                                               tagged_file: Path) -> None:
    window = tagged_window
    panel = window.panel
    ref = panel.visible_refs()[0]
    rect = panel.table.visualRect(panel.proxy.index(0, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.highlight_items(ref.id)
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert ref.id not in stored_span_texts(tagged_file)
    assert ref not in panel.visible_refs() and not window.highlight_items(ref.id)
    assert window.navigator.tree.topLevelItem(0).text(2) == "17"


def test_the_navigator_shows_pages_and_sets_the_status(qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path) -> None:
    window = tagged_window
    tree = window.navigator.tree
    doc = tree.topLevelItem(0)
    assert (doc.text(0), doc.text(1), doc.text(2)) == ("geneva-letter-2015.pdf", "new", "18")
    assert [doc.child(i).text(2) for i in range(doc.childCount())] == ["8", "10"]
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(doc.child(1)).center())
    assert window.current_page() == (1, 2)
    qtbot.waitUntil(lambda: "Keith" in window.text_view.toPlainText())  # the text follows a turn later

    combo = window.navigator.status
    combo.setCurrentText("in progress")
    combo.activated.emit(combo.currentIndex())  # as when the user picks it
    assert rows(tagged_file, "select status from documents") == [("in progress",)]
    assert doc.text(1) == "in progress"
    window.undo_stack().undo()
    assert rows(tagged_file, "select status from documents") == [("new",)]
    assert combo.currentText() == "new"


def test_ctrl_wheel_zooms_under_the_mouse(window: MainWindow) -> None:
    view = window.page_view
    point = QPoint(300, 250)
    before = view.mapToScene(point)
    zoom = view.zoom()
    event = QWheelEvent(QPointF(point), QPointF(view.viewport().mapToGlobal(point)), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom() > zoom * 1.2
    after = view.mapToScene(point)
    assert abs(after.x() - before.x()) < 2 / view.zoom() and abs(after.y() - before.y()) < 2 / view.zoom()


def test_keyboard_zoom_and_fit(qtbot: QtBot, window: MainWindow) -> None:
    view = window.page_view
    fit_width = view.zoom()
    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() > fit_width
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() < fit_width
    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # fit page
    page = view.mapFromScene(0, 0, 2550, 3300).boundingRect()
    assert view.viewport().rect().contains(page)
    qtbot.keyClick(view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # fit width
    assert abs(view.zoom() - fit_width) < 1e-6
    qtbot.waitUntil(view.image_ready)  # the scan is re-rendered sharp for the new zoom


def test_hovering_a_word_box_shows_its_text_and_confidence(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_W)
    assert window.actions.word_boxes.isChecked()
    word = window.find_words("Advisor")[0]
    with qtbot.waitSignal(window.page_view.hovered) as hovered:
        qtbot.mouseMove(window.page_view.viewport(), window.viewport_rect(word.box).center())
    assert hovered.args[0].startswith("Advisor") and f"confidence {word.conf:.0f}%" in hovered.args[0]


def test_a_new_label_gets_a_key_and_tags(qtbot: QtBot, window: MainWindow, project_file: Path) -> None:
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddLabelDialog)
        qtbot.keyClicks(dialog.name, "stamp")
        dialog.accept()

    QTimer.singleShot(0, fill)
    window.label_keys.add_dialog()
    assert rows(project_file, "select name, shortcut from labels where name = 'stamp'") == [("stamp", "5")]
    assert "stamp" in [window.palette.list.item(i).text().split()[-1] for i in range(window.palette.list.count())]
    window.activateWindow()  # the offscreen platform does not give it back when the dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert window.select_text("OHCHR REGISTRY")
    qtbot.keyClick(window.text_view, Qt.Key.Key_5)
    assert list(stored_span_texts(project_file).values()) == [("stamp", "OHCHR REGISTRY")]


def test_export_runs_in_the_background_over_the_core_exporters(qtbot: QtBot, tagged_window: MainWindow,
                                                               tmp_path: Path) -> None:
    dialog = ExportDialog(tagged_window.project_path(), 1, tagged_window)
    dialog.format.setCurrentIndex(dialog.format.findData("jsonl"))
    dialog.scope.setCurrentIndex(dialog.scope.findData("current"))
    dialog.output.setText(str(tmp_path / "out.jsonl"))
    fmt, output, documents, options = dialog.request()
    with qtbot.waitSignal(tagged_window.exportFinished, timeout=60_000) as done:
        tagged_window.export_to(fmt, output, documents, options)
    assert not isinstance(done.args[0], str), done.args[0]
    (record,) = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(record["spans"]) == 17 and len(record["regions"]) == 1


def test_an_export_error_is_a_message(qtbot: QtBot, tagged_window: MainWindow, tmp_path: Path) -> None:
    with qtbot.waitSignal(tagged_window.messageShown, timeout=60_000) as shown:
        tagged_window.export_to("jsonl", tmp_path / "no-such-folder" / "out.jsonl")
    assert "no-such-folder" in shown.args[0]


def test_recent_projects_menu_lists_the_open_project(window: MainWindow, project_file: Path) -> None:
    menu = window.actions.recent_menu
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] == [str(project_file.resolve())]
    assert all(a.isEnabled() for a in menu.actions())


def test_a_selection_the_table_filter_hides_leaves_no_row_looking_selected(qtbot: QtBot, tagged_window: MainWindow) -> None:
    # Delete acts on the selection: a row left highlighted by the filter would look like its target.
    window, panel = tagged_window, tagged_window.panel
    span_id, item = next(iter(window.page_view.highlight_items().items()))
    click(qtbot, window, window.page_view.mapFromScene(item.sceneBoundingRect().center()))
    selected = window.selection.annotation
    assert selected == AnnotationRef("span", span_id)
    label = window.session.find_span(span_id).label  # type: ignore[union-attr]
    other = next(i for i in range(1, panel.labels.count()) if panel.labels.itemData(i) not in (label, None)
                 and panel.labels.itemData(i) in {row[0] for row in window.annotation_rows()})
    panel.labels.setCurrentIndex(other)
    assert panel.proxy.rowCount() > 0 and selected not in panel.visible_refs()
    table = panel.table
    assert not table.selectionModel().hasSelection() and not table.currentIndex().isValid()
    assert window.selection.annotation == selected  # filtering the list does not change what is selected
    # Shown again, its row is the one highlighted.
    panel.labels.setCurrentIndex(0)
    assert [i.data(Qt.ItemDataRole.UserRole) for i in table.selectionModel().selectedRows()] == [selected]
