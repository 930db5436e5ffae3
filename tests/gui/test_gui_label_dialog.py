"""The Add label dialog: a name that cannot be a label keeps OK off and says why; a new label gets its own colour."""

from __future__ import annotations

import json
from pathlib import Path

from gui_helpers import open_window, rows, when_modal
from helpers import run_scanspan
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from app.dialogs.label_dialog import LabelDialog
from app.main_window import MainWindow
from app.panels.label_palette import AddLabelDialog
from app.settings import Settings


def test_bad_names_disable_ok_with_the_reason_and_a_good_one_is_added_in_a_new_colour(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    seen: dict[str, tuple[bool, str]] = {}

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddLabelDialog)
        for name in ("B-agency", "O", "agency", "x" * 65, "stamp"):
            dialog.name.clear()
            qtbot.keyClicks(dialog.name, name)
            seen[name[:10]] = (dialog.ok.isEnabled(), dialog.problem.text() if dialog.problem.isVisible() else "")
        dialog.accept()

    QTimer.singleShot(0, fill)
    window.label_keys.add_dialog()
    assert seen == {
        "B-agency": (False, "The name starts with the tag prefix 'B-' (B-, I-, E-, L-, S-, U- begin IOB/BILOU tags)."),
        "O": (False, "The name is the outside tag 'O' of IOB exports."),
        "agency": (False, "A label 'agency' already exists."),
        "xxxxxxxxxx": (False, "The name is 65 characters long; at most 64 are allowed."),
        "stamp": (True, ""),
    }
    colors = dict(rows(project_file, "select name, color from labels"))
    assert "stamp" in colors
    assert window.statusBar().currentMessage() == "“Add label stamp” done; Ctrl+Z undoes it"
    assert colors["stamp"] not in {c for name, c in colors.items() if name != "stamp"}


def _tick(qtbot: QtBot, ends: QListWidget, name: str) -> None:
    """Tick a label in an end's list as the keyboard does: make it current, then Space."""
    item = ends.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    ends.setFocus()
    ends.setCurrentItem(item)
    qtbot.keyClick(ends, Qt.Key.Key_Space)


def _shape(path: Path) -> list[tuple]:
    return rows(path, "select kind, directed, ends from labels where name = 'counts'")


def test_a_relation_labels_direction_and_ends_are_set_in_the_dialog_each_in_one_undo_step(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    shown: dict[str, bool] = {}

    def add(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        try:
            shown["span"] = (dialog.direction.isVisible() or dialog.from_ends.isVisible()) or not dialog.layer.isVisible()
            qtbot.keyClicks(dialog.name, "counts")
            dialog.kind.setCurrentIndex(dialog.kind.findData("relation"))
            # A relation label is exported with its ends whatever their layer: it has no layer to choose.
            shown["relation"] = (dialog.direction.isVisible() and dialog.from_ends.isVisible()
                                 and not dialog.layer.isVisible())
            assert dialog.from_ends.findItems("counts", Qt.MatchFlag.MatchExactly) == []
            dialog.direction.setCurrentIndex(dialog.direction.findData(False))
            _tick(qtbot, dialog.from_ends, "figure")
            _tick(qtbot, dialog.to_ends, "program")
            _tick(qtbot, dialog.to_ends, "agency")
            qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        finally:  # closed whatever happens, or exec() would wait for ever
            if dialog.isVisible():
                dialog.reject()

    when_modal(qtbot, LabelDialog, add)
    window.label_keys.add_dialog()
    assert shown == {"span": False, "relation": True}
    assert sorted(json.loads(_shape(project_file)[0][2])["to"]) == ["agency", "program"]
    assert [(k, d, json.loads(e)["from"]) for k, d, e in _shape(project_file)] == [("relation", 0, ["figure"])]
    assert window.undo_stack().undoText() == "Add label counts"
    steps = window.undo_stack().count()

    # Edited: one way now, and its from end any label; one undo step puts both back.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    palette = window.palette
    item = next(palette.list.item(i) for i in range(palette.list.count())
                if palette.list.item(i).data(Qt.ItemDataRole.UserRole) == "counts")
    qtbot.mouseClick(palette.list.viewport(), Qt.MouseButton.LeftButton, pos=palette.list.visualItemRect(item).center())

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        try:
            assert dialog.direction.isVisible() and dialog.direction.currentData() is False
            dialog.direction.setCurrentIndex(dialog.direction.findData(True))
            _tick(qtbot, dialog.from_ends, "figure")  # untick: any label
            qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        finally:
            if dialog.isVisible():
                dialog.reject()

    when_modal(qtbot, LabelDialog, edit)
    qtbot.mouseClick(palette.edit, Qt.MouseButton.LeftButton)
    assert window.undo_stack().count() == steps + 1
    assert window.undo_stack().undoText() == "Change the direction or ends of relation label counts"
    assert [(k, d, json.loads(e)) for k, d, e in _shape(project_file)] == [
        ("relation", 1, {"from": [], "to": ["agency", "program"]})]
    window.undo_stack().undo()
    assert [(k, d, json.loads(e)["from"]) for k, d, e in _shape(project_file)] == [("relation", 0, ["figure"])]
    window.undo_stack().undo()
    assert _shape(project_file) == []


def test_a_relation_label_whose_ends_the_command_line_listed_in_another_order_is_unchanged_until_edited(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:

    added = run_scanspan(["labels", "-p", project_file, "--add", "counts", "--kind", "relation",
                          "--to-labels", "program,agency"], tmp_path)
    assert added.code == 0, added.err
    window = open_window(qtbot, settings, project_file)
    palette = window.palette
    item = next(palette.list.item(i) for i in range(palette.list.count())
                if palette.list.item(i).data(Qt.ItemDataRole.UserRole) == "counts")
    qtbot.mouseClick(palette.list.viewport(), Qt.MouseButton.LeftButton, pos=palette.list.visualItemRect(item).center())
    seen: dict[str, object] = {}

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        seen["changes"], seen["ok"] = dialog.changes(), dialog.ok.isEnabled()
        dialog.reject()

    when_modal(qtbot, LabelDialog, look)
    qtbot.mouseClick(palette.edit, Qt.MouseButton.LeftButton)
    assert seen == {"changes": {}, "ok": False}
