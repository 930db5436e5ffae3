"""Label edits as undo steps, per-project import settings, export options, a steady toolbar, fit width on opening."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from gui_helpers import open_window, rows, when_modal
from helpers import draw_pdf
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QColorDialog, QFileDialog, QMessageBox, QTableWidget, QToolBar, QWidget
from pytestqt.qtbot import QtBot

from annotations.assist.letter_parts import LETTER_LABELS, keep_on_import
from annotations.importing.files import import_into
from annotations.store import Project
from app.dialogs.export import ExportDialog
from app.dialogs.help import ShortcutsDialog
from app.dialogs.import_settings import ImportSettingsDialog
from app.dialogs.label_dialog import LabelDialog
from app.main_window import MainWindow
from app.settings import Settings


def _active(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the window is active again after a dialog (its shortcuts need that)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _click_label(qtbot: QtBot, window: MainWindow, name: str) -> None:
    palette = window.palette
    item = next(palette.list.item(i) for i in range(palette.list.count())
                if palette.list.item(i).data(Qt.ItemDataRole.UserRole) == name)
    qtbot.mouseClick(palette.list.viewport(), Qt.MouseButton.LeftButton, pos=palette.list.visualItemRect(item).center())
    assert palette.current() == name


def _labels_in_file(path: Path) -> list[tuple[str, str, str | None]]:
    return rows(path, "select name, color, shortcut from labels order by position, name")


def _annotation_labels(path: Path) -> set[str]:
    return {label for (label,) in rows(path, "select label from spans union select label from regions")}


# -- 11. labels -------------------------------------------------------------------------------------


def test_a_label_is_renamed_recoloured_and_given_a_key_in_one_undoable_step(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    window = tagged_window
    before_rows = window.annotation_rows()
    assert any(label == "agency" for label, *_ in before_rows)
    _click_label(qtbot, window, "agency")

    def pick_colour(dialog: QWidget) -> None:
        assert isinstance(dialog, QColorDialog)
        dialog.setCurrentColor(QColor("#123456"))
        dialog.accept()

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        assert not dialog.ok.isEnabled()  # nothing changed yet
        dialog.name.selectAll()
        qtbot.keyClicks(dialog.name, "office")
        dialog.shortcut.setCurrentIndex(dialog.shortcut.findData("7"))
        when_modal(qtbot, QColorDialog, pick_colour)
        qtbot.mouseClick(dialog.color_button, Qt.MouseButton.LeftButton)
        assert dialog.color_button.text() == "#123456"
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, LabelDialog, edit)
    qtbot.mouseClick(window.palette.edit, Qt.MouseButton.LeftButton)
    _active(qtbot, window)

    # The palette, the annotations table, the scan's highlights and the file all say "office".
    assert window.palette.names()[0] == "7   office"
    assert window.palette.current() == "office"
    renamed = [("office" if label == "agency" else label, *rest) for label, *rest in before_rows]
    assert window.annotation_rows() == renamed
    assert _labels_in_file(tagged_file)[0] == ("office", "#123456", "7")
    assert "agency" not in _annotation_labels(tagged_file) and "office" in _annotation_labels(tagged_file)
    office = [i for i in window.highlight_items() if i.brush().color().rgb() == QColor("#123456").rgb()]
    assert office, "the renamed label's spans are drawn in its new colour"
    assert window.undo_stack().undoText() == "Edit label agency (now office)"

    # Its new key tags with it.
    assert window.select_text("Thank you for your inquiry")
    qtbot.keyClick(window.text_view, Qt.Key.Key_7)
    assert rows(tagged_file, "select count(*) from spans where label = 'office'")[0][0] == \
        sum(1 for label, *_ in renamed if label == "office") + 1

    # Undo the tag, then the edit: everything is as it was.
    qtbot.keyClick(window.text_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.text_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.palette.names()[0] == "1   agency"
    assert window.annotation_rows() == before_rows
    assert _labels_in_file(tagged_file)[0] == ("agency", "#1f77b4", "1")
    assert "office" not in _annotation_labels(tagged_file)
    qtbot.keyClick(window.text_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.palette.names()[0] == "7   office"


def test_adding_a_label_is_undoable_and_a_used_label_is_not_deleted(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    window = tagged_window

    def add(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        qtbot.keyClicks(dialog.name, "stamp")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, LabelDialog, add)
    qtbot.mouseClick(window.palette.add, Qt.MouseButton.LeftButton)
    _active(qtbot, window)
    assert window.palette.names()[-1] == "5   stamp"
    assert [name for name, *_ in _labels_in_file(tagged_file)][-1] == "stamp"
    assert window.undo_stack().undoText() == "Add label stamp"

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "stamp" not in [name for name, *_ in _labels_in_file(tagged_file)]
    assert not any(row.endswith("stamp") for row in window.palette.names())
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.palette.names()[-1] == "5   stamp"

    # A label spans or regions carry stays, and the window says why; the context menu says so before.
    _click_label(qtbot, window, "agency")
    menu = window.palette.menu_for("agency")
    delete = [a for a in menu.actions() if a.text().startswith("Delete label agency")]
    assert delete and not delete[0].isEnabled() and "annotation" in delete[0].text()
    qtbot.mouseClick(window.palette.delete, Qt.MouseButton.LeftButton)
    assert "relabel or delete them first" in window.last_message()
    assert "agency" in [name for name, *_ in _labels_in_file(tagged_file)]
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    box.accept()
    _active(qtbot, window)

    # An unused one goes, and undo puts it back in its place.
    _click_label(qtbot, window, "stamp")
    qtbot.mouseClick(window.palette.delete, Qt.MouseButton.LeftButton)
    assert "stamp" not in [name for name, *_ in _labels_in_file(tagged_file)]
    assert window.undo_stack().undoText() == "Delete label stamp"
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.palette.names()[-1] == "5   stamp"


def test_a_rename_by_another_program_shows_in_the_window(
    qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path
) -> None:
    with Project(tagged_file) as other:
        other.update_label("agency", {"name": "office"})
    qtbot.waitUntil(lambda: window_labels(tagged_window)[0] == "office", timeout=5000)
    assert {label for label, *_ in tagged_window.annotation_rows()} >= {"office"}
    assert "agency" not in {label for label, *_ in tagged_window.annotation_rows()}


def window_labels(window: MainWindow) -> list[str]:
    return [row.split(maxsplit=1)[-1] for row in window.palette.names()]


# -- 8. the toolbar ----------------------------------------------------------------------------------


def test_the_toolbar_keeps_its_place_as_undo_and_redo_captions_change(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1024, 768)  # a small laptop screen: every tool still fits
    bar = window.findChild(QToolBar, "tools")

    def tools() -> list[tuple[str, bool, int, int]]:
        QApplication.processEvents()  # the toolbar lays its buttons out on a posted event
        return [(a.iconText(), bar.widgetForAction(a).isVisible(), bar.widgetForAction(a).x(),
                 bar.widgetForAction(a).width()) for a in bar.actions() if not a.isSeparator()]

    qtbot.waitUntil(lambda: window.width() == 1024)
    before = tools()
    assert all(visible for _, visible, _, _ in before), before
    assert window.actions.undo.toolTip() == "Nothing to undo (Ctrl+Z)"

    assert window.select_text("Thank you for your inquiry")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    qtbot.keyClick(window.text_view, Qt.Key.Key_2)  # the new span is selected: relabel it
    assert tools() == before
    stack = window.undo_stack()
    relabel = stack.undoText()
    assert relabel.startswith("Relabel") and window.actions.undo.toolTip() == f"Undo: {relabel} (Ctrl+Z)"
    qtbot.keyClick(window.text_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tools() == before
    assert window.actions.redo.toolTip().startswith(f"Redo: {relabel} (")
    assert window.actions.undo.toolTip() == f"Undo: {stack.undoText()} (Ctrl+Z)"
    assert stack.undoText().startswith("Tag")

    # F1 names the action, not the last edit.
    help_rows: list[tuple[str, str]] = []

    def read(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget)
        help_rows.extend((table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount()))
        dialog.reject()

    when_modal(qtbot, ShortcutsDialog, read)
    qtbot.keyClick(window.page_view, Qt.Key.Key_F1)
    assert ("Undo", "Ctrl+Z") in help_rows
    assert not any(what.startswith("Undo ") for what, _ in help_rows)


# -- 10. a new document, the Export dialog, where exports went ---------------------------------------


def _second_letter(folder: Path) -> Path:
    """A born-digital two-page letter (no OCR needed), long enough to scroll."""
    import fitz

    pdf = fitz.open()
    for number in (1, 2):
        page = pdf.new_page()
        for line in range(40):
            page.insert_text((72, 72 + line * 17), f"Second letter, page {number}, line {line + 1}: the budget of the program.")
    path = folder / "second.pdf"
    pdf.save(path)
    return path


@pytest.fixture
def two_letters(qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path) -> MainWindow:
    with Project(project_file) as project:
        (outcome,) = import_into(project, [_second_letter(tmp_path)])
        assert outcome.status == "imported", outcome.message
    return open_window(qtbot, settings, project_file)


def test_a_newly_opened_document_starts_at_fit_width_at_its_top(qtbot: QtBot, two_letters: MainWindow) -> None:
    window = two_letters
    first, second = (window.navigator.tree.topLevelItem(i) for i in range(2))
    fit = window.page_view.zoom()
    for _ in range(3):
        qtbot.keyClick(window.page_view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    window.page_view.verticalScrollBar().setValue(window.page_view.verticalScrollBar().maximum())  # read on, down the page
    assert window.page_view.zoom() > fit * 1.5

    tree = window.navigator.tree
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(second).center())
    qtbot.waitUntil(lambda: window.current_page() == (second.data(0, Qt.ItemDataRole.UserRole), 1) and window.is_settled())
    shown = window.zoom_label.text()
    assert window.page_view.verticalScrollBar().value() == window.page_view.verticalScrollBar().minimum()
    assert window.page_view.horizontalScrollBar().value() == window.page_view.horizontalScrollBar().minimum()
    assert window.text_view.verticalScrollBar().value() == 0
    qtbot.keyClick(window.page_view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # Fit width: nothing moves
    assert window.zoom_label.text() == shown
    assert window.page_view.verticalScrollBar().value() == window.page_view.verticalScrollBar().minimum()
    assert first is not None


def test_the_export_dialog_starts_in_its_path_and_takes_split_seed_and_scheme(
    qtbot: QtBot, two_letters: MainWindow, tmp_path: Path
) -> None:
    window = two_letters
    assert window.select_text("Thank you for your inquiry")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    seen: dict[str, object] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.output)
        seen["selected"] = dialog.output.selectedText()
        dialog.format.setCurrentIndex(dialog.format.findData("conll"))
        assert dialog.scheme.isVisible() and not dialog.image_url.isVisible()
        qtbot.keyClicks(dialog.output, "ner")  # types over the selected file name
        qtbot.keyClicks(dialog.split, "train=0.5,test=0.4")
        seen["problem"] = dialog.problem.text()
        seen["enabled"] = dialog.ok.isEnabled()
        dialog.split.clear()
        qtbot.keyClicks(dialog.split, "train=0.5,test=0.5")
        dialog.seed.setValue(3)
        dialog.scheme.setCurrentIndex(dialog.scheme.findData("bilou"))
        seen["files"] = dialog.files.text()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, ExportDialog, fill)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000):
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)

    assert seen["selected"] == "letters-jsonl"
    assert seen["problem"] == "The split 'train=0.5,test=0.4': the fractions add up to 0.9, not 1."
    assert seen["enabled"] is False
    assert seen["files"] == f"Writes ner-train.conll, ner-test.conll in {tmp_path}"
    train, test = tmp_path / "ner-train.conll", tmp_path / "ner-test.conll"
    texts = [path.read_text(encoding="utf-8") for path in (train, test)]
    assert [text.count("-DOCSTART-") for text in texts] == [1, 1]  # one letter in each part
    assert "inquiry\tL-agency" in "".join(texts)  # BILOU's last tag
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Wrote {train}, {test}: 2 documents"), message

    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert box.text() == f"Wrote {train}, {test}" and "split: train 1 document, test 1 document" in box.informativeText()
    box.accept()
    _active(qtbot, window)

    # The next export starts from the same choices.
    def again(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        seen["again"] = (dialog.format.currentData(), dialog.split.text(), dialog.seed.value(),
                         dialog.scheme.currentData(), Path(dialog.output.text()).name, dialog.output.selectedText())
        dialog.reject()

    when_modal(qtbot, ExportDialog, again)
    qtbot.keyClick(window.page_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen["again"] == ("conll", "train=0.5,test=0.5", 3, "bilou", "ner.conll", "ner")


def test_the_export_dialog_asks_for_a_folder_for_funsd(qtbot: QtBot, tagged_window: MainWindow, tmp_path: Path) -> None:
    window = tagged_window
    out = tmp_path / "funsd"
    (out / "annotations").mkdir(parents=True)
    (out / "annotations" / "old.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    seen: dict[str, object] = {}

    def pick(chooser: QWidget) -> None:
        assert isinstance(chooser, QFileDialog)
        seen["chooser"] = (chooser.fileMode(), chooser.testOption(QFileDialog.Option.ShowDirsOnly))
        chooser.setDirectory(str(out))
        chooser.accept()

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        seen["file label"] = dialog.output_label.text()
        dialog.format.setCurrentIndex(dialog.format.findData("funsd"))
        seen["folder label"] = dialog.output_label.text()
        seen["default"] = Path(dialog.output.text()).name
        when_modal(qtbot, QFileDialog, pick)
        qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
        seen["chosen"] = dialog.output.text()
        seen["problem"] = dialog.problem.text()
        seen["blocked"] = not dialog.ok.isEnabled()
        dialog.replace.setChecked(True)
        seen["files"] = dialog.files.text()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, ExportDialog, fill)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000) as done:
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert not isinstance(done.args[0], str), done.args[0]

    assert (seen["file label"], seen["folder label"], seen["default"]) == ("Output file", "Output folder", "tagged-funsd")
    assert seen["chooser"] == (QFileDialog.FileMode.Directory, True)
    assert Path(str(seen["chosen"])) == out
    assert seen["problem"] == "funsd already holds annotations/: tick Replace to write over them."
    assert seen["blocked"] is True
    assert seen["files"] == f"Writes annotations/ and images/ in {out}"
    stems = ["1-geneva-letter-2015-p1", "1-geneva-letter-2015-p2"]
    assert sorted(p.name for p in (out / "annotations").iterdir()) == [f"{s}.json" for s in stems]
    assert sorted(p.name for p in (out / "images").iterdir()) == [f"{s}.png" for s in stems]
    assert (out / "notes.txt").read_text() == "mine"
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Wrote {out / 'annotations'} and 2 page images to {out / 'images'}: 1 document,"), message


# -- 11. import settings per project ------------------------------------------------------------------


def _import_settings(qtbot: QtBot, window: MainWindow, act: Callable[[ImportSettingsDialog], None]) -> None:
    when_modal(qtbot, ImportSettingsDialog, act)  # type: ignore[arg-type]
    window.actions.import_settings.trigger()


def _shown(dialog: ImportSettingsDialog) -> tuple[float, bool, str, int, int]:
    return (dialog.dpi.value(), dialog.force_ocr.isChecked(), dialog.lang.text(), dialog.psm.value(),
            dialog.timeout.value())


def test_import_settings_are_remembered_for_each_project(
    qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.scanspan"
    shutil.copy(project_file, other)
    seen: list[tuple[float, bool, str, int, int]] = []

    def choose(dpi: int, force: bool, psm: int, timeout: int) -> Callable[[ImportSettingsDialog], None]:
        def act(dialog: ImportSettingsDialog) -> None:
            seen.append(_shown(dialog))
            dialog.dpi.setValue(dpi)
            dialog.force_ocr.setChecked(force)
            dialog.psm.setValue(psm)
            dialog.timeout.setValue(timeout)
            qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        return act

    def look(dialog: ImportSettingsDialog) -> None:
        seen.append(_shown(dialog))
        dialog.reject()

    _import_settings(qtbot, window, choose(200, True, 6, 30))
    assert window.open_project(other)
    _import_settings(qtbot, window, choose(400, False, 4, 0))  # starts from the last chosen, then its own
    assert window.open_project(project_file)
    _import_settings(qtbot, window, look)
    assert window.open_project(other)
    _import_settings(qtbot, window, look)
    assert seen == [(300, False, "eng", 3, 120), (200, True, "eng", 6, 30), (200, True, "eng", 6, 30),
                    (400, False, "eng", 4, 0)]
    assert window.importer.options.dpi == 400 and window.importer.options.force_ocr is False


def test_letter_parts_on_import_is_a_setting_of_the_project_file(
    qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path
) -> None:
    seen: list[bool] = []

    def turn(on: bool) -> Callable[[ImportSettingsDialog], None]:
        def act(dialog: ImportSettingsDialog) -> None:
            seen.append(dialog.letter_parts.isChecked())
            if dialog.letter_parts.isChecked() != on:
                qtbot.mouseClick(dialog.letter_parts, Qt.MouseButton.LeftButton)
            qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        return act

    _import_settings(qtbot, window, turn(True))
    # Kept in the project (as `scanspan import --letter-parts` keeps it), with the letter labels.
    assert rows(project_file, "select kind from suggestion_rules") == [("letter-parts",)]
    assert set(LETTER_LABELS) <= {name for (name,) in rows(project_file, "select name from labels")}
    assert set(LETTER_LABELS) <= {label.name for label in window.session.labels()}

    letter = tmp_path / "acme.pdf"
    letter.write_bytes(draw_pdf([["ACME SUPPLY COMPANY", "May 6, 2016", "Ms. Joan Albright", "Riverside School",
                                  "Dear Ms. Albright:", "We shipped your order today.", "Yours truly,", "",
                                  "Peter Hartley"]], size=(612, 792)).pdf)
    with qtbot.waitSignal(window.importer.finished, timeout=60_000):
        window.import_files([letter])
    suggested = rows(project_file, "select s.label, s.suggested, s.source from spans s join documents d "
                                   "on d.id = s.document_id where d.name = 'acme.pdf'")
    assert {label for label, _, _ in suggested} >= {"date", "recipient", "salutation", "body", "closing"}
    assert all(flag == 1 and source == "letter-parts" for _, flag, source in suggested)

    # Another program turns it off: the dialog shows the file's setting, not what this window last chose.
    with Project(project_file) as project:
        keep_on_import(project, False)
    _import_settings(qtbot, window, turn(True))
    _import_settings(qtbot, window, turn(False))
    _import_settings(qtbot, window, lambda dialog: (seen.append(dialog.letter_parts.isChecked()), dialog.reject()))
    assert seen == [False, False, True, False]
    assert rows(project_file, "select kind from suggestion_rules") == []


def test_an_ocr_language_tesseract_lacks_keeps_ok_off_and_names_the_package(qtbot: QtBot, window: MainWindow) -> None:
    seen: dict[str, object] = {}

    def act(dialog: ImportSettingsDialog) -> None:
        dialog.lang.setFocus()
        dialog.lang.selectAll()
        qtbot.keyClicks(dialog.lang, "eng+xyz")
        qtbot.keyClick(dialog.lang, Qt.Key.Key_Return)  # as if to accept
        seen["problem"], seen["ok"], seen["open"] = dialog.problem.text(), dialog.ok.isEnabled(), dialog.isVisible()
        dialog.reject()

    _import_settings(qtbot, window, act)
    assert seen == {"problem": "tesseract language data not installed: xyz (Debian/Ubuntu: apt-get install "
                               "tesseract-ocr-xyz)", "ok": False, "open": True}


def test_the_export_dialog_exports_one_analysts_annotations(
    qtbot: QtBot, settings: Settings, tagged_file: Path, tmp_path: Path
) -> None:
    import json

    with Project(tagged_file) as project:  # the demo tagged the letter as "demo"; bob tags two words
        doc = project.documents()[0].id
        words = project.words(project.pages(doc)[0].id)
        project.add_span(doc, "agency", words[0].id, words[1].id, annotator="bob")
    window = open_window(qtbot, settings, tagged_file)
    out = tmp_path / "bob.jsonl"
    seen: dict[str, object] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        seen["layers"] = [dialog.layer.itemData(i) for i in range(dialog.layer.count())]
        dialog.format.setCurrentIndex(dialog.format.findData("jsonl"))
        dialog.layer.setCurrentIndex(dialog.layer.findData("bob"))
        dialog.output.setText(str(out))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, ExportDialog, fill)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000):
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert seen["layers"] == [None, "adjudicated", "union", "bob", "demo"]
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(s["annotator"], s["label"]) for s in record["spans"]] == [("bob", "agency")]
    assert record["regions"] == []  # the demo's signature region is not bob's
