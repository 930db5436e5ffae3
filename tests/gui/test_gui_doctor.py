"""Help ▸ Check installation shows `scanspan doctor`'s report; the window has Scanspan's icon."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gui_helpers import open_window
from helpers import SCANSPAN, cli_env
from PySide6.QtCore import QSize, QTimer, qVersion
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.application import application
from app.dialogs.doctor import DoctorDialog
from app.settings import Settings


def test_the_help_menu_shows_the_doctor_report(qtbot: QtBot, settings: Settings, tmp_path: Path) -> None:
    window = open_window(qtbot, settings, None)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    titles = [a.text() for a in help_menu.actions()]
    assert titles.index("Check &installation…") < titles.index("&About Scanspan")
    shown: list[str] = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, DoctorDialog)
        shown.append(dialog.text.toPlainText())
        dialog.reject()

    QTimer.singleShot(0, read_and_close)
    window.doctor_action.trigger()
    assert shown, "no dialog was shown"
    command = subprocess.run([str(SCANSPAN), "doctor"], capture_output=True, text=True, env=cli_env(tmp_path),
                             timeout=60).stdout.splitlines()
    report = shown[0].splitlines()
    # The same checks as `scanspan doctor`; the window also knows the running Qt, and (offscreen here) its display.
    same = ("Scanspan", "PyMuPDF", "SQLite", "tesseract", "languages")
    assert [r for r in report if r.startswith(same)] == [c for c in command if c.startswith(same)]
    assert f"Qt {qVersion()}" in next(r for r in report if r.startswith("Qt "))
    assert report[-1] == "Everything Scanspan needs is here."


def test_the_application_has_scanspans_icon(qtbot: QtBot) -> None:
    icon = application().windowIcon()
    assert sorted(size.width() for size in icon.availableSizes()) == [16, 32, 48, 64, 128, 256, 512]
    assert QSize(48, 48) in icon.availableSizes()
