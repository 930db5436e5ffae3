"""Undo commands of adjudication: keeping one analyst's version of a disagreement (spans, regions or relations), both, or neither."""

from __future__ import annotations

from annotations.records import Region, Relation, Span
from annotations.team.adjudication import Disagreement
from annotations.team.region_adjudication import RegionDisagreement
from annotations.team.relation_adjudication import RelationDisagreement
from app.editing.commands import Command, ErrorSink
from app.project.session import ProjectSession

DECISIONS = {"a": "Keep {a}'s version", "b": "Keep {b}'s version", "both": "Keep both versions",
             "neither": "Keep neither version"}


class KeepVersion(Command):
    """The kept spans copied into the adjudicated layer and the decision recorded; undo takes both back."""

    def __init__(self, session: ProjectSession, stretch: Disagreement, a: str, b: str, decision: str,
                 on_error: ErrorSink) -> None:
        super().__init__(session, DECISIONS[decision].format(a=a, b=b), on_error)
        self.stretch, self.a, self.b, self.decision = stretch, a, b, decision
        self.kept: list[Span] = []
        first = (stretch.a + stretch.b)[0]
        self.place = (stretch.document_id, session.extent(first)[0])
        self.target = ("span", first.id)

    def apply(self) -> None:
        self.kept = self.session.keep(self.stretch, self.a, self.b, self.decision)
        if self.kept:
            self.target = ("span", self.kept[0].id)

    def revert(self) -> None:
        self.session.unsettle(self.stretch, self.a, self.b, [s.id for s in self.kept])
        self.kept = []
        first = (self.stretch.a + self.stretch.b)[0]
        self.target = ("span", first.id)


class KeepRegions(Command):
    """The kept regions copied into the adjudicated layer and the decision recorded; undo takes both back."""

    def __init__(self, session: ProjectSession, group: RegionDisagreement, a: str, b: str, decision: str,
                 on_error: ErrorSink) -> None:
        super().__init__(session, DECISIONS[decision].format(a=a, b=b), on_error)
        self.group, self.a, self.b, self.decision = group, a, b, decision
        self.kept: list[Region] = []
        self.place = (group.document_id, session.page_by_id(group.document_id, group.page_id).number)
        self.target = ("region", (group.a + group.b)[0].id)

    def apply(self) -> None:
        self.kept = self.session.keep_regions(self.group, self.a, self.b, self.decision)
        if self.kept:
            self.target = ("region", self.kept[0].id)

    def revert(self) -> None:
        self.session.unsettle_regions(self.group, self.a, self.b, [g.id for g in self.kept])
        self.kept = []
        self.target = ("region", (self.group.a + self.group.b)[0].id)


class KeepRelations(Command):
    """The kept relations copied into the adjudicated layer, between their ends' adjudicated copies, and
    the decision recorded; undo takes both back."""

    def __init__(self, session: ProjectSession, group: RelationDisagreement, a: str, b: str, decision: str,
                 on_error: ErrorSink) -> None:
        super().__init__(session, DECISIONS[decision].format(a=a, b=b), on_error)
        self.group, self.a, self.b, self.decision = group, a, b, decision
        self.kept: list[Relation] = []
        self.place = (group.document_id, None)
        self.target = (group.a + group.b)[0].from_end

    def apply(self) -> None:
        self.kept = self.session.keep_relations(self.group, self.a, self.b, self.decision)

    def revert(self) -> None:
        self.session.unsettle_relations(self.group, self.a, self.b, [r.id for r in self.kept])
        self.kept = []
