"""Reviewing suggestions: which one is next, accepting and rejecting them, tagging every occurrence of a span.

Each change is an undo command on the window's stack (suggestion_commands.py). A suggested relation
whose ends are suggestions is accepted with them; one between annotations already accepted (a
file's) is reviewed by itself, after the document's regions. After an accept or
a reject the next suggestion is selected, so a letter is reviewed with one key per suggestion; at
the end of a document the review stops and says so, and goes on into the next one on a second Tab.
Keys act only on a suggestion on the page shown (app/editing/shown.py); what reaches beyond that page
(accept all of a label or a source, tag all occurrences) asks first, naming how many and where.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMenu

from annotations.errors import ScanspanError
from annotations.records import Region, Relation, Span
from annotations.store.suggestions import NewSuggestion
from app.editing.editor import edits
from app.editing.selection import AnnotationRef, Selection
from app.editing.shown import annotation_on, shown_annotation
from app.editing.suggestion_commands import AcceptSuggestions, RejectSuggestions, TagOccurrences
from app.project.session import ProjectSession

Position = tuple[int, int, int, int, int]
"""Where a suggestion is: (document id, 0 for a span, 1 for a region or 2 for a relation, page number,
word index on the page, id; -1 before any). A document's spans are reviewed in reading order, then
its regions, then the relations between its accepted annotations."""
Suggestion = Span | Region | Relation
_RANK = {Span: 0, Region: 1, Relation: 2}
Confirm = Callable[[str, str], bool]
"""Asks the analyst a yes/no question (title, text): True to go ahead."""
_Stop = tuple[int, object, AnnotationRef, bool]
"""A step stopped at a document's end: its direction, the selection then (annotation, ranges, page),
the suggestion it stopped before, and whether going on starts again from the first (or last)."""


def _ref(item: Suggestion) -> AnnotationRef:
    kind = "region" if isinstance(item, Region) else "relation" if isinstance(item, Relation) else "span"
    return AnnotationRef(kind, item.id)


class Reviewer(QObject):
    message = Signal(str)  # for the status bar
    error = Signal(str)  # for a message box
    chosen = Signal(object)  # AnnotationRef: show this suggestion and select it
    offered = Signal(int, str, str, int)  # span id, its text, its label, how many more occurrences

    def __init__(self, session: ProjectSession, selection: Selection, stack: QUndoStack,
                 parent: QObject | None = None, *, confirm: Confirm) -> None:
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.stack = stack
        self.confirm = confirm
        # A step that stopped at a document's end: the same step again, with the selection as it
        # left it (after a reject nothing is selected), goes on to the suggestion it stopped before.
        self._stopped: _Stop | None = None
        self._stop_text = ""
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
        """The selected annotation when it is a suggestion not yet reviewed, on the page shown."""
        ref = shown_annotation(self.session, self.selection)
        if ref is None:
            return None
        if ref.kind == "relation":
            relation = self.session.find_relation(ref.id)
            return relation if relation is not None and relation.suggested and self._ends_accepted(relation) else None
        item = self.session.find_span(ref.id) if ref.kind == "span" else (
            self.session.find_region(ref.id) if ref.kind == "region" else None)
        return item if item is not None and item.suggested else None

    def _ends_accepted(self, relation: Relation) -> bool:
        """Whether both ends are accepted: a relation with a suggested end is decided with that end."""
        for kind, ident in (relation.from_end, relation.to_end):
            end = self.session.find_span(ident) if kind == "span" else self.session.find_region(ident)
            if end is None or end.suggested:
                return False
        return True

    def left(self, label: str | None = None, source: str | None = None) -> list[Suggestion]:
        """The suggestions not yet reviewed (of a label, or from a source): each document's spans in
        reading order, then its regions by page."""
        labels, sources = ([label] if label else None), ([source] if source is not None else None)
        spans: list[Suggestion] = list(self.session.suggestions(labels=labels, sources=sources))
        located = self.session.region_suggestions(labels=labels, sources=sources)
        relations = self.session.relations_to_review(labels=labels, sources=sources)
        if not located and not relations:
            return spans
        self._places.update({g.id: (doc_id, number) for g, doc_id, number in located})
        order = {d.id: i for i, d in enumerate(self.session.documents())}
        return sorted([*spans, *(g for g, _, _ in located), *relations],
                      key=lambda item: (order.get(self._document(item), -1), _RANK[type(item)]))

    def _document(self, item: Suggestion) -> int:
        return self._places[item.id][0] if isinstance(item, Region) else item.document_id

    def _read(self, item: Suggestion) -> None:
        """Read the suggestion's document as far as the window needs to show it (a relation: its ends too)."""
        if isinstance(item, Span):
            self.session.spans(item.document_id)
            return
        self.session.regions(self._document(item))
        if isinstance(item, Relation):
            self.session.spans(item.document_id)
            self.session.relations(item.document_id)

    # -- moving between suggestions -----------------------------------------------------------------

    def step(self, delta: int, here: Position | None, found: list[Suggestion] | None = None) -> Suggestion | None:
        """Select the next (delta 1) or previous (-1) suggestion from `here` or from the selected
        one, across pages; past the last it starts again from the first. At the end of `here`'s
        document it stops and says so (None), and the same step again goes on into the next
        document. `found`: the suggestions left, when the caller has just read them."""
        found = self.left() if found is None else found
        if not found:
            self.message.emit("No suggestions left to review")
            return None
        current = self.selected()
        refs = [_ref(item) for item in found]
        stopped, self._stopped = self._stopped, None
        if stopped is not None and stopped[:2] == (delta, self._selection_now()) and stopped[2] in refs:
            target, wrapped = found[refs.index(stopped[2])], stopped[3]  # the second Tab: on into the next document
        else:
            if current is not None and _ref(current) in refs:
                at = refs.index(_ref(current)) + delta
            else:
                at = self._from_position(found, delta, here)
            wrapped = not 0 <= at < len(found)
            target = found[at % len(found)]
            if here is not None and self._document(target) != here[0]:
                self._stop(delta, here[0], target, found, wrapped)
                return None
        # Another document's annotations are read so the window can show it.
        self._read(target)
        self.chosen.emit(_ref(target))
        where = (", from the first again" if delta > 0 else ", from the last again") if wrapped and len(found) > 1 else ""
        # The selection's own status says what it is and which keys decide it.
        self.message.emit(f"Suggestion {refs.index(_ref(target)) + 1} of {len(found)}, from {target.source or 'an import'}{where}")
        return target

    def _selection_now(self) -> object:
        return (self.selection.annotation, self.selection.ranges, self.selection.page)

    def _stop(self, delta: int, doc_id: int, target: Suggestion, found: list[Suggestion], wrapped: bool) -> None:
        """A step out of the document shown stops first and says where the next suggestion is."""
        self._stopped = (delta, self._selection_now(), _ref(target), wrapped)
        name = self.session.document(doc_id).name
        ahead = self.session.document(self._document(target)).name
        key = "Tab" if delta > 0 else "Shift+Tab"
        open_here = sum(self._document(item) == doc_id for item in found)
        if not open_here:
            done = f"No suggestions in {name}"
        else:
            # Those left here lie behind: passed over, or added behind the selection since.
            behind = (f"{open_here} earlier {'one is' if open_here == 1 else 'ones are'} still open (Shift+Tab)"
                      if delta > 0 else f"{open_here} later {'one is' if open_here == 1 else 'ones are'} still open (Tab)")
            done = (f"No more suggestions in {name} after this point; " if delta > 0
                    else f"No earlier suggestions in {name}; ") + behind
        again = (", from the first again" if delta > 0 else ", from the last again") if wrapped else ""
        self._stop_text = f"{done} — {key} again for {ahead}{again}"
        self.message.emit(self._stop_text)

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
        if isinstance(item, Relation):
            return f"{item.label} relation"
        return f"{item.label} region on page {self._places[item.id][1]}"

    @staticmethod
    def _split(items: list[Suggestion]) -> tuple[list[Span], list[Region], list[Relation]]:
        return ([i for i in items if isinstance(i, Span)], [i for i in items if isinstance(i, Region)],
                [i for i in items if isinstance(i, Relation)])

    @edits
    def accept_selected(self) -> None:
        item = self.selected()
        if item is None:
            self.message.emit("Select a suggestion to accept (Tab goes to the next)")
            return
        what, here = self._describe(item), self._place(item)
        spans, regions, relations = self._split([item])
        self.stack.push(AcceptSuggestions(self.session, spans, self._err, regions=regions, relations=relations))
        self._after(f"Accepted {what}", here)

    @edits
    def reject_selected(self) -> None:
        item = self.selected()
        if item is None:
            self.message.emit("Select a suggestion to reject (Tab goes to the next)")
            return
        what, here = self._describe(item), self._place(item)
        self.selection.set_annotation(None)
        spans, regions, relations = self._split([item])
        self.stack.push(RejectSuggestions(self.session, spans, self._err, regions=regions, relations=relations))
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
        if count:
            self._after(f"Accepted all {count} {item.label} suggestion{'s' if count != 1 else ''}", here)

    def _place(self, item: Suggestion) -> Position:
        if isinstance(item, Region):
            doc_id, number = self._places[item.id]
            return (doc_id, 1, number, -1, item.id)
        if isinstance(item, Relation):
            # Listed after the document's spans and regions in the order left() gives them (by id):
            # a place by page would not follow that order, and a step from it would pass some by.
            return (item.document_id, 2, 0, -1, item.id)
        p1, i1, _, _ = self.session.extent(item)
        return (item.document_id, 0, p1, i1, item.id)

    def _after(self, done: str, here: Position | None) -> None:
        """Say what was done and select the next suggestion (after `here`, the reviewed one's place)."""
        left = self.left()
        if not left:
            self.selection.set_annotation(None)
            self.message.emit(f"{done}; no suggestions left to review")
            return
        count = f"{len(left)} suggestion{'s' if len(left) != 1 else ''} left"
        if self.step(1, here, left) is None:  # the end of the document: say where the rest are
            self.message.emit(f"{done}; {self._stop_text[0].lower()}{self._stop_text[1:]} ({count})")
            return
        self.message.emit(f"{done}; {count}")

    @edits
    def accept_all(self, label: str | None = None, source: str | None = None) -> int:
        """Every suggestion of a label, or from a source, accepted in one undo step; asked first when
        some are not on the page shown. Returns how many were accepted."""
        items = self.left(label=label, source=source)
        if not items:
            self.message.emit("No such suggestions left")
            return 0
        what = f"{label}" if label else f"from {source or 'an import'}"
        elsewhere = sum(not self._on_page(item) for item in items)
        if elsewhere:
            plural = "s" if len(items) != 1 else ""
            question = (f"Accept all {len(items)} {what} suggestion{plural}?\n\n"
                        f"{self._where([self._document(item) for item in items])}.\n"
                        f"{elsewhere} of them {'is' if elsewhere == 1 else 'are'} not on the page shown.")
            if not self.confirm(f"Accept all {what} suggestions", question):
                self.message.emit("Nothing accepted")
                return 0
        spans, regions, relations = self._split(items)
        if not spans:
            self._read((regions or relations)[0])  # so that undo can go to its page
        text = f"Accept all {len(items)} {what} suggestion{'s' if len(items) != 1 else ''}"
        self.stack.push(AcceptSuggestions(self.session, spans, self._err, text, regions=regions, relations=relations))
        self.message.emit(f"Accepted {len(items)} {what} suggestion{'s' if len(items) != 1 else ''}")
        return len(items)

    def _on_page(self, item: Suggestion) -> bool:
        """Whether part of a suggestion is on the page shown."""
        page = self.selection.page
        if page is None:
            return False
        if isinstance(item, Relation):
            if item.document_id != page[0]:
                return False  # not read: accepting all of a label would read every document's annotations
            self._read(item)
            return annotation_on(self.session, _ref(item), page)
        where = self._place(item)
        if isinstance(item, Region):
            return (where[0], where[2]) == page
        _, _, last, _ = self.session.extent(item)
        return where[0] == page[0] and where[2] <= page[1] <= last

    def _where(self, doc_ids: list[int]) -> str:
        """Which documents, with how many in each: "In 2 documents: a.pdf (4), b.pdf (1)"."""
        counts: dict[int, int] = {}
        for doc_id in doc_ids:
            counts[doc_id] = counts.get(doc_id, 0) + 1
        order = [d.id for d in self.session.documents()]
        ids = sorted(counts, key=lambda d: order.index(d) if d in order else len(order))
        named = [f"{self.session.document(d).name} ({counts[d]})" for d in ids[:8]]
        if len(ids) > 8:
            named.append(f"and {len(ids) - 8} more")
        return f"In {len(ids)} document{'s' if len(ids) != 1 else ''}: {', '.join(named)}"

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
        ref = shown_annotation(self.session, self.selection)
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
        if accept and not self._confirm_occurrences(plan, text, span.label):
            self.message.emit(f"No other occurrence of “{text}” was tagged")
            return 0
        command = TagOccurrences(self.session, plan, span.label, accept, self._err)
        self.stack.push(command)
        self.offered.emit(span.id, text, span.label, 0)
        done = len(command.spans)
        as_what = f"tagged as {span.label}" if accept else f"suggested as {span.label} (Tab to review them)"
        self.message.emit(f"{done} more occurrence{'s' if done != 1 else ''} of “{text}” {as_what}")
        return done

    def _confirm_occurrences(self, plan: list[NewSuggestion], text: str, label: str) -> bool:
        """Tagging occurrences (accepted at once) that are not all on the page shown is asked first."""
        page = self.selection.page
        shown = self.session.page_data(self.session.page(*page)).position if page is not None else {}
        elsewhere = sum(not (page is not None and item.document_id == page[0] and item.first_word_id in shown)
                        for item in plan)
        if not elsewhere:
            return True
        plural = "s" if len(plan) != 1 else ""
        question = (f"Tag {len(plan)} more occurrence{plural} of “{text}” as {label}?\n\n"
                    f"{self._where([item.document_id for item in plan])}.\n"
                    f"{elsewhere} of them {'is' if elsewhere == 1 else 'are'} not on the page shown.")
        return self.confirm(f"Tag all occurrences as {label}", question)
