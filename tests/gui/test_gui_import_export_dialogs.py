"""The import dialogs (documents, a folder with its subfolders) and where they open; the Export dialog's
suggested name as the format changes and the archive formats' own options; the import settings' language
check as it is typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pymupdf
import xmlschema
from gui_helpers import open_window, rows, when_modal
from helpers import shared
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QTableWidget, QWidget
from pytestqt.qtbot import QtBot
from test_gui_background import scanned_letter

from app.dialogs.export import ExportDialog
from app.dialogs.help import ShortcutsDialog
from app.dialogs.import_settings import ImportSettingsDialog
from app.main_window import MainWindow
from app.settings import Settings

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _pdf(path: Path, text: str) -> Path:
    """A born-digital one-page letter: its words come from the PDF, no OCR."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text, fontname="tiro", fontsize=12)
    doc.save(path)
    return path


def _closing(act: Callable[[QDialog], None]) -> Callable[[QWidget], None]:
    """`act` on the dialog, which a failed check closes: left open, it would block the test in exec for good."""

    def run(dialog: QWidget) -> None:
        assert isinstance(dialog, QDialog)
        try:
            act(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    return run


def _active(qtbot: QtBot, window: MainWindow) -> None:
    """The window active again after a dialog (the offscreen platform does not give it back); its shortcuts need that."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _choose(qtbot: QtBot, window: MainWindow, keys: Qt.KeyboardModifier, folder: Path | None, file: Path | None = None,
            timeout: int = 60_000) -> Path:
    """Press Ctrl+I (or Ctrl+Shift+I with SHIFT in `keys`), note the folder the file chooser opens in, and
    pick `file`, or the folder `folder`, or (neither) cancel; waits for the import that starts."""
    opened: list[Path] = []

    def pick(chooser: QDialog) -> None:
        assert isinstance(chooser, QFileDialog)
        opened.append(Path(chooser.directory().absolutePath()))
        if file is not None:
            chooser.setDirectory(str(file.parent))
            chooser.selectFile(file.name)
            chooser.accept()
        elif folder is not None:
            chooser.setDirectory(str(folder))
            chooser.accept()
        else:
            chooser.reject()

    finished: list[object] = []

    def done(outcomes: object) -> None:
        finished.append(outcomes)

    window.importFinished.connect(done)
    when_modal(qtbot, QFileDialog, _closing(pick))
    qtbot.keyClick(window, Qt.Key.Key_I, keys)  # returns once the chooser is closed
    (where,) = opened
    if file is not None or folder is not None:
        qtbot.waitUntil(lambda: bool(finished), timeout=timeout)
    window.importFinished.disconnect(done)
    _active(qtbot, window)
    return where


def test_import_folder_imports_the_letters_in_the_folder_and_all_its_subfolders(
    qtbot: QtBot, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "project").mkdir()
    window = open_window(qtbot, settings, tmp_path / "project" / "new.scanspan")
    assert window.actions.import_folder in window.menuBar().actions()[0].menu().actions()  # File ▸ Import folder…
    help_rows: list[tuple[str, str]] = []

    def read(dialog: QDialog) -> None:
        table = dialog.findChild(QTableWidget)
        help_rows.extend((table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount()))

    when_modal(qtbot, ShortcutsDialog, _closing(read))
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert ("Import folder", "Ctrl+Shift+I") in help_rows
    _active(qtbot, window)
    scans = tmp_path / "scans"
    _pdf(scans / "top.pdf", "A letter at the top.")
    _pdf(scans / "1997" / "march" / "deep.pdf", "A letter two folders down.")
    (scans / "1998").mkdir()
    scanned_letter(scans / "1998" / "scan.png")  # a scan: the real tesseract reads it
    (scans / "1998" / "notes.txt").write_text("not a letter")

    _choose(qtbot, window, CTRL | SHIFT, scans, timeout=120_000)

    assert sorted(r[0] for r in rows(tmp_path / "project" / "new.scanspan", "select name from documents")) == [
        "deep.pdf", "scan.png", "top.pdf"]
    assert window.statusBar().currentMessage() == (
        "Imported 3 files; 1 other file in the folders left alone (not PDF, TIFF, PNG or JPEG)")
    assert window.current_page() is not None  # the first letter is shown


def test_the_import_dialogs_open_in_the_folder_last_imported_from_even_after_a_restart(
    qtbot: QtBot, settings: Settings, tmp_path: Path
) -> None:
    project = tmp_path / "project" / "letters.scanspan"
    first = _pdf(tmp_path / "inbox" / "first.pdf", "The first letter.")
    batch = tmp_path / "archive" / "batch"
    _pdf(batch / "2001" / "second.pdf", "The second letter.")
    project.parent.mkdir()
    window = open_window(qtbot, settings, project)

    assert _choose(qtbot, window, CTRL, None, first) == project.parent  # nothing imported yet: the project's folder
    assert _choose(qtbot, window, CTRL, None) == first.parent
    assert _choose(qtbot, window, CTRL | SHIFT, batch) == first.parent
    assert _choose(qtbot, window, CTRL, None) == batch
    assert document_names_in(project) == ["first.pdf", "second.pdf"]

    window.close()
    again = open_window(qtbot, settings, project)  # the same settings, as at the next start
    assert _choose(qtbot, again, CTRL | SHIFT, None) == batch
    assert _choose(qtbot, again, CTRL, None) == batch


def document_names_in(project: Path) -> list[str]:
    return [r[0] for r in rows(project, "select name from documents order by id")]


def _export_dialog(qtbot: QtBot, act: Callable[[ExportDialog], None]) -> None:
    def run(dialog: QDialog) -> None:
        assert isinstance(dialog, ExportDialog)
        act(dialog)

    when_modal(qtbot, ExportDialog, _closing(run))


def _name(dialog: ExportDialog) -> tuple[str, str]:
    return Path(dialog.output.text()).name, dialog.output_label.text()


def test_a_format_change_suggests_the_formats_name_and_keeps_only_a_typed_stem(
    qtbot: QtBot, tagged_window: MainWindow, tmp_path: Path
) -> None:
    window = tagged_window
    seen: dict[str, object] = {}

    def formats(dialog: ExportDialog, names: list[str]) -> list[tuple[str, str]]:
        shown = []
        for fmt in names:
            dialog.format.setCurrentIndex(dialog.format.findData(fmt))
            shown.append(_name(dialog))
        return shown

    def first(dialog: ExportDialog) -> None:
        seen["opened"] = _name(dialog)
        seen["suggested"] = formats(dialog, ["funsd", "coco", "labelstudio"])
        seen["folder"] = Path(dialog.output.text()).parent
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    _export_dialog(qtbot, first)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000) as done:
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, CTRL)
    assert not isinstance(done.args[0], str), done.args[0]
    assert seen["opened"] == ("tagged-jsonl.jsonl", "Output file")
    assert seen["suggested"] == [("tagged-funsd", "Output folder"), ("tagged-coco.json", "Output file"),
                                 ("tagged-labelstudio.json", "Output file")]
    assert seen["folder"] == tmp_path
    assert (tmp_path / "tagged-labelstudio.json").is_file()  # not the FUNSD folder's name with .json
    assert not (tmp_path / "tagged-funsd.json").exists() and not (tmp_path / "tagged-coco.json").exists()
    _active(qtbot, window)

    def typed(dialog: ExportDialog) -> None:
        seen["reopened"] = _name(dialog)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.output)
        qtbot.keyClicks(dialog.output, "batch.7")  # over the selected stem
        seen["typed"] = _name(dialog)
        seen["kept"] = formats(dialog, ["funsd", "conll", "funsd", "spacy"])
        dialog.reject()

    _export_dialog(qtbot, typed)
    qtbot.keyClick(window.page_view, Qt.Key.Key_E, CTRL)
    assert seen["reopened"] == ("tagged-labelstudio.json", "Output file")  # the last export's choices
    assert seen["typed"] == ("batch.7.json", "Output file")
    assert seen["kept"] == [("batch.7", "Output folder"), ("batch.7.conll", "Output file"),
                            ("batch.7", "Output folder"), ("batch.7.spacy", "Output file")]


def _import_settings(qtbot: QtBot, window: MainWindow, act: Callable[[ImportSettingsDialog], None]) -> None:
    def run(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportSettingsDialog)
        act(dialog)

    when_modal(qtbot, ImportSettingsDialog, _closing(run))
    window.actions.import_settings.trigger()


def _whole(dialog: ImportSettingsDialog) -> bool:
    """The message's every line fits in its label, and the label in the dialog."""
    label = dialog.problem
    bottom = label.mapTo(dialog, label.rect().bottomLeft()).y()
    return label.height() >= label.heightForWidth(label.width()) and bottom < dialog.height()


def test_the_ocr_languages_are_checked_as_they_are_typed_and_the_message_is_not_cut(
    qtbot: QtBot, window: MainWindow
) -> None:
    seen: dict[str, object] = {}

    def act(dialog: ImportSettingsDialog) -> None:
        dialog.lang.setFocus()
        dialog.lang.end(False)
        qtbot.keyClicks(dialog.lang, "+hye")  # Armenian: not among the languages ./bootstrap installs
        qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=5_000)
        qtbot.waitUntil(lambda: _whole(dialog), timeout=5_000)
        seen["missing"] = (dialog.problem.text(), dialog.ok.isEnabled())
        for _ in "hye":
            qtbot.keyClick(dialog.lang, Qt.Key.Key_Backspace)
        qtbot.keyClicks(dialog.lang, "fra")
        assert dialog.lang.hasFocus()  # still typing: the field never lost the focus
        qtbot.waitUntil(lambda: not dialog.problem.isVisible(), timeout=5_000)
        seen["corrected"] = (dialog.lang.text(), dialog.ok.isEnabled())
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    _import_settings(qtbot, window, act)
    assert seen == {"missing": ("tesseract language data not installed: hye (Debian/Ubuntu: apt-get install "
                                "tesseract-ocr-hye)", False),
                    "corrected": ("eng+fra", True)}
    assert window.importer.options.ocr.lang == "eng+fra"


