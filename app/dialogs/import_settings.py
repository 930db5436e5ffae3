"""The window's import settings: the options of `scanspan import`, remembered for each project."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from annotations.errors import OcrError
from annotations.importing.files import ImportOptions
from annotations.ingest import ocr

MISSING_LANGUAGE = "tesseract language data not installed"
"""The start of OcrError's message for a language tesseract lacks (ocr.check_ready)."""

CHECK_DELAY_MS = 250
"""How long typing in the languages pauses before they are checked: a missing one asks tesseract again."""


class ImportSettingsDialog(QDialog):
    """Resolution, forced OCR, OCR languages and layout mode, the OCR time limit per page, parallel pages,
    and letter-part suggestions for new documents."""

    def __init__(self, options: ImportOptions, parent: QWidget | None = None, project: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import settings — {project}" if project else "Import settings")
        scope = QLabel(f"Remembered for the project {project}; a new project starts from the last settings chosen."
                       if project else "A new project starts from these settings.")
        scope.setWordWrap(True)
        self.dpi = QDoubleSpinBox(minimum=50, maximum=1200, decimals=0, suffix=" dpi", value=options.dpi)
        self.dpi.setToolTip("Resolution PDF pages are rendered at for OCR")
        self.force_ocr = QCheckBox("OCR every page, even where the PDF has text")
        self.force_ocr.setChecked(options.force_ocr)
        self.force_ocr.setToolTip("Without it, a PDF page with a usable text layer takes its words from the PDF")
        self.lang = QLineEdit(options.ocr.lang)
        self.lang.setToolTip("Tesseract languages, joined by +, e.g. eng+fra; auto: each page's own, told from a "
                             "first reading")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.problem.hide()
        self.psm = QSpinBox(minimum=0, maximum=13, value=options.ocr.psm)
        self.psm.setToolTip("Tesseract's page segmentation mode (3: automatic)")
        self.timeout = QSpinBox(minimum=0, maximum=24 * 3600, suffix=" s", value=round(options.ocr_timeout))
        self.timeout.setSpecialValueText("no limit")
        self.timeout.setToolTip("A page whose OCR takes longer is stopped, and its file reported as failed")
        self.jobs = QSpinBox(minimum=0, maximum=64, value=options.jobs)
        self.jobs.setSpecialValueText("one per CPU")
        self.jobs.setToolTip("Pages OCRed at the same time")
        self.letter_parts = QCheckBox("Suggest the parts of a letter for each new document")
        self.letter_parts.setChecked(options.letter_parts)
        self.letter_parts.setEnabled(project is not None)
        self.letter_parts.setToolTip("Letterhead, date, recipient, salutation, body paragraphs, closing, signature "
                                     "block and the handwritten signatures found on the scan, ... as suggestions to "
                                     "review, on pages that look like letters; kept in the project file (as scanspan "
                                     "import --letter-parts), and adds the letter labels")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.form = form = QFormLayout(self)
        form.addRow(scope)
        form.addRow("PDF resolution", self.dpi)
        form.addRow("", self.force_ocr)
        form.addRow("OCR languages", self.lang)
        form.addRow("", self.problem)
        form.addRow("Page layout mode", self.psm)
        form.addRow("OCR time limit per page", self.timeout)
        form.addRow("Parallel pages", self.jobs)
        form.addRow("", self.letter_parts)
        form.addRow(buttons)
        # Checked as the analyst types, so a corrected language clears its message at once rather than
        # when the field loses focus.
        self._lang_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._lang_timer.timeout.connect(self._check_lang)
        self.lang.textChanged.connect(self._lang_timer.start)
        self._check_lang()

    def _languages(self) -> str:
        return "+".join(part for part in self.lang.text().replace(" ", "").split("+") if part) or "eng"

    def _check_lang(self) -> None:
        """A language tesseract lacks keeps OK off and names the package to install; other problems only warn."""
        try:
            ocr.check_ready(ocr.OcrSettings(lang=self._languages()))
            problem = ""
        except OcrError as exc:
            problem = str(exc)
        self._lang_timer.stop()
        shown = self.problem.isVisible()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(not problem.startswith(MISSING_LANGUAGE))
        if self.isVisible() and (shown or problem):
            self._fit_height()

    def _fit_height(self) -> None:
        """A dialog already shown does not grow for a message that wraps: its lines were cut off."""
        self.form.activate()
        height = max(self.form.totalHeightForWidth(self.width()), self.form.totalMinimumSize().height())
        if height != self.height():
            self.resize(self.width(), height)

    def accept(self) -> None:
        self._check_lang()  # typing may not have paused (OK clicked straight from the field)
        if self.ok.isEnabled():
            super().accept()

    def options(self) -> ImportOptions:
        return ImportOptions(dpi=self.dpi.value(), force_ocr=self.force_ocr.isChecked(),
                             ocr=ocr.OcrSettings(lang=self._languages(), psm=self.psm.value()),
                             jobs=self.jobs.value(), ocr_timeout=float(self.timeout.value()),
                             letter_parts=self.letter_parts.isChecked())
