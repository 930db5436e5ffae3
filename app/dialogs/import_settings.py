"""The window's import settings: the options of `scanspan import`, chosen once and remembered."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from annotations import ocr
from annotations.importer import ImportOptions


class ImportSettingsDialog(QDialog):
    """Resolution, OCR languages and layout mode, the OCR time limit per page, parallel pages."""

    def __init__(self, options: ImportOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import settings")
        self.dpi = QDoubleSpinBox(minimum=50, maximum=1200, decimals=0, suffix=" dpi", value=options.dpi)
        self.dpi.setToolTip("Resolution PDF pages are rendered at for OCR")
        self.lang = QLineEdit(options.ocr.lang)
        self.lang.setToolTip("Tesseract languages, joined by +, e.g. eng+fra")
        self.psm = QSpinBox(minimum=0, maximum=13, value=options.ocr.psm)
        self.psm.setToolTip("Tesseract's page segmentation mode (3: automatic)")
        self.timeout = QSpinBox(minimum=0, maximum=24 * 3600, suffix=" s", value=round(options.ocr_timeout))
        self.timeout.setSpecialValueText("no limit")
        self.timeout.setToolTip("A page whose OCR takes longer is stopped, and its file reported as failed")
        self.jobs = QSpinBox(minimum=0, maximum=64, value=options.jobs)
        self.jobs.setSpecialValueText("one per CPU")
        self.jobs.setToolTip("Pages OCRed at the same time")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("PDF resolution", self.dpi)
        form.addRow("OCR languages", self.lang)
        form.addRow("Page layout mode", self.psm)
        form.addRow("OCR time limit per page", self.timeout)
        form.addRow("Parallel pages", self.jobs)
        form.addRow(buttons)

    def options(self) -> ImportOptions:
        lang = "+".join(part for part in self.lang.text().replace(" ", "").split("+") if part) or "eng"
        return ImportOptions(dpi=self.dpi.value(), ocr=ocr.OcrSettings(lang=lang, psm=self.psm.value()),
                             jobs=self.jobs.value(), ocr_timeout=float(self.timeout.value()))