def test_the_export_dialog_offers_the_archive_formats_with_their_own_options(
    qtbot: QtBot, tagged_window: MainWindow, tmp_path: Path
) -> None:
    window = tagged_window
    seen: dict[str, object] = {}

    def alto(dialog: ExportDialog) -> None:
        dialog.format.setCurrentIndex(dialog.format.findData("alto"))
        seen["alto"] = (_name(dialog), dialog.images.isVisible(), dialog.split.isVisible(), dialog.files.text())
        qtbot.mouseClick(dialog.images, Qt.MouseButton.LeftButton, pos=dialog.images.rect().bottomLeft() / 2)
        seen["ticked"] = dialog.files.text()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    _export_dialog(qtbot, alto)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000) as done:
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, CTRL)
    assert not isinstance(done.args[0], str), done.args[0]
    out = tmp_path / "tagged-alto"
    assert seen["alto"] == (("tagged-alto", "Output folder"), True, False, f"Writes PAGE.xml per page in {out}")
    assert seen["ticked"] == f"Writes PAGE.xml per page and PAGE.png in {out}"
    pages = rows(window.project_path(), "select count(*) from pages")[0][0]
    assert len(list(out.glob("*.xml"))) == len(list(out.glob("*.png"))) == pages
    schema = xmlschema.XMLSchema(str(shared() / "schemas" / "alto-4-4.xsd"),
                                 locations={"http://www.w3.org/1999/xlink": str(shared() / "schemas" / "xlink.xsd")})
    for path in out.glob("*.xml"):
        schema.validate(str(path))
    # What ALTO could not hold is said, in the message the export leaves open.
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert box.text().startswith(f"Wrote {out} and {pages} page images"), box.text()
    assert "ALTO" in box.informativeText()
    box.accept()
    _active(qtbot, window)

    def pdf(dialog: ExportDialog) -> None:
        dialog.format.setCurrentIndex(dialog.format.findData("pdf"))
        seen["pdf"] = (_name(dialog), dialog.images.isVisible(), dialog.highlights.isVisible())
        qtbot.mouseClick(dialog.highlights, Qt.MouseButton.LeftButton, pos=dialog.highlights.rect().bottomLeft() / 2)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    _export_dialog(qtbot, pdf)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000) as done:
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, CTRL)
    assert not isinstance(done.args[0], str), done.args[0]
    assert seen["pdf"] == (("tagged-pdf.pdf", "Output file"), False, True)
    spans = rows(window.project_path(), "select count(*) from spans where not suggested")[0][0]
    with pymupdf.open(tmp_path / "tagged-pdf.pdf") as written:
        highlights = [a.info["title"] for page in written for a in page.annots() if a.type[1] == "Highlight"]
        assert len(highlights) >= spans > 0  # one per span and page it is on
        assert "Department" in written[0].get_text()


