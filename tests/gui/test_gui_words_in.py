"""The window with words from elsewhere: an ALTO file through File ▸ Import, a correction from `scanspan correct`."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import open_window, when_modal
from helpers import png_bytes, run_scanspan
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot
from test_gui_background import drop

from app.main_window import MainWindow
from app.settings import Settings

ALTO = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#">
  <Description><MeasurementUnit>pixel</MeasurementUnit>
    <sourceImageInformation><fileName>scan.png</fileName></sourceImageInformation></Description>
  <Layout><Page ID="p1" WIDTH="600" HEIGHT="300"><PrintSpace><TextBlock ID="b1"><TextLine ID="l1">
    <String CONTENT="Dear" HPOS="60" VPOS="30" WIDTH="90" HEIGHT="30" WC="0.91"/>
    <String CONTENT="Director," HPOS="165" VPOS="30" WIDTH="150" HEIGHT="30" WC="0.62"/>
  </TextLine></TextBlock></PrintSpace></Page></Layout>
</alto>"""


def test_file_import_takes_an_alto_file_with_its_image(qtbot: QtBot, settings: Settings, tmp_path: Path) -> None:
    window = open_window(qtbot, settings, tmp_path / "new.scanspan")
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "scan.png").write_bytes(png_bytes(Image.new("L", (600, 300), 255), (300, 300)))
    (folder / "scan.xml").write_text(ALTO)
    seen: dict[str, object] = {}

    def pick(chooser: QWidget) -> None:
        assert isinstance(chooser, QFileDialog)
        seen["filters"] = chooser.nameFilters()
        chooser.setDirectory(str(folder))
        chooser.selectFile("scan.xml")
        chooser.accept()

    when_modal(qtbot, QFileDialog, pick)
    with qtbot.waitSignal(window.importFinished, timeout=60_000) as finished:
        qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert seen["filters"] == [
        "Scanned letters and their OCR files (*.pdf *.tif *.tiff *.png *.jpg *.jpeg *.xml *.hocr *.html)",
        "hOCR, ALTO and PAGE files, with the image they name (*.xml *.hocr *.html)",
        "All files (*)",
    ]
    (outcome,) = finished.args[0]
    assert (outcome.status, outcome.document.name) == ("imported", "scan.png"), outcome.message
    assert window.statusBar().currentMessage() == f"Imported scan.png (1 page, {outcome.words_source})"
    assert outcome.words_source.startswith("words from ALTO")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(lambda: bool(window.page_words()), timeout=10_000)
    assert [(w.text, w.box, w.conf) for w in window.page_words()] == [
        ("Dear", (60, 30, 150, 60), 91.0), ("Director,", (165, 30, 315, 60), 62.0)]
    qtbot.waitUntil(lambda: window.text_view.toPlainText().strip() == "Dear Director,", timeout=10_000)


def test_an_hocr_file_dropped_on_the_window_comes_in_with_its_image(qtbot: QtBot, settings: Settings,
                                                                     tmp_path: Path) -> None:
    window = open_window(qtbot, settings, tmp_path / "new.scanspan")
    (tmp_path / "fax.png").write_bytes(png_bytes(Image.new("L", (600, 300), 255), (300, 300)))
    (tmp_path / "fax.hocr").write_text(
        "<html><body><div class='ocr_page' title='image \"fax.png\"; bbox 0 0 600 300'>"
        "<span class='ocr_line' title='bbox 10 10 200 40'>"
        "<span class='ocrx_word' title='bbox 10 10 90 40; x_wconf 93'>Memo</span></span></div></body></html>")
    with qtbot.waitSignal(window.importFinished, timeout=60_000) as finished:
        drop(window, [tmp_path / "fax.hocr"])
    assert [(o.status, o.document.name) for o in finished.args[0]] == [("imported", "fax.png")]
    qtbot.waitUntil(lambda: [w.text for w in window.page_words()] == ["Memo"], timeout=10_000)


def test_a_correction_from_the_command_line_shows_in_the_open_window(qtbot: QtBot, tagged_window: MainWindow,
                                                                     tagged_file: Path, tmp_path: Path) -> None:
    window = tagged_window
    label, text, page, _ = window.annotation_rows()[0]
    (first, *_rest) = window.find_words(text)
    new = first.text.upper() if first.text.upper() != first.text else first.text.lower()
    run = run_scanspan(["correct", "-p", tagged_file, "-d", "1", "--word", first.id, "--text", new], tmp_path)
    assert run.code == 0, run.err
    # The span over the word reads the correction; the word keeps its place on the scan.
    corrected = new + text[len(first.text):]
    qtbot.waitUntil(lambda: (label, corrected, page, "") in window.annotation_rows(), timeout=5_000)
    assert corrected in " ".join(window.text_view.toPlainText().split())
    (shown,) = [w for w in window.page_words() if w.id == first.id]
    assert (shown.text, shown.ocr_text, shown.box) == (new, first.text, first.box)
    # Someone else's edit: nothing for this window's undo.
    assert window.undo_stack().count() == 0
