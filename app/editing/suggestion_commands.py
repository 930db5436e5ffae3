"""Undo commands of suggestion review: accept, reject, and tagging every occurrence of a span."""

from __future__ import annotations

from collections.abc import Sequence

from annotations.records import Region, Relation, Span
from annotations.store.suggestions import NewSuggestion
from app.editing.commands import Command, ErrorSink
from app.editing.selection import AnnotationRef
from app.editing.shown import annotation_pages
from app.project.session import ProjectSession


def _many(items: Sequence[Span | Region | Relation], one: str) -> str:
    if len(items) == 1:
        kind = ("region suggestion" if isinstance(items[0], Region)
                else "relation suggestion" if isinstance(items[0], Relation) else "suggestion")
        return f"{one} {items[0].label} {kind}"
    labels = sorted({s.label for s in items})
    return f"{one} {len(items)} {' and '.join(labels)} suggestions"


def _where(session: ProjectSession, spans: list[Span], regions: list[Region],
           relations: Sequence[Relation] = ()) -> tuple[tuple[int, int | None], tuple[str, int]]:
    """The page and the annotation an undo step goes to: the first span, else the first region, else
    the first relation (on the page its arrow starts)."""
    if spans:
        return (spans[0].document_id, session.extent(spans[0])[0]), ("span", spans[0].id)
    if regions:
        page = session.region_page(regions[0])
        return (page.document_id, page.number), ("region", regions[0].id)
    start = annotation_pages(session, AnnotationRef(*relations[0].from_end))
    return (relations[0].document_id, start[1] if start else None), ("relation", relations[0].id)


class AcceptSuggestions(Command):
    """Suggested spans, regions and relations (between accepted ends) become accepted; undo makes them
    suggestions again (same ids)."""

    def __init__(self, session: ProjectSession, spans: list[Span], on_error: ErrorSink, text: str = "",
                 regions: list[Region] | None = None, relations: list[Relation] | None = None) -> None:
        regions, relations = regions or [], relations or []
        items: list[Span | Region | Relation] = [*spans, *regions, *relations]
        super().__init__(session, text or _many(items, "Accept"), on_error)
        self.ids = [s.id for s in spans]
        self.region_ids = [g.id for g in regions]
        self.relation_ids = [r.id for r in relations]
        # Accepting makes them this analyst's; undo gives back whose they were.
        self.before = {s.id: s.annotator for s in spans}
        self.regions_before = {g.id: g.annotator for g in regions}
        self.relations_before = {r.id: r.annotator for r in relations}
        self.place, self.target = _where(session, spans, regions, relations)

    def apply(self) -> None:
        if self.ids:
            self.session.accept_suggestions(self.ids)
        if self.region_ids:
            self.session.accept_region_suggestions(self.region_ids)
        if self.relation_ids:
            self.session.accept_relations(self.relation_ids)

    def revert(self) -> None:
        if self.relation_ids:
            self.session.unaccept_relations(self.relation_ids, self.relations_before)
        if self.ids:
            self.session.unaccept(self.ids, self.before)
        if self.region_ids:
            self.session.unaccept_regions(self.region_ids, self.regions_before)


class RejectSuggestions(Command):
    """Suggestions removed and remembered as rejected; undo brings them back under their ids."""

    def __init__(self, session: ProjectSession, spans: list[Span], on_error: ErrorSink,
                 regions: list[Region] | None = None, relations: list[Relation] | None = None) -> None:
        regions, relations = regions or [], relations or []
        items: list[Span | Region | Relation] = [*spans, *regions, *relations]
        super().__init__(session, _many(items, "Reject"), on_error)
        self.ids = [s.id for s in spans]
        self.region_ids = [g.id for g in regions]
        self.relation_ids = [r.id for r in relations]
        self.spans = spans
        self.regions = regions
        self.relations = relations
        self.place, self.target = _where(session, spans, regions, relations)

    def apply(self) -> None:
        if self.relation_ids:
            self.relations = self.session.reject_relations(self.relation_ids)
        if self.ids:
            self.spans = self.session.reject_suggestions(self.ids)
        if self.region_ids:
            self.regions = self.session.reject_region_suggestions(self.region_ids)

    def revert(self) -> None:
        if self.ids:
            self.session.restore_rejected(self.spans)
        if self.region_ids:
            self.session.restore_rejected_regions(self.regions)
        if self.relation_ids:
            self.session.restore_rejected_relations(self.relations)


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