def test_a_failed_export_does_not_leave_the_status_bar_saying_it_is_exporting(
    qtbot: QtBot, tagged_window: MainWindow, tmp_path: Path
) -> None:
    window = tagged_window
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    out = tmp_path / "notes.txt" / "spans.jsonl"

    def fill(dialog: ExportDialog) -> None:
        dialog.output.setText(str(out))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    _export_dialog(qtbot, fill)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000) as done:
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, CTRL)
    assert isinstance(done.args[0], str)  # the error message
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert box.windowTitle() == "Export failed"
    box.accept()
    said = window.statusBar().currentMessage()
    assert not said.startswith("Exporting"), said
    assert said.startswith("Export failed: ") and str(out) in said


def test_the_export_dialog_says_when_it_will_replace_an_earlier_export(
    qtbot: QtBot, tagged_window: MainWindow, tmp_path: Path
) -> None:
    window = tagged_window
    out = tmp_path / "spans.jsonl"
    seen: list[str] = []

    def export(dialog: ExportDialog) -> None:
        dialog.output.setText(str(out))
        seen.append(dialog.files.text())
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    for _ in range(2):
        _export_dialog(qtbot, export)
        with qtbot.waitSignal(window.exportFinished, timeout=60_000) as done:
            qtbot.keyClick(window.page_view, Qt.Key.Key_E, CTRL)
        assert not isinstance(done.args[0], str), done.args[0]
        for box in [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]:
            box.accept()
        _active(qtbot, window)
    assert seen == [f"Writes spans.jsonl in {tmp_path}",
                    f"Writes spans.jsonl in {tmp_path}, replacing the spans.jsonl there"]
