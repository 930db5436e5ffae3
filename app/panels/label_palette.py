"""The project's labels with their colour and key: click one to tag; add, edit (rename, recolour, key) and delete them."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.label_dialog import LabelDialog
from app.project.session import ProjectSession
from app.style import swatch

AddLabelDialog = LabelDialog
"""The dialog's former name, where it asked only for new labels."""


class LabelPalette(QWidget):
    """Clicking a label applies it (tags the selected words, or relabels the selected annotation)."""

    applied = Signal(str)  # label name
    addRequested = Signal()
    editRequested = Signal(str)  # label name
    deleteRequested = Signal(str)  # label name

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.list = QListWidget()
        self.list.setToolTip("Click a label, or press its key, to tag the selected words or relabel the selected "
                             "annotation; right-click it to edit or delete it")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.add = QPushButton("Add…")
        self.add.setToolTip("Add a label to the project")
        self.edit = QPushButton("Edit…")
        self.edit.setToolTip("Rename the current label, change its colour, key or description")
        self.delete = QPushButton("Delete")
        self.delete.setToolTip("Delete the current label (only when no span or region has it)")
        for button in (self.add, self.edit, self.delete):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a label key must keep going to the views
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.add, self.edit, self.delete):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.list.itemClicked.connect(lambda item: self.applied.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.add.clicked.connect(self.addRequested)
        self.edit.clicked.connect(lambda: self._ask(self.editRequested))
        self.delete.clicked.connect(lambda: self._ask(self.deleteRequested))
        session.labelsChanged.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        current, row = self.current(), self.list.currentRow()
        self.list.clear()
        labels = self.session.labels()
        for label in labels:
            key = label.shortcut or " "
            kind = "   (links: K)" if label.is_relation else ""
            item = QListWidgetItem(swatch(label.color, 14), f"{key}   {label.name}{kind}")
            item.setData(Qt.ItemDataRole.UserRole, label.name)
            item.setToolTip(label.description or label.name)
            self.list.addItem(item)
        names = [label.name for label in labels]
        if current in names:
            self.set_current(current)
        elif names:
            # A renamed label keeps its place, so the same row is the current label under its new name.
            self.list.setCurrentRow(min(max(row, 0), len(names) - 1))
        self.edit.setEnabled(bool(names))
        self.delete.setEnabled(bool(names))
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * max(self.list.count(), 1) + 8 if self.list.count() else 40)

    def _ask(self, request: SignalInstance) -> None:
        if self.current():
            request.emit(self.current())

    def current(self) -> str:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def set_current(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)

    def names(self) -> list[str]:
        """The rows as shown: key, then name."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def menu_for(self, name: str) -> QMenu:
        """Edit and Delete for one label; Delete says why it is off when annotations carry the label."""
        menu = QMenu(self)
        menu.addAction(f"Edit label {name}…", lambda: self.editRequested.emit(name))
        used = self.session.label_usage().get(name, 0)
        delete = menu.addAction(f"Delete label {name}" if not used else
                                f"Delete label {name} (on {used} annotation{'s' if used != 1 else ''})",
                                lambda: self.deleteRequested.emit(name))
        delete.setEnabled(not used)
        menu.addSeparator()
        menu.addAction("Add label…", self.addRequested.emit)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            menu = QMenu(self)
            menu.addAction("Add label…", self.addRequested.emit)
        else:
            menu = self.menu_for(item.data(Qt.ItemDataRole.UserRole))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.list.viewport().mapToGlobal(pos))
