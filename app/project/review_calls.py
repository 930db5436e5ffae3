"""The open project's suggestion and adjudication calls, which `ProjectSession` takes in: each reads or
writes through the project, and a write is followed by `sync()` so that the window shows it at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from annotations.assist.letter_parts import keep_on_import, kept_on_import
from annotations.assist.suggest import plan_hits, propagation_hits
from annotations.records import Region, Relation, Span
from annotations.store import Project
from annotations.store.server import ProjectProcess
from annotations.store.suggestions import NewSuggestion
from annotations.team.adjudication import Disagreement, adopt_agreed, keep, open_disagreements
from annotations.team.region_adjudication import (
    RegionDisagreement,
    adopt_agreed_regions,
    keep_regions,
    open_region_disagreements,
)
from annotations.team.relation_adjudication import (
    RelationDisagreement,
    adopt_agreed_relations,
    keep_relations,
    open_relation_disagreements,
)


class _Calls:
    project: ProjectProcess | Project
    annotator: str

    if TYPE_CHECKING:

        def sync(self) -> None: ...


class SuggestionCalls(_Calls):
    """Review of suggested spans, regions and relations, propagation, and letter parts on import."""

    def suggestion_counts(self) -> dict[int, int]:
        """Suggestions left to review, per document id."""
        return self.project.suggestion_counts()

    def suggestions(self, doc_ids: list[int] | None = None, labels: list[str] | None = None,
                    sources: list[str] | None = None) -> list[Span]:
        """Suggestions not yet reviewed, by document, page and position."""
        return self.project.suggestions(doc_ids=doc_ids, labels=labels, sources=sources)

    def accept_suggestions(self, span_ids: list[int]) -> list[Span]:
        """Accepted suggestions become this analyst's spans."""
        spans = self.project.accept_suggestions(span_ids, annotator=self.annotator)
        self.sync()
        return spans

    def unaccept(self, span_ids: list[int], annotators: dict[int, str] | None = None) -> None:
        """Make spans suggestions again, each back with the annotator it had (`annotators`; none: "")."""
        self.project.unaccept_spans(span_ids, annotators or {})
        self.sync()

    def reject_suggestions(self, span_ids: list[int]) -> list[Span]:
        """Remove suggestions, remembered as rejected; returns them so an undo can restore them."""
        spans = self.project.reject_suggestions(span_ids)
        self.sync()
        return spans

    def restore_rejected(self, spans: list[Span]) -> None:
        self.project.restore_rejected_spans(spans)
        self.sync()

    def region_suggestions(self, doc_ids: list[int] | None = None, labels: list[str] | None = None,
                           sources: list[str] | None = None) -> list[tuple[Region, int, int]]:
        """Suggested regions not yet reviewed, with their document id and page number, by document, page and id."""
        return self.project.region_suggestions(doc_ids=doc_ids, labels=labels, sources=sources)

    def accept_region_suggestions(self, region_ids: list[int]) -> list[Region]:
        """Accepted suggested regions become this analyst's regions."""
        regions = self.project.accept_region_suggestions(region_ids, annotator=self.annotator)
        self.sync()
        return regions

    def unaccept_regions(self, region_ids: list[int], annotators: dict[int, str] | None = None) -> None:
        """Make regions suggestions again, each back with the annotator it had."""
        self.project.unaccept_regions(region_ids, annotators or {})
        self.sync()

    def reject_region_suggestions(self, region_ids: list[int]) -> list[Region]:
        """Remove suggested regions, remembered as rejected; returns them so an undo can restore them."""
        regions = self.project.reject_region_suggestions(region_ids)
        self.sync()
        return regions

    def restore_rejected_regions(self, regions: list[Region]) -> None:
        self.project.restore_rejected_regions(regions)
        self.sync()

    def relations_to_review(self, labels: list[str] | None = None, sources: list[str] | None = None) -> list[Relation]:
        """Suggested relations between accepted ends (reviewed by themselves), by document and id."""
        return self.project.relations_to_review(labels=labels, sources=sources)

    def accept_relations(self, relation_ids: list[int]) -> list[Relation]:
        """Accepted suggested relations become this analyst's."""
        relations = self.project.accept_relations(relation_ids, annotator=self.annotator)
        self.sync()
        return relations

    def unaccept_relations(self, relation_ids: list[int], annotators: dict[int, str]) -> None:
        """Make relations suggestions again, each back with the annotator it had."""
        self.project.unaccept_relations(relation_ids, annotators)
        self.sync()

    def reject_relations(self, relation_ids: list[int]) -> list[Relation]:
        """Remove suggested relations, remembered as rejected; returns them so an undo can restore them."""
        relations = self.project.reject_relations(relation_ids)
        self.sync()
        return relations

    def restore_rejected_relations(self, relations: list[Relation]) -> None:
        if relations:
            self.project.restore_rejected_relations(relations)
            self.sync()

    def plan_propagation(self, span_id: int) -> list[NewSuggestion]:
        """The other occurrences of a span's text across the project (fuzzy) that are not tagged
        with its label yet: what "Tag all occurrences" would add, counted before anything is stored."""
        project = cast(Project, self.project)  # a ProjectProcess serves the same reads
        plan, _covered = plan_hits(project, propagation_hits(project, span_id))
        return plan

    def add_suggestions(self, plan: list[NewSuggestion]) -> list[int]:
        added = self.project.add_suggestions(plan).added
        self.sync()
        return list(added)

    def letter_parts_on_import(self) -> bool:
        """Whether documents imported into the project get letter-part suggestions (as the file says now)."""
        return kept_on_import(cast(Project, self.project))

    def set_letter_parts_on_import(self, on: bool) -> None:
        """Keep letter parts on for every later import (adding the letter labels), or stop."""
        keep_on_import(cast(Project, self.project), on)  # a ProjectProcess serves the same calls
        self.sync()


