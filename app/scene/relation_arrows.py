"""Relations on the scan: an arrow from one end's box to the other's, in the relation label's colour."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from annotations.model import Relation
from app.scene.page_items import Z_BAND, cosmetic

Z_ARROW = Z_BAND - 2
"""Above highlights and regions (an arrow between two regions stays visible), under a rubber band."""
HEAD = 40.0
"""Length of the arrowhead in page pixels."""
HOVER_WIDTH = 16.0
"""Page pixels either side of the line where the pointer shows its tooltip: a cosmetic line is too thin to find."""


class ArrowItem(QGraphicsPathItem):
    """One relation: a line between the ends' boxes with a head at the to-end (both ends for an undirected label)."""

    def __init__(self, relation: Relation, start: QRectF, end: QRectF, color: QColor, directed: bool,
                 tip: str) -> None:
        """From box `start` to box `end` (for a span, one of its lines)."""
        super().__init__()
        self.relation_id = relation.id
        self.color = QColor(color)
        line = QLineF(start.center(), end.center())
        line = QLineF(_exit(start, line), _exit(end, QLineF(line.p2(), line.p1())))
        path = QPainterPath(line.p1())
        path.lineTo(line.p2())
        _head(path, line)
        if not directed:
            _head(path, QLineF(line.p2(), line.p1()))
        self.setPath(path)
        self.setZValue(Z_ARROW)
        self.setToolTip(tip)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to what is under it
        self.set_current(False)

    def set_current(self, current: bool) -> None:
        self.setPen(cosmetic(self.color, 4.0 if current else 2.0,
                             Qt.PenStyle.DashLine if current else Qt.PenStyle.SolidLine))
        self.setBrush(self.color)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(HOVER_WIDTH)
        return stroker.createStroke(self.path()) + self.path()


def _exit(rect: QRectF, line: QLineF) -> QPointF:
    """Where a line from the rectangle's centre leaves it (its centre when the line is empty)."""
    if line.length() == 0:
        return line.p1()
    dx, dy = line.dx(), line.dy()
    tx = rect.width() / 2 / abs(dx) if dx else math.inf
    ty = rect.height() / 2 / abs(dy) if dy else math.inf
    t = min(tx, ty, 1.0)
    return QPointF(line.p1().x() + dx * t, line.p1().y() + dy * t)


def _head(path: QPainterPath, line: QLineF) -> None:
    if line.length() == 0:
        return
    angle = math.atan2(line.dy(), line.dx())
    tip = line.p2()
    for side in (-1, 1):
        a = angle + math.pi + side * math.pi / 7
        path.moveTo(tip)
        path.lineTo(tip.x() + HEAD * math.cos(a), tip.y() + HEAD * math.sin(a))
    back = [QPointF(tip.x() + HEAD * math.cos(angle + math.pi + s * math.pi / 7),
                    tip.y() + HEAD * math.sin(angle + math.pi + s * math.pi / 7)) for s in (-1, 1)]
    path.addPolygon([tip, back[0], back[1], tip])


def nearest(starts: list[QRectF], ends: list[QRectF]) -> tuple[QRectF, QRectF]:
    """The two boxes, one of each end, whose centres are closest: a span over two lines is reached at the nearer line."""
    return min(((a, b) for a in starts for b in ends),
               key=lambda pair: QLineF(pair[0].center(), pair[1].center()).length())


def build_arrows(relations: list[Relation], rects_of_end: Callable[[tuple[str, int]], list[QRectF]],
                 color_of: Callable[[str], QColor], directed_of: Callable[[str], bool],
                 describe: Callable[[Relation], str], parent: QGraphicsItem | None = None) -> dict[int, ArrowItem]:
    """An arrow per relation whose two ends are both drawn on the page (others are listed in the table only)."""
    arrows: dict[int, ArrowItem] = {}
    for relation in relations:
        starts, ends = rects_of_end(relation.from_end), rects_of_end(relation.to_end)
        if not starts or not ends:
            continue
        start, end = nearest(starts, ends)
        arrow = ArrowItem(relation, start, end, color_of(relation.label), directed_of(relation.label),
                          describe(relation))
        if parent is not None:
            arrow.setParentItem(parent)
        arrows[relation.id] = arrow
    return arrows
