"""Adjudicating two analysts from the window: choose the pair, go to each disagreement, stop elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.team.adjudication import Disagreement
from annotations.team.region_adjudication import RegionDisagreement
from annotations.team.relation_adjudication import RelationDisagreement
from app.dialogs.adjudicate_dialog import ask_pair
from app.editing.selection import AnnotationRef

if TYPE_CHECKING:
    from app.main_window import MainWindow


class AdjudicationController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def dialog(self) -> None:
        w = self.window
        doc_id = w.navigation.doc_id
        if w.session is None or w.adjudicator is None or doc_id is None:
            return
        names = [n for n in w.session.annotators() if n]
        if len(names) < 2:
            who = f"only {names[0]}'s" if names else "nobody's"
            w.show_error("Nothing to adjudicate", f"Adjudication compares two analysts' spans and regions; this project has {who}. "
                         "Bring another analyst's project in with scanspan merge.")
            return
        pair = ask_pair(names, w)
        w.activateWindow()
        if pair is not None:
            w.adjudicator.start(doc_id, *pair)

    def show(self, item: Disagreement | RegionDisagreement | RelationDisagreement | None) -> None:
        """Go to a disagreement: its first span, its first box selected and revealed on its page, or
        the first end of its first relation."""
        w = self.window
        w.selection_status.set_deciding(item is not None)  # before the selection moves: its account says so
        if item is None or w.session is None:
            return
        if isinstance(item, RelationDisagreement):
            kind, ident = (item.a + item.b)[0].from_end
            if kind == "region":
                w.session.regions(item.document_id)
            w.navigation.go_to_annotation(AnnotationRef(kind, ident))
        elif isinstance(item, RegionDisagreement):
            w.session.regions(item.document_id)  # read, so the box is found on whatever page it is
            w.navigation.go_to_annotation(AnnotationRef("region", (item.a + item.b)[0].id))
        else:
            w.navigation.go_to_annotation(AnnotationRef("span", (item.a + item.b)[0].id))

    def leave_for(self, doc_id: int) -> None:
        """Another document is about to be shown."""
        w = self.window
        if w.adjudicator is not None and w.adjudicator.doc_id not in (None, doc_id):
            # The walk is of one document's disagreements: its keys must not act on another's page.
            w.adjudicator.stop()
            w.status_line.say("Adjudication stopped: another document is shown", 8000)
