"""Reviewing suggestions: accept, reject and step through them, accept all of one kind, offer occurrences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from annotations.assist.suggest import FileRequest, SuggestReport, offers_occurrences
from annotations.records import Span
from annotations.wording import counted
from app.dialogs.suggest_file import SuggestFileDialog
from app.editing.shown import shown_annotation, shown_ranges

if TYPE_CHECKING:
    from app.main_window import MainWindow


class ReviewController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def call(self, method: str, *args: object) -> None:
        """Ask the project's reviewer, when a project is open."""
        if self.window.reviewer is not None:
            getattr(self.window.reviewer, method)(*args)

    def step(self, delta: int) -> None:
        """Tab / Shift+Tab: the next or previous suggestion from where the analyst is."""
        self.call("step", delta, self.position())

    def position(self) -> tuple[int, int, int, int, int] | None:
        """Where the analyst is, for the next suggestion: the selected annotation or first word, else the page's start."""
        w = self.window
        doc_id, number = w.navigation.doc_id, w.navigation.page_number
        if w.session is None or doc_id is None or number is None:
            return None
        ref = shown_annotation(w.session, w.selection)
        span = w.session.find_span(ref.id) if ref is not None and ref.kind == "span" else None
        if span is not None:
            p1, i1, _, _ = w.session.extent(span)
            return (span.document_id, 0, p1, i1, span.id)
        region = w.session.find_region(ref.id) if ref is not None and ref.kind == "region" else None
        if region is not None:  # a document's regions are reviewed after its spans
            where = w.session.region_page(region)
            return (where.document_id, 1, where.number, -1, region.id)
        rng = w.selection.range if shown_ranges(w.selection) else None
        if rng is not None and rng.doc_id == doc_id:
            page, offset = rng.start
            words = w.session.page_data(w.session.page(rng.doc_id, page)).text.words_in_range(offset, offset + 1)
            return (rng.doc_id, 0, page, words[0] if words else -1, -1)
        return (doc_id, 0, number, -1, -1)

    def confirm(self, title: str, text: str) -> bool:
        """Ask before an action reaches beyond the page shown; Cancel is the default."""
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        answer = QMessageBox.question(self.window, title, text, buttons, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def count_occurrences(self, span_id: int) -> None:
        """A tag's other occurrences are counted in the background, then offered (not for a "3" or an "of")."""
        w = self.window
        span = w.session.find_span(span_id) if w.session is not None else None
        if span is None or w.session is None or not offers_occurrences(w.session.span_text(span)):
            return
        w.occurrences.count(span_id, w.reviewer.epoch if w.reviewer else 0)

    def suggest_with_model(self) -> None:
        w = self.window
        if w.session is not None and not w.model.start():
            w.status_line.say("The model is already training", 5000)

    def suggest_from_file(self) -> None:
        """Suggestions ▸ Suggest from a term list or patterns: the dialog, then the run in the background."""
        w = self.window
        if w.session is None:
            return
        if w.file_suggestions.running():
            w.status_line.say("A term list is already running", 5000)
            return
        doc_id = w.navigation.doc_id
        name = next((d.name for d in w.session.documents() if d.id == doc_id), None)
        dialog = SuggestFileDialog(w.session.labels(), w.session.path.parent,
                                   (doc_id, name) if doc_id is not None and name is not None else None, w)
        if dialog.exec() == SuggestFileDialog.DialogCode.Accepted:
            w.file_suggestions.start(dialog.request())

    def file_suggested(self, request: FileRequest, report: SuggestReport) -> None:
        """What a term list or pattern file added: its first new suggestion selected (Tab, Enter and X
        go on from there), and the count in the status bar."""
        w = self.window
        name = request.path.name
        added = set(report.span_ids or ())
        if added and w.reviewer is not None:
            new = [item for item in w.reviewer.left(source=name) if isinstance(item, Span) and item.id in added]
            if new:
                w.reviewer.step(1, None, new)
        text = (f"{counted(report.added, 'suggestion')} added from {name!r} ({report.found} found, "
                f"{report.existing} already tagged or suggested, {report.rejected} rejected before)")
        if report.skipped:
            text += f"; {counted(len(report.skipped), 'document')} skipped: " + "; ".join(report.skipped.values())
        if request.keep:
            text += "; kept for new imports"
        if report.added:
            text += ". Tab goes through them"
        w.status_line.say(text, 15000)
