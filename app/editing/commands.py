"""Every edit as a QUndoCommand on the window's one QUndoStack.

Each command calls the session (which calls the core, one transaction, then emits what changed);
no command touches a view. A command whose first redo() fails is marked obsolete, so the stack
drops it, and the error goes to `on_error` for the window to show. A project kept busy by another
process is not a failure: the write waits in the session's WriteQueue and lands when it can.
Undo restores deleted spans and regions under their old ids (ids are never reused, so those rows
are this window's own), so a redo after an undo refers to the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotations.errors import ScanspanError
from annotations.records import Box, Page, Region, Relation, Span
from annotations.store.server import StoreRestarted
from app.project.session import ProjectSession

ErrorSink = Callable[[str], None]


class Command(QUndoCommand):
    """Runs `apply`/`revert`; turns a core error into a message instead of a traceback."""

    def __init__(self, session: ProjectSession, text: str, on_error: ErrorSink) -> None:
        super().__init__(text)
        self.session = session
        self.on_error = on_error
        self.done_once = False
        self.replayed = False  # run again by a redo, not by its push
        self.place: tuple[int, int | None] | None = None  # (document id, page number) it changes
        self.target: tuple[str, int] | None = None  # ("span" | "region" | "word", id) it changes, to scroll to

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        self.replayed = self.done_once
        try:
            self.session.writes.run(self.apply, self.on_error)
        except StoreRestarted:
            # Counted in the one message that tells of the restart (ChangeFollower.on_restarted).
            if not self.done_once:
                self.setObsolete(True)
            return
        except ScanspanError as exc:
            self.on_error(str(exc))
            if not self.done_once:
                self.setObsolete(True)
            return
        self.done_once = True

    def undo(self) -> None:
        try:
            self.session.writes.run(self.revert, self.on_error)
        except StoreRestarted:
            pass
        except ScanspanError as exc:
            self.on_error(str(exc))


class AddSpan(Command):
    def __init__(self, session: ProjectSession, doc_id: int, label: str, first: int, last: int,
                 head: int, tail: int, on_error: ErrorSink) -> None:
        super().__init__(session, f"Tag as {label}", on_error)
        self.args = (doc_id, label, first, last, head, tail)
        self.span_id: int | None = None

    def apply(self) -> None:
        span = self.session.add_span(*self.args, span_id=self.span_id)
        self.span_id = span.id
        self.place = (span.document_id, self.session.extent(span)[0])
        self.target = ("span", span.id)

    def revert(self) -> None:
        assert self.span_id is not None
        self.session.delete_span(self.span_id)


class DeleteSpan(Command):
    """Delete a span; its relations go with it in the project's transaction, and an undo brings both back."""

    def __init__(self, session: ProjectSession, span: Span, on_error: ErrorSink) -> None:
        super().__init__(session, f"Delete {span.label} span", on_error)
        self.span = span
        self.place = (span.document_id, session.extent(span)[0])
        self.target = ("span", span.id)
        self.relations: list[Relation] = []

    def apply(self) -> None:
        self.span = self.session.delete_span(self.span.id)
        self.relations = self.session.relations_removed_with("span", self.span.id)

    def revert(self) -> None:
        self.session.restore_span(self.span)
        self.session.restore_relations(self.relations)


class UpdateSpan(Command):
    """Relabel a span or edit its note."""

    def __init__(self, session: ProjectSession, span: Span, on_error: ErrorSink, *,
                 label: str | None = None, note: str | None = None) -> None:
        text = f"Relabel {span.label} span as {label}" if label is not None else f"Edit note of {span.label} span"
        super().__init__(session, text, on_error)
        self.span_id = span.id
        self.place = (span.document_id, session.extent(span)[0])
        self.target = ("span", span.id)
        self.new = {"label": label, "note": note}
        self.old = {"label": span.label if label is not None else None, "note": span.note if note is not None else None}

    def apply(self) -> None:
        self.session.update_span(self.span_id, **self.new)

    def revert(self) -> None:
        self.session.update_span(self.span_id, **self.old)


class AddRegion(Command):
    def __init__(self, session: ProjectSession, page: Page, label: str, box: Box, on_error: ErrorSink) -> None:
        super().__init__(session, f"Draw {label} region", on_error)
        self.page = page
        self.place = (page.document_id, page.number)
        self.label = label
        self.box = box
        self.region_id: int | None = None

    def apply(self) -> None:
        self.region_id = self.session.add_region(self.page, self.label, self.box, region_id=self.region_id).id
        self.target = ("region", self.region_id)

    def revert(self) -> None:
        assert self.region_id is not None
        self.session.delete_region(self.region_id)


