"""The window's walk through two analysts' disagreements in the current document, one decision at a time."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from annotations.errors import ScanspanError
from annotations.records import Region, Relation, Span
from annotations.team.adjudication import Disagreement
from annotations.team.region_adjudication import RegionDisagreement
from annotations.team.relation_adjudication import RelationDisagreement
from app.editing.adjudication_commands import KeepRegions, KeepRelations, KeepVersion
from app.project.session import ProjectSession

KIND_TEXT = {"only a": "only {a} marked this", "only b": "only {b} marked this", "label": "another label",
             "boundary": "other boundaries"}
REGION_KIND_TEXT = {"only a": "only {a} drew this box", "only b": "only {b} drew this box",
                    "label": "the same box under another label", "boundary": "other boxes"}
RELATION_KIND_TEXT = {"only a": "only {a} linked these", "only b": "only {b} linked these",
                      "label": "the same link under another label", "direction": "the same link the other way round"}

Item = Disagreement | RegionDisagreement | RelationDisagreement


def _key(item: Item) -> tuple[object, ...]:
    """What tells one disagreement from another across a re-read: a stretch of words, a page and its
    boxes, or the pair of annotations linked."""
    if isinstance(item, RelationDisagreement):
        return "relation", item.ends
    if isinstance(item, RegionDisagreement):
        return "region", item.page_id, item.extent
    return "span", item.extent


class Adjudicator(QObject):
    """Which two analysts, the document's open disagreements, and the one shown.

    Each decision is a KeepVersion on the window's undo stack; the list is read again after every
    step of the stack (a decision, its undo, its redo), so what is shown is always what is open.
    """

    shown = Signal(object)  # the Disagreement (of spans, regions or relations) now shown, or None when none is left or the walk ended
    message = Signal(str)
    error = Signal(str)

    def __init__(self, session: ProjectSession, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.stack = stack
        self.pair: tuple[str, str] | None = None
        self.doc_id: int | None = None
        self.items: list[Item] = []
        self.index = 0

    def on_history(self, _index: int) -> None:
        """An undo or redo may have settled or reopened a disagreement."""
        self.refresh()

    def active(self) -> bool:
        return self.pair is not None

    def current(self) -> Item | None:
        return self.items[self.index] if self.active() and 0 <= self.index < len(self.items) else None

    def start(self, doc_id: int, a: str, b: str) -> None:
        """Walk a's and b's disagreements in a document, spans, then regions, then relations; what they
        marked alike is adjudicated at once."""
        self.pair, self.doc_id, self.index = (a, b), doc_id, 0
        try:
            agreed, boxes, links = self.session.adopt_agreed(doc_id, a, b)
            self.items = self._read()
        except ScanspanError as exc:
            self.stop()
            self.error.emit(str(exc))
            return
        alike = f"{agreed} stretch{'es' if agreed != 1 else ''}"
        if boxes:
            alike += f" and {boxes} group{'s' if boxes != 1 else ''} of boxes"
        if links:
            alike += f" and {links} link{'s' if links != 1 else ''}"
        self.message.emit(f"{a} and {b}: {len(self.items)} disagreement{'s' if len(self.items) != 1 else ''} "
                          f"to settle here; {alike} marked alike adjudicated")
        self.shown.emit(self.current())

    def _read(self) -> list[Item]:
        assert self.pair is not None and self.doc_id is not None
        return [*self.session.open_disagreements(self.doc_id, *self.pair),
                *self.session.open_region_disagreements(self.doc_id, *self.pair),
                *self.session.open_relation_disagreements(self.doc_id, *self.pair)]

    def stop(self) -> None:
        self.pair = self.doc_id = None
        self.items = []
        self.shown.emit(None)

    def step(self, delta: int) -> None:
        if self.items:
            self.index = (self.index + delta) % len(self.items)
            self.shown.emit(self.current())

    def decide(self, decision: str) -> None:
        """Keep "a", "b", "both" or "neither" for the disagreement shown; the next one is shown."""
        item = self.current()
        if item is None or self.pair is None:
            return
        if isinstance(item, RelationDisagreement):
            kept = {"a": item.a, "b": item.b, "both": item.a + item.b}.get(decision, ())
            try:
                unplaced = self.session.relations_unplaced(kept) if kept else []
            except ScanspanError as exc:
                self.error.emit(str(exc))
                return
            if unplaced:
                who = {"a": f"{self.pair[0]}'s link", "b": f"{self.pair[1]}'s link"}.get(decision, "these links")
                ends = " and ".join(self._end(item.document_id, *end) for end in unplaced)
                self.error.emit(f"Cannot keep {who}: its end {ends} was settled without a copy in the adjudicated "
                                "layer, so the link would have nothing to join there. Press N to keep neither link, "
                                "or undo that decision first. Nothing was changed.")
                return
            self.stack.push(KeepRelations(self.session, item, *self.pair, decision, self.error.emit))
        elif isinstance(item, RegionDisagreement):
            self.stack.push(KeepRegions(self.session, item, *self.pair, decision, self.error.emit))
        else:
            self.stack.push(KeepVersion(self.session, item, *self.pair, decision, self.error.emit))

    def refresh(self) -> None:
        """Read the open disagreements again, staying at the one shown (or where it was, once settled)."""
        if self.pair is None or self.doc_id is None:
            return
        shown = self.current()
        try:
            items = self._read()
        except ScanspanError as exc:
            self.error.emit(str(exc))
            return
        before = {_key(d) for d in self.items}
        # One open again (an undo) is shown; else the first still open at or after the one shown
        # (a decision moves on).
        undone = next((i for i, d in enumerate(items) if _key(d) not in before), None)
        if undone is not None:
            self.index = undone
        elif shown is not None:
            later = {_key(d) for d in self.items[self.items.index(shown):]}
            self.index = next((i for i, d in enumerate(items) if _key(d) in later), 0)
        self.items = items
        self.shown.emit(self.current())

    def describe(self, item: Item) -> tuple[str, str, str]:
        """(what differs, a's version, b's version), for the panel."""
        assert self.pair is not None
        a, b = self.pair
        if isinstance(item, RelationDisagreement):
            return (RELATION_KIND_TEXT[item.kind].format(a=a, b=b), self._links(item.document_id, item.a),
                    self._links(item.document_id, item.b))
        if isinstance(item, RegionDisagreement):
            number = self.session.page_by_id(item.document_id, item.page_id).number
            kind = f"{REGION_KIND_TEXT[item.kind].format(a=a, b=b)} on page {number}"
            return kind, _boxes(item.a), _boxes(item.b)

        def version(spans: tuple[Span, ...]) -> str:
            return "; ".join(f"{s.label} “{self.session.span_text(s)}”" for s in spans) or "nothing"

        return KIND_TEXT[item.kind].format(a=a, b=b), version(item.a), version(item.b)

    def _end(self, doc_id: int, kind: str, ident: int) -> str:
        """A relation's end as the analyst sees it: a span's label and text, a region's label and page."""
        spans, regions = self.session.spans(doc_id), self.session.regions(doc_id)
        if kind == "span" and ident in spans:
            return f"{spans[ident].label} “{self.session.span_text(spans[ident])}”"
        if kind == "region" and ident in regions:
            region = regions[ident]
            return f"{region.label} box on page {self.session.page_by_id(doc_id, region.page_id).number}"
        return f"{kind} {ident}"

    def _links(self, doc_id: int, relations: tuple[Relation, ...]) -> str:
        """Each relation by its label and its ends (a span's text, a region's label and page)."""
        return "; ".join(f"{r.label}: {self._end(doc_id, *r.from_end)} → {self._end(doc_id, *r.to_end)}"
                         for r in relations) or "nothing"


def _boxes(regions: tuple[Region, ...]) -> str:
    """Each box by its label, size and top-left corner in page pixels: enough to tell two drawings apart."""
    return "; ".join(f"{g.label} box {round(g.box[2] - g.box[0])} × {round(g.box[3] - g.box[1])} px at "
                     f"({round(g.box[0])}, {round(g.box[1])})" for g in regions) or "nothing"
