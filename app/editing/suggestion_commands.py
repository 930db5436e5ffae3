"""Undo commands of suggestion review: accept, reject, and tagging every occurrence of a span."""

from __future__ import annotations

from annotations.model import Span
from annotations.store.suggestions import NewSuggestion
from app.editing.commands import Command, ErrorSink
from app.project.session import ProjectSession


def _many(spans: list[Span], one: str) -> str:
    if len(spans) == 1:
        return f"{one} {spans[0].label} suggestion"
    labels = sorted({s.label for s in spans})
    return f"{one} {len(spans)} {' and '.join(labels)} suggestions"


class AcceptSuggestions(Command):
    """Suggestions become accepted spans; undo makes them suggestions again (same ids)."""

    def __init__(self, session: ProjectSession, spans: list[Span], on_error: ErrorSink, text: str = "") -> None:
        super().__init__(session, text or _many(spans, "Accept"), on_error)
        self.ids = [s.id for s in spans]
        self.before = {s.id: s.annotator for s in spans}  # accepting makes them this analyst's
        self.place = (spans[0].document_id, session.extent(spans[0])[0])
        self.target = ("span", spans[0].id)

    def apply(self) -> None:
        self.session.accept_suggestions(self.ids)

    def revert(self) -> None:
        self.session.unaccept(self.ids, self.before)


class RejectSuggestions(Command):
    """Suggestions removed and remembered as rejected; undo brings them back under their ids."""

    def __init__(self, session: ProjectSession, spans: list[Span], on_error: ErrorSink) -> None:
        super().__init__(session, _many(spans, "Reject"), on_error)
        self.ids = [s.id for s in spans]
        self.spans = spans
        self.place = (spans[0].document_id, session.extent(spans[0])[0])
        self.target = ("span", spans[0].id)

    def apply(self) -> None:
        self.spans = self.session.reject_suggestions(self.ids)

    def revert(self) -> None:
        self.session.restore_rejected(self.spans)


class TagOccurrences(Command):
    """The other occurrences of a span, stored as suggestions (or accepted at once): one undo step."""

    def __init__(self, session: ProjectSession, plan: list[NewSuggestion], label: str, accept: bool,
                 on_error: ErrorSink) -> None:
        verb = "Tag" if accept else "Suggest"
        super().__init__(session, f"{verb} {len(plan)} more occurrence{'s' if len(plan) != 1 else ''} as {label}",
                         on_error)
        self.plan = plan
        self.accept = accept
        self.spans: list[Span] = []  # what the first run stored, for undo and redo

    def apply(self) -> None:
        if self.spans:  # a redo: the same rows back under the same ids
            for span in self.spans:
                self.session.restore_span(span)
            return
        ids = self.session.add_suggestions(self.plan)
        if self.accept and ids:
            self.session.accept_suggestions(ids)
        found = [self.session.find_span(i) for i in ids]
        self.spans = [s for s in found if s is not None]
        if self.spans:
            first = self.spans[0]
            self.place = (first.document_id, self.session.extent(first)[0])

    def revert(self) -> None:
        for span in self.spans:
            self.session.delete_span(span.id)
