"""The main window's small test-facing API: what GUI tests and the screenshot mode ask the window,
instead of reaching into its panels. A mixin of MainWindow; none of these changes the project
(edits go through real input: keys, mouse, the panels' own widgets)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QGraphicsItem, QWidget

from annotations.records import Box, Word
from app.editing.selection import TextRange

if TYPE_CHECKING:
    from app.main_window import MainWindow


class WindowAPI:
    def project_path(self: MainWindow) -> Path | None:
        return self.session.path if self.session else None

    def current_page(self: MainWindow) -> tuple[int, int] | None:
        return (self.navigation.doc_id, self.navigation.page_number) if self.navigation.doc_id and self.navigation.page_number else None

    def is_settled(self: MainWindow) -> bool:
        """No import running and the page (if any) shows its scan at the zoom's resolution."""
        if self.importer.running():
            return False
        if self.navigation.page_number is None:
            return True
        return (self.page_view.image_ready() and self.page_view.shown() and self.text_view.shown()
                and self.navigation.lists_doc is None)

    def last_message(self: MainWindow) -> str:
        return self._last_message

    def page_words(self: MainWindow) -> list[Word]:
        self.page_view.ensure_shown()
        return list(self.page_view.data.words) if self.navigation.page_number is not None and self.page_view.data else []

    def find_words(self: MainWindow, phrase: str) -> list[Word]:
        """The words of the first occurrence of `phrase` on the current page."""
        self.page_view.ensure_shown()
        data = self.page_view.data
        if data is None:
            return []
        at = data.text.text.find(phrase)
        if at < 0:
            return []
        return [data.words[i] for i in data.text.words_in_range(at, at + len(phrase))]

    def select_text(self: MainWindow, phrase: str) -> bool:
        """Select the first occurrence of `phrase` in the text view, as a drag there would."""
        self.text_view.ensure_shown()
        data = self.text_view.data
        at = data.text.text.find(phrase) if data else -1
        if at < 0:
            return False
        self.text_view.setFocus()
        self.text_view.setTextCursor(self.text_view._cursor(at, at + len(phrase)))
        return True

    def selected_text(self: MainWindow) -> str:
        """The document text the selection covers (pages joined by blank lines)."""
        rng = self.selection.range
        if rng is None or self.session is None:
            return ""
        parts = []
        for number in range(rng.start[0], rng.end[0] + 1):
            text = self.session.page_data(self.session.page(rng.doc_id, number)).text.text
            part = rng.on_page(number, len(text))
            if part:
                parts.append(text[part[0] : part[1]])
        return "\n\n".join(parts)

    def select_range(self: MainWindow, rng: TextRange | None) -> None:
        self.selection.set_range(rng, "api")

    def viewport_rect(self: MainWindow, box: Box) -> QRect:
        return self.page_view.viewport_rect(box)

    def highlight_items(self: MainWindow, span_id: int | None = None) -> list[QGraphicsItem]:
        """Highlight items of spans on the current page that are in the scene."""
        if self.navigation.page_number is None:
            return []
        items = self.page_view.highlight_items()
        chosen = items.values() if span_id is None else [items[span_id]] if span_id in items else []
        return [i for i in chosen if i.scene() is self.page_view.scene()]

    def region_items(self: MainWindow) -> dict[int, QGraphicsItem]:
        return dict(self.page_view.region_items()) if self.navigation.page_number is not None else {}

    def arrow_items(self: MainWindow) -> dict[int, QGraphicsItem]:
        """The relation arrows drawn on the page shown, by relation id."""
        if self.navigation.page_number is None:
            return {}
        return {i: a for i, a in self.page_view.arrow_items().items() if a.scene() is self.page_view.scene()}

    def undo_stack(self: MainWindow) -> QUndoStack:
        return self.stack

    def word_editor(self: MainWindow) -> QWidget | None:
        """The in-place word editor that is open, if any."""
        for view in (self.page_view, self.text_view) if self.navigation.page_number is not None else ():
            if view.editor.editing():
                return view.editor
        return None

    def outlined_boxes(self: MainWindow) -> list[Box]:
        """The word boxes outlined as selected on the scan."""
        self.page_view.ensure_shown()
        words = self.page_view.words if self.navigation.page_number is not None else None
        return [tuple(r.getCoords()) for r in words.selected] if words is not None else []  # type: ignore[misc]

    def annotation_rows(self: MainWindow) -> list[tuple[str, str, int, str]]:
        """(label, text, page, note) of each row the annotations table shows, in its order."""
        proxy = self.panel.proxy
        self.panel.ensure_loaded()
        return [tuple(proxy.index(r, c).data(Qt.ItemDataRole.DisplayRole) for c in range(4))  # type: ignore[misc]
                for r in range(proxy.rowCount())]

    def scan_image(self: MainWindow) -> tuple[float, int, int] | None:
        """(render scale, width, height) of the scan image on screen, if any."""
        image = self.page_view.image if self.navigation.page_number is not None else None
        if image is None or image.image is None:
            return None
        return image.scale, image.image.width(), image.image.height()


    def annotation_states(self: MainWindow) -> list[str]:
        """The State column of each row the annotations table shows, in its order."""
        proxy = self.panel.proxy
        self.panel.ensure_loaded()
        return [proxy.index(r, 4).data(Qt.ItemDataRole.DisplayRole) for r in range(proxy.rowCount())]
