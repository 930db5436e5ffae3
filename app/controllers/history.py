"""Undo and redo go to the place they changed and say what they did, even in another document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.editing.selection import AnnotationRef
from app.editing.shown import find_annotation

if TYPE_CHECKING:
    from app.main_window import MainWindow


class HistoryMessages:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def on_step(self, verb: str, text: str, place: tuple[int, int | None] | None,
                target: tuple[str, int] | None = None) -> None:
        w = self.window
        nav = w.navigation
        if w.session is None:
            return
        where = ""
        if place is not None and place[0] in {d.id for d in w.session.documents()}:
            doc_id, number = place
            if number is None:
                number = nav.page_number if doc_id == nav.doc_id and nav.page_number else 1
            nav.show_page(doc_id, number)
            where = f" in {w.session.document(doc_id).name}, page {number}"
            # And to the word or annotation itself, when the step left one there (not after undoing a tag).
            if target is not None and target[0] == "word":
                w.page_view.ensure_shown()  # the page just shown, with its words
                words = w.page_view.data.words if w.page_view.data is not None else []
                index = next((i for i, word in enumerate(words) if word.id == target[1]), None)
                if index is not None:
                    w.page_view.show_word(index)
            elif target is not None and find_annotation(w.session, AnnotationRef(*target)) is not None:
                w.page_view.reveal(AnnotationRef(*target))
        w.status_line.say(f"{verb} “{text}”{where}", 8000)
