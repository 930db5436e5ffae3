"""What the window shows before a project is open: how to start, and the recent projects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.settings import Settings


class Welcome(QWidget):
    def __init__(self, new: QAction, open_: QAction, settings: Settings,
                 open_project: Callable[[Path], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.open_project = open_project
        title = QLabel("<h2>Scanspan</h2><p>Create or open a project, then import scanned letters "
                       "(File ▸ Import, or drop the files on this window).</p>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        new_button = QPushButton(new.text().replace("&", ""))
        new_button.clicked.connect(new.trigger)
        open_button = QPushButton(open_.text().replace("&", ""))
        open_button.clicked.connect(open_.trigger)
        self.recent = QListWidget()
        self.recent.setMaximumWidth(560)
        self.recent.itemActivated.connect(lambda item: self.open_project(Path(item.data(Qt.ItemDataRole.UserRole))))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        for widget in (new_button, open_button):
            widget.setMinimumWidth(220)
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(QLabel("Recent projects"), 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.recent, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def showEvent(self, event: object) -> None:  # type: ignore[override]
        self.recent.clear()
        for path in self.settings.recent_projects():
            if path.exists():
                item = QListWidgetItem(f"{path.stem}    {path.parent}")
                item.setData(Qt.ItemDataRole.UserRole, str(path))
                self.recent.addItem(item)
        super().showEvent(event)  # type: ignore[arg-type]