class AdjudicationCalls(_Calls):
    """Two analysts' disagreements, read and settled in the adjudicated layer."""

    def annotators(self) -> list[str]:
        """Everyone who made a span or region in the project, by name."""
        return self.project.annotators()

    def open_disagreements(self, doc_id: int, a: str, b: str) -> list[Disagreement]:
        """Where a and b differ in a document and nobody has settled it yet, in reading order."""
        return self.project.run_reading(open_disagreements, doc_id, a, b)

    def open_region_disagreements(self, doc_id: int, a: str, b: str) -> list[RegionDisagreement]:
        """Where a's and b's regions differ in a document and nobody has settled it yet, page by page."""
        return self.project.run_reading(open_region_disagreements, doc_id, a, b)

    def open_relation_disagreements(self, doc_id: int, a: str, b: str) -> list[RelationDisagreement]:
        """Where a's and b's relations differ in a document and nobody has settled it yet."""
        return self.project.run_reading(open_relation_disagreements, doc_id, a, b)

    def adopt_agreed(self, doc_id: int, a: str, b: str) -> tuple[int, int, int]:
        """What a and b marked alike, into the adjudicated layer (no undo: nothing was decided);
        how many stretches of spans, groups of regions and pairs of linked annotations."""
        spans = self.project.run(adopt_agreed, doc_id, a, b, self.annotator)
        regions = self.project.run(adopt_agreed_regions, doc_id, a, b, self.annotator)
        # After the spans and regions: a relation is adopted only once both its ends are.
        relations = self.project.run(adopt_agreed_relations, doc_id, a, b, self.annotator)
        self.sync()
        return spans, regions, relations

    def keep(self, stretch: Disagreement, a: str, b: str, decision: str) -> list[Span]:
        """Settle a disagreement: "a", "b", "both" or "neither"; returns the adjudicated spans made."""
        spans = self.project.run(keep, stretch, a, b, decision, self.annotator)
        self.sync()
        return spans

    def unsettle(self, stretch: Disagreement, a: str, b: str, span_ids: list[int]) -> None:
        self.project.unsettle(stretch.document_id, a, b, stretch.extent, span_ids)
        self.sync()

    def keep_regions(self, group: RegionDisagreement, a: str, b: str, decision: str) -> list[Region]:
        """Settle a disagreement of regions: "a", "b", "both" or "neither"; returns the adjudicated regions made."""
        regions = self.project.run(keep_regions, group, a, b, decision, self.annotator)
        self.sync()
        return regions

    def unsettle_regions(self, group: RegionDisagreement, a: str, b: str, region_ids: list[int]) -> None:
        self.project.unsettle_regions(group, a, b, region_ids)
        self.sync()

    def keep_relations(self, group: RelationDisagreement, a: str, b: str, decision: str) -> list[Relation]:
        """Settle a disagreement of relations: "a", "b", "both" or "neither"; returns the adjudicated relations made."""
        relations = self.project.run(keep_relations, group, a, b, decision, self.annotator)
        self.sync()
        return relations

    def relations_unplaced(self, relations: Sequence[Relation]) -> list[tuple[str, int]]:
        """The ends of these relations that have no copy in the adjudicated layer (so cannot be kept)."""
        return [(str(kind), int(ident)) for kind, ident in self.project.relations_unplaced(list(relations))]

    def unsettle_relations(self, group: RelationDisagreement, a: str, b: str, relation_ids: list[int]) -> None:
        self.project.unsettle_relations(group, a, b, relation_ids)
        self.sync()
