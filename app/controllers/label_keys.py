"""The label keys and the Label menu: one action per label, applying it to the selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from app.main_window import MainWindow


class LabelKeys:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.actions: list[QAction] = []
        self.link_menu: QMenu | None = None  # the relation labels' submenu, made anew with the labels

    def rebuild(self) -> None:
        w = self.window
        for action in self.actions:
            w.removeAction(action)
            action.deleteLater()
        self.actions = []
        w.label_menu.clear()
        if self.link_menu is not None:  # clear() leaves a submenu alive: it is the label menu's child
            self.link_menu.deleteLater()
            self.link_menu = None
        if w.session is None:
            return
        relations = self.link_menu = QMenu("&Link as", w.label_menu)
        relations.setToolTip("Relation labels: after K and the other end, one of these makes the relation")
        for label in w.session.labels():
            action = QAction(label.name, w)
            if label.shortcut:
                action.setShortcut(QKeySequence(label.shortcut))
            if label.is_relation:
                action.setStatusTip(f"Link the two annotations picked with K as {label.name}, or relabel the "
                                    "selected relation")
            else:
                action.setStatusTip(f"Tag the selected words as {label.name}, or relabel the selected annotation")
            action.triggered.connect(lambda _=False, name=label.name: self.apply(name))
            w.addAction(action)
            (relations if label.is_relation else w.label_menu).addAction(action)
            self.actions.append(action)
        if not relations.isEmpty():
            w.label_menu.addSeparator()
            w.label_menu.addMenu(relations)
        w.label_menu.addSeparator()
        w.label_menu.addAction("Add label…", self.add_dialog)
        w.enable_actions()

    def apply(self, name: str) -> None:
        w = self.window
        if w.editor is None or w.scope is None:
            return
        if w.scope.linker.apply(name):
            return
        label = w.session.label(name) if w.session is not None else None
        if label is None or not label.is_relation:  # the current label is what a drawn region gets
            w.palette.set_current(name)
        w.editor.apply_label(name)

    def add_dialog(self) -> None:
        if self.window.session is None:
            return
        self.window.label_editor.add()
