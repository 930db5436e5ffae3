"""The label keys and the Label menu: one action per label, applying it to the selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from app.main_window import MainWindow


class LabelKeys:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.actions: list[QAction] = []

    def rebuild(self) -> None:
        w = self.window
        for action in self.actions:
            w.removeAction(action)
            action.deleteLater()
        self.actions = []
        w.label_menu.clear()
        if w.session is None:
            return
        for label in w.session.labels():
            action = QAction(label.name, w)
            if label.shortcut:
                action.setShortcut(QKeySequence(label.shortcut))
            action.setStatusTip(f"Tag the selected words as {label.name}, or relabel the selected annotation")
            action.triggered.connect(lambda _=False, name=label.name: self.apply(name))
            w.addAction(action)
            w.label_menu.addAction(action)
            self.actions.append(action)
        w.label_menu.addSeparator()
        w.label_menu.addAction("Add label…", self.add_dialog)
        w.enable_actions()

    def apply(self, name: str) -> None:
        w = self.window
        if w.editor is None:
            return
        w.palette.set_current(name)
        w.editor.apply_label(name)

    def add_dialog(self) -> None:
        if self.window.session is None:
            return
        self.window.label_editor.add()
