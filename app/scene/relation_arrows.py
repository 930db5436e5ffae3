"""Relations on the scan: an arrow from one end's box to the other's, in the relation label's colour; a
short stub toward the page's edge when the other end is on another page."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from annotations.records import Relation
from app.scene.page_items import Z_BAND, cosmetic

Z_ARROW = Z_BAND - 2
"""Above highlights and regions (an arrow between two regions stays visible), under a rubber band."""
HEAD = 40.0
"""Length of the arrowhead in page pixels."""
STUB = 160.0
"""Length in page pixels of the stub drawn for a relation whose other end is on another page."""
HOVER_WIDTH = 16.0
"""Page pixels either side of the line where the pointer shows its tooltip: a cosmetic line is too thin to find."""


class ArrowItem(QGraphicsPathItem):
    """One relation: a line between the ends' boxes with a head at the to-end (both ends for an undirected label)."""

    def __init__(self, relation: Relation, start: QRectF, end: QRectF, color: QColor, directed: bool,
                 tip: str) -> None:
        """From box `start` to box `end` (for a span, one of its lines)."""
        super().__init__()
        self.relation_id = relation.id
        self.other_page: int | None = None  # a stub's: the page of the end not drawn here
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


def _stub_end(box: QRectF, here: int, there: int, page: QRectF) -> QRectF:
    """Where a stub from `box` toward page `there` ends: straight down toward a later page, up toward an
    earlier one, short of the page's edge (an empty box, so the line ends at that point). A box too near
    that edge for a stub to show gets one sideways, toward the wider margin."""
    room = page.bottom() - box.bottom() if there > here else box.top() - page.top()
    if room >= STUB / 2:
        y = box.bottom() + min(STUB, room) if there > here else box.top() - min(STUB, room)
        return QRectF(QPointF(box.center().x(), y), QSizeF(0, 0))
    right, left = page.right() - box.right(), box.left() - page.left()
    x = box.right() + min(STUB, right) if right >= left else box.left() - min(STUB, left)
    return QRectF(QPointF(x, box.center().y()), QSizeF(0, 0))


def build_arrows(relations: list[Relation], rects_of_end: Callable[[tuple[str, int]], list[QRectF]],
                 color_of: Callable[[str], QColor], directed_of: Callable[[str], bool],
                 describe: Callable[[Relation], str], parent: QGraphicsItem | None = None,
                 page_of_end: Callable[[tuple[str, int]], int | None] | None = None,
                 page: tuple[int, QRectF] | None = None) -> dict[int, ArrowItem]:
    """An arrow per relation whose two ends are both drawn on the page; with `page_of_end` and `page` (its
    number and rectangle), a stub toward the page's edge for one whose other end is on another page
    (named in its tooltip). Others are listed in the table only."""
    arrows: dict[int, ArrowItem] = {}
    for relation in relations:
        starts, ends = rects_of_end(relation.from_end), rects_of_end(relation.to_end)
        other: int | None = None
        if (not starts) != (not ends) and page_of_end is not None and page is not None:
            missing = relation.to_end if starts else relation.from_end
            other = page_of_end(missing)
            if other is None or other == page[0]:
                continue  # on this page but not drawn (another analyst's): no stub
            box = (starts or ends)[0] if other > page[0] else (starts or ends)[-1]
            stub = _stub_end(box, page[0], other, page[1])
            starts, ends = (starts, [stub]) if starts else ([stub], ends)
        if not starts or not ends:
            continue
        start, end = nearest(starts, ends)
        tip = describe(relation) + (f"\nIts other end is on page {other} (double-click its row to go there)"
                                    if other is not None else "")
        arrow = ArrowItem(relation, start, end, color_of(relation.label), directed_of(relation.label), tip)
        arrow.other_page = other
        if parent is not None:
            arrow.setParentItem(parent)
        arrows[relation.id] = arrow
    return arrows
