"""Undo and redo that say what they did and where: each step names the document and page it changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.editing.commands import Command


def _first(command: QUndoCommand) -> QUndoCommand:
    """A macro (several spans tagged at once) acts where its first command does."""
    return command.child(0) if command.childCount() else command


class History(QObject):
    """Follows the stack's index: a step back is an undo, a step forward by a command that has run
    before is a redo (a push runs it for the first time)."""

    # "Undid" | "Redid", the step's text, (document id, page number | None) | None, ("span" | "region", id) | None
    stepped = Signal(str, str, object, object)

    def __init__(self, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = stack
        self._index = stack.index()
        stack.indexChanged.connect(self._on_index)

    def _on_index(self, index: int) -> None:
        before, self._index = self._index, index
        if index < before:
            command, verb = self._at(index), "Undid"
        elif index > before:
            command, verb = self._at(index - 1), "Redid"
            first = _first(command) if command is not None else None
            if not isinstance(first, Command) or not first.replayed:
                return
        else:
            return
        if command is None:
            return
        first = _first(command)
        place = first.place if isinstance(first, Command) else None
        target = first.target if isinstance(first, Command) else None
        self.stepped.emit(verb, command.text(), place, target)

    def _at(self, index: int) -> QUndoCommand | None:
        """The stack's command at `index`; none once the stack was cleared."""
        return self.stack.command(index) if 0 <= index < self.stack.count() else None
