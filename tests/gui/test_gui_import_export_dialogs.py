"""The import dialogs (documents, a folder with its subfolders) and where they open; the Export dialog's
suggested name as the format changes; the import settings' language check as it is typed."""

from __future__ import annotations

from collections.abc import Callable

from gui_helpers import when_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from app.dialogs.import_settings import ImportSettingsDialog
from app.main_window import MainWindow


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
        qtbot.keyClicks(dialog.lang, "+tur")
        qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=5_000)
        qtbot.waitUntil(lambda: _whole(dialog), timeout=5_000)
        seen["missing"] = (dialog.problem.text(), dialog.ok.isEnabled())
        for _ in "tur":
            qtbot.keyClick(dialog.lang, Qt.Key.Key_Backspace)
        qtbot.keyClicks(dialog.lang, "fra")
        assert dialog.lang.hasFocus()  # still typing: the field never lost the focus
        qtbot.waitUntil(lambda: not dialog.problem.isVisible(), timeout=5_000)
        seen["corrected"] = (dialog.lang.text(), dialog.ok.isEnabled())
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    _import_settings(qtbot, window, act)
    assert seen == {"missing": ("tesseract language data not installed: tur (Debian/Ubuntu: apt-get install "
                                "tesseract-ocr-tur)", False),
                    "corrected": ("eng+fra", True)}
    assert window.importer.options.ocr.lang == "eng+fra"