class DeleteRegion(Command):
    """Delete a region; its relations go with it, and an undo brings both back."""

    def __init__(self, session: ProjectSession, region: Region, page: Page, on_error: ErrorSink) -> None:
        super().__init__(session, f"Delete {region.label} region", on_error)
        self.region = region
        self.page = page
        self.place = (page.document_id, page.number)
        self.target = ("region", region.id)
        self.relations: list[Relation] = []

    def apply(self) -> None:
        self.region = self.session.delete_region(self.region.id)
        self.relations = self.session.relations_removed_with("region", self.region.id)

    def revert(self) -> None:
        self.session.restore_region(self.page, self.region)
        self.session.restore_relations(self.relations)


class UpdateRegion(Command):
    """Move or resize a region, relabel it or edit its note: one finished gesture, one command."""

    def __init__(self, session: ProjectSession, region: Region, on_error: ErrorSink, *,
                 box: Box | None = None, label: str | None = None, note: str | None = None) -> None:
        if box is not None:
            # A move shifts both edges by the same amount, which floats need not keep as the same width.
            resized = not (math.isclose(box[2] - box[0], region.box[2] - region.box[0], abs_tol=1e-6)
                           and math.isclose(box[3] - box[1], region.box[3] - region.box[1], abs_tol=1e-6))
            text = f"{'Resize' if resized else 'Move'} {region.label} region"
        else:
            text = f"Relabel {region.label} region as {label}" if label is not None else f"Edit note of {region.label} region"
        super().__init__(session, text, on_error)
        self.region_id = region.id
        page = session.region_page(region)
        self.place = (page.document_id, page.number)
        self.target = ("region", region.id)
        self.new: dict[str, object] = {k: v for k, v in (("box", box), ("label", label), ("note", note)) if v is not None}
        self.old: dict[str, object] = {k: getattr(region, k) for k in self.new}

    def apply(self) -> None:
        self.session.update_region(self.region_id, **self.new)

    def revert(self) -> None:
        self.session.update_region(self.region_id, **self.old)


class AddRelation(Command):
    """Link two annotations of the page shown; a redo after an undo makes the same relation (same id)."""

    def __init__(self, session: ProjectSession, label: str, from_end: tuple[str, int], to_end: tuple[str, int],
                 place: tuple[int, int], on_error: ErrorSink) -> None:
        super().__init__(session, f"Link as {label}", on_error)
        self.args = (label, from_end, to_end)
        self.place = place
        self.relation_id: int | None = None

    def apply(self) -> None:
        relation = self.session.add_relation(*self.args, relation_id=self.relation_id)
        self.relation_id = relation.id
        self.target = ("relation", relation.id)

    def revert(self) -> None:
        assert self.relation_id is not None
        self.session.delete_relation(self.relation_id)


class DeleteRelation(Command):
    def __init__(self, session: ProjectSession, relation: Relation, place: tuple[int, int], on_error: ErrorSink) -> None:
        super().__init__(session, f"Delete {relation.label} relation", on_error)
        self.relation = relation
        self.place = place
        self.target = ("relation", relation.id)

    def apply(self) -> None:
        self.relation = self.session.delete_relation(self.relation.id)

    def revert(self) -> None:
        self.session.restore_relations([self.relation])


class UpdateRelation(Command):
    """Relabel a relation or edit its note."""

    def __init__(self, session: ProjectSession, relation: Relation, place: tuple[int, int], on_error: ErrorSink, *,
                 label: str | None = None, note: str | None = None) -> None:
        text = (f"Relabel {relation.label} relation as {label}" if label is not None
                else f"Edit note of {relation.label} relation")
        super().__init__(session, text, on_error)
        self.relation_id = relation.id
        self.place = place
        self.target = ("relation", relation.id)
        self.new = {"label": label, "note": note}
        self.old = {"label": relation.label if label is not None else None,
                    "note": relation.note if note is not None else None}

    def apply(self) -> None:
        self.session.update_relation(self.relation_id, **self.new)

    def revert(self) -> None:
        self.session.update_relation(self.relation_id, **self.old)


class CorrectWord(Command):
    """An OCR correction; the original OCR text stays in the project, undo restores the previous text."""

    def __init__(self, session: ProjectSession, word_id: int, old: str, new: str, on_error: ErrorSink) -> None:
        super().__init__(session, f"Correct {old!r} to {new!r}", on_error)
        self.word_id = word_id
        page = session.page_of_word(word_id)
        self.place = (page.document_id, page.number) if page is not None else None
        self.target = ("word", word_id)
        self.old = old
        self.new = new

    def apply(self) -> None:
        self.session.correct_word(self.word_id, self.new)

    def revert(self) -> None:
        self.session.correct_word(self.word_id, self.old)


class SetStatus(Command):
    def __init__(self, session: ProjectSession, doc_id: int, old: str, new: str, on_error: ErrorSink) -> None:
        super().__init__(session, f"Mark document {new}", on_error)
        self.doc_id = doc_id
        self.place = (doc_id, None)
        self.old = old
        self.new = new

    def apply(self) -> None:
        self.session.set_status(self.doc_id, self.new)

    def revert(self) -> None:
        self.session.set_status(self.doc_id, self.old)
