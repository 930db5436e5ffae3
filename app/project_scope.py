"""The open project's one owner: its session, the parts built for it, its selection and every connection to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QWidget

from app.dialogs.label_dialog import LabelEditor
from app.editing.adjudication import Adjudicator
from app.editing.editor import Editor
from app.editing.linking import Linker
from app.editing.review import Reviewer
from app.editing.selection import AnnotationRef, Selection
from app.panels.adjudication_bar import AdjudicationBar
from app.panels.annotations_panel import AnnotationsPanel
from app.panels.label_palette import LabelPalette
from app.panels.navigator import Navigator
from app.panels.text_view import TextView
from app.project.session import ProjectSession
from app.scene.page_view import PageView
from app.scene.render import PageRenderer

if TYPE_CHECKING:
    from app.main_window import MainWindow


class ProjectScope(QObject):
    """Everything that exists because a project is open, torn down as one by close().

    The window and its controllers outlive every project; what is built for one project (the
    panels' per-project widgets, the editing parts, the selection) is built here, and every signal
    connection between them and the window goes through link(), so close() can cut them all before
    anything is deleted. Nothing of a closed project can then be reached from a signal of the window
    (docs/adr/0008-project-scope.md).
    """

    def __init__(self, window: MainWindow, session: ProjectSession) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        session.setParent(self)
        session.annotator = window.analyst.name()
        self._links: list[tuple[SignalInstance, Callable[..., Any]]] = []
        self._closed = False
        self.selection = Selection(self)
        self.renderer = PageRenderer(session.project, parent=session)
        self.page_view = PageView(session, self.selection, self.renderer)
        self.text_view = TextView(session, self.selection)
        self.panel = AnnotationsPanel(session, self.selection)
        self.palette = LabelPalette(session)
        self.navigator = Navigator(session)
        self.editor = Editor(session, self.selection, window.stack, self.palette.current, self)
        self.linker = Linker(session, self.selection, self.editor, self)
        self.label_editor = LabelEditor(session, window.stack, window, self)
        self.reviewer = Reviewer(session, self.selection, window.stack, self, confirm=window.review.confirm)
        self.adjudicator = Adjudicator(session, window.stack, self)
        self.adjudication_bar = AdjudicationBar(self.adjudicator)
        self.widgets: tuple[QWidget, ...] = (self.page_view, self.text_view, self.panel, self.palette,
                                             self.navigator, self.adjudication_bar)
        self._wire()

    def link(self, signal: SignalInstance, slot: Callable[..., Any]) -> None:
        """Connect, and remember to disconnect when the project closes."""
        signal.connect(slot)
        self._links.append((signal, slot))

    def _wire(self) -> None:
        w, session, link = self.window, self.session, self.link
        say = w.statusBar().showMessage
        page_view, text_view, panel, palette = self.page_view, self.text_view, self.panel, self.palette
        editor, reviewer, adjudicator, selection = self.editor, self.reviewer, self.adjudicator, self.selection
        link(page_view.zoomChanged, w.status_line.show_zoom)
        link(page_view.hovered, lambda tip: say(tip, 4000) if tip else None)
        link(page_view.regionDrawn, editor.draw_region)
        link(page_view.regionEdited, editor.move_region)
        link(page_view.wordCorrected, editor.correct_word)
        link(page_view.pageReady, lambda: QTimer.singleShot(1, w.navigation.page_text))  # a page read in steps
        link(page_view.stalled, w.navigation.on_stalled)
        link(page_view.toolChanged, lambda tool: w.actions.region_tool.setChecked(tool == "region"))
        link(text_view.wordCorrected, editor.correct_word)
        link(text_view.editingWord, page_view.show_word)
        link(self.renderer.rendered, w.navigation.on_rendered)
        link(self.renderer.failed, lambda _pid, msg: say(f"Cannot render the page: {msg}"))
        link(panel.activated, w.navigation.go_to_annotation)
        link(panel.otherEnd, w.navigation.go_to_other_end)
        link(panel.analystChanged, page_view.set_analyst)
        link(panel.analystChanged, text_view.set_analyst)
        link(panel.model.noteEdited, editor.set_note)
        link(palette.applied, w.label_keys.apply)
        link(palette.addRequested, w.label_keys.add_dialog)
        link(palette.editRequested, self.label_editor.edit)
        link(palette.deleteRequested, self.label_editor.delete)
        link(self.label_editor.error, lambda text: w.show_error("Cannot change the label", text))
        link(self.label_editor.message, lambda text: say(text, 6000))
        link(self.navigator.pageChosen, w.navigation.show_page)
        link(self.navigator.statusRequested, editor.set_status)
        link(self.navigator.ocrAgainRequested, w.documents.ocr_again)
        link(self.navigator.removeRequested, w.documents.remove)
        link(editor.error, lambda text: w.show_error("Cannot do that", text))
        link(editor.message, lambda text: say(text, 6000))
        link(editor.tagged, w.review.count_occurrences)
        link(reviewer.chosen, w.navigation.go_to_annotation)
        link(reviewer.offered, w.offer.offer)
        link(reviewer.message, lambda text: say(text, 8000))
        link(reviewer.error, lambda text: w.show_error("Cannot do that", text))
        link(adjudicator.shown, w.adjudication.show)
        link(adjudicator.message, lambda text: say(text, 8000))
        link(adjudicator.error, lambda text: w.show_error("Cannot adjudicate", text))
        link(w.stack.indexChanged, adjudicator.on_history)
        link(session.spanRemoved, lambda span: w.offer.withdraw(span.id))
        link(selection.annotationChanged, w.navigation.scroll_text_to)
        link(session.spanRemoved, lambda span: selection.forget(AnnotationRef("span", span.id)))
        link(session.regionRemoved, lambda region: selection.forget(AnnotationRef("region", region.id)))
        link(session.labelsChanged, w.label_keys.rebuild)
        link(session.wordChanged, lambda _word: selection.set_range(None, "edit"))  # offsets moved
        link(session.documentAdded, w.navigation.on_document_added)
        link(session.reset, w.changes.reload)
        link(session.writes.waiting, w.changes.on_writes_waiting)
        link(session.restarted, w.changes.on_restarted)
        link(session.waiting, w.changes.on_waiting)
        # The window's long-lived parts that read the open project.
        w.status_line.set_session(session, selection)
        # After the status line's own link: selecting the other end clears the message before this says it.
        link(selection.annotationChanged, self.linker.on_annotation)
        link(selection.pageChanged, self.linker.on_page)
        link(self.linker.message, lambda text: w.status_line.say(text, 0))
        link(self.linker.changed, page_view.set_linking)
        for part in (w.importer, w.search_panel, w.model, w.file_suggestions, w.occurrences, w.reocr):
            part.set_session(session)

    def close(self) -> None:
        """Cut every connection, stop what runs, close the project, and delete every part."""
        if self._closed:
            return
        self._closed = True
        w = self.window
        if self.adjudicator.active():
            self.adjudicator.stop()  # the bar hides and gives the window its keys back
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links.clear()
        for part in (w.importer, w.search_panel, w.model, w.file_suggestions, w.occurrences, w.reocr):
            part.set_session(None)
        w.status_line.set_session(None, None)
        w.find_bar.set_document(None, None)
        for widget in self.widgets:
            # Deleted on a later turn of the event loop: till then, no step of theirs may read the closed project.
            for timer in widget.findChildren(QTimer):
                timer.stop()
        self.renderer.close()
        self.session.close()
        for widget in self.widgets:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        self.deleteLater()
