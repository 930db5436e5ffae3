"""Label edits as undo commands (add, rename/recolour/rekey, delete), and the controller that asks for them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from annotations.model import Label

from app.dialogs.label_dialog import LabelDialog
from app.editing.commands import Command, ErrorSink
from app.project.session import ProjectSession


class AddLabel(Command):
    def __init__(self, session: ProjectSession, label: Label, on_error: ErrorSink) -> None:
        super().__init__(session, f"Add label {label.name}", on_error)
        self.label = label
        self.position: int | None = None  # known once undone: a redo puts it back where it was

    def apply(self) -> None:
        self.session.restore_label(self.label, self.position)

    def revert(self) -> None:
        self.label, self.position = self.session.delete_label(self.label.name)


class EditLabel(Command):
    """A rename (its spans and regions follow), a new colour, key or description: one command."""

    def __init__(self, session: ProjectSession, label: Label, changes: dict[str, str | None],
                 on_error: ErrorSink) -> None:
        super().__init__(session, _caption(label, changes), on_error)
        self.name = label.name
        self.new_name = changes.get("name") or label.name
        self.changes = changes
        self.old: dict[str, str | None] = {field: getattr(label, field) for field in changes}

    def apply(self) -> None:
        self.session.update_label(self.name, self.changes)

    def revert(self) -> None:
        self.session.update_label(self.new_name, self.old)


class DeleteLabel(Command):
    def __init__(self, session: ProjectSession, label: Label, on_error: ErrorSink) -> None:
        super().__init__(session, f"Delete label {label.name}", on_error)
        self.label = label
        self.position: int | None = None

    def apply(self) -> None:
        self.label, self.position = self.session.delete_label(self.label.name)

    def revert(self) -> None:
        self.session.restore_label(self.label, self.position)


def _caption(label: Label, changes: dict[str, str | None]) -> str:
    if set(changes) == {"name"}:
        return f"Rename label {label.name} to {changes['name']}"
    if set(changes) == {"color"}:
        return f"Recolour label {label.name}"
    if set(changes) == {"shortcut"}:
        key = changes["shortcut"]
        return f"Give label {label.name} the key {key}" if key else f"Take the key off label {label.name}"
    if "name" in changes:
        return f"Edit label {label.name} (now {changes['name']})"
    return f"Edit label {label.name}"


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

    def add(self) -> None:
        if not self._writable():
            return
        dialog = LabelDialog(self.session.labels(), self.window)
        if dialog.exec() == LabelDialog.DialogCode.Accepted:
            self.stack.push(AddLabel(self.session, dialog.label(), self.error.emit))

    def edit(self, name: str) -> None:
        label = self.session.label(name)
        if label is None or not self._writable():
            return
        dialog = LabelDialog(self.session.labels(), self.window, editing=label)
        if dialog.exec() == LabelDialog.DialogCode.Accepted and dialog.changes():
            self.stack.push(EditLabel(self.session, label, dialog.changes(), self.error.emit))

    def delete(self, name: str) -> None:
        label = self.session.label(name)
        if label is None or not self._writable():
            return
        used = self.session.label_usage().get(name, 0)
        if used:
            self.error.emit(f"The label {name!r} is on {used} annotation{'s' if used != 1 else ''}: "
                            "relabel or delete them first, then delete the label.")
            return
        self.stack.push(DeleteLabel(self.session, label, self.error.emit))
