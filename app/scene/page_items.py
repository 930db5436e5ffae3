"""What the page scene is made of, in page pixels (scene units = the scan's pixels).

- `PageImage`: the rendered scan; paints only the exposed part of a (possibly lower-scale) image.
- `WordLayer`: ONE item for all word boxes, the word selection and the hovered word. It paints the
  exposed rectangle only, found through the core's spatial index, and batches boxes by colour, so
  a page of 1,500 words costs a handful of drawRects calls, not 1,500 items.
- `Highlights`: one path item per span on the page (painted in C++, no Python per frame), and a
  bar per span in its own lane so overlapping spans stay distinguishable.
- `RegionItem`: a labelled rectangle, moved and resized with the mouse; one edit per gesture. The
  smaller of two overlapping regions lies on top, so a region inside another can be picked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from annotations.records import Box, Word
from annotations.text.ranges import PageData, SpanOnPage

Z_IMAGE, Z_HIGHLIGHT, Z_WORDS, Z_REGION, Z_BAND = 0, 1, 2, 3, 10
HIGHLIGHT_ALPHA = 70
SUGGESTION_ALPHA = 28  # a suggestion not yet reviewed: a light fill inside a dashed outline
PAD = 3.0  # page pixels around a word inside a highlight

# Confidence bins (upper bounds) and their tints: weak words stand out in red.
CONF_BINS = ((50, QColor(220, 30, 30)), (70, QColor(240, 120, 0)), (85, QColor(200, 170, 0)), (101, QColor(40, 110, 200)))


def rect_of(box: Box) -> QRectF:
    return QRectF(box[0], box[1], box[2] - box[0], box[3] - box[1])


def cosmetic(color: QColor, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width, style)
    pen.setCosmetic(True)
    return pen


def word_rects(words: Sequence[Word], first: int = 0, cut: dict[int, tuple[int, int]] | None = None) -> list[QRectF]:
    """Each word's box; `cut` maps a word's page index (words[0] being page word `first`) to the
    characters (head, tail) left out at its start and end: that share of the box is left out too."""
    rects = []
    for i, word in enumerate(words):
        r = rect_of(word.box)
        if cut and first + i in cut and word.text:
            head, tail = cut[first + i]
            share = r.width() / len(word.text)
            r.setLeft(r.left() + head * share)
            r.setRight(max(r.right() - tail * share, r.left() + share))
        rects.append(r)
    return rects


def line_rects(words: Sequence[Word], first: int = 0, cut: dict[int, tuple[int, int]] | None = None) -> list[QRectF]:
    """Consecutive words on one line merged into one rectangle each (cut as in word_rects)."""
    rects: list[QRectF] = []
    key = None
    for word, r in zip(words, word_rects(words, first, cut)):
        r = r.adjusted(-PAD, -PAD, PAD, PAD)
        k = (word.block, word.par, word.line)
        if rects and k == key and r.left() >= rects[-1].left():
            rects[-1] = rects[-1].united(r)
        else:
            rects.append(r)
        key = k
    return rects


class PageImage(QGraphicsItem):
    """The scan, white until its image arrives."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self._rect = QRectF(0, 0, width, height)
        self.image: QImage | None = None
        self.scale = 1.0
        self.setZValue(Z_IMAGE)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_image(self, image: QImage | None, scale: float) -> None:
        self.image = image
        self.scale = scale
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        exposed = option.exposedRect.intersected(self._rect)
        if self.image is None:
            painter.fillRect(exposed, Qt.GlobalColor.white)
            return
        s = self.scale
        source = QRectF(exposed.x() * s, exposed.y() * s, exposed.width() * s, exposed.height() * s)
        painter.drawImage(exposed, self.image, source)


def word_geometry(data: PageData) -> None:
    """Word rectangles and confidence bins of a page, derived once and kept with its words."""
    if "word_rects" in data.cache:
        return
    rects = [rect_of(w.box) for w in data.words]
    bins = [next(i for i, (top, _) in enumerate(CONF_BINS) if w.conf < top) for w in data.words]
    by_bin: list[list[QRectF]] = [[] for _ in CONF_BINS]
    for rect, b in zip(rects, bins):
        by_bin[b].append(rect)
    data.cache.update(word_rects=rects, word_bins=bins, word_by_bin=by_bin)


