"""Which page the window shows: going to a page, a document or an annotation, and what follows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from annotations.errors import ProjectBusy
from app.editing.selection import AnnotationRef
from app.editing.shown import annotation_pages, follow_page

if TYPE_CHECKING:
    from app.main_window import MainWindow

WANTED_RETRY_MS = 300
"""How often a page the project's process could not give yet is asked for again."""
PAGE_WAIT = "The project's process is not answering; page {} is shown when it does"
LISTS_WAIT = "The project's process is not answering; this document's annotations are listed when it does"


class Navigation(QObject):
    pageShown = Signal(int, int)  # document id, page number
    pageImageReady = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.doc_id: int | None = None
        self.page_number: int | None = None
        self.page_count = 0  # of the document shown
        self.lists_doc: int | None = None  # whose annotation list and counts are still to read
        self._lists_timer = QTimer(self, singleShot=True, interval=600)  # if the scan is slow to come
        self._lists_timer.timeout.connect(self._load_lists)
        self.wanted: tuple[int, int] | None = None  # a page asked for while the project's process did not answer
        self._wanted_timer = QTimer(self, singleShot=True, interval=WANTED_RETRY_MS)
        self._wanted_timer.timeout.connect(self._show_wanted)

    def forget(self) -> None:
        """No page is shown (the project closed)."""
        self.wanted = None
        self._wanted_timer.stop()
        self.doc_id = self.page_number = self.lists_doc = None
        self.page_count = 0
        self.window.status_line.clear_place()
        self.window.selection.set_page(None)

    def show_page(self, doc_id: int, number: int) -> None:
        w = self.window
        if w.session is None:
            return
        try:
            pages = w.session.pages(doc_id)
        except ProjectBusy:
            # Nothing moves (the crash handler says why): the Documents list, where the click
            # landed, goes back to the page on screen.
            if self.doc_id is not None and self.page_number is not None:
                w.navigator.set_current(self.doc_id, self.page_number)
            raise
        if not pages:
            return
        number = min(max(number, 1), len(pages))
        if (doc_id, number) == (self.doc_id, self.page_number):
            return
        page = pages[number - 1]
        self.wanted = None
        if not w.session.page_in_memory(page) and not w.session.answering():
            # Its words or annotations must be read, and the project's process is stopped: the
            # window goes on answering keys on this page, and shows that one once the process
            # answers (never half of it: the place changes only once it can be drawn).
            self.wanted = (doc_id, number)
            w.status_line.say(PAGE_WAIT.format(number), 0)
            self._wanted_timer.start()
            return
        # The selection belongs to the page on screen: what is not on this one is dropped (before
        # anything says why the page changed, as dropping it clears the status bar's message).
        follow_page(w.session, w.selection, doc_id, number)
        w.adjudication.leave_for(doc_id)
        if doc_id != self.doc_id:
            # A long document's list of annotations is read once its first page is on screen.
            w.panel.set_document(doc_id, defer=True)
            self.lists_doc = doc_id
            self._lists_timer.start()
            # Another letter opens as a reader starts one: its whole width, from the top (show_page
            # scrolls up), whatever zoom the previous letter was read at.
            w.page_view.fit_width()
        self.doc_id, self.page_number, self.page_count = doc_id, number, len(pages)
        # This turn of the event loop draws the scan; the text follows on the next, the navigator
        # and the status bar on the one after, so a dense page never costs one long frame. A page
        # never read shows its words in steps first (the page view's pageReady, then the text).
        w.page_view.show_page(page)
        w.text_view.show_page(page, defer=True)
        w.finder.follow_document(doc_id)
        w.enable_actions()
        QTimer.singleShot(1, self.page_text)  # a timer: Qt paints the scan before it fires

    def _show_wanted(self) -> None:
        wanted = self.wanted
        if wanted is not None:
            self.show_page(*wanted)
            status = self.window.status_line
            if self.wanted != wanted and status.currentMessage() == PAGE_WAIT.format(wanted[1]):
                status.clearMessage()

    def on_stalled(self) -> None:
        """The project's process stopped while the page's words were read: the page view reads on
        once it answers."""
        if self.page_number is not None:
            self.window.status_line.say(PAGE_WAIT.format(self.page_number), 0)

    def page_text(self) -> None:
        w = self.window
        if w.page_view is None:
            return  # the project closed before this turn came
        if not w.page_view.shown():
            return  # the page's words are still being read: pageReady calls again
        if self.page_number is not None and w.status_line.currentMessage() == PAGE_WAIT.format(self.page_number):
            w.status_line.clearMessage()
        w.text_view.ensure_shown()
        QTimer.singleShot(1, self._page_chrome)

    def _page_chrome(self) -> None:
        w = self.window
        if w.session is None or self.doc_id is None or self.page_number is None:
            return
        doc_id, number = self.doc_id, self.page_number
        w.navigator.set_current(doc_id, number)
        pages = len(w.session.pages(doc_id))
        w.status_line.show_place(w.session.document(doc_id).name, number, pages)
        self.pageShown.emit(doc_id, number)
        w.page_view.start_prefetch()
        if w.page_view.image_ready():
            self.pageImageReady.emit()
            QTimer.singleShot(0, self._load_lists)

    def _load_lists(self) -> None:
        """The annotations table and the navigator's per-page counts (they read every span)."""
        doc_id, self.lists_doc = self.lists_doc, None
        self._lists_timer.stop()
        w = self.window
        if w.session is None or doc_id is None:
            return
        try:
            w.panel.ensure_loaded()
            w.navigator.refresh_counts(doc_id)
        except ProjectBusy:
            # The project's process is stopped: the lists are read once it answers, and until
            # then the table lists nothing rather than the previous document's annotations.
            if not w.panel.loaded():
                w.panel.clear_until_loaded()
            w.status_line.say(LISTS_WAIT, 0)
            if self.lists_doc is None:
                self.lists_doc = doc_id
                self._lists_timer.start()
            return
        if w.status_line.currentMessage() == LISTS_WAIT:
            w.status_line.clearMessage()

    def on_rendered(self, page_id: int, _scale: float) -> None:
        view = self.window.page_view
        if view.page is not None and page_id == view.page.id and view.image_ready():
            self.pageImageReady.emit()
            QTimer.singleShot(0, self._load_lists)

    def step_document(self, delta: int) -> None:
        """Alt+PgDown / Alt+PgUp: the next or previous document, from its first page."""
        w = self.window
        if w.session is None:
            return
        ids = [d.id for d in w.session.documents()]
        if not ids:
            return
        at = ids.index(self.doc_id) if self.doc_id in ids else -1
        target = at + delta
        if 0 <= target < len(ids):
            self.show_page(ids[target], 1)
        else:
            w.status_line.say("No next document" if delta > 0 else "No previous document", 3000)

    def step_page(self, delta: int) -> None:
        if self.doc_id is not None and self.page_number is not None:
            self.show_page(self.doc_id, self.page_number + delta)

    def go_to_annotation(self, ref: AnnotationRef) -> None:
        """Show the annotation's page, select it and scroll both views to it."""
        w = self.window
        if w.session is None or self.doc_id is None:
            return
        if ref.kind == "relation":  # where its arrow starts, unless an end is on the page shown already
            where = annotation_pages(w.session, ref)
            if where is None:
                return
            pages = self._end_pages(ref)
            shown = self.page_number if where[0] == self.doc_id else None
            if not (shown is not None and any(first <= shown <= last for first, last in pages)):
                self.show_page(where[0], pages[0][0] if pages else where[1])
        elif ref.kind == "span":
            span = w.session.find_span(ref.id)
            if span is None:
                return
            self.show_page(span.document_id, w.session.extent(span)[0])
        else:
            region = w.session.find_region(ref.id)
            if region is None:
                return
            page = w.session.region_page(region)
            self.show_page(page.document_id, page.number)
        w.selection.set_annotation(ref)
        w.page_view.reveal(ref)

    def _end_pages(self, ref: AnnotationRef) -> list[tuple[int, int]]:
        """The (first, last) pages of a relation's from end and of its to end (those the window has read)."""
        w = self.window
        relation = w.session.find_relation(ref.id) if w.session is not None else None
        if relation is None or w.session is None:
            return []
        ends = [annotation_pages(w.session, AnnotationRef(*end)) for end in (relation.from_end, relation.to_end)]
        return [(end[1], end[2]) for end in ends if end is not None]

    def go_to_other_end(self, ref: AnnotationRef) -> None:
        """A double-click on a relation's row: the page of the end not on the page shown (a relation
        across pages is drawn there as a stub toward its other end), the relation still selected."""
        w = self.window
        if ref.kind != "relation" or w.session is None:
            self.go_to_annotation(ref)
            return
        relation = w.session.find_relation(ref.id)
        pages = self._end_pages(ref)
        if relation is None or len(pages) != 2:
            return
        # The end shown is the one whose pages hold the page shown (a span may run over two pages).
        here = self.page_number if self.doc_id == relation.document_id else None
        on_first = here is not None and pages[0][0] <= here <= pages[0][1]
        target = pages[1][0] if on_first else pages[0][0]
        self.show_page(relation.document_id, target)
        w.selection.set_annotation(ref)
        w.page_view.reveal(ref)

    def scroll_text_to(self, ref: AnnotationRef | None) -> None:
        """The text view scrolls to a selected span's start on the page it shows."""
        w = self.window
        if ref is None or w.session is None:
            return
        w.text_view.ensure_shown()
        if w.text_view.page is None:
            return
        if ref.kind == "span":
            span = w.session.find_span(ref.id)
            part = w.session.span_on_page(span, w.text_view.page) if span else None
            if part is not None:
                cursor = w.text_view.textCursor()
                cursor.setPosition(w.text_view._to_qt(part.start))
                w.text_view.setTextCursor(cursor)
                w.text_view.ensureCursorVisible()

    def on_document_added(self, _document: object) -> None:
        if self.doc_id is not None and self.page_number is not None:
            self.window.navigator.set_current(self.doc_id, self.page_number)

    def page_call(self, name: str, *args: object) -> None:
        """Call the page view, when a page is shown (zoom, word boxes, tools)."""
        if self.page_number is not None:
            getattr(self.window.page_view, name)(*args)
