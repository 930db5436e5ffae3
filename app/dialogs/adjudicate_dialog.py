"""The adjudication dialog: which two analysts' disagreements to settle."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget


class PairDialog(QDialog):
    """Two analysts, A and B; OK stays off while they are the same one."""

    def __init__(self, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Adjudicate two analysts")
        self.a = QComboBox()
        self.b = QComboBox()
        for combo in (self.a, self.b):
            combo.addItems(names)
        self.b.setCurrentIndex(min(1, len(names) - 1))
        explain = QLabel("Walk the places in this document where they differ; what you keep goes into the "
                         "adjudicated layer. What they marked alike is adjudicated at once.")
        explain.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(explain)
        form.addRow("Analyst &A:", self.a)
        form.addRow("Analyst &B:", self.b)
        form.addRow(self.buttons)
        for combo in (self.a, self.b):
            combo.currentIndexChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.a.currentText() != self.b.currentText() and bool(self.a.currentText()))

    def pair(self) -> tuple[str, str]:
        return self.a.currentText(), self.b.currentText()


def ask_pair(names: list[str], parent: QWidget | None = None) -> tuple[str, str] | None:
    """The two analysts chosen, or None when cancelled."""
    dialog = PairDialog(names, parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.pair()
    return None
