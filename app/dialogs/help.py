"""Help dialogs: the keyboard shortcuts and About."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotations import __version__

GESTURES = [
    ("Select words on the scan", "Drag a rectangle, or click a word and Shift+click another: the words on the "
                                 "lines between, within their columns (a letterhead's side column stays out)"),
    ("Select words in the text", "Drag, double-click a word, Shift+click, or Shift+arrow keys"),
    ("What a tag stores", "Whole words, edge punctuation and a possessive 's left out; the status bar counts them"),
    ("Select an annotation", "Click its highlight (click again to cycle overlapping ones) or its row; keys act "
                             "only on what is on the page shown, so another page or document drops it"),
    ("See a span's label", "Hover it in either view; View ▸ Show label names (L) tags them all"),
    ("Correct a word's OCR", "F2 on the selected word, or right-click ▸ Correct OCR (the editor opens beside it)"),
    ("Zoom under the mouse", "Ctrl+wheel"),
    ("Pan", "Scroll bars, wheel, or drag with the middle button"),
    ("Link two annotations (a relation)", "Select one, K, then click the other (or Tab / Shift+Tab to it on "
                                          "this page) and press a relation label's key; Esc stops. Arrows on the "
                                          "scan, rows in the table; Delete on a relation's row removes it. "
                                          "Ends on two pages: a stub on each (its tooltip names the other "
                                          "page); double-click the row to go to the other end"),
    ("Draw a region", "R, then drag: one region each time (the mouse then selects again), inside another "
                      "region too; with R on, only the selected region's edges resize it instead"),
    ("Move or resize a region", "Click it to select it (where regions overlap, the smaller), then drag inside it "
                                "or on its edge. A drag over a region not selected, or Shift+click, selects its words"),
    ("Where undo and redo act", "They go to the page they change and say what they did there"),
    ("Find in this document", "Ctrl+F, then F3 / Shift+F3 (Enter: next); the hit is selected, so a key tags it"),
    ("Review suggestions", "Dashed outlines on the scan, dotted underlines in the text, “suggested” in the table's "
                           "State column; Tab selects the next (a document's spans, then its regions, then its "
                           "suggested relations between accepted annotations; at the "
                           "document's end it stops, and Tab again goes on to the next document), Enter or A "
                           "accepts, a label key accepts it with that "
                           "label, X or Backspace rejects (each then moves on); the status bar counts what is left"),
    ("Accept all suggestions of a label or a source", "Suggestions ▸ Accept all of a label / from a source, or "
                                                      "Shift+Enter on a selected suggestion (all of its label); "
                                                      "asked first when they are not all on the page shown"),
    ("Tag the other occurrences of a span", "After a tag the status bar offers them (counted across the project, whole "
                                            "words within a sentence, other case and OCR misreadings included; not for a bare number or a span under three characters), "
                                            "while the span stays selected: T suggests them, Shift+T tags them all "
                                            "(asked first when they reach beyond the page)"),
    ("Suggest from a term list or patterns", "Suggestions ▸ Suggest from a term list or patterns…: the file, its "
                                             "label, fuzzy and case choices; runs in the background, then the "
                                             "status bar says what it added and the first new suggestion is selected"),
    ("Suggest with a model", "Suggestions ▸ Suggest with a model: trains on the accepted spans in the background "
                             "(10 of a label at least) and proposes the labels whose held-out F1 reaches 0.50"),
    ("Search every document", "Ctrl+Shift+F, type, Enter; Enter or a click on a hit goes to its page"),
    ("Import", "File ▸ Import documents (Ctrl+I), File ▸ Import folder (Ctrl+Shift+I, with its subfolders), or "
               "drop files or folders on the window; the dialogs open in the folder last imported from. An hOCR, "
               "ALTO or PAGE file brings in its image with the file's words, corrections, spans and regions (as "
               "analyst \"import\"), not OCRed again; in a folder, each image comes with the file naming it"),
    ("Add, edit (rename, colour, key, layer; a relation label's direction and ends) or delete a label",
     "Labels panel: Add…, Edit…, Delete, or right-click a label"),
    ("See what Undo / Redo would do", "Hover their toolbar buttons, or open the Edit menu"),
    ("Import settings of this project", "File ▸ Import settings (OCR languages: e.g. eng+fra, or auto: each page's "
                                        "own, told from a first reading)"),
    ("Read a document again (other languages, auto)", "Document ▸ OCR again…, or right-click it in the Documents "
                                                      "panel: in the background, spans, notes and corrections move "
                                                      "to the new words, one undo step"),
    ("Remove a document", "Document ▸ Remove document…, or right-click it in the Documents panel: asked first; "
                          "Undo brings it back while the window is open"),
    ("Your name on your edits", "Edit ▸ Analyst name… (asked once; every span and region records it)"),
    ("Adjudicate two analysts", "Edit ▸ Adjudicate two analysts… walks their spans, then their boxes, then their "
                                "links: 1 keeps "
                                "A's version, 2 B's, B both, N neither (each one undo step), Tab / Shift+Tab "
                                "next / previous, Esc stops"),
    ("Export with a split, seed, tagging scheme or labels' layer (entities, a letter's structure), or as ALTO, "
     "PAGE, hOCR, a searchable PDF or OCR lines",
     "File ▸ Export (Ctrl+E)"),
]


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 620)
        table = QTableWidget(len(rows) + len(GESTURES), 2)
        table.setHorizontalHeaderLabels(["Action", "Keys"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        for i, (what, keys) in enumerate([*rows, *GESTURES]):
            table.setItem(i, 0, QTableWidgetItem(what))
            table.setItem(i, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)


def about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        "About Scanspan",
        f"<h3>Scanspan {__version__}</h3>"
        "<p>Turn scanned letters into labelled training data: OCR with Tesseract, span and region "
        "annotation, exports.</p><p>Every edit is stored in the project file as you make it.</p>",
    )
