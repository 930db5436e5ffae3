"""A background job's line in the status bar: what it is doing, a progress bar and Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar


class StatusProgress:
    """Shown while a job runs, hidden when it ends; the bar is busy until the job knows its total."""

    def __init__(self, status_bar: QStatusBar, cancel_tip: str, on_cancel: Callable[[], None], width: int) -> None:
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(width)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(cancel_tip)
        self.cancel_button.clicked.connect(on_cancel)
        for widget in self._widgets():
            status_bar.addPermanentWidget(widget)
            widget.hide()

    def _widgets(self) -> tuple[QLabel, QProgressBar, QPushButton]:
        return self.label, self.bar, self.cancel_button

    def begin(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)
        for widget in self._widgets():
            widget.show()
        self.cancel_button.setEnabled(True)

    def step(self, done: int, total: int, text: str, unit: str = "") -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{done}/{total}{f' {unit}' if unit else ''}")
        self.label.setText(text)

    def cancelling(self, text: str) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(text)

    def end(self) -> None:
        for widget in self._widgets():
            widget.hide()
