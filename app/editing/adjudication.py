"""The window's walk through two analysts' disagreements in the current document, one decision at a time."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotations.adjudication import Disagreement
from annotations.errors import ScanspanError
from annotations.model import Span
from app.editing.adjudication_commands import KeepVersion
from app.project.session import ProjectSession

KIND_TEXT = {"only a": "only {a} marked this", "only b": "only {b} marked this", "label": "another label",
             "boundary": "other boundaries"}


class Adjudicator(QObject):
    """Which two analysts, the document's open disagreements, and the one shown.

    Each decision is a KeepVersion on the window's undo stack; the list is read again after every
    step of the stack (a decision, its undo, its redo), so what is shown is always what is open.
    """

    shown = Signal(object)  # the Disagreement now shown, or None when none is left (or the walk ended)
    message = Signal(str)
    error = Signal(str)

    def __init__(self, session: ProjectSession, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.stack = stack
        self.pair: tuple[str, str] | None = None
        self.doc_id: int | None = None
        self.items: list[Disagreement] = []
        self.index = 0

    def on_history(self, _index: int) -> None:
        """An undo or redo may have settled or reopened a disagreement."""
        self.refresh()

    def active(self) -> bool:
        return self.pair is not None

    def current(self) -> Disagreement | None:
        return self.items[self.index] if self.active() and 0 <= self.index < len(self.items) else None

    def start(self, doc_id: int, a: str, b: str) -> None:
        """Walk a's and b's disagreements in a document; what they marked alike is adjudicated at once."""
        self.pair, self.doc_id, self.index = (a, b), doc_id, 0
        try:
            agreed = self.session.adopt_agreed(doc_id, a, b)
            self.items = self.session.open_disagreements(doc_id, a, b)
        except ScanspanError as exc:
            self.stop()
            self.error.emit(str(exc))
            return
        self.message.emit(f"{a} and {b}: {len(self.items)} disagreement{'s' if len(self.items) != 1 else ''} "
                          f"to settle here; {agreed} stretch{'es' if agreed != 1 else ''} marked alike adjudicated")
        self.shown.emit(self.current())

    def stop(self) -> None:
        self.pair = self.doc_id = None
        self.items = []
        self.shown.emit(None)

    def step(self, delta: int) -> None:
        if self.items:
            self.index = (self.index + delta) % len(self.items)
            self.shown.emit(self.current())

    def decide(self, decision: str) -> None:
        """Keep "a", "b", "both" or "neither" for the disagreement shown; the next one is shown."""
        stretch = self.current()
        if stretch is None or self.pair is None:
            return
        self.stack.push(KeepVersion(self.session, stretch, *self.pair, decision, self.error.emit))

    def refresh(self) -> None:
        """Read the open disagreements again, staying at the one shown (or where it was, once settled)."""
        if self.pair is None or self.doc_id is None:
            return
        shown = self.current()
        try:
            items = self.session.open_disagreements(self.doc_id, *self.pair)
        except ScanspanError as exc:
            self.error.emit(str(exc))
            return
        before = {d.extent for d in self.items}
        # One open again (an undo) is shown; else the first still open at or after the one shown
        # (a decision moves on).
        undone = next((i for i, d in enumerate(items) if d.extent not in before), None)
        if undone is not None:
            self.index = undone
        elif shown is not None:
            later = {d.extent for d in self.items[self.items.index(shown):]}
            self.index = next((i for i, d in enumerate(items) if d.extent in later), 0)
        self.items = items
        self.shown.emit(self.current())

    def describe(self, stretch: Disagreement) -> tuple[str, str, str]:
        """(what differs, a's version, b's version), for the panel."""
        assert self.pair is not None
        a, b = self.pair

        def version(spans: tuple[Span, ...]) -> str:
            return "; ".join(f"{s.label} “{self.session.span_text(s)}”" for s in spans) or "nothing"

        return KIND_TEXT[stretch.kind].format(a=a, b=b), version(stretch.a), version(stretch.b)
