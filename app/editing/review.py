"""Reviewing suggestions: which one is next, accepting and rejecting them, tagging every occurrence of a span.

Each change is an undo command on the window's stack (suggestion_commands.py). After an accept or
a reject the next suggestion is selected, so a letter is reviewed with one key per suggestion.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMenu

from annotations.errors import ScanspanError
from annotations.model import Span
from annotations.store.suggestions import NewSuggestion
from app.editing.editor import edits
from app.editing.selection import AnnotationRef, Selection
from app.editing.suggestion_commands import AcceptSuggestions, RejectSuggestions, TagOccurrences
from app.project.session import ProjectSession

Position = tuple[int, int, int, int]  # (document id, page number, word index on the page, span id; -1 before any)


class Reviewer(QObject):
    message = Signal(str)  # for the status bar
    error = Signal(str)  # for a message box
    chosen = Signal(object)  # AnnotationRef: show this suggestion and select it
    offered = Signal(int, str, str, int)  # span id, its text, its label, how many more occurrences

    def __init__(self, session: ProjectSession, selection: Selection, stack: QUndoStack,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.stack = stack
        # Any span change makes a counted plan of other occurrences stale (one of them may now be tagged).
        self.epoch = 0
        self._plan: tuple[int, int, list[NewSuggestion]] | None = None  # span id, epoch, plan
        for signal in (session.spanAdded, session.spanRemoved, session.spanChanged, session.reset):
            signal.connect(self._bump)

    def _bump(self, *_: object) -> None:
        self.epoch += 1

    def _err(self, text: str) -> None:
        self.error.emit(text)

    def selected(self) -> Span | None:
        """The selected annotation when it is a suggestion not yet reviewed."""
        ref = self.selection.annotation
        span = self.session.find_span(ref.id) if ref is not None and ref.kind == "span" else None
        return span if span is not None and span.suggested else None

    # -- moving between suggestions -----------------------------------------------------------------

    def step(self, delta: int, here: Position | None, found: list[Span] | None = None) -> Span | None:
        """Select the next (delta 1) or previous (-1) suggestion from `here` or from the selected
        one, across pages and documents; past the last it starts again from the first. `found`:
        the suggestions left, when the caller has just read them."""
        found = self.session.suggestions() if found is None else found
        if not found:
            self.message.emit("No suggestions left to review")
            return None
        current = self.selected()
        ids = [s.id for s in found]
        if current is not None and current.id in ids:
            at = ids.index(current.id) + delta
        else:
            at = self._from_position(found, delta, here)
        wrapped = not 0 <= at < len(found)
        target = found[at % len(found)]
        self.session.spans(target.document_id)  # another document's spans are read so the window can show it
        self.chosen.emit(AnnotationRef("span", target.id))
        where = (", from the first again" if delta > 0 else ", from the last again") if wrapped and len(found) > 1 else ""
        # The selection's own status says what it is and which keys decide it.
        self.message.emit(f"Suggestion {ids.index(target.id) + 1} of {len(found)}, from {target.source or 'an import'}{where}")
        return target

    def _from_position(self, found: list[Span], delta: int, here: Position | None) -> int:
        """The index of the first suggestion after (or last before) a place in the project."""
        if here is None:
            return 0 if delta > 0 else len(found) - 1
        doc_id, page, word, span_id = here
        order = {d.id: i for i, d in enumerate(self.session.documents())}
        mine = (order.get(doc_id, -1), page, word, span_id)

        def key(span: Span) -> tuple[int, int, int, int]:
            rank = order.get(span.document_id, -1)
            if span.document_id != doc_id:
                return (rank, 0, 0, 0)  # the store lists another document's suggestions in order
            p1, i1, _, _ = self.session.extent(span)
            return (rank, p1, i1, span.id)

        keys = [key(s) for s in found]
        if delta > 0:
            return next((i for i, k in enumerate(keys) if k > mine), len(found))
        return next((i for i in range(len(keys) - 1, -1, -1) if keys[i] < mine), -1)

    # -- accepting and rejecting --------------------------------------------------------------------

    @edits
    def accept_selected(self) -> None:
        span = self.selected()
        if span is None:
            self.message.emit("Select a suggestion to accept (Tab goes to the next)")
            return
        text, here = self.session.span_text(span), self._place(span)
        self.stack.push(AcceptSuggestions(self.session, [span], self._err))
        self._after(f"Accepted {span.label} “{text}”", here)

    @edits
    def reject_selected(self) -> None:
        span = self.selected()
        if span is None:
            self.message.emit("Select a suggestion to reject (Tab goes to the next)")
            return
        text, here = self.session.span_text(span), self._place(span)
        self.selection.set_annotation(None)
        self.stack.push(RejectSuggestions(self.session, [span], self._err))
        self._after(f"Rejected {span.label} “{text}”", here)

    @edits
    def accept_label_of_selected(self) -> None:
        """Every suggestion with the selected one's label, accepted in one undo step; then the next."""
        span = self.selected()
        if span is None:
            self.message.emit("Select a suggestion first: every suggestion with its label is accepted (Tab goes to the next)")
            return
        here = self._place(span)
        count = self.accept_all(label=span.label)
        self._after(f"Accepted all {count} {span.label} suggestion{'s' if count != 1 else ''}", here)

    def _place(self, span: Span) -> Position:
        p1, i1, _, _ = self.session.extent(span)
        return (span.document_id, p1, i1, span.id)

    def _after(self, done: str, here: Position | None) -> None:
        """Say what was done and select the next suggestion (after `here`, the reviewed one's place)."""
        left = self.session.suggestions()
        if not left:
            self.selection.set_annotation(None)
            self.message.emit(f"{done}; no suggestions left to review")
            return
        self.step(1, here, left)
        self.message.emit(f"{done}; {len(left)} suggestion{'s' if len(left) != 1 else ''} left")

    @edits
    def accept_all(self, label: str | None = None, source: str | None = None) -> int:
        """Every suggestion of a label, or from a source, accepted in one undo step."""
        spans = self.session.suggestions(labels=[label] if label else None, sources=[source] if source is not None else None)
        if not spans:
            self.message.emit("No such suggestions left")
            return 0
        what = f"{label}" if label else f"from {source or 'an import'}"
        text = f"Accept all {len(spans)} {what} suggestion{'s' if len(spans) != 1 else ''}"
        self.stack.push(AcceptSuggestions(self.session, spans, self._err, text))
        self.message.emit(f"Accepted {len(spans)} {what} suggestion{'s' if len(spans) != 1 else ''}")
        return len(spans)

    def fill_menu(self, menu: QMenu, by: str) -> None:
        """A menu of "accept all" entries, one per label (`by` "label") or source with suggestions left."""
        menu.clear()
        counts: dict[str, int] = {}
        for span in self.session.suggestions():
            key = span.label if by == "label" else span.source
            counts[key] = counts.get(key, 0) + 1
        for key, count in sorted(counts.items()):
            name = key or "an import"
            action = menu.addAction(f"{name} ({count})")
            if by == "label":
                action.triggered.connect(lambda _=False, k=key: self.accept_all(label=k))
            else:
                action.triggered.connect(lambda _=False, k=key: self.accept_all(source=k))
        if menu.isEmpty():
            menu.addAction("No suggestions left").setEnabled(False)

    # -- propagation --------------------------------------------------------------------------------

    def offer(self, span_id: int, epoch: int, plan: list[NewSuggestion]) -> None:
        """Offer the other occurrences of a span just tagged, counted (in the background) when `epoch` was current."""
        span = self.session.find_span(span_id)
        if span is None:
            return  # undone or deleted meanwhile
        self._plan = (span_id, epoch, plan)
        self.offered.emit(span_id, self.session.span_text(span), span.label, len(plan))

    def _planned(self, span_id: int) -> list[NewSuggestion]:
        """The offered plan while no span changed since it was counted; else counted again now."""
        if self._plan is not None and self._plan[:2] == (span_id, self.epoch):
            return self._plan[2]
        return self.session.plan_propagation(span_id)

    @edits
    def tag_occurrences(self, accept: bool, span_id: int | None = None) -> int:
        """Store the other occurrences of a span (default: the selected one) as suggestions, or accepted."""
        ref = self.selection.annotation
        if span_id is None and ref is not None and ref.kind == "span":
            span_id = ref.id
        span = self.session.find_span(span_id) if span_id is not None else None
        if span is None:
            self.message.emit("Select a tagged span first: its other occurrences are tagged with its label")
            return 0
        try:
            plan = self._planned(span.id)
        except ScanspanError as exc:
            self.error.emit(str(exc))
            return 0
        text = self.session.span_text(span)
        if not plan:
            self.message.emit(f"No other occurrences of “{text}” left to tag as {span.label}")
            self.offered.emit(span.id, text, span.label, 0)
            return 0
        command = TagOccurrences(self.session, plan, span.label, accept, self._err)
        self.stack.push(command)
        self.offered.emit(span.id, text, span.label, 0)
        done = len(command.spans)
        as_what = f"tagged as {span.label}" if accept else f"suggested as {span.label} (Tab to review them)"
        self.message.emit(f"{done} more occurrence{'s' if done != 1 else ''} of “{text}” {as_what}")
        return done
