"""Label edits as undo commands: add, rename/recolour/rekey/change layer (and a relation label's direction and ends), delete."""

from __future__ import annotations

from annotations.records import Label
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
    """A rename (its spans and regions follow), a new colour, key, description, or a relation label's
    direction and ends: one command."""

    def __init__(self, session: ProjectSession, label: Label, changes: dict[str, object],
                 on_error: ErrorSink) -> None:
        super().__init__(session, _caption(label, changes), on_error)
        self.name = label.name
        self.new_name = str(changes.get("name") or label.name)
        self.changes = changes
        self.old: dict[str, object] = {field: getattr(label, field) for field in changes}

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


def _caption(label: Label, changes: dict[str, object]) -> str:
    if set(changes) == {"name"}:
        return f"Rename label {label.name} to {changes['name']}"
    if set(changes) == {"color"}:
        return f"Recolour label {label.name}"
    if set(changes) == {"shortcut"}:
        key = changes["shortcut"]
        return f"Give label {label.name} the key {key}" if key else f"Take the key off label {label.name}"
    if set(changes) == {"layer"}:
        return f"Move label {label.name} to the {changes['layer']} layer"
    if set(changes) <= {"directed", "from_labels", "to_labels"}:
        return f"Change the direction or ends of relation label {label.name}"
    if "name" in changes:
        return f"Edit label {label.name} (now {changes['name']})"
    return f"Edit label {label.name}"
