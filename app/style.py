"""Small pieces of the window's look shared by its parts."""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPixmap


def swatch(color: str, size: int = 12) -> QIcon:
    """A square of a label's colour, for lists and menus."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)
