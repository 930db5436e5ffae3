"""Find in a document and search the project: show a hit and select it, so a label key tags it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.text.ranges import Hit, TextRange, snap
from annotations.text.search import SearchHit

if TYPE_CHECKING:
    from app.main_window import MainWindow


class FindController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def open(self) -> None:
        """Ctrl+F: the find bar, over the document shown."""
        w = self.window
        if w.session is not None:
            w.find_bar.set_document(w.session, w.navigation.doc_id)
            w.find_bar.open()

    def follow_document(self, doc_id: int) -> None:
        """Another page is shown: the find bar searches its document and its hits are highlighted."""
        w = self.window
        w.find_bar.set_document(w.session, doc_id)
        self.show_hits()

    def go_to_hit(self, doc_id: int, hit: Hit) -> None:
        """Show a Find hit and select it, so that a label key tags it."""
        self._select_found(doc_id, TextRange(doc_id, (hit.page, hit.start), (hit.page, hit.end)))

    def _select_found(self, doc_id: int, rng: TextRange) -> None:
        """Show where a search found something and select it as a tag would store it."""
        w = self.window
        if w.session is None:
            return
        w.navigation.show_page(doc_id, rng.start[0])
        pages = w.session.pages(doc_id)
        w.selection.set_range(snap(rng, pages, w.session.page_data) or rng, "find")

    def search_project(self) -> None:
        """Ctrl+Shift+F: the Search dock, its field ready for a query over every document."""
        w = self.window
        if w.session is None:
            return
        w.docks["search"].show()
        w.docks["search"].raise_()
        w.search_panel.focus()

    def go_to_search_hit(self, hit: SearchHit) -> None:
        """Show a project-wide search hit and select its words, so that a label key tags them."""
        w = self.window
        if w.session is None:
            return
        data = w.session.page_data(w.session.page(hit.document_id, hit.page))
        indices = [data.position[i] for i in hit.word_ids if i in data.position]
        if indices:
            self._select_found(hit.document_id, data.word_range(min(indices), max(indices)))
        else:
            w.navigation.show_page(hit.document_id, hit.page)
        w.page_view.setFocus()  # so that a label key tags the hit

    def show_hits(self) -> None:
        """Highlight the find bar's hits on the page shown, on the scan and in the text."""
        w = self.window
        nav = w.navigation
        if w.session is None or nav.page_number is None:
            return
        hits = w.find_bar.on_page(nav.doc_id, nav.page_number)
        w.page_view.set_find_hits(hits)
        w.text_view.set_find_hits(hits)
