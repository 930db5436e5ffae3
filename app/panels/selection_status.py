"""The status bar's account of the selection: how many words, or which annotation, before a key is pressed."""

from __future__ import annotations

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget

from annotations.text.ranges import words_in
from app.editing.selection import AnnotationRef, Selection
from app.editing.shown import shown_annotation, shown_ranges
from app.panels.elided_label import ElidedLabel
from app.project.session import ProjectSession

WIDEST = 420
"""Pixels the label asks for at most: the status bar's messages ("Accepted …; 15 suggestions left")
keep the room left of it, and a longer account is cut short with its whole text in the tooltip."""

LEAST = 200
"""Pixels the account keeps on a crowded line (its start names what is selected)."""


class SelectionStatus(ElidedLabel):
    """Always true: it is rewritten on every change of the selection, never left to expire."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(WIDEST, LEAST, parent)
        self.selection: Selection | None = None
        self.session: ProjectSession | None = None
        self.setObjectName("selectionStatus")
        self.deciding = False  # the adjudication bar is walking a disagreement: 1, 2, B and N are its keys

    def set_deciding(self, deciding: bool) -> None:
        if deciding != self.deciding:
            self.deciding = deciding
            self.refresh()

    def set_session(self, session: ProjectSession | None, selection: Selection | None) -> None:
        """Follow an open project's selection and changes (None, None: no project is open)."""
        for signal in self._signals():
            signal.disconnect(self.refresh)
        self.session, self.selection = session, selection
        for signal in self._signals():
            signal.connect(self.refresh)
        self.refresh()

    def _signals(self) -> tuple[SignalInstance, ...]:
        if self.session is None or self.selection is None:
            return ()
        return (self.session.spanChanged, self.session.spanRemoved, self.session.regionChanged,
                self.session.regionRemoved, self.session.relationChanged, self.session.relationRemoved,
                self.selection.rangeChanged, self.selection.annotationChanged,
                self.selection.pageChanged)

    def refresh(self, *_: object) -> None:
        self.setText(self.describe())

    def describe(self) -> str:
        session, selection = self.session, self.selection
        if session is None or selection is None:
            return ""
        ranges = selection.ranges
        if ranges:
            pages = session.pages(ranges[0].doc_id)
            count = sum(words_in(r, pages, session.page_data) for r in ranges)
            runs = f" in {len(ranges)} runs" if len(ranges) > 1 else ""
            words = f"{count} word{'s' if count != 1 else ''} selected{runs}"
            if not shown_ranges(selection):  # left on another page, to be taken on from this one
                return f"{words} on page {ranges[0].start[0]}: Shift+click a word here to take it on to this page"
            return f"{words}: a label key tags"
        if selection.annotation is not None and shown_annotation(session, selection) is None:
            return "Nothing selected on this page"
        ref = selection.annotation
        return self._annotation(ref) if ref is not None else "Nothing selected"

    def _annotation(self, ref: AnnotationRef) -> str:
        assert self.session is not None
        if ref.kind == "relation":
            relation = self.session.find_relation(ref.id)
            if relation is None:
                return "Nothing selected"
            if relation.suggested:
                ends = [self.session.find_span(i) if k == "span" else self.session.find_region(i)
                        for k, i in (relation.from_end, relation.to_end)]
                if any(end is None or end.suggested for end in ends):
                    return f"Suggested {relation.label} relation: accepted with its suggested ends, removed with either"
                return f"Suggested {relation.label} relation: Enter accepts, X rejects, Tab skips"
            return f"Selected {relation.label} relation: Delete deletes it, N edits its note"
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is None:
                return "Nothing selected"
            text = self.session.span_text(span)
            short = text if len(text) <= 40 else text[:39] + "…"
            if span.suggested:
                return f"Suggested {span.label} “{short}”: Enter accepts, X rejects, Tab skips"
            return f"Selected {span.label} span “{short}”: {self._keys()}, Delete deletes"
        region = self.session.find_region(ref.id)
        if region is None:
            return "Nothing selected"
        if region.suggested:
            return f"Suggested {region.label} region: Enter accepts, X rejects, Tab skips"
        return f"Selected {region.label} region: {self._keys()}, Delete deletes"

    def _keys(self) -> str:
        """What the number keys do now: while adjudicating they decide in the bar and relabel nothing."""
        return "1, 2, B or N decides in the adjudication bar" if self.deciding else "a label key relabels"