class WordLayer(QGraphicsItem):
    """All word boxes of a page in one item: confidence tint, selection, hover."""

    def __init__(self, data: PageData, on_hover: Callable[[Word | None], None]) -> None:
        super().__init__()
        self.page_data = data
        self.on_hover = on_hover
        self._rect = QRectF(0, 0, data.page.width, data.page.height)
        word_geometry(data)
        self.rects: list[QRectF] = data.cache["word_rects"]  # type: ignore[assignment]
        self.bin: list[int] = data.cache["word_bins"]  # type: ignore[assignment]
        self.by_bin: list[list[QRectF]] = data.cache["word_by_bin"]  # type: ignore[assignment]
        self.pens = [cosmetic(c, 1.0) for _, c in CONF_BINS]
        self.brushes = [QBrush(QColor(c.red(), c.green(), c.blue(), a)) for (_, c), a in zip(CONF_BINS, (90, 60, 35, 0))]
        self.show_boxes = False
        self.selected: list[QRectF] = []
        self.hover: int | None = None
        self.setZValue(Z_WORDS)
        self.setAcceptHoverEvents(True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_show_boxes(self, show: bool) -> None:
        self.show_boxes = show
        self.update()

    def set_selected(self, rects: list[QRectF]) -> None:
        dirty = QRectF()
        for r in self.selected:
            dirty = dirty.united(r)
        self.selected = rects
        for r in self.selected:
            dirty = dirty.united(r)
        if not dirty.isEmpty():
            self.update(dirty.adjusted(-4, -4, 4, 4))

    def word_at(self, pos: QPointF) -> int | None:
        hits = self.page_data.index.query((pos.x(), pos.y(), pos.x(), pos.y()), mode="overlap")
        return hits[0] if hits else None

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        exposed = option.exposedRect
        if self.show_boxes:
            if exposed.width() * exposed.height() > 0.4 * self._rect.width() * self._rect.height():
                groups = self.by_bin
            else:
                groups = [[] for _ in CONF_BINS]
                box = (exposed.left(), exposed.top(), exposed.right(), exposed.bottom())
                for i in self.page_data.index.query(box, mode="overlap"):
                    groups[self.bin[i]].append(self.rects[i])
            for rects, pen, brush in zip(groups, self.pens, self.brushes):
                if rects:
                    painter.setPen(pen)
                    painter.setBrush(brush)
                    painter.drawRects(rects)
        if self.selected:
            # Neutral grey, outlined: no label colour (a translucent fill) can be taken for the
            # selection, and a thin solid line keeps small words readable at any zoom.
            painter.setPen(cosmetic(QColor(25, 25, 25, 210), 1.2))
            painter.setBrush(QColor(0, 0, 0, 34))
            painter.drawRects(self.selected)
        if self.hover is not None:
            painter.setPen(cosmetic(QColor(20, 20, 20), 1.0, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rects[self.hover].adjusted(-2, -2, 2, 2))

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._set_hover(self.word_at(event.pos()))

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        if index == self.hover:
            return
        for i in (self.hover, index):
            if i is not None:
                self.update(self.rects[i].adjusted(-4, -4, 4, 4))
        self.hover = index
        word = self.page_data.words[index] if index is not None else None
        self.setToolTip(word_tip(word) if word else "")
        self.on_hover(word)


def word_tip(word: Word) -> str:
    tip = f"{word.text}  ·  confidence {word.conf:.0f}%"
    if word.corrected:
        tip += f"  ·  OCR read {word.ocr_text!r}"
    return tip


SPAN_ID = 0  # QGraphicsItem.data key holding a highlight's span id
NO_PEN = QPen(Qt.PenStyle.NoPen)


@dataclass(frozen=True)
class _Shape:
    span_id: int
    label: str
    fill: QPainterPath
    bars: tuple[QRectF, ...]
    first: QRectF  # the span's first line, where its name goes
    suggested: bool = False


def highlight_shapes(parts: Sequence[SpanOnPage], data: PageData) -> list[_Shape]:
    """Each span's outline on the page and its lane bars; kept with the page until its spans change."""
    cached = data.cache.get("highlights")
    if isinstance(cached, tuple) and cached[0] is parts:
        return cached[1]
    text = data.text
    shapes = []
    for part, lane in zip(parts, lanes([(p.first, p.last) for p in parts])):
        # A span that cuts a word ("Prevention" in "Prevention's") covers that share of its box.
        cut = {}
        if part.start > text.starts[part.first]:
            cut[part.first] = (part.start - text.starts[part.first], 0)
        if part.end < text.ends[part.last]:
            cut[part.last] = (cut.get(part.last, (0, 0))[0], text.ends[part.last] - part.end)
        path = QPainterPath()
        bars = []
        line = line_rects(text.words[part.first : part.last + 1], part.first, cut)
        for r in line:
            path.addRect(r)
            bars.append(QRectF(r.left(), r.bottom() + 1 + lane * 7, r.width(), 5))
        if part.span.suggested:
            path = path.simplified()  # one dashed outline around its lines, not one per line
        shapes.append(_Shape(part.span.id, part.span.label, path, tuple(bars),
                             line[0] if line else QRectF(), bool(part.span.suggested)))
    data.cache["highlights"] = (parts, shapes)
    return shapes


class Highlights(QGraphicsPathItem):
    """The span highlights of a page: under this contentless parent, one path item per span (its
    words filled in its label's colour, painted in C++) and one bar path per colour, each span's
    bar in its own lane so overlapping spans stay distinguishable."""

    def __init__(self, parts: Sequence[SpanOnPage], data: PageData, color_of: Callable[[str], QColor],
                 show_names: bool = False) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(Z_HIGHLIGHT)
        self.items: dict[int, QGraphicsPathItem] = {}
        self.pens: dict[int, QPen] = {}  # a span's own outline when it is not the selected one
        self.current: int | None = None
        fills: dict[tuple[str, bool], QBrush] = {}
        bars: dict[str, QPainterPath] = {}
        for shape in highlight_shapes(parts, data):
            label = shape.label
            color = color_of(label)
            key = (label, shape.suggested)
            if key not in fills:
                alpha = SUGGESTION_ALPHA if shape.suggested else HIGHLIGHT_ALPHA
                fills[key] = QBrush(QColor(color.red(), color.green(), color.blue(), alpha))
            if label not in bars:
                bars[label] = QPainterPath()
            if not shape.suggested:  # a suggestion has no lane bar: only what was decided looks solid
                for r in shape.bars:
                    bars[label].addRect(r)
            item = QGraphicsPathItem(shape.fill, self)
            item.setBrush(fills[key])
            pen = cosmetic(color.darker(120), 1.5, Qt.PenStyle.DashLine) if shape.suggested else NO_PEN
            item.setPen(pen)
            self.pens[shape.span_id] = pen
            item.setData(SPAN_ID, shape.span_id)
            # Colours alone do not say which label is which, nor a dashed line what it means.
            item.setToolTip(f"{label} (suggested: Enter accepts, X rejects)" if shape.suggested else label)
            if show_names:
                tag = RegionTag(item, scale=0.8)  # smaller than a region's: spans sit close together
                tag.set_label(label, color_of(label))
                tag.setPos(shape.first.topLeft())
            self.items[shape.span_id] = item
        for label, path in bars.items():
            bar = QGraphicsPathItem(path, self)
            bar.setBrush(color_of(label))
            bar.setPen(NO_PEN)
            bar.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_current(self, span_id: int | None) -> None:
        old = self.items.get(self.current) if self.current is not None else None
        if old is not None and self.current is not None:
            old.setPen(self.pens.get(self.current, NO_PEN))
            old.setZValue(0)
        self.current = span_id
        new = self.items.get(span_id) if span_id is not None else None
        if new is not None:
            dashed = self.pens.get(span_id, NO_PEN).style() == Qt.PenStyle.DashLine
            new.setPen(cosmetic(QColor(20, 20, 20), 2.5, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine))
            new.setZValue(1)


def lanes(ranges: Sequence[tuple[int, int]]) -> list[int]:
    """A lane per range (sorted by start) so that overlapping ranges never share one."""
    ends: list[int] = []  # last word index in each lane
    out: list[int] = []
    for first, last in ranges:
        for lane, end in enumerate(ends):
            if end < first:
                ends[lane] = last
                out.append(lane)
                break
        else:
            ends.append(last)
            out.append(len(ends) - 1)
    return out


class RegionTag(QGraphicsItem):
    """The region's label as a small chip on its top-left corner, the same size at any zoom."""

    def __init__(self, parent: QGraphicsItem, scale: float = 1.0) -> None:
        super().__init__(parent)
        self.font_scale = scale
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.text = ""
        self.color = QColor()
        self._rect = QRectF()

    def set_label(self, text: str, color: QColor) -> None:
        self.prepareGeometryChange()
        self.text, self.color = text, QColor(color)
        font = self.font()
        metrics = QFontMetricsF(font)
        w, h = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
        self._rect = QRectF(-1, -h, w, h)  # above the corner, in screen pixels
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def font(self) -> QFont:
        font = QApplication.font()
        font.setPointSizeF(font.pointSizeF() * self.font_scale)
        return font

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.fillRect(self._rect, self.color)
        painter.setFont(self.font())
        painter.setPen(QColor("white"))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class RegionItem(QGraphicsRectItem):
    """A region: once selected, drag inside to move it or an edge or corner to resize it; clamped to the page.

    While the region tool is on (`drawing`) a press anywhere draws a new region, inside this one
    too, except on the edges of the selected region, which still resize it."""

    HANDLE = 7.0  # screen pixels
    CURSORS = {
        "l": Qt.CursorShape.SizeHorCursor, "r": Qt.CursorShape.SizeHorCursor,
        "t": Qt.CursorShape.SizeVerCursor, "b": Qt.CursorShape.SizeVerCursor,
        "lt": Qt.CursorShape.SizeFDiagCursor, "rb": Qt.CursorShape.SizeFDiagCursor,
        "rt": Qt.CursorShape.SizeBDiagCursor, "lb": Qt.CursorShape.SizeBDiagCursor,
        "": Qt.CursorShape.SizeAllCursor,
    }

    def __init__(self, region_id: int, box: Box, color: QColor, label: str, page: QRectF,
                 on_select: Callable[[int], None], on_edited: Callable[[int, Box], None]) -> None:
        super().__init__(rect_of(box))
        self.region_id = region_id
        self.page = page
        self.on_select = on_select
        self.on_edited = on_edited
        self.current = False
        self.drawing = False
        self._drag: tuple[str, QPointF, QRectF] | None = None
        self.setZValue(Z_REGION)
        self.setAcceptHoverEvents(True)
        self.tag = RegionTag(self)
        self.set_label(label, color)

    def set_label(self, label: str, color: QColor) -> None:
        self.color = QColor(color)
        fill = QColor(color)
        fill.setAlpha(35)
        self.setBrush(fill)
        self.tag.set_label(label, color)
        self._restyle()

    def set_box(self, box: Box) -> None:
        self.setRect(rect_of(box))
        self._restyle()

    def set_current(self, current: bool) -> None:
        self.current = current
        self._restyle()

    def set_drawing(self, drawing: bool) -> None:
        """The region tool is on (or off again)."""
        self.drawing = drawing

    def _restyle(self) -> None:
        style = Qt.PenStyle.DashLine if self.current else Qt.PenStyle.SolidLine
        self.setPen(cosmetic(self.color, 3.0 if self.current else 2.0, style))
        self.tag.setPos(self.rect().topLeft())
        # A signature inside its signature block: the smaller lies on top, whichever was drawn
        # first, so a click inside it picks it and one around it still picks the larger.
        area = self.rect().width() * self.rect().height()
        self.setZValue(Z_REGION + 1.0 - min(area / max(self.page.width() * self.page.height(), 1.0), 1.0))
        self.update()

    def takes(self, pos: QPointF) -> bool:
        """Whether a press at `pos` (item coordinates) is this region's: to move or resize it.

        Only once it is selected, as its handles show: its edges, and inside when the region tool is off.
        A press on a region not selected goes to the page: a drag selects the words there (a signature
        block covers the closing and the typed name) and a click selects the region (PageView._click), so
        selecting words near a small region cannot resize it by its edge."""
        if not self.current or not self.shape().contains(pos):
            return False
        return not self.drawing or bool(self._edge(pos))

    def cursor_at(self, pos: QPointF) -> Qt.CursorShape:
        """The pointer over `pos`: what a drag from there does to this region."""
        return self.CURSORS.get(self._edge(pos), Qt.CursorShape.SizeAllCursor)

    def _scale(self) -> float:
        views = self.scene().views() if self.scene() else []
        return views[0].transform().m11() if views else 1.0

    def _edge(self, pos: QPointF) -> str:
        """Which edges the point grabs: a combination of l, r, t, b; '' for the inside."""
        tol = self.HANDLE / self._scale()
        r = self.rect()
        edge = ""
        if abs(pos.x() - r.left()) <= tol:
            edge += "l"
        elif abs(pos.x() - r.right()) <= tol:
            edge += "r"
        if abs(pos.y() - r.top()) <= tol:
            edge += "t"
        elif abs(pos.y() - r.bottom()) <= tol:
            edge += "b"
        return edge

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        super().paint(painter, option, widget)
        if self.current:  # corner handles
            size = self.HANDLE / self._scale()
            painter.setPen(cosmetic(QColor(20, 20, 20)))
            painter.setBrush(Qt.GlobalColor.white)
            r = self.rect()
            for corner in (r.topLeft(), r.topRight(), r.bottomLeft(), r.bottomRight()):
                painter.drawRect(QRectF(corner.x() - size / 2, corner.y() - size / 2, size, size))

    def boundingRect(self) -> QRectF:
        grow = self.HANDLE / self._scale()
        return super().boundingRect().adjusted(-grow, -grow, grow, grow)

    def shape(self) -> QPainterPath:
        # An edge is grabbed a few pixels either side of it, so a press just outside the region
        # resizes it instead of starting a word selection (or, on the selected region, a new region) there.
        grow = self.HANDLE / self._scale()
        path = QPainterPath()
        path.addRect(self.rect().adjusted(-grow, -grow, grow, grow))
        return path

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        # Ignored, the press goes on to the region below (an outer one whose edge it is) or to the
        # view, which draws a new region there.
        if event.button() != Qt.MouseButton.LeftButton or not self.takes(event.pos()):
            event.ignore()
            return
        self.on_select(self.region_id)
        self._drag = (self._edge(event.pos()), event.pos(), QRectF(self.rect()))
        event.accept()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is None:
            return
        edge, start, rect = self._drag
        d = event.pos() - start
        r = QRectF(rect)
        if not edge:
            r.translate(d)
            r.moveLeft(min(max(r.left(), 0.0), self.page.width() - r.width()))
            r.moveTop(min(max(r.top(), 0.0), self.page.height() - r.height()))
        else:
            if "l" in edge:
                r.setLeft(min(max(rect.left() + d.x(), 0.0), rect.right() - 4))
            if "r" in edge:
                r.setRight(max(min(rect.right() + d.x(), self.page.width()), rect.left() + 4))
            if "t" in edge:
                r.setTop(min(max(rect.top() + d.y(), 0.0), rect.bottom() - 4))
            if "b" in edge:
                r.setBottom(max(min(rect.bottom() + d.y(), self.page.height()), rect.top() + 4))
        self.prepareGeometryChange()
        self.setRect(r)
        self._restyle()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._drag is None:
            return
        _, _, before = self._drag
        self._drag = None
        r = self.rect()
        if r != before:
            self.on_edited(self.region_id, (r.left(), r.top(), r.right(), r.bottom()))
