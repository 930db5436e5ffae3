"""Turns what the analyst asks for (a label key, Delete, a note, a corrected word, a drawn box)
into undo commands on the window's one stack. Holds no state of its own besides the stack."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotations.records import Box, Page, Relation
from app.editing import commands
from app.editing.selection import AnnotationRef, Selection, anchor
from app.editing.shown import annotation_pages, find_annotation, shown_annotation, shown_ranges
from app.editing.suggestion_commands import AcceptSuggestions
from app.project.session import ProjectSession

F = TypeVar("F", bound=Callable[..., Any])


def edits(method: F) -> F:
    """An editing request: refused with a status-bar message when the project is read-only here."""

    @functools.wraps(method)
    def guarded(self: Editor, *args: Any, **kwargs: Any) -> Any:
        if self.session.read_only:
            self.message.emit(f"This project is read-only ({self.session.read_only}); nothing can be changed")
            return None
        return method(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]


class Editor(QObject):
    message = Signal(str)  # for the status bar
    error = Signal(str)  # for a message box: the core refused an edit
    tagged = Signal(int)  # the id of a span just tagged (its other occurrences may be offered)

    def __init__(self, session: ProjectSession, selection: Selection, stack: QUndoStack,
                 current_label: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.stack = stack
        self.current_label = current_label

    def _push(self, command: commands.Command) -> bool:
        """Push an edit; whether it is done now (False also when it waits for a busy project)."""
        waiting = self.session.writes.pending()
        self.stack.push(command)
        if self.session.writes.pending() > waiting:
            # Queued, not stored: saying "Deleted" now would tell of an edit the file and the
            # views do not have yet (they follow once it is stored).
            self.message.emit(f"The project is busy; “{command.text()}” is done as soon as it frees")
            return False
        return command.done_once if hasattr(command, "done_once") else True

    def _err(self, text: str) -> None:
        self.error.emit(text)

    # -- labels -----------------------------------------------------------------------------------

    @edits
    def apply_label(self, name: str) -> None:
        """Tag the selected words, or relabel the selected annotation, when they are on the page shown."""
        ref = shown_annotation(self.session, self.selection)
        label = self.session.label(name)
        if label is not None and label.is_relation and (ref is None or ref.kind != "relation"):
            self.message.emit(f"{name} links two annotations: select one, press K, click or Tab to the other, "
                              f"then press {name}'s key")
        elif shown_ranges(self.selection):
            self.tag(name)
        elif ref is not None:
            self.relabel(ref, name)
        elif self.selection.range is not None:
            page = self.selection.range.start[0]
            self.message.emit(f"The selected words are on page {page}, not on this one: Shift+click a word here to "
                              f"take the selection on to this page, or go back to page {page} to tag them")
        else:
            self.message.emit(f"Nothing selected on this page: {name} is now the current label (for the next "
                              "region); select words or an annotation to tag")

    def tag(self, name: str) -> int | None:
        """One span per selected run of words (a selection made by geometry may have several)."""
        ranges = self.selection.ranges
        if not ranges:
            return None
        doc_id = ranges[0].doc_id
        found = [a for a in (anchor(r, self.session.pages(doc_id), self.session.page_data) for r in ranges) if a]
        if not found:
            self.message.emit("The selection covers no word")
            return None
        if len(found) > 1:
            self.stack.beginMacro(f"Tag {len(found)} runs as {name}")
        made = []
        for a in found:
            command = commands.AddSpan(self.session, doc_id, name, a.first_word_id, a.last_word_id, a.head, a.tail, self._err)
            self.stack.push(command)
            made.append(command)
        if len(found) > 1:
            self.stack.endMacro()
        ids = [c.span_id for c in made if c.span_id is not None]
        if not ids:
            if any(c.done_once for c in made):  # waiting for a busy project: stored (and shown) when it frees
                self.message.emit(f"The project is busy; the {name} tag is stored as soon as it frees")
            return None
        spans = self.session.spans(doc_id)
        # The new span becomes the selection, so the next label key relabels it (fixing a mis-key).
        self.selection.set_annotation(AnnotationRef("span", ids[0]))
        texts = " + ".join(repr(self.session.span_text(spans[i])) for i in ids)
        more = " (as separate spans: the OCR reads other words between them)" if len(ids) > 1 else ""
        self.message.emit(f"Tagged {texts} as {name}{more}")
        self.tagged.emit(ids[0])
        return ids[0]

    def what(self, ref: AnnotationRef) -> str:
        """How messages name an annotation ("Sender span “Mr Joh…”", "signature region")."""
        return self._what(ref)

    def _what(self, ref: AnnotationRef) -> str:
        """How a message names an annotation: its label, kind and (for a span) its text."""
        if ref.kind == "relation":
            relation = self.session.find_relation(ref.id)
            if relation is None:
                return "relation"
            ends = " → ".join(self._what(AnnotationRef(*end)) for end in (relation.from_end, relation.to_end))
            return f"{relation.label} relation {ends}"
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is None:
                return "span"
            text = self.session.span_text(span)
            return f"{span.label} span “{text if len(text) <= 40 else text[:39] + '…'}”"
        region = self.session.find_region(ref.id)
        return f"{region.label} region" if region is not None else "region"

    def relation_place(self, end: tuple[str, int]) -> tuple[int, int] | None:
        """(document id, page number) where a relation from this end is drawn from."""
        where = annotation_pages(self.session, AnnotationRef(*end))
        return (where[0], where[1]) if where is not None else None

    @edits
    def link(self, label: str, from_ref: AnnotationRef, to_ref: AnnotationRef) -> int | None:
        """Make a relation from one annotation to another; its id (None when refused or waiting)."""
        place = self.relation_place((from_ref.kind, from_ref.id))
        if place is None:
            return None
        what = f"{self._what(from_ref)} → {self._what(to_ref)}"
        command = commands.AddRelation(self.session, label, (from_ref.kind, from_ref.id), (to_ref.kind, to_ref.id),
                                       place, self._err)
        if self._push(command) and command.relation_id is not None:
            self.message.emit(f"Linked {what} as {label}")
        return command.relation_id

    def _relabel_relation(self, ref: AnnotationRef, name: str) -> None:
        relation = self.session.find_relation(ref.id)
        place = self.relation_place(relation.from_end) if relation is not None else None
        label = self.session.label(name)
        if relation is None or place is None:
            return
        if label is None or not label.is_relation:
            self.message.emit(f"{name} tags spans and regions; a relation takes a relation label")
        elif relation.label == name:
            self.message.emit(f"The {self._what(ref)} is already {name}")
        elif self._push(commands.UpdateRelation(self.session, relation, place, self._err, label=name)):
            self.message.emit(f"Relabelled the relation as {name}")

    @edits
    def relabel(self, ref: AnnotationRef, name: str) -> None:
        what = self._what(ref)
        if ref.kind == "relation":
            self._relabel_relation(ref, name)
        elif ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is not None and span.suggested:
                # A label key on a suggestion is the analyst's decision: this, with that label.
                self.stack.beginMacro(f"Accept {span.label} suggestion as {name}")
                if span.label != name:
                    self.stack.push(commands.UpdateSpan(self.session, span, self._err, label=name))
                self.stack.push(AcceptSuggestions(self.session, [span], self._err))
                self.stack.endMacro()
                self._said(ref, f"Accepted suggested {what}" + (f" as {name}" if span.label != name else ""))
            elif span is not None and span.label != name:
                if self._push(commands.UpdateSpan(self.session, span, self._err, label=name)):
                    self.message.emit(f"Relabelled {what} as {name}")
            elif span is not None:
                self.message.emit(f"The {what} is already {name}")
        else:
            region = self.session.find_region(ref.id)
            if region is not None and region.suggested:
                self.stack.beginMacro(f"Accept {region.label} region suggestion as {name}")
                if region.label != name:
                    self.stack.push(commands.UpdateRegion(self.session, region, self._err, label=name))
                self.stack.push(AcceptSuggestions(self.session, [], self._err, regions=[region]))
                self.stack.endMacro()
                self._said(ref, f"Accepted suggested {what}" + (f" as {name}" if region.label != name else ""))
            elif region is not None and region.label != name:
                if self._push(commands.UpdateRegion(self.session, region, self._err, label=name)):
                    self.message.emit(f"Relabelled {what} as {name}")
            elif region is not None:
                self.message.emit(f"The {what} is already {name}")

    def _said(self, ref: AnnotationRef, text: str) -> None:
        """Say what a macro did, if it did it (a refused step leaves the suggestion a suggestion)."""
        item = self.session.find_span(ref.id) if ref.kind == "span" else self.session.find_region(ref.id)
        if item is not None and not item.suggested:
            self.message.emit(text)

    # -- annotations ------------------------------------------------------------------------------

    @edits
    def delete(self, ref: AnnotationRef) -> None:
        what = self._what(ref)
        done = False
        links: list[Relation] = []
        if ref.kind == "relation":
            relation = self.session.find_relation(ref.id)
            place = self.relation_place(relation.from_end) if relation is not None else None
            if relation is not None and place is not None:
                self.selection.set_annotation(None)
                done = self._push(commands.DeleteRelation(self.session, relation, place, self._err))
        elif ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is not None:
                self.selection.set_annotation(None)
                span_command = commands.DeleteSpan(self.session, span, self._err)
                done, links = self._push(span_command), span_command.relations
        else:
            region = self.session.find_region(ref.id)
            if region is not None:
                self.selection.set_annotation(None)
                region_command = commands.DeleteRegion(self.session, region, self.session.region_page(region), self._err)
                done, links = self._push(region_command), region_command.relations
        if done:
            # Its links go with it (and come back with an undo): said, so that none goes unnoticed.
            gone = f", and its {len(links)} link{'s' if len(links) != 1 else ''}" if links else ""
            self.message.emit(f"Deleted {what}{gone}")

    @edits
    def set_note(self, ref: AnnotationRef, note: str) -> None:
        if ref.kind == "relation":
            relation = self.session.find_relation(ref.id)
            place = self.relation_place(relation.from_end) if relation is not None else None
            if relation is not None and place is not None and relation.note != note:
                self.stack.push(commands.UpdateRelation(self.session, relation, place, self._err, note=note))
        elif ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is not None and span.note != note:
                self.stack.push(commands.UpdateSpan(self.session, span, self._err, note=note))
        else:
            region = self.session.find_region(ref.id)
            if region is not None and region.note != note:
                self.stack.push(commands.UpdateRegion(self.session, region, self._err, note=note))

    def note_of(self, ref: AnnotationRef) -> str:
        item = find_annotation(self.session, ref)
        return item.note if item is not None else ""

    @edits
    def draw_region(self, page: Page, box: Box) -> int | None:
        label = self.current_label()
        if not label:
            self.message.emit("Add a label first")
            return None
        found = self.session.label(label)
        if found is not None and found.is_relation:
            self.message.emit(f"{label} links annotations and cannot tag a region: choose a span label first")
            return None
        command = commands.AddRegion(self.session, page, label, box, self._err)
        self.stack.push(command)
        if command.region_id is not None:
            self.selection.set_annotation(AnnotationRef("region", command.region_id))
            self.message.emit(f"Drew a region labelled {label}; press a label key to relabel it")
        return command.region_id

    @edits
    def move_region(self, region_id: int, box: Box) -> None:
        region = self.session.find_region(region_id)
        if region is not None:
            self.stack.push(commands.UpdateRegion(self.session, region, self._err, box=box))

    # -- words and documents ------------------------------------------------------------------------

    @edits
    def correct_word(self, word_id: int, old: str, new: str) -> None:
        self.selection.set_range(None, "edit")  # character offsets on the page change
        if self._push(commands.CorrectWord(self.session, word_id, old, new, self._err)):
            self.message.emit(f"Corrected “{old}” to “{new}” (the OCR's reading is kept; Ctrl+Z undoes)")

    @edits
    def set_status(self, doc_id: int, status: str) -> None:
        old = self.session.document(doc_id).status
        if old != status:
            self.stack.push(commands.SetStatus(self.session, doc_id, old, status, self._err))
