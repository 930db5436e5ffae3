"""A document as a whole: reading it again (OCR again…) and removing it, from the Document menu or the Documents panel."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QInputDialog, QMessageBox

from annotations.errors import OcrError
from annotations.ingest import ocr
from annotations.ingest.languages import AUTO
from app.editing.document_commands import ReadAgain, RemoveDocument

if TYPE_CHECKING:
    from app.main_window import MainWindow


class DocumentCommands:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def _target(self, doc_id: int | None) -> int | None:
        return doc_id if doc_id is not None else self.window.navigation.doc_id

    # -- removing ---------------------------------------------------------------------------------

    def remove(self, doc_id: int | None = None) -> None:
        """Ask, then remove the document as one undo step; the window shows the next one."""
        w = self.window
        doc_id = self._target(doc_id)
        if w.session is None or doc_id is None:
            return
        document = w.session.document(doc_id)
        contents = w.session.document_contents(doc_id)
        answer = QMessageBox.question(
            w, "Remove document",
            f"Remove “{document.name}” from the project, with {contents.describe()}?\n\n"
            "Edit ▸ Undo brings it back while this window is open; after that it is gone for good.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        # The document shown going, the window shows its neighbour (ChangeFollower.reload).
        w.stack.push(RemoveDocument(w.session, doc_id, document.name, lambda text: w.show_error("Cannot remove", text)))
        w.status_line.say(f"Removed “{document.name}” ({contents.describe()}); Undo brings it back", 10000)

    # -- reading again ------------------------------------------------------------------------------

    def ocr_again(self, doc_id: int | None = None, lang: str | None = None) -> bool:
        """Ask for the languages (unless given), then read the document again in the background."""
        w = self.window
        doc_id = self._target(doc_id)
        if w.session is None or doc_id is None or w.reocr.running():
            return False
        document = w.session.document(doc_id)
        options = w.importer.options
        if lang is None:
            choices = list(dict.fromkeys([AUTO, options.ocr.lang, "eng"]))
            lang, ok = QInputDialog.getItem(
                w, "OCR again", f"Read “{document.name}” again with the languages:\nauto (each page's own, told from a first "
                "reading) or, for example, tur+eng.\n\nSpans, notes and corrections move to the new words;\n"
                "what cannot be moved is listed.", choices, 0, True)
            if not ok:
                return False
        lang = "+".join(part for part in lang.replace(" ", "").split("+") if part) or AUTO
        try:
            ocr.check_ready(ocr.OcrSettings(lang=lang))
        except OcrError as exc:
            w.show_error("Cannot OCR again", str(exc))
            return False
        return w.reocr.start(doc_id, document.name, replace(options, ocr=replace(options.ocr, lang=lang)))

    def on_read_again(self, result: Any) -> None:
        """The new reading is stored: make it one undo step and say what was carried and what was not."""
        w = self.window
        reread, before, after = result
        if w.session is None:
            return
        w.stack.push(ReadAgain(w.session, before, after, lambda text: w.show_error("Cannot OCR again", text)))
        w.status_line.say(reread.summary()[0].upper() + reread.summary()[1:], 12000)
        if reread.lost or reread.warnings:
            lines = [*(f"Warning: {line}" for line in reread.warnings), *(f"Not carried: {line}" for line in reread.lost)]
            QMessageBox.information(w, "OCR again", reread.summary() + "\n\n" + "\n".join(lines))
