"""Reviewing suggestions: which one is next, accepting and rejecting them, tagging every occurrence of a span.

Each change is an undo command on the window's stack (suggestion_commands.py). After an accept or
a reject the next suggestion is selected, so a letter is reviewed with one key per suggestion.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMenu

from annotations.errors import ScanspanError
from annotations.model import Region, Span
from annotations.store.suggestions import NewSuggestion
from app.editing.editor import edits
from app.editing.selection import AnnotationRef, Selection
from app.editing.suggestion_commands import AcceptSuggestions, RejectSuggestions, TagOccurrences
from app.project.session import ProjectSession

Position = tuple[int, int, int, int, int]
"""Where a suggestion is: (document id, 0 for a span or 1 for a region, page number, word index on
the page, id; -1 before any). A document's spans are reviewed in reading order, then its regions."""
Suggestion = Span | Region


def _ref(item: Suggestion) -> AnnotationRef:
    return AnnotationRef("region" if isinstance(item, Region) else "span", item.id)


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
        self._places: dict[int, tuple[int, int]] = {}  # suggested region id -> (document id, page number)
        for signal in (session.spanAdded, session.spanRemoved, session.spanChanged, session.reset):
            signal.connect(self._bump)

    def _bump(self, *_: object) -> None:
        self.epoch += 1

    def _err(self, text: str) -> None:
        self.error.emit(text)

    def selected(self) -> Suggestion | None:
        """The selected annotation when it is a suggestion not yet reviewed."""
        ref = self.selection.annotation
        if ref is None:
            return None
        item = self.session.find_span(ref.id) if ref.kind == "span" else self.session.find_region(ref.id)
        return item if item is not None and item.suggested else None

    def left(self, label: str | None = None, source: str | None = None) -> list[Suggestion]:
        """The suggestions not yet reviewed (of a label, or from a source): each document's spans in
        reading order, then its regions by page."""
        labels, sources = ([label] if label else None), ([source] if source is not None else None)
        spans: list[Suggestion] = list(self.session.suggestions(labels=labels, sources=sources))
        located = self.session.region_suggestions(labels=labels, sources=sources)
        if not located:
            return spans
        self._places.update({g.id: (doc_id, number) for g, doc_id, number in located})
        order = {d.id: i for i, d in enumerate(self.session.documents())}
        return sorted([*spans, *(g for g, _, _ in located)],
                      key=lambda item: (order.get(self._document(item), -1), isinstance(item, Region)))

    def _document(self, item: Suggestion) -> int:
        return item.document_id if isinstance(item, Span) else self._places[item.id][0]

    # -- moving between suggestions -----------------------------------------------------------------

    def step(self, delta: int, here: Position | None, found: list[Suggestion] | None = None) -> Suggestion | None:
        """Select the next (delta 1) or previous (-1) suggestion from `here` or from the selected
        one, across pages and documents; past the last it starts again from the first. `found`:
        the suggestions left, when the caller has just read them."""
        found = self.left() if found is None else found
        if not found:
            self.message.emit("No suggestions left to review")
            return None
        current = self.selected()
        refs = [_ref(item) for item in found]
        if current is not None and _ref(current) in refs:
            at = refs.index(_ref(current)) + delta
        else:
            at = self._from_position(found, delta, here)
        wrapped = not 0 <= at < len(found)
        target = found[at % len(found)]
        # Another document's annotations are read so the window can show it.
        if isinstance(target, Span):
            self.session.spans(target.document_id)
        else:
            self.session.regions(self._document(target))
        self.chosen.emit(_ref(target))
        where = (", from the first again" if delta > 0 else ", from the last again") if wrapped and len(found) > 1 else ""
        # The selection's own status says what it is and which keys decide it.
        self.message.emit(f"Suggestion {refs.index(_ref(target)) + 1} of {len(found)}, from {target.source or 'an import'}{where}")
        return target

    def _from_position(self, found: list[Suggestion], delta: int, here: Position | None) -> int:
        """The index of the first suggestion after (or last before) a place in the project."""
        if here is None:
            return 0 if delta > 0 else len(found) - 1
        doc_id = here[0]
        order = {d.id: i for i, d in enumerate(self.session.documents())}
        mine = (order.get(doc_id, -1), *here[1:])
        keys = []
        for item in found:
            rank = order.get(self._document(item), -1)
            if self._document(item) != doc_id:
                keys.append((rank, 0, 0, 0, 0))  # another document's suggestions come listed in order
            else:
                keys.append((rank, *self._place(item)[1:]))
        if delta > 0:
            return next((i for i, k in enumerate(keys) if k > mine), len(found))
        return next((i for i in range(len(keys) - 1, -1, -1) if keys[i] < mine), -1)

    # -- accepting and rejecting --------------------------------------------------------------------

    def _describe(self, item: Suggestion) -> str:
        if isinstance(item, Span):
            return f"{item.label} “{self.session.span_text(item)}”"
        return f"{item.label} region on page {self._places[item.id][1]}"

    @staticmethod
    def _split(items: list[Suggestion]) -> tuple[list[Span], list[Region]]:
        return [i for i in items if isinstance(i, Span)], [i for i in items if isinstance(i, Region)]

    @edits
    def accept_selected(self) -> None:
        item = self.selected()
        if item is None:
            self.message.emit("Select a suggestion to accept (Tab goes to the next)")
            return
        what, here = self._describe(item), self._place(item)
        spans, regions = self._split([item])
        self.stack.push(AcceptSuggestions(self.session, spans, self._err, regions=regions))
        self._after(f"Accepted {what}", here)

    @edits
    def reject_selected(self) -> None:
        item = self.selected()
        if item is None:
            self.message.emit("Select a suggestion to reject (Tab goes to the next)")
            return
        what, here = self._describe(item), self._place(item)
        self.selection.set_annotation(None)
        spans, regions = self._split([item])
        self.stack.push(RejectSuggestions(self.session, spans, self._err, regions=regions))
        self._after(f"Rejected {what}", here)

    @edits
    def accept_label_of_selected(self) -> None:
        """Every suggestion with the selected one's label, accepted in one undo step; then the next."""
        item = self.selected()
        if item is None:
            self.message.emit("Select a suggestion first: every suggestion with its label is accepted (Tab goes to the next)")
            return
        here = self._place(item)
        count = self.accept_all(label=item.label)
        self._after(f"Accepted all {count} {item.label} suggestion{'s' if count != 1 else ''}", here)

    def _place(self, item: Suggestion) -> Position:
        if isinstance(item, Region):
            doc_id, number = self._places[item.id]
            return (doc_id, 1, number, -1, item.id)
        p1, i1, _, _ = self.session.extent(item)
        return (item.document_id, 0, p1, i1, item.id)

    def _after(self, done: str, here: Position | None) -> None:
        """Say what was done and select the next suggestion (after `here`, the reviewed one's place)."""
        left = self.left()
        if not left:
            self.selection.set_annotation(None)
            self.message.emit(f"{done}; no suggestions left to review")
            return
        self.step(1, here, left)
        self.message.emit(f"{done}; {len(left)} suggestion{'s' if len(left) != 1 else ''} left")

    @edits
    def accept_all(self, label: str | None = None, source: str | None = None) -> int:
        """Every suggestion of a label, or from a source, accepted in one undo step."""
        items = self.left(label=label, source=source)
        if not items:
            self.message.emit("No such suggestions left")
            return 0
        spans, regions = self._split(items)
        if not spans:
            self.session.regions(self._document(regions[0]))  # so that undo can go to its page
        what = f"{label}" if label else f"from {source or 'an import'}"
        text = f"Accept all {len(items)} {what} suggestion{'s' if len(items) != 1 else ''}"
        self.stack.push(AcceptSuggestions(self.session, spans, self._err, text, regions=regions))
        self.message.emit(f"Accepted {len(items)} {what} suggestion{'s' if len(items) != 1 else ''}")
        return len(items)

    def fill_menu(self, menu: QMenu, by: str) -> None:
        """A menu of "accept all" entries, one per label (`by` "label") or source with suggestions left."""
        menu.clear()
        counts: dict[str, int] = {}
        for item in self.left():
            key = item.label if by == "label" else item.source
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
