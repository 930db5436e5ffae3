"""The page's OCR text, read-only: select words (snapped to whole words), see highlights, F2 to correct a word.

Character offsets here are the core's (Python string offsets into the page text); Qt counts
UTF-16 units, so the two are mapped when a page holds characters outside the BMP.
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPalette,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QFrame, QTextEdit, QToolTip, QWidget

from annotations.records import Page, Span, Word
from annotations.text.ranges import PageData, SpanOnPage, TextRange, snap
from app.editing.selection import AnnotationRef, Selection
from app.editing.word_editor import WordEditor
from app.panels.text_highlights import Mark, SpanHighlighter
from app.project.session import ProjectSession

MARK_LINES = 25  # lines of a new page's text highlighted per turn of the event loop


class TextView(QTextEdit):
    wordCorrected = Signal(int, str, str)  # word id, old text, new text
    editingWord = Signal(int)  # word index on the page: the scan shows that word while it is corrected

    def __init__(self, session: ProjectSession, selection: Selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.page: Page | None = None
        self.data: PageData | None = None
        self.analyst: str | None = None  # only this analyst's spans are marked (None: everyone's)
        self._qt: list[int] | None = None  # core offset -> Qt position, when they differ
        self._syncing = False
        self._extra: dict[str, list[QTextEdit.ExtraSelection]] = {"find": [], "selection": []}
        self._find: list[tuple[int, int, bool]] = []
        self._pressed_at: int | None = None
        self._pending: tuple[Page | None] | None = None
        self._marks_due = False
        self._next_block: QTextBlock | None = None  # where highlighting a new page's text goes on
        # Span changes are highlighted once per turn of the event loop (accepting forty suggestions
        # changes forty spans); highlighted() and shown() account for a refresh still due.
        self._refresh_due = QTimer(self, singleShot=True, interval=0)
        self._marker = QTimer(self, singleShot=True, interval=1)  # a timer: Qt paints between steps
        self._marker.timeout.connect(self._mark_step)
        self._refresh_due.timeout.connect(self._apply_marks)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setAcceptRichText(False)
        self.setPlaceholderText("No page")
        # A dark selection, so that no label's colour can be mistaken for it.
        palette = self.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Highlight, QColor(45, 45, 45))
            palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("white"))
        self.setPalette(palette)
        self.document().setDocumentMargin(12)
        self.setUndoRedoEnabled(False)
        # A hanging indent: where a long OCR line wraps, the continuation is indented, so the
        # scan's own line breaks stay visible in a narrow panel.
        self._lines = QTextBlockFormat()
        self._lines.setLeftMargin(18)
        self._lines.setTextIndent(-18)
        self.highlighter = SpanHighlighter(self.document())
        self.editor = WordEditor(self.viewport())
        self.editor.committed.connect(self.wordCorrected)
        self.selectionChanged.connect(self._on_text_selection)
        session.spanAdded.connect(self._on_span)
        session.spanRemoved.connect(self._on_span)
        session.spanChanged.connect(self._on_span)
        session.wordChanged.connect(self._on_word_changed)
        session.labelsChanged.connect(self._on_labels)
        selection.rangeChanged.connect(self._on_range)
        selection.annotationChanged.connect(lambda _ref: self.highlighter.set_current(self._current()))

    # -- showing a page ---------------------------------------------------------------------------

    def show_page(self, page: Page | None, defer: bool = False) -> None:
        """Show a page's text; with `defer` it is shown when ensure_shown() is called (the window
        does that on the turn of the event loop after the scan is drawn)."""
        self._pending = (page,)
        if not defer:
            self.ensure_shown()

    def shown(self) -> bool:
        """The page's text and its highlights are in the view."""
        return self._pending is None and not self._marks_due

    def ensure_shown(self) -> None:
        if self._pending is None:
            return
        (page,), self._pending = self._pending, None
        self.editor.cancel()
        self.page = page
        self.data = self.session.page_data(page) if page else None
        text = self.data.text.text if self.data else ""
        self._qt = _utf16_map(text)
        self._syncing = True
        # The text goes in plain (one short frame); its highlights follow on the next turn of the
        # event loop (another), rather than one long frame for both.
        self.highlighter.set_marks([], None, rehighlight=False)
        document = self.document()
        document.clear()
        cursor = QTextCursor(document)
        cursor.setBlockFormat(self._lines)  # every line inserted below inherits it
        cursor.insertText(text)
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self._syncing = False
        self._extra = {"find": [], "selection": []}
        self._on_range(self.selection.range, "")
        self.set_find_hits(self._find)
        self._marks_due = True
        self._next_block = None
        self._marker.start()

    def _mark_step(self) -> None:
        """Highlight a new page's text a few dozen lines per turn of the event loop."""
        if not self._marks_due:
            return
        if self._next_block is None:
            self.highlighter.set_marks(self._marks(), self._current(), rehighlight=False)
            self._next_block = self.document().firstBlock()
        block = self._next_block
        for _ in range(MARK_LINES):
            if not block.isValid():
                break
            self.highlighter.rehighlightBlock(block)
            block = block.next()
        if block.isValid():
            self._next_block = block
            self._marker.start()
        else:
            self._marks_due, self._next_block = False, None

    def _apply_marks(self) -> None:
        if self._marks_due:
            self.refresh_highlights()

    def set_analyst(self, name: str | None) -> None:
        """Mark only this analyst's spans (None: everyone's), as the Annotations table shows them."""
        if name != self.analyst:
            self.analyst = name
            self.refresh_highlights()

    def _visible(self, parts: list[SpanOnPage]) -> list[SpanOnPage]:
        return parts if self.analyst is None else [p for p in parts if p.span.annotator == self.analyst]

    def _marks(self) -> list[Mark]:
        """The page's spans as marks in Qt positions; kept with the page until its spans change."""
        if self.page is None or self.data is None:
            return []
        stored = self.session.spans_on_page(self.page)
        cached = self.data.cache.get("text_marks")
        if isinstance(cached, tuple) and cached[0] is stored and cached[2] == self.analyst:
            return cached[1]
        parts = self._visible(stored)
        colors = {label.name: QColor(label.color) for label in self.session.labels()}
        grey = QColor("#888888")
        marks = [Mark(self._to_qt(p.start), self._to_qt(p.end), p.span.id, colors.get(p.span.label, grey),
                      bool(p.span.suggested)) for p in parts]
        marks.sort(key=lambda m: (m.start, -m.end))
        self.data.cache["text_marks"] = (stored, marks, self.analyst)
        return marks

    def _on_labels(self) -> None:
        if self.data is not None:
            self.data.cache.pop("text_marks", None)  # colours may have changed
        self.refresh_highlights()

    def _current(self) -> int | None:
        ref = self.selection.annotation
        return ref.id if ref is not None and ref.kind == "span" else None

    def refresh_highlights(self) -> None:
        self._refresh_due.stop()
        self._marks_due, self._next_block = False, None
        self.highlighter.set_marks(self._marks(), self._current())

    def highlighted(self) -> dict[int, str]:
        """Span id -> the text this view highlights for it (for tests and tooltips)."""
        self._apply_marks()
        text = self.toPlainText()
        return {m.span_id: text[m.start : m.end] for m in self.highlighter.marks}

    def _cursor(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._to_qt(start))
        cursor.setPosition(self._to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _to_qt(self, offset: int) -> int:
        return offset if self._qt is None else self._qt[offset]

    def _from_qt(self, position: int) -> int:
        return position if self._qt is None else bisect_right(self._qt, position) - 1

    # -- following the session and the selection --------------------------------------------------

    def _on_span(self, span: Span) -> None:
        if self.page is not None and span.document_id == self.page.document_id:
            self._marks_due, self._next_block = True, None
            self._refresh_due.start()

    def _on_word_changed(self, word: Word) -> None:
        if self._pending is not None:
            return  # the page about to be shown is read fresh
        if self.page is not None and word.page_id == self.page.id:
            bar = self.verticalScrollBar().value()
            self.show_page(self.page)
            self.verticalScrollBar().setValue(bar)
        elif self.page is not None:
            self.refresh_highlights()

    def _on_range(self, rng: TextRange | None, origin: str) -> None:
        if origin == "text" or self.page is None or self.data is None:
            return
        length = len(self.data.text.text)
        found = [r.on_page(self.page.number, length) for r in self.selection.ranges if r.doc_id == self.page.document_id]
        parts = [p for p in found if p is not None]
        self._syncing = True
        extra: list[QTextEdit.ExtraSelection] = []
        if len(parts) == 1:
            self.setTextCursor(self._cursor(*parts[0]))
        else:
            cursor = self.textCursor()
            cursor.clearSelection()
            self.setTextCursor(cursor)
            # Words selected by geometry on the scan that the OCR did not read in one run.
            for part in parts:
                selection = QTextEdit.ExtraSelection()
                selection.cursor = self._cursor(*part)
                selection.format.setBackground(self.palette().highlight())
                selection.format.setForeground(self.palette().highlightedText())
                extra.append(selection)
        self._extra["selection"] = extra
        self._apply_extra()
        if parts and origin and origin != "snap":
            if len(parts) > 1:
                self.setTextCursor(self._cursor(parts[0][0], parts[0][0]))
            self.ensureCursorVisible()
        self._syncing = False

    def set_find_hits(self, hits: list[tuple[int, int, bool]]) -> None:
        """Mark Find's hits on this page, the current one stronger (once the page's text is in)."""
        self._find = hits
        if self._pending is not None:
            return
        marks = []
        for start, end, current in hits:
            mark = QTextEdit.ExtraSelection()
            mark.cursor = self._cursor(start, end)
            mark.format.setBackground(QColor(255, 150, 0, 150 if current else 70))
            marks.append(mark)
        self._extra["find"] = marks
        self._apply_extra()

    def _apply_extra(self) -> None:
        self.setExtraSelections(self._extra["find"] + self._extra["selection"])

    def _on_text_selection(self) -> None:
        if self._syncing or self.page is None or self.data is None:
            return
        cursor = self.textCursor()
        if not cursor.hasSelection():
            if self.selection.range is not None and self.selection.range.doc_id == self.page.document_id:
                self.selection.set_range(None, "text")
            return
        start, end = self._from_qt(cursor.selectionStart()), self._from_qt(cursor.selectionEnd())
        n = self.page.number
        data = self.data
        raw = TextRange(self.page.document_id, (n, start), (n, end))
        # Whole words, edge punctuation trimmed: what a tag stores, which the scan shows meanwhile.
        pages = self.session.pages(self.page.document_id)
        self.selection.set_range(snap(raw, pages, lambda _p: data), "text")

    def snap_cursor(self) -> None:
        """Show the selection as it is stored (whole words), once a drag or a key has finished it."""
        if self.textCursor().hasSelection():
            self._on_range(self.selection.range, "snap")

    # -- mouse ------------------------------------------------------------------------------------

    def _word_at(self, point: QPoint) -> int | None:
        if self.data is None:
            return None
        offset = self._from_qt(self.cursorForPosition(point).position())
        text = self.data.text
        hits = text.words_in_range(offset, offset + 1) or text.words_in_range(offset - 1, offset)
        if not hits:
            return None
        rect = self._word_rect(hits[0])
        return hits[0] if rect.adjusted(-3, -3, 3, 3).contains(point) else None

    def _word_rect(self, index: int) -> QRect:
        assert self.data is not None
        text = self.data.text
        cursor = self._cursor(text.starts[index], text.starts[index])
        left = self.cursorRect(cursor)
        cursor.setPosition(self._to_qt(text.ends[index]))
        right = self.cursorRect(cursor)
        return QRect(left.topLeft(), right.bottomRight()).normalized()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pressed_at = None
        if self.page is not None and event.button() == Qt.MouseButton.LeftButton:
            index = self._word_at(event.position().toPoint())
            rng = self.selection.range
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if shift and index is not None and rng is not None:
                # From the selection's anchor to the whole clicked word (Qt would stop short of a
                # word clicked before its middle); it may have begun on another page.
                assert self.data is not None
                n = self.page.number
                t = self.data.text
                self.selection.extend_to(self.page.document_id, (n, t.starts[index]), (n, t.ends[index]), "shift")
                grown = self.selection.range
                if grown is not None:
                    pages = self.session.pages(self.page.document_id)
                    self.selection.set_range(snap(grown, pages, self.session.page_data), "shift", keep_anchor=True)
                return
            self._pressed_at = self._from_qt(self.cursorForPosition(event.position().toPoint()).position())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        self.snap_cursor()
        pressed, self._pressed_at = self._pressed_at, None
        if pressed is None or self.textCursor().hasSelection() or self.page is None:
            return
        # A click (no drag) on a highlight selects its annotation; clicking again cycles overlaps.
        parts = [p for p in self._visible(self.session.spans_on_page(self.page)) if p.start <= pressed < p.end]
        if not parts:
            return
        parts.sort(key=lambda p: p.end - p.start)
        ids = [p.span.id for p in parts]
        current = self.selection.annotation
        pick = ids[0]
        if current is not None and current.kind == "span" and current.id in ids:
            pick = ids[(ids.index(current.id) + 1) % len(ids)]
        self.selection.set_annotation(AnnotationRef("span", pick))

    def labels_at(self, point: QPoint) -> str:
        """The label names of the spans at a viewport point: colours alone do not say which is which."""
        if self.page is None:
            return ""
        offset = self._from_qt(self.cursorForPosition(point).position())
        labels = [p.span.label + (" (suggested)" if p.span.suggested else "")
                  for p in self._visible(self.session.spans_on_page(self.page)) if p.start <= offset < p.end]
        return ", ".join(dict.fromkeys(labels))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            names = self.labels_at(self.viewport().mapFrom(self, event.pos()))
            if names:
                QToolTip.showText(event.globalPos(), names, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        super().keyReleaseEvent(event)
        if event.key() == Qt.Key.Key_Shift:
            self.snap_cursor()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        index = self._word_at(event.pos())
        if index is not None and self.data is not None and not self.session.read_only:
            word = self.data.words[index].text
            action = menu.addAction(f"Correct OCR of “{word}”…", lambda: self.edit_word(index))
            action.setShortcut("F2")
            menu.insertAction(menu.actions()[0], action)
            menu.insertSeparator(menu.actions()[1])
        menu.exec(event.globalPos())

    def edit_word(self, index: int) -> None:
        """Correct word `index` here, below its line so the text around it stays readable; the scan
        scrolls to the same word (editingWord) so the analyst reads it while typing."""
        assert self.data is not None
        self.editingWord.emit(index)
        rect = self._word_rect(index)
        height = self.editor.sizeHint().height()
        top = rect.bottom() + 3 if rect.bottom() + 3 + height <= self.viewport().height() else rect.top() - height - 3
        self.editor.edit(self.data.words[index], QRect(rect.left() - 4, top, max(rect.width() + 40, 90), height))


def _utf16_map(text: str) -> list[int] | None:
    """Qt position of every core offset (and one past the end); None when they are equal."""
    if text.isascii() or max(text) < "\U00010000":
        return None
    out = [0]
    for ch in text:
        out.append(out[-1] + (2 if ord(ch) >= 0x10000 else 1))
    return out
