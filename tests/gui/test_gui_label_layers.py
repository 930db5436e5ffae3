"""Label layers in the window: the Export dialog's choice of layer, and a label's layer in the label dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gui_helpers import open_window, rows, when_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from annotations.assist.letter_parts import add_label_set
from annotations.store import Project
from app.dialogs.export import ExportDialog
from app.dialogs.label_dialog import LabelDialog
from app.main_window import MainWindow
from app.settings import Settings


def _with_a_paragraph_around_an_agency(path: Path) -> int:
    """Give the tagged sample the letter labels and a body span around its first agency; the agencies tagged."""
    with Project(path) as project:
        add_label_set(project, "letter")
        doc = project.documents()[0].id
        text = project.document_text(doc)
        agencies = [s for s in project.spans(doc) if s.label == "agency"]
        first = min(agencies, key=lambda s: text.resolve(s).start)
        words = [w.id for w in text.words]
        at, to = words.index(first.first_word_id), words.index(first.last_word_id)
        project.add_span(doc, "body", words[max(0, at - 3)], words[min(len(words) - 1, to + 3)])
        return len(agencies)


def _closing(act: Callable[[QWidget], None]) -> Callable[[QWidget], None]:
    """`act` on a dialog that a failed check still closes: left open, it would block the test in exec for good."""

    def run(dialog: QWidget) -> None:
        try:
            act(dialog)
        finally:
            if isinstance(dialog, QDialog) and dialog.isVisible():
                dialog.reject()

    return run


def _close_message(qtbot: QtBot, window: MainWindow) -> str:
    """The export's message box: its account, once closed, with the window active again."""
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    text = box.informativeText()
    box.accept()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return text


def test_the_export_dialog_exports_the_entities_and_the_structure_in_columns_of_their_own(
    qtbot: QtBot, settings: Settings, tagged_file: Path, tmp_path: Path
) -> None:
    agencies = _with_a_paragraph_around_an_agency(tagged_file)
    window = open_window(qtbot, settings, tagged_file)
    out = tmp_path / "ner.conll"
    seen: dict[str, object] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        seen["choices"] = [dialog.label_layer.itemData(i) for i in range(dialog.label_layer.count())]
        dialog.format.setCurrentIndex(dialog.format.findData("funsd"))
        dialog.label_layer.setCurrentIndex(dialog.label_layer.findData("all"))
        seen["funsd"] = (dialog.ok.isEnabled(), dialog.problem.text())
        dialog.format.setCurrentIndex(dialog.format.findData("conll"))
        seen["hint"] = dialog.label_layer.toolTip()
        dialog.output.setText(str(out))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, ExportDialog, _closing(fill))
    with qtbot.waitSignal(window.exportFinished, timeout=60_000):
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen["choices"] == [None, "entity", "structure", "all"]
    assert seen["funsd"] == (False, "FUNSD puts each word in one entity: choose the entities or the letter's structure.")
    assert seen["hint"] == "One tag column for the layer chosen; both adds the structure as a third column"
    lines = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert {len(line) for line in lines} == {3}
    # The paragraph does not set the agency inside it aside: each has its column.
    assert sum(1 for _, entity, _ in lines if entity == "B-agency") == agencies
    assert sum(1 for _, _, part in lines if part == "B-body") == 1
    account = _close_message(qtbot, window)
    assert "entity spans as tags in column 2; 1 structure span as tags in column 3" in account
    assert "overlapping" not in account

    def again(dialog: QWidget) -> None:  # the next export starts from the same choice
        assert isinstance(dialog, ExportDialog)
        seen["again"] = dialog.label_layer.currentData()
        dialog.reject()

    when_modal(qtbot, ExportDialog, _closing(again))
    qtbot.keyClick(window.page_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen["again"] == "all"


def test_the_label_dialog_shows_a_labels_layer_and_moves_it_in_one_undoable_step(
    qtbot: QtBot, settings: Settings, tagged_file: Path
) -> None:
    _with_a_paragraph_around_an_agency(tagged_file)
    window = open_window(qtbot, settings, tagged_file)
    seen: dict[str, object] = {}

    def show(name: str) -> None:
        palette = window.palette
        item = next(palette.list.item(i) for i in range(palette.list.count())
                    if palette.list.item(i).data(Qt.ItemDataRole.UserRole) == name)
        qtbot.mouseClick(palette.list.viewport(), Qt.MouseButton.LeftButton, pos=palette.list.visualItemRect(item).center())

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        seen["body"] = dialog.layer.currentData()
        dialog.reject()

    show("body")
    when_modal(qtbot, LabelDialog, _closing(look))
    qtbot.mouseClick(window.palette.edit, Qt.MouseButton.LeftButton)
    assert seen["body"] == "structure"

    def move(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        seen["before"] = (dialog.layer.currentData(), dialog.ok.isEnabled())
        dialog.layer.setCurrentIndex(dialog.layer.findData("structure"))
        seen["after"] = dialog.ok.isEnabled()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    window.activateWindow()
    show("signature")
    when_modal(qtbot, LabelDialog, _closing(move))
    qtbot.mouseClick(window.palette.edit, Qt.MouseButton.LeftButton)
    assert seen["before"] == ("entity", False) and seen["after"] is True
    assert rows(tagged_file, "select layer from labels where name = 'signature'") == [("structure",)]
    assert window.undo_stack().undoText() == "Move label signature to the structure layer"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(tagged_file, "select layer from labels where name = 'signature'") == [("entity",)]
