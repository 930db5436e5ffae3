"""The analyst dialog: the name this window records on every span and region it makes."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from annotations.layers import ADJUDICATED, UNION

EXPLAIN = ("Every span and region you make is recorded under this name, so that several analysts' "
           "work can be merged, compared and adjudicated. Give each analyst a name of their own.")


def name_problem(name: str) -> str:
    """Why `name` cannot be an analyst's name ("" when it can)."""
    name = name.strip()
    if not name:
        return "Enter a name."
    if name in (ADJUDICATED, UNION):
        return f"{name!r} is the name of a layer; choose another."
    return ""


class AnalystDialog(QDialog):
    """OK stays off, with the reason shown, until the name can be an analyst's."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Analyst name")
        self.name = QLineEdit(current)
        self.name.selectAll()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(explain)
        form.addRow("&Name:", self.name)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.name.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        problem = name_problem(self.name.text())
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)

    def value(self) -> str:
        return self.name.text().strip()


def ask_analyst(current: str, parent: QWidget | None = None) -> str | None:
    """The name chosen, or None when the dialog was cancelled."""
    dialog = AnalystDialog(current, parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.value()
    return None
