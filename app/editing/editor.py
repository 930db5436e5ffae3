"""Turns what the analyst asks for (a label key, Delete, a note, a corrected word, a drawn box)
into undo commands on the window's one stack. Holds no state of its own besides the stack."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotations.model import Box, Page
from app.editing import commands
from app.editing.selection import AnnotationRef, Selection, anchor
from app.editing.shown import shown_annotation, shown_ranges
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
        if shown_ranges(self.selection):
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

    def _what(self, ref: AnnotationRef) -> str:
        """How a message names an annotation: its label, kind and (for a span) its text."""
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is None:
                return "span"
            text = self.session.span_text(span)
            return f"{span.label} span “{text if len(text) <= 40 else text[:39] + '…'}”"
        region = self.session.find_region(ref.id)
        return f"{region.label} region" if region is not None else "region"

    @edits
    def relabel(self, ref: AnnotationRef, name: str) -> None:
        what = self._what(ref)
        if ref.kind == "span":
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
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is not None:
                self.selection.set_annotation(None)
                done = self._push(commands.DeleteSpan(self.session, span, self._err))
        else:
            region = self.session.find_region(ref.id)
            if region is not None:
                self.selection.set_annotation(None)
                done = self._push(commands.DeleteRegion(self.session, region, self.session.region_page(region), self._err))
        if done:
            self.message.emit(f"Deleted {what}")

    @edits
    def set_note(self, ref: AnnotationRef, note: str) -> None:
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is not None and span.note != note:
                self.stack.push(commands.UpdateSpan(self.session, span, self._err, note=note))
        else:
            region = self.session.find_region(ref.id)
            if region is not None and region.note != note:
                self.stack.push(commands.UpdateRegion(self.session, region, self._err, note=note))

    def note_of(self, ref: AnnotationRef) -> str:
        item = self.session.find_span(ref.id) if ref.kind == "span" else self.session.find_region(ref.id)
        return item.note if item is not None else ""

    @edits
    def draw_region(self, page: Page, box: Box) -> int | None:
        label = self.current_label()
        if not label:
            self.message.emit("Add a label first")
            return None
        command = commands.AddRegion(self.session, page, label, box, self._err)
        self.stack.push(command)
        if command.region_id is not None:
            self.selection.set_annotation(AnnotationRef("region", command.region_id))
            self.message.emit(f"Drew a {label} region; press a label key to relabel it")
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
        self.stack.push(commands.CorrectWord(self.session, word_id, old, new, self._err))

    @edits
    def set_status(self, doc_id: int, status: str) -> None:
        old = self.session.document(doc_id).status
        if old != status:
            self.stack.push(commands.SetStatus(self.session, doc_id, old, status, self._err))
