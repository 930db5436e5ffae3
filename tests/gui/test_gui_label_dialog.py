"""The Add label dialog: a name that cannot be a label keeps OK off and says why; a new label gets its own colour."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import rows
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.main_window import MainWindow
from app.panels.label_palette import AddLabelDialog


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
    assert colors["stamp"] not in {c for name, c in colors.items() if name != "stamp"}
