"""The label dialog: name, kind, colour, shortcut key, description and layer of a new label, or of one being
edited; for a relation label also its direction and the labels each end may carry."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QUndoStack
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
    QWidget,
)

from annotations.labels import ENTITY, STRUCTURE, choose_color, label_name_problem
from annotations.records import Label
from annotations.store.labels import RELATION_FIELDS
from app.editing.commands import Command
from app.editing.label_commands import AddLabel, DeleteLabel, EditLabel
from app.project.session import ProjectSession
from app.style import swatch

KEYS = "123456789"
"""The keys a label can have: the digits, which tag without a modifier."""
LAYER_NAMES = {ENTITY: "Entity: what a model learns (an agency, a figure)",
               STRUCTURE: "Structure: a part of the letter (letterhead, body, closing)"}


class LabelDialog(QDialog):
    """OK stays off, with the reason shown, until the name can be a label (and, editing, until something changed)."""

    def __init__(self, labels: list[Label], parent: QWidget | None = None, editing: Label | None = None) -> None:
        super().__init__(parent)
        self.editing = editing
        # Compared as the dialog writes them, so an unchanged "#1F77B4" is not taken for a new colour.
        self._before = None if editing is None else Label(editing.name, QColor(editing.color).name(),
                                                          editing.shortcut or None, editing.description or "",
                                                          editing.layer, kind=editing.kind,
                                                          directed=editing.directed,
                                                          from_labels=editing.from_labels,
                                                          to_labels=editing.to_labels)
        self.setWindowTitle(f"Edit label {editing.name}" if editing else "Add label")
        others = [label for label in labels if editing is None or label.name != editing.name]
        used = {label.shortcut: label.name for label in others if label.shortcut}
        self._names = {label.name for label in others}
        self.name = QLineEdit(editing.name if editing else "")
        self.name.setPlaceholderText("e.g. stamp")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        self.color = QColor(editing.color if editing else choose_color(label.color for label in labels))
        self.color_button = QPushButton()
        self.color_button.setToolTip("Choose the colour of this label's highlights")
        self.color_button.clicked.connect(self._pick_color)
        self.shortcut = QComboBox()
        self.shortcut.setToolTip("The key that tags the selected words with this label")
        self.shortcut.addItem("none", None)
        for key in KEYS:
            # A key another label has is listed with its owner, not offered: two labels on one key
            # would make the key's meaning depend on which label happened to be read first.
            self.shortcut.addItem(key if key not in used else f"{key} ({used[key]})", key)
            if key in used:
                self.shortcut.model().item(self.shortcut.count() - 1).setEnabled(False)  # type: ignore[attr-defined]
        if editing is not None:
            if editing.shortcut and self.shortcut.findData(editing.shortcut) < 0:
                self.shortcut.addItem(editing.shortcut, editing.shortcut)  # a key given on the command line stays offered
            self.shortcut.setCurrentIndex(max(self.shortcut.findData(editing.shortcut), 0))
        else:
            free = next((i for i in range(1, self.shortcut.count()) if self.shortcut.itemData(i) not in used), 0)
            self.shortcut.setCurrentIndex(free)
        self.kind = QComboBox()
        self.kind.setToolTip("A span label tags words and regions; a relation label links two of them (K)")
        self.kind.addItem("Tags spans and regions", "span")
        self.kind.addItem("Links two annotations (relation)", "relation")
        if editing is not None:
            # A label's kind stays what it was made as: its annotations or relations depend on it.
            self.kind.setCurrentIndex(max(self.kind.findData(editing.kind), 0))
            self.kind.setEnabled(False)
        self.direction = QComboBox()
        self.direction.setToolTip("Whether the link reads from the first annotation to the second (an arrow with "
                                  "one head), or either way")
        self.direction.addItem("One way: from → to", True)
        self.direction.addItem("Either way", False)
        self.direction.setCurrentIndex(0 if editing is None or editing.directed else 1)
        span_labels = [label.name for label in labels if not label.is_relation]
        self.from_ends = self._ends_list(span_labels, editing.from_labels if editing else (), "from")
        self.to_ends = self._ends_list(span_labels, editing.to_labels if editing else (), "to")
        self.description = QLineEdit(editing.description if editing else "")
        self.layer = QComboBox()
        self.layer.setToolTip("Flat exports (CoNLL, spaCy's entities, LayoutLM, FUNSD) tag the entities; "
                              "a letter's structure goes beside them")
        for value, text in LAYER_NAMES.items():
            self.layer.addItem(text, value)
        self.layer.setCurrentIndex(max(self.layer.findData(editing.layer if editing else ENTITY), 0))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        for signal in (self.name.textChanged, self.description.textChanged, self.shortcut.currentIndexChanged,
                       self.layer.currentIndexChanged, self.direction.currentIndexChanged,
                       self.from_ends.itemChanged, self.to_ends.itemChanged):
            signal.connect(self._check)
        self.kind.currentIndexChanged.connect(self._show_kind)
        form = self.form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("", self.problem)
        form.addRow("Kind", self.kind)
        form.addRow("Direction", self.direction)
        form.addRow("From end may be", self.from_ends)
        form.addRow("To end may be", self.to_ends)
        form.addRow("Colour", self.color_button)
        form.addRow("Shortcut key", self.shortcut)
        form.addRow("Description", self.description)
        form.addRow("Layer", self.layer)
        form.addRow(buttons)
        self._show_color()
        self._show_kind()
        self._check()

    def _ends_list(self, names: list[str], ticked: tuple[str, ...], side: str) -> QListWidget:
        """The span labels, those the `side` end may carry ticked (none ticked: any)."""
        widget = QListWidget()
        widget.setToolTip(f"The labels the {side} end of this relation may carry; none ticked: any label")
        for name in [*names, *(n for n in ticked if n not in names)]:
            item = QListWidgetItem(name, widget)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in ticked else Qt.CheckState.Unchecked)
        widget.setMaximumHeight(6 * max(widget.sizeHintForRow(0), 18) + 2 * widget.frameWidth())
        return widget

    @staticmethod
    def _ticked(widget: QListWidget) -> tuple[str, ...]:
        items = (widget.item(i) for i in range(widget.count()))
        return tuple(item.text() for item in items if item.checkState() == Qt.CheckState.Checked)

    def _show_kind(self) -> None:
        """A relation label's direction and ends are asked only for a relation label, and its layer
        never: a relation is exported with its ends, whatever their layer."""
        relation = self.kind.currentData() == "relation"
        for widget in (self.direction, self.from_ends, self.to_ends):
            self.form.setRowVisible(widget, relation)
        self.form.setRowVisible(self.layer, not relation)
        self.adjustSize()

    def name_problem(self) -> str:
        """Why the name typed so far cannot be used ("" when it can, or when nothing is typed yet)."""
        name = self.name.text().strip()  # spaces typed around a name are not part of it
        if not name:
            return ""
        if name in self._names:
            return f"A label {name!r} already exists."
        problem = label_name_problem(name)
        return f"The name {problem}." if problem else ""

    def _check(self) -> None:
        problem = self.name_problem()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        changed = self.editing is None or bool(self.changes())
        self.ok.setEnabled(bool(self.name.text().strip()) and not problem and changed)

    def _pick_color(self) -> None:
        dialog = QColorDialog(self.color, self)
        dialog.setWindowTitle("Label colour")
        dialog.setOption(QColorDialog.ColorDialogOption.DontUseNativeDialog)  # the same dialog on every desktop
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.selectedColor().isValid():
            self.color = dialog.selectedColor()
            self._show_color()
            self._check()

    def _show_color(self) -> None:
        self.color_button.setIcon(swatch(self.color.name(), 14))
        self.color_button.setText(self.color.name())

    def label(self) -> Label:
        relation = self.kind.currentData() == "relation"
        return Label(self.name.text().strip(), self.color.name(), self.shortcut.currentData(), self.description.text().strip(),
                     self.layer.currentData(), kind=self.kind.currentData(),
                     directed=bool(self.direction.currentData()) if relation else True,
                     from_labels=self._ticked(self.from_ends) if relation else (),
                     to_labels=self._ticked(self.to_ends) if relation else ())

    def changes(self) -> dict[str, object]:
        """The fields that differ from the label being edited (everything, for a new label)."""
        new = self.label()
        fields: tuple[str, ...] = ("name", "color", "shortcut", "description", "layer")
        if new.is_relation:
            fields += RELATION_FIELDS
        if self._before is None:
            return {field: getattr(new, field) for field in fields}
        before = self._before

        def differs(field: str) -> bool:
            # The ends are ticked in the palette's order; stored, they may be in another (the CLI's).
            if field in ("from_labels", "to_labels"):
                return set(getattr(new, field)) != set(getattr(before, field))
            return bool(getattr(new, field) != getattr(before, field))

        return {field: getattr(new, field) for field in fields if differs(field)}


class LabelEditor(QObject):
    """Asks for a label edit in its dialog and pushes it onto the window's undo stack."""

    message = Signal(str)  # for the status bar
    error = Signal(str)  # the project refused the edit

    def __init__(self, session: ProjectSession, stack: QUndoStack, window: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.stack = stack
        self.window = window

    def _writable(self) -> bool:
        if self.session.read_only:
            self.message.emit(f"This project is read-only ({self.session.read_only}); its labels cannot be changed")
        return not self.session.read_only

    def _push(self, command: Command) -> None:
        self.stack.push(command)
        if command.done_once:  # a refused edit says why instead (error)
            self.message.emit(f"“{command.text()}” done; Ctrl+Z undoes it")

    def add(self) -> None:
        if not self._writable():
            return
        dialog = LabelDialog(self.session.labels(), self.window)
        if dialog.exec() == LabelDialog.DialogCode.Accepted:
            self._push(AddLabel(self.session, dialog.label(), self.error.emit))

    def edit(self, name: str) -> None:
        label = self.session.label(name)
        if label is None or not self._writable():
            return
        dialog = LabelDialog(self.session.labels(), self.window, editing=label)
        if dialog.exec() == LabelDialog.DialogCode.Accepted and dialog.changes():
            self._push(EditLabel(self.session, label, dialog.changes(), self.error.emit))

    def delete(self, name: str) -> None:
        label = self.session.label(name)
        if label is None or not self._writable():
            return
        used = self.session.label_usage().get(name, 0)
        if used:
            self.error.emit(f"The label {name!r} is on {used} annotation{'s' if used != 1 else ''}: "
                            "relabel or delete them first, then delete the label.")
            return
        self._push(DeleteLabel(self.session, label, self.error.emit))
