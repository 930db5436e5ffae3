"""A Transkribus PAGE file imported in the window: its tags show as annotations, its labels in the Label menu."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import open_window, when_modal
from helpers import png_bytes
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot
from test_words_in_annotations import transkribus_page

from app.settings import Settings


def test_a_page_files_tags_show_in_the_annotations_and_its_labels_in_the_label_menu(
        qtbot: QtBot, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "brief.png").write_bytes(png_bytes(Image.new("L", (1000, 600), 255), (300, 300)))
    (tmp_path / "brief.xml").write_text(transkribus_page("brief.png"), encoding="utf-8")
    window = open_window(qtbot, settings, tmp_path / "new.scanspan")

    def pick(chooser: QWidget) -> None:
        assert isinstance(chooser, QFileDialog)
        chooser.setDirectory(str(tmp_path))
        chooser.selectFile("brief.xml")
        chooser.accept()

    when_modal(qtbot, QFileDialog, pick)
    with qtbot.waitSignal(window.importFinished, timeout=60_000):
        qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_page() == (1, 1), timeout=10_000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.waitUntil(window.is_settled, timeout=20_000)
    rows = {(label, " ".join(text.split())) for label, text, _, _ in window.annotation_rows()}
    assert {("organization", "Rath der Stadt Königsberg"), ("person", "Kant"), ("place", "Königsberg"),
            ("stamp", "")} <= {(label, text if label != "stamp" else "") for label, text in rows}
    assert len(window.region_items()) == 1
    assert window.annotation_states() and set(window.annotation_states()) != {"suggested"}
    names = [action.text() for action in window.label_menu.actions()]
    assert {"organization", "person", "place", "date", "abbrev", "stamp"} <= set(names)
