"""The dialog of Suggestions ▸ Suggest from a term list or patterns: the file and the choices of `scanspan suggest --terms/--patterns`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from annotations.assist.suggest import FileRequest, file_kind
from annotations.records import Label

KINDS = (("Term list (one phrase a line)", "terms"), ("spaCy patterns (JSON Lines)", "patterns"))
FILES = "Term lists and patterns (*.txt *.jsonl *.json);;All files (*)"


class SuggestFileDialog(QDialog):
    """OK stays off, with the reason shown, until the file exists and a term list has its label."""

    def __init__(self, labels: list[Label], folder: Path, document: tuple[int, str] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Suggest from a term list or patterns")
        self.folder = folder
        self.path = QLineEdit()
        self.path.setPlaceholderText("agencies.txt, or rules.jsonl")
        self.path.textChanged.connect(self._on_path)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.kind = QComboBox()
        for text, kind in KINDS:
            self.kind.addItem(text, kind)
        self.kind.setToolTip("Chosen from the file's name (.jsonl: patterns); change it if the name misleads")
        self.kind.currentIndexChanged.connect(self._update)
        self.label = QComboBox()
        self._labels = [label.name for label in labels]
        # Whether the analyst chose a label; until then a pattern file runs every label it names, as
        # `suggest --patterns` does without --label (the first label would refuse the file's others).
        self._picked = False
        self.label.currentIndexChanged.connect(self._on_label)
        self.fuzzy = QCheckBox("Also OCR misreadings (up to one edit per five characters)")
        self.ignore_case = QCheckBox("Ignore case")
        self.scope = QComboBox()
        self.scope.addItem("Every document", None)
        if document is not None:
            self.scope.addItem(f"This document ({document[1]})", document[0])
        self.keep = QCheckBox("Keep it: documents imported later get its suggestions too")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Suggest")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File", row)
        form.addRow("Holds", self.kind)
        form.addRow("Label", self.label)
        form.addRow("", self.fuzzy)
        form.addRow("", self.ignore_case)
        form.addRow("Documents", self.scope)
        form.addRow("", self.keep)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.resize(560, self.sizeHint().height())
        self._fill_labels()
        self._update()

    def _browse(self) -> None:
        start = self.path.text().strip() or str(self.folder)
        chosen, _ = QFileDialog.getOpenFileName(self, "Term list or pattern file", start, FILES)
        if chosen:
            self.path.setText(chosen)

    def _on_path(self, text: str) -> None:
        if text.strip():
            self.kind.setCurrentIndex(self.kind.findData(file_kind(Path(text.strip()))))
        self._update()

    def _on_label(self) -> None:
        self._picked = True
        self._update()

    def _fill_labels(self) -> None:
        chosen = self.label.currentText() if self._picked else ""
        self.label.blockSignals(True)
        self.label.clear()
        if self.kind.currentData() == "patterns":
            self.label.addItem("Every label in the file", "")
        for name in self._labels:
            self.label.addItem(name, name)
        at = self.label.findText(chosen)
        self.label.setCurrentIndex(max(at, 0))
        self.label.blockSignals(False)

    def _update(self) -> None:
        patterns = self.kind.currentData() == "patterns"
        if (self.label.count() and self.label.itemData(0) == "") != patterns:
            self._fill_labels()
        # spaCy patterns say themselves how loosely they match; only a term list is matched fuzzily.
        self.fuzzy.setEnabled(not patterns)
        self.label.setToolTip("Only this label's patterns" if patterns else "The label of every phrase in the list")
        problem = self._problem()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def _problem(self) -> str:
        text = self.path.text().strip()
        if not text:
            return "Choose a term list or a pattern file"
        if not Path(text).is_file():
            return f"No such file: {text}"
        if self.kind.currentData() == "terms" and not self.label.currentData():
            return "A term list needs a label: add one in the Labels panel"
        return ""

    def request(self) -> FileRequest:
        """What the analyst chose, for the background run."""
        doc_id = self.scope.currentData()
        patterns = self.kind.currentData() == "patterns"
        return FileRequest(Path(self.path.text().strip()), self.kind.currentData(), self.label.currentData() or "",
                           self.fuzzy.isChecked() and not patterns, self.ignore_case.isChecked(),
                           None if doc_id is None else (doc_id,), self.keep.isChecked())
