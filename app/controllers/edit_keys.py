"""Keys that act on the selection: delete it, edit its note, correct its word, select none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.editing.selection import AnnotationRef
from app.editing.shown import shown_annotation

if TYPE_CHECKING:
    from app.main_window import MainWindow


class EditKeys:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def selected(self) -> AnnotationRef | None:
        """The selected annotation when it is on the page shown (never one left on another page)."""
        w = self.window
        return shown_annotation(w.session, w.selection) if w.session is not None else None

    def delete_selected(self) -> None:
        w = self.window
        ref = self.selected()
        if ref is None or w.editor is None:
            w.status_line.say(
                "Nothing selected on this page: select an annotation to delete (click its highlight or its row)", 5000)
            return
        w.editor.delete(ref)

    def edit_note(self) -> None:
        w = self.window
        ref = self.selected()
        if ref is None:
            w.status_line.say("Nothing selected on this page: select an annotation first", 5000)
            return
        w.docks["annotations"].show()
        w.panel.ensure_loaded()
        row = w.panel.model.row_of(ref)
        if row is not None:
            index = w.panel.proxy.mapFromSource(w.panel.model.index(row, 3))
            w.panel.table.setFocus()
            w.panel.table.setCurrentIndex(index)
            w.panel.table.edit(index)

    def edit_word(self) -> None:
        """F2: the note in the annotations table, else the first selected word on this page."""
        w = self.window
        if w.session is None or w.page_view.data is None:
            return
        if w.panel.table.hasFocus():
            self.edit_note()
            return
        rng = w.selection.range
        data = w.page_view.data
        part = rng.on_page(data.page.number, len(data.text.text)) if rng and rng.doc_id == w.navigation.doc_id else None
        hits = data.text.words_in_range(*part) if part else range(0)
        if not hits:
            w.status_line.say("Select a word to correct (or double-click it)", 5000)
            return
        if w.text_view.hasFocus() and w.text_view.shown():
            w.text_view.edit_word(hits[0])
        else:
            w.page_view.edit_word(hits[0])

    def link(self) -> None:
        """K: link the selected annotation to another (see app/editing/linking.py)."""
        if self.window.scope is not None:
            self.window.scope.linker.start()

    def link_step(self, delta: int) -> bool:
        """Tab/Shift+Tab while linking: the next annotation on the page; False when not linking."""
        scope = self.window.scope
        return scope is not None and scope.linker.step(delta)

    def clear_selection(self) -> None:
        """Esc: stop linking, else leave the region tool, else select nothing."""
        w = self.window
        if w.scope is not None and w.scope.linker.active:
            w.scope.linker.cancel()
            return
        if w.navigation.page_number is not None and w.page_view.tool == "region":
            w.page_view.set_tool("select")
            return
        w.selection.clear()
