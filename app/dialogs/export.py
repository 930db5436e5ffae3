"""The Export dialog: a thin form over the core exporters (the formats come from the core's registry).

The exporters are imported when the dialog opens, not with the window: some load large libraries.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)


class ExportDialog(QDialog):
    def __init__(self, project_path: Path, current_doc: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from annotations import exporters

        self.exporters: ModuleType = exporters
        self.setWindowTitle("Export")
        self.setMinimumWidth(520)
        self.format = QComboBox()
        for name, spec in exporters.FORMATS.items():
            description = getattr(spec, "description", "")
            self.format.addItem(f"{name} — {description}" if description else name, name)
        self.scope = QComboBox()
        self.scope.addItem("All documents", "all")
        if current_doc is not None:
            self.scope.addItem("The current document", "current")
        self.scope.addItem("Documents marked done", "done")
        self.suggestions = QComboBox()
        self.suggestions.addItem("Format default", None)
        self.suggestions.addItem("Include suggestions", "include")
        self.suggestions.addItem("Leave suggestions out", "exclude")
        self.output = QLineEdit(str(project_path.with_name(project_path.stem + "-export" + self._suffix())))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.output, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Documents", self.scope)
        if self._has_option("suggestions"):
            form.addRow("Suggestions", self.suggestions)
        form.addRow("Output file", row)
        form.addRow(buttons)
        self.current_doc = current_doc
        self.format.currentIndexChanged.connect(self._on_format)

    def _suffix(self) -> str:
        spec = self.exporters.FORMATS.get(self.format.currentData())
        return getattr(spec, "suffix", f".{self.format.currentData()}")

    def _on_format(self) -> None:
        path = Path(self.output.text() or "export")
        self.output.setText(str(path.with_suffix(self._suffix())))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.output.text())
        if path:
            self.output.setText(path)

    def _has_option(self, name: str) -> bool:
        options = getattr(self.exporters, "ExportOptions", None)
        return options is not None and any(f.name == name for f in fields(options))

    def request(self) -> tuple[str, Path, list[int] | None, Any]:
        """(format, output file, document ids or None for all, options for the core)."""
        fmt = self.format.currentData()
        scope = self.scope.currentData()
        documents = [self.current_doc] if scope == "current" and self.current_doc is not None else None
        options = None
        options_type = getattr(self.exporters, "ExportOptions", None)
        if options_type is not None:
            kwargs: dict[str, Any] = {}
            if scope == "done" and self._has_option("statuses"):
                kwargs["statuses"] = ["done"]
            if self.suggestions.currentData() and self._has_option("suggestions"):
                kwargs["suggestions"] = self.suggestions.currentData()
            options = options_type(**kwargs)
        return fmt, Path(self.output.text()).expanduser(), documents, options
