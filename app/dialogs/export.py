"""The Export dialog: a form over the core exporters with the formats and options of `scanspan export`."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

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
    QSpinBox,
    QWidget,
)

from annotations.errors import ProjectError

SCHEME_NAMES = {"iob2": "IOB2 (B-, I-, O)", "bilou": "BILOU (B-, I-, L-, U-, O)"}
SNAP_NAMES = {"expand": "widen to whole tokens", "contract": "shrink to whole tokens", "strict": "leave out"}
LABEL_LAYER_NAMES = {
    None: "Format default: the entities where each word takes one tag, else both",
    "entity": "Entities (agency, program, figure, …)",
    "structure": "A letter's structure (letterhead, body, closing, …)",
    "all": "Both, each where the format has room for it",
}
# Where each format puts the labels' layers (see `scanspan export --label-layer`).
LAYER_HINTS = {
    "spacy": 'The layer chosen is doc.ents and doc.spans["sc"]; the other stays in a span group of its own '
             '(doc.spans["structure"], or doc.spans["entity"])',
    "conll": "One tag column for the layer chosen; both adds the structure as a third column",
    "layoutlm": "ner_tags for the layer chosen; both adds structure_tags",
    "funsd": "One layer: a FUNSD form puts each word in one entity",
}
OTHER_LAYERS_HINT = "Every layer by default; choose one to leave the other out (counted in the export's message)"
PAGE_FILES = {"alto": "PAGE.xml per page", "page": "PAGE.xml per page", "hocr": "PAGE.hocr per page",
              "ocr-lines": "PAGE-lN.png beside PAGE-lN.gt.txt per text line"}
"""What the formats that write a folder of pages put in it (PAGE: the document's id and name and the page)."""


class ExportDialog(QDialog):
    _last: dict[Path, dict[str, Any]] = {}
    """What was chosen at the last export of each project in this run: exports are repeated, with the same choices."""

    def __init__(self, project_path: Path, current_doc: int | None, parent: QWidget | None = None,
                 analysts: list[str] | None = None) -> None:
        super().__init__(parent)
        # Imported when the dialog opens, not with the window: some exporters load large libraries.
        from annotations import exporters
        from annotations.exporters.select import parse_split

        self.exporters: ModuleType = exporters
        self._parse_split = parse_split
        # Absolute, so that the dialog names the folder it writes in even for a project opened as "p.db".
        project_path = project_path.absolute()
        self.project_path = project_path
        self.current_doc = current_doc
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)
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
        self.suggestions.addItem("Only suggestions", "only")
        # Which annotations, when several analysts annotate (see `scanspan export --layer`).
        self.layer = QComboBox()
        self.layer.setToolTip("Whose annotations: what adjudication kept, everyone's, or one analyst's")
        self.layer.addItem("Adjudicated where a document has it, else everyone's", None)
        self.layer.addItem("Adjudicated only", "adjudicated")
        self.layer.addItem("Everyone's (the union)", "union")
        for name in analysts or []:
            self.layer.addItem(f"{name}'s own", name)
        # Which labels: entities, a letter's structure, or both (`scanspan export --label-layer`).
        self.label_layer = QComboBox()
        for value, text in LABEL_LAYER_NAMES.items():
            self.label_layer.addItem(text, value)
        self.split = QLineEdit()
        self.split.setPlaceholderText("none (one file), or e.g. train=0.8,dev=0.1,test=0.1")
        self.split.setToolTip("Split by document, one file per part (OUT-train.EXT, ...); the same seed gives the same split")
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.seed.setToolTip("The seed of the document order the split cuts")
        self.scheme = QComboBox()
        for value, text in SCHEME_NAMES.items():
            self.scheme.addItem(text, value)
        self.snap = QComboBox()
        self.snap.setToolTip("Where a span's edge falls inside a token (spaCy's alignment_mode)")
        for value, text in SNAP_NAMES.items():
            self.snap.addItem(f"{value}: {text}", value)
        self.lang = QLineEdit("en")
        self.lang.setToolTip("The language of spaCy's blank tokenizer, e.g. en, fr, de")
        self.include_spans = QCheckBox("Also each span's word boxes (one box per line)")
        self.image_url = QLineEdit()
        self.image_url.setPlaceholderText("e.g. /data/local-files/?d=export/")
        self.image_url.setToolTip("Prefix of the image paths in the tasks, for Label Studio's local-files storage")
        self.replace = QCheckBox("Replace the folders an earlier export wrote there")
        self.images = QCheckBox("Also each page's image (PAGE.png), under the name the files give")
        self.highlights = QCheckBox("A highlight per span and a rectangle per region, coloured by label")
        self.corrected_only = QCheckBox("Only lines with a corrected word, or of documents marked done")
        self.output = QLineEdit()
        self._named_for: str | None = None  # the format the output's name was made for
        self.output_label = QLabel("Output file")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.output, 1)
        row.addWidget(self.browse)
        self.files = QLabel()
        self.files.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form = form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Documents", self.scope)
        form.addRow("Suggestions", self.suggestions)
        form.addRow("Annotations", self.layer)
        form.addRow("Labels", self.label_layer)
        form.addRow("Split", self.split)
        form.addRow("Seed", self.seed)
        form.addRow("Tagging scheme", self.scheme)
        form.addRow("Span edges", self.snap)
        form.addRow("Tokenizer language", self.lang)
        form.addRow("Spans", self.include_spans)
        form.addRow("Image URL prefix", self.image_url)
        form.addRow("Page images", self.images)
        form.addRow("Annotations in the PDF", self.highlights)
        form.addRow("Lines", self.corrected_only)
        form.addRow(self.output_label, row)
        form.addRow("", self.replace)
        form.addRow("", self.files)
        form.addRow("", self.problem)
        form.addRow(buttons)
        # Only the options of the chosen format are shown, as `scanspan export --help` names them.
        self._only: dict[QWidget, tuple[str, ...]] = {
            self.scheme: ("conll",), self.snap: ("spacy",), self.lang: ("spacy",), self.include_spans: ("coco",),
            self.image_url: ("labelstudio",), self.replace: ("funsd",), self.images: ("alto", "page", "hocr"),
            self.highlights: ("pdf",), self.corrected_only: ("ocr-lines",)}
        self.format.currentIndexChanged.connect(self._on_format)
        for signal in (self.split.textChanged, self.output.textChanged, self.replace.toggled, self.images.toggled,
                       self.label_layer.currentIndexChanged):
            signal.connect(self._check)
        self._on_format()
        self._restore()
        # The path is what most exports change: it has the focus, its file name selected to type over.
        self.output.setFocus()
        self._select_name()

    def _state(self) -> dict[str, Any]:
        combos = {"format": self.format, "scope": self.scope, "suggestions": self.suggestions,
                  "layer": self.layer, "label_layer": self.label_layer, "scheme": self.scheme, "snap": self.snap}
        return {**{name: combo.currentData() for name, combo in combos.items()},
                "split": self.split.text(), "seed": self.seed.value(), "lang": self.lang.text(),
                "include_spans": self.include_spans.isChecked(), "image_url": self.image_url.text(),
                "images": self.images.isChecked(), "highlights": self.highlights.isChecked(),
                "corrected_only": self.corrected_only.isChecked(), "output": self.output.text()}

    def _restore(self) -> None:
        last = self._last.get(self.project_path.resolve())
        if not last:
            return
        for name in ("format", "scope", "suggestions", "layer", "label_layer", "scheme", "snap"):
            combo: QComboBox = getattr(self, name)
            index = combo.findData(last[name])
            if index >= 0:  # "the current document" is offered only while one is shown, an analyst while they have annotations
                combo.setCurrentIndex(index)
        self.split.setText(last["split"])
        self.seed.setValue(last["seed"])
        self.lang.setText(last["lang"])
        self.include_spans.setChecked(last["include_spans"])
        self.image_url.setText(last["image_url"])
        self.images.setChecked(last["images"])
        self.highlights.setChecked(last["highlights"])
        self.corrected_only.setChecked(last["corrected_only"])
        self.output.setText(last["output"])

    def accept(self) -> None:
        self._last[self.project_path.resolve()] = self._state()
        super().accept()

    def _select_name(self) -> None:
        text = self.output.text()
        name = Path(text)
        self.output.setSelection(len(text) - len(name.name), len(name.stem))

    def _suffix(self, fmt: str | None = None) -> str:
        fmt = fmt or self.format.currentData()
        spec = self.exporters.FORMATS.get(fmt)
        return getattr(spec, "suffix", f".{fmt}")

    def _default_stem(self, fmt: str) -> str:
        """The project's name and the format's: two formats with one extension (coco and labelstudio's
        .json) never suggest the same file."""
        return f"{self.project_path.stem}-{fmt}"

    def _renamed(self, text: str, old: str, new: str) -> str:
        """The output path `text` chosen for format `old`, for format `new`: a name the analyst gave keeps
        its stem and takes the new extension; the old format's own name becomes the new format's."""
        path = Path(text)
        old_suffix = self._suffix(old)
        if old_suffix and path.name.endswith(old_suffix):
            stem = path.name[: -len(old_suffix)]
        elif getattr(self.exporters.FORMATS.get(old), "folder", None) is not None:
            stem = path.name  # a folder's whole name: "letters.v2" has no extension to drop
        else:
            stem = path.stem
        if stem == self._default_stem(old):
            stem = self._default_stem(new)
        return str(path.with_name(stem + self._suffix(new)))

    def _folder(self) -> bool:
        """Whether the chosen format writes a folder (funsd) rather than a file."""
        return getattr(self.exporters.FORMATS.get(self.format.currentData()), "folder", None) is not None

    def _on_format(self) -> None:
        fmt = self.format.currentData()
        for widget, only in self._only.items():
            self.form.setRowVisible(widget, fmt in only)
        # The archive formats write one file per page: no split.
        for widget in (self.split, self.seed):
            self.form.setRowVisible(widget, self._splits())
        self.output_label.setText("Output folder" if self._folder() else "Output file")
        self.label_layer.setToolTip(LAYER_HINTS.get(fmt, OTHER_LAYERS_HINT))
        if self._named_for is None:
            self.output.setText(str(self.project_path.with_name(self._default_stem(fmt) + self._suffix())))
        elif self.output.text() and self._named_for != fmt:
            name_selected = self.output.selectedText() == Path(self.output.text()).stem
            self.output.setText(self._renamed(self.output.text(), self._named_for, fmt))
            if name_selected:  # still ready to be typed over
                self._select_name()
        self._named_for = fmt
        self._check()

    def _browse(self) -> None:
        out = self.output_path()
        if self._folder():
            path = QFileDialog.getExistingDirectory(self, "Export to folder", str(out if out.is_dir() else out.parent))
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export to", str(out))
        if path:
            self.output.setText(path)

    def output_path(self) -> Path:
        """The output file or folder; a relative path is taken from the project's folder, where the default points."""
        path = Path(self.output.text().strip()).expanduser()
        return path if path.is_absolute() else self.project_path.parent / path

    def _splits(self) -> bool:
        return bool(getattr(self.exporters.FORMATS.get(self.format.currentData()), "splits", True))

    def _split_parts(self) -> list[str]:
        if not self._splits() or not self.split.text().strip():
            return []
        return [name for name, _ in self._parse_split(self.split.text())]

    def _check(self) -> None:
        """Export stays off, with the reason shown, while the split or the path cannot be used."""
        folder = self._folder()
        problem = "" if self.output.text().strip() else f"Choose an output {'folder' if folder else 'file'}."
        parts: list[str] = []
        try:
            parts = self._split_parts()
        except ProjectError as exc:
            problem = f"The {exc}."
        self.seed.setEnabled(bool(parts))
        spec = self.exporters.FORMATS.get(self.format.currentData())
        if self.label_layer.currentData() == "all" and not getattr(spec, "all_layers", True):
            problem = problem or "FUNSD puts each word in one entity: choose the entities or the letter's structure."
        out = self.output_path()
        if folder:
            problem = problem or self._folder_problem(out, parts)
            self.files.setText(self._folder_text(out, parts))
        else:
            names = [out.with_name(f"{out.stem}-{part}{out.suffix}").name for part in parts] or [out.name]
            images = f" and page images in {out.stem}-images/" if getattr(spec, "images", False) else ""
            # A file export writes over what is there: say so, as the dialog opens with the last export's path.
            there = [name for name in names if (out.parent / name).is_file()]
            replacing = f", replacing the {', '.join(there)} there" if there else ""
            self.files.setText(f"Writes {', '.join(names)}{images} in {out.parent}{replacing}")
            if out.is_dir():
                problem = problem or f"{out.name} is a folder; choose a file name."
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(not problem)
        if self.isVisible():  # a format's own rows and a wrapped account need height the minimum size omits
            self.resize(self.width(), max(self.height(), self.form.totalHeightForWidth(self.width())))

    def _folder_parts(self, parts: list[str]) -> list[str]:
        from annotations.exporters.funsd import split_folder

        return [split_folder(part) for part in parts] or ["annotations", "images"]

    def _folder_text(self, out: Path, parts: list[str]) -> str:
        fmt = self.format.currentData()
        if fmt in PAGE_FILES:
            images = " and PAGE.png" if fmt in self._only[self.images] and self.images.isChecked() else ""
            return f"Writes {PAGE_FILES[fmt]}{images} in {out}"
        if parts:
            return f"Writes {', '.join(p + '/' for p in self._folder_parts(parts))} (each with annotations/ and images/) in {out}"
        return f"Writes annotations/ and images/ in {out}"

    def _folder_problem(self, out: Path, parts: list[str]) -> str:
        fmt = self.format.currentData()
        if out.exists() and not out.is_dir():
            return f"{out.name} is a file; {'FUNSD' if fmt == 'funsd' else fmt} writes a folder."
        if not out.parent.is_dir():
            return f"The folder {out.parent} does not exist."
        if fmt in PAGE_FILES:
            return ""  # files of an earlier export of the same pages are replaced, others left alone
        there = [p + "/" for p in self._folder_parts(parts) if (out / p).exists()]
        if there and not self.replace.isChecked():
            return f"{out.name} already holds {', '.join(there)}: tick Replace to write over them."
        return ""

    def request(self) -> tuple[str, Path, list[int] | None, Any]:
        """(format, output file, document ids or None for all, options for the core)."""
        fmt = self.format.currentData()
        scope = self.scope.currentData()
        documents = [self.current_doc] if scope == "current" and self.current_doc is not None else None
        split = (self.split.text().replace(" ", "") or None) if self._splits() else None
        options = self.exporters.ExportOptions(
            statuses=["done"] if scope == "done" else None,
            suggestions=self.suggestions.currentData(),
            split=split,
            seed=self.seed.value() if split else 0,
            scheme=self.scheme.currentData(),
            snap=self.snap.currentData(),
            lang=self.lang.text().strip() or "en",
            include_spans=self.include_spans.isChecked(),
            image_url=self.image_url.text().strip(),
            replace=self._folder() and self.replace.isChecked(),
            layer=self.layer.currentData(),
            label_layer=self.label_layer.currentData(),
            images=fmt in self._only[self.images] and self.images.isChecked(),
            highlights=fmt in self._only[self.highlights] and self.highlights.isChecked(),
            corrected_only=fmt in self._only[self.corrected_only] and self.corrected_only.isChecked(),
        )
        return fmt, self.output_path(), documents, options
