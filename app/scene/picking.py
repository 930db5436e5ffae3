"""What a press or a click on the scan picks: the region to move or resize, a highlight, or a region."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from app.scene.page_items import SPAN_ID, RegionItem


def region_taking_press(view: QGraphicsView, pos: QPoint) -> RegionItem | None:
    """The region a press at `pos` (viewport pixels) goes to: the topmost one there, when it takes it.
    A region under another (a signature block around its signature) never takes a press inside the
    one on top, even when it is the one selected."""
    scene_pos = view.mapToScene(pos)
    for item in view.items(pos):
        if not isinstance(item, RegionItem):
            continue
        local = item.mapFromScene(scene_pos)
        if item.takes(local):
            return item
        if item.rect().contains(local):
            return None
        # Only the margin an edge is grabbed by, of a region not selected: the one below may take it.
    return None


def region_under(scene: QGraphicsScene, pos: QPointF) -> RegionItem | None:
    """The topmost (so smallest) region whose box holds `pos` (scene coordinates)."""
    for item in scene.items(pos):
        if isinstance(item, RegionItem) and item.rect().contains(item.mapFromScene(pos)):
            return item
    return None


def spans_clicked(scene: QGraphicsScene, pos: QPointF, region: RegionItem | None) -> list[int]:
    """The ids of the highlights under `pos`, smallest first; none when the region there is smaller.

    The smaller of a highlight and a region takes the click: a name tagged inside its signature block
    is the span, a region drawn around one tagged line (an imported ALTO or PAGE region) the region."""
    spans = sorted((i for i in scene.items(pos) if i.data(SPAN_ID) is not None), key=lambda i: _area(i.boundingRect()))
    if spans and region is not None and _area(region.rect()) < _area(spans[0].boundingRect()):
        return []
    return [i.data(SPAN_ID) for i in spans]


def _area(rect: QRectF) -> float:
    return rect.width() * rect.height()
