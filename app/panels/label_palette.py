"""The project's labels with their colour and shortcut; click one to tag, add new ones."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotations.labels import choose_color, label_name_problem
from annotations.model import Label

from app.panels.annotations_panel import swatch
from app.project.session import ProjectSession


class LabelPalette(QWidget):
    """Clicking a label applies it (tags the selected words, or relabels the selected annotation)."""

    applied = Signal(str)  # label name
    addRequested = Signal()

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.list = QListWidget()
        self.list.setToolTip("Click a label, or press its key, to tag the selected words or relabel the selected annotation")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add = QPushButton("Add label…")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        layout.addWidget(self.add)
        layout.addStretch(1)
        self.list.itemClicked.connect(lambda item: self.applied.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.add.clicked.connect(self.addRequested)
        session.labelsChanged.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        current = self.current()
        self.list.clear()
        for label in self.session.labels():
            key = label.shortcut or " "
            item = QListWidgetItem(swatch(label.color, 14), f"{key}   {label.name}")
            item.setData(Qt.ItemDataRole.UserRole, label.name)
            item.setToolTip(label.description or label.name)
            self.list.addItem(item)
        self.set_current(current or (self.session.labels()[0].name if self.session.labels() else ""))
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * max(self.list.count(), 1) + 8 if self.list.count() else 40)

    def current(self) -> str:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def set_current(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)


class AddLabelDialog(QDialog):
    """Name, colour and shortcut key of a new label; OK stays off, with the reason shown, until the name can be a label."""

    def __init__(self, labels: list[Label], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add label")
        used = {label.shortcut for label in labels if label.shortcut}
        self._names = {label.name for label in labels}
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. stamp")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        self.color = QColor(choose_color(label.color for label in labels))
        self.color_button = QPushButton()
        self.color_button.clicked.connect(self._pick_color)
        self.shortcut = QComboBox()
        self.shortcut.addItem("none", None)
        for key in "123456789":
            if key not in used:
                self.shortcut.addItem(key, key)
        if self.shortcut.count() > 1:
            self.shortcut.setCurrentIndex(1)
        self.description = QLineEdit()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.name.textChanged.connect(self._check_name)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("", self.problem)
        form.addRow("Colour", self.color_button)
        form.addRow("Shortcut key", self.shortcut)
        form.addRow("Description", self.description)
        form.addRow(buttons)
        self._show_color()

    def name_problem(self) -> str:
        """Why the name typed so far cannot be added ("" when it can, or when nothing is typed yet)."""
        name = self.name.text().strip()  # spaces typed around a name are not part of it
        if not name:
            return ""
        if name in self._names:
            return f"A label {name!r} already exists."
        problem = label_name_problem(name)
        return f"The name {problem}." if problem else ""

    def _check_name(self) -> None:
        problem = self.name_problem()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(bool(self.name.text().strip()) and not problem)

    def _pick_color(self) -> None:
        color = QColorDialog.getColor(self.color, self, "Label colour")
        if color.isValid():
            self.color = color
            self._show_color()

    def _show_color(self) -> None:
        self.color_button.setIcon(swatch(self.color.name(), 14))
        self.color_button.setText(self.color.name())

    def label(self) -> Label:
        return Label(self.name.text().strip(), self.color.name(), self.shortcut.currentData(), self.description.text().strip())
