"""Help ▸ Check installation: the `scanspan doctor` report in a dialog, and the window's icon."""

from __future__ import annotations

from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QMenu, QPlainTextEdit, QVBoxLayout, QWidget

from annotations import resources_path
from annotations.cli import doctor


def app_icon() -> QIcon:
    """Scanspan's icon in every size it ships in (resources/icons; the SVG is for desktop themes)."""
    icon = QIcon()
    for png in sorted((resources_path() / "icons").glob("scanspan-*.png")):
        icon.addFile(str(png))
    return icon


def add_to_help_menu(window: QMainWindow) -> QAction:
    """Put "Check installation" into the window's Help menu, ahead of its last item (About)."""
    menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title().replace("&", "") == "Help")
    action = QAction("Check &installation…", window)
    action.setStatusTip("What Scanspan needs (tesseract, its languages, Qt, a display) and how to fix what is missing")
    action.triggered.connect(lambda: DoctorDialog(window).exec())
    if menu.actions():
        menu.insertAction(menu.actions()[-1], action)
    else:
        menu.addAction(action)
    return action


class DoctorDialog(QDialog):
    """The same report as `scanspan doctor`, with the running Qt's version."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check installation")
        found = doctor.checks(qt_version=qVersion())
        self.text = QPlainTextEdit(doctor.report(found), self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(760, 360)
