"""The page scan: zoom, fit, pan, rubber-band selection of words, region drawing, word editing.

The view follows the session (spans, regions, word edits) and the shared selection; it changes
the project only by emitting requests (`regionDrawn`, `regionEdited`, `wordCorrected`) that the
window turns into undo commands.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QCursor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QMenu,
    QWidget,
)

from annotations.errors import ProjectBusy
from annotations.records import Box, Page, Region, Relation, Span, Word
from annotations.text.ranges import PageData, TextRange, between_words, runs, snap
from app.editing.linking import relation_text
from app.editing.selection import AnnotationRef, Selection
from app.editing.shown import annotation_pages
from app.editing.word_editor import WordEditor
from app.project.session import ProjectSession
from app.scene.page_items import (
    NO_PEN,
    Z_BAND,
    Highlights,
    PageImage,
    RegionItem,
    WordLayer,
    cosmetic,
    highlight_shapes,
    line_rects,
    rect_of,
    word_rects,
    word_tip,
)
from app.scene.picking import region_taking_press, region_under, spans_clicked
from app.scene.prefetch import NeighbourPrefetch
from app.scene.relation_arrows import ArrowItem, build_arrows
from app.scene.render import PageRenderer, scale_for

MIN_ZOOM, MAX_ZOOM = 0.03, 8.0
ZOOM_STEP = 1.25
MARGIN = 24.0  # page pixels of grey around the page
STALLED_RETRY_MS = 300
"""How often a step of reading a page that the project's process did not answer is tried again."""


class PageView(QGraphicsView):
    zoomChanged = Signal(float)
    hovered = Signal(str)
    regionDrawn = Signal(object, object)  # Page, Box
    regionEdited = Signal(int, object)  # region id, Box
    wordCorrected = Signal(int, str, str)  # word id, old text, new text
    toolChanged = Signal(str)
    pageReady = Signal()  # the words and highlights of a page shown in steps are in the scene
    stalled = Signal()  # the project's process stopped answering while the page was read: it goes on once it answers

    def __init__(self, session: ProjectSession, selection: Selection, renderer: PageRenderer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self.renderer = renderer
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor(118, 118, 118))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setMouseTracking(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.page: Page | None = None
        self.data: PageData | None = None
        self.image: PageImage | None = None
        self.words: WordLayer | None = None
        self.highlights: Highlights | None = None
        self.regions: dict[int, RegionItem] = {}
        self.arrows: dict[int, ArrowItem] = {}
        self.linking = False
        self.tool = "select"
        self.fit = "width"
        self.show_boxes = False
        self.show_names = False
        self.analyst: str | None = None  # only this analyst's annotations are drawn (None: everyone's)
        self._press: tuple[QPoint, QPointF, Qt.MouseButton, Qt.KeyboardModifiers] | None = None
        self._band: QGraphicsRectItem | None = None
        self._pan: QPoint | None = None
        self._anchor_word: tuple[int, int] | None = None  # (page id, word index) a Shift+click grows from
        self._find_hits: list[tuple[int, int, bool]] = []  # (start, end, current) on this page
        self._find_item: QGraphicsPathItem | None = None
        self.editor = WordEditor(self.viewport())
        self.editor.committed.connect(self._on_edit_committed)
        self._sharpen = QTimer(self, singleShot=True, interval=250)  # re-render once zooming pauses
        self._sharpen.timeout.connect(self._request_image)
        self.prefetch = NeighbourPrefetch(session, self.image_ready, self)
        self._steps: list = []  # what is left of showing a page never read: one step per turn
        self._stepper = QTimer(self, singleShot=True, interval=1)  # a timer: Qt paints between steps
        self._stepper.timeout.connect(self._show_step)
        # Span changes are drawn once per turn of the event loop: accepting forty suggestions changes
        # forty spans, and drawing the page's highlights forty times took seconds.
        self._annotations_due = QTimer(self, singleShot=True, interval=0)
        self._annotations_due.timeout.connect(self._rebuild_annotations)
        renderer.rendered.connect(self._on_rendered)
        session.spanAdded.connect(self._on_span)
        session.spanRemoved.connect(self._on_span)
        session.spanChanged.connect(self._on_span)
        session.regionAdded.connect(self._on_region_added)
        session.regionRemoved.connect(self._on_region_removed)
        session.regionChanged.connect(self._on_region_changed)
        session.wordChanged.connect(self._on_word_changed)
        for signal in (session.relationAdded, session.relationRemoved, session.relationChanged):
            signal.connect(self._on_relation)
        session.labelsChanged.connect(self._rebuild_annotations)
        selection.rangeChanged.connect(self._on_range)
        selection.annotationChanged.connect(self._on_annotation)

    # -- showing a page -------------------------------------------------------------------------

    def show_page(self, page: Page | None) -> None:
        """Show a page: its scan on this turn of the event loop. A page whose words are in memory
        (prepared while idle) gets its words and highlights on this turn too; a page never read
        gets them in steps of a few ms, one per later turn (read, text, index, word layer, span
        highlights), then `pageReady`. ensure_shown() finishes at once what is left."""
        self.editor.cancel()
        self._steps = []
        self._stepper.stop()
        self.prefetch.cancel()
        scene = self.scene()
        scene.clear()
        self.highlights, self.regions, self.arrows = None, {}, {}
        self._band = None
        self._find_item = None
        self.page = page
        self.data = self.words = None
        if page is None:
            self.image = None
            return
        rect = QRectF(0, 0, page.width, page.height)
        scene.setSceneRect(rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        self.image = PageImage(page.width, page.height)
        scene.addItem(self.image)
        if self.fit != "none":
            self._apply_fit()
        self._request_image()
        self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())
        if self.session.has_page_data(page):
            self._show_words()
            self._show_annotations()
            return
        self._steps = [*self.session.page_data_steps(page), self._show_words,
                       lambda: self.session.spans_on_page(page),
                       lambda: highlight_shapes(self.session.spans_on_page(page), self.session.page_data(page)),
                       self._show_annotations, self.pageReady.emit]
        self._stepper.start(1)

    def _show_step(self) -> None:
        if self._steps:
            try:
                self._run_step()
            except ProjectBusy:
                # Its process stopped while the page was read: the same step again later, so the
                # page is finished once it answers rather than left half drawn.
                self._stepper.start(STALLED_RETRY_MS)
                self.stalled.emit()
                return
        if self._steps:
            self._stepper.start(1)

    def _run_step(self) -> None:
        step = self._steps[0]
        step()  # ProjectBusy leaves it first, to be run again
        if self._steps and self._steps[0] is step:  # not a step of a page shown by the step itself
            self._steps.pop(0)

    def shown(self) -> bool:
        """The page's words and highlights are in the scene."""
        return not self._steps and not self._annotations_due.isActive()

    def ensure_shown(self) -> None:
        while self._steps:
            self._run_step()
        self._stepper.stop()
        if self._annotations_due.isActive():
            self._rebuild_annotations()

    def _show_words(self) -> None:
        assert self.page is not None
        self.data = self.session.page_data(self.page)
        self.words = WordLayer(self.data, self._on_hover)
        self.words.set_show_boxes(self.show_boxes)
        self.scene().addItem(self.words)
        self._on_range(self.selection.range, "")
        self.set_find_hits(self._find_hits)

    def _show_annotations(self) -> None:
        self._rebuild_annotations()
        assert self.page is not None
        self.prefetch.plan(self.page)

    def start_prefetch(self, held: bool = False) -> None:
        """Let the neighbours' preparation start (the window calls this once the page's text and
        chrome are shown, so the two never share a turn of the event loop)."""
        self.prefetch.start(held)

    def _rebuild_annotations(self) -> None:
        self._annotations_due.stop()
        if self.page is None or self.data is None:
            return
        scene = self.scene()
        for item in [self.highlights, *self.regions.values()]:
            if item is not None:
                scene.removeItem(item)
        self.regions = {}
        parts = self.session.spans_on_page(self.page)
        if self.analyst is not None:  # the Annotations table shows one analyst's: so does the scan
            parts = [p for p in parts if p.span.annotator == self.analyst]
        self.highlights = Highlights(parts, self.data, self._color, self.show_names)
        scene.addItem(self.highlights)
        for region in self.session.regions_on_page(self.page):
            if self.analyst is None or region.annotator == self.analyst:
                self._add_region_item(region)
        self._rebuild_arrows()

    def _rebuild_arrows(self) -> None:
        """An arrow per relation whose ends are both drawn on this page."""
        scene = self.scene()
        for arrow in self.arrows.values():
            scene.removeItem(arrow)
        self.arrows = {}
        if self.page is None or self.highlights is None:
            return
        spans = self.highlights.items

        def rects(end: tuple[str, int]) -> list[QRectF]:
            """A span's lines (its highlight's parts), or a region's box; none when not drawn here."""
            if end[0] == "span":
                item = spans.get(end[1])
                return [polygon.boundingRect() for polygon in item.path().toSubpathPolygons()] if item else []
            region = self.regions.get(end[1])
            return [region.mapRectToScene(region.rect())] if region is not None else []

        def describe(relation: object) -> str:
            assert isinstance(relation, Relation)
            note = f"\n{relation.note}" if relation.note else ""
            return f"{relation.label}: {relation_text(self.session, relation)}{note}"

        def directed(name: str) -> bool:
            label = self.session.label(name)
            return label.directed if label is not None else True

        page = self.page

        def page_of_end(end: tuple[str, int]) -> int | None:
            """The page nearest this one of an end on other pages; None when it is on this page (or gone)."""
            where = annotation_pages(self.session, AnnotationRef(*end))
            if where is None and end[0] == "span":  # a long document's spans are read page by page
                self.session.spans(page.document_id)
                where = annotation_pages(self.session, AnnotationRef(*end))
            if where is None or where[1] <= page.number <= where[2]:
                return None
            return where[1] if where[1] > page.number else where[2]

        relations = list(self.session.relations(self.page.document_id).values())
        self.arrows = build_arrows(relations, rects, self._color, directed, describe, page_of_end=page_of_end,
                                   page=(self.page.number, QRectF(0, 0, self.page.width, self.page.height)))
        for arrow in self.arrows.values():
            scene.addItem(arrow)
        self._on_annotation(self.selection.annotation)

    def set_analyst(self, name: str | None) -> None:
        """Draw only this analyst's spans and regions (None: everyone's)."""
        if name != self.analyst:
            self.analyst = name
            self._rebuild_annotations()

    def _add_region_item(self, region: Region) -> None:
        assert self.page is not None
        item = RegionItem(region.id, region.box, self._color(region.label), region.label,
                          QRectF(0, 0, self.page.width, self.page.height),
                          lambda rid: self.selection.set_annotation(AnnotationRef("region", rid)),
                          lambda rid, box: self.regionEdited.emit(rid, box))
        item.setToolTip(f"{region.label} region" + (f": {region.text}" if region.text else ""))
        item.set_drawing(self.tool == "region")
        self.scene().addItem(item)
        self.regions[region.id] = item

    def _color(self, label: str) -> QColor:
        found = self.session.label(label)
        return QColor(found.color) if found else QColor(128, 128, 128)

    # -- following the session and the selection --------------------------------------------------

    def _on_span(self, span: Span) -> None:
        if self.page is not None and span.document_id == self.page.document_id:
            self._annotations_due.start()

    def _on_relation(self, relation: Relation) -> None:
        if self.page is not None and relation.document_id == self.page.document_id:
            self._annotations_due.start()

    def _on_region_added(self, region: Region) -> None:
        if self.page is not None and region.page_id == self.page.id and self.analyst in (None, region.annotator):
            self._add_region_item(region)
            self._rebuild_arrows()

    def _on_region_removed(self, region: Region) -> None:
        item = self.regions.pop(region.id, None)
        if item is not None:
            self.scene().removeItem(item)
            self._rebuild_arrows()

    def _on_region_changed(self, region: Region) -> None:
        item = self.regions.get(region.id)
        if item is not None:
            item.prepareGeometryChange()
            item.set_box(region.box)
            item.set_label(region.label, self._color(region.label))
            self._rebuild_arrows()  # its arrows follow the box

    def _on_word_changed(self, word: Word) -> None:
        if self._steps:
            return  # the steps still to run read the page as it is now
        if self.page is not None and word.page_id == self.page.id:
            self.data = self.session.page_data(self.page)
            if self.words is not None:
                self.scene().removeItem(self.words)
            self.words = WordLayer(self.data, self._on_hover)
            self.words.set_show_boxes(self.show_boxes)
            self.scene().addItem(self.words)
            self._rebuild_annotations()
            self._on_range(self.selection.range, "")
        elif self.page is not None:
            self._rebuild_annotations()  # a span crossing from another page may have moved

    def _on_range(self, rng: TextRange | None, origin: str) -> None:
        if self.words is None or self.page is None or self.data is None:
            return
        text = self.data.text
        rects = []
        first_hit = None
        for part in self._parts_here():
            hits = text.words_in_range(*part)
            if not hits:
                continue
            first_hit = hits[0] if first_hit is None else first_hit
            # Exactly what a tag stores: a trimmed comma or "'s" is left out of its word's box too.
            cut = {hits[0]: (part[0] - text.starts[hits[0]], 0)}
            cut[hits[-1]] = (cut.get(hits[-1], (0, 0))[0], text.ends[hits[-1]] - part[1])
            rects += word_rects(text.words[hits[0] : hits[-1] + 1], hits[0], cut)
        if rng is None or origin != "page":
            self._anchor_word = None
        self.words.set_selected(rects)
        if first_hit is not None and origin not in ("page", ""):
            self.ensureVisible(self.words.rects[first_hit], 40, 40)

    def set_find_hits(self, hits: list[tuple[int, int, bool]]) -> None:
        """Outline the words of Find's hits on this page, the current one thicker."""
        self._find_hits = hits
        if self._find_item is not None:
            self.scene().removeItem(self._find_item)
            self._find_item = None
        if not hits or self.data is None:
            return
        text = self.data.text
        self._find_item = QGraphicsPathItem()
        self._find_item.setZValue(Z_BAND - 1)
        self._find_item.setPen(NO_PEN)
        self._find_item.setBrush(QColor(255, 150, 0, 70))
        path = QPainterPath()
        for start, end, current in hits:
            hit = text.words_in_range(start, end)
            for r in line_rects(text.words[hit[0] : hit[-1] + 1]) if hit else []:
                path.addRect(r)
                if current:
                    frame = QGraphicsRectItem(r, self._find_item)
                    frame.setPen(cosmetic(QColor(230, 110, 0), 2.5))
        self._find_item.setPath(path)
        self.scene().addItem(self._find_item)

    def _parts_here(self) -> list[tuple[int, int]]:
        assert self.page is not None and self.data is not None
        length = len(self.data.text.text)
        parts = [r.on_page(self.page.number, length) for r in self.selection.ranges if r.doc_id == self.page.document_id]
        return [p for p in parts if p is not None]

    def _select_words(self, indices: list[int], keep_anchor: bool = False) -> None:
        """Select words of this page, snapped as a tag stores them; the status bar counts them."""
        assert self.page is not None and self.data is not None
        data = self.data
        pages = self.session.pages(self.page.document_id)
        snapped = [snap(r, pages, lambda _p: data) for r in runs(data, indices)]
        self.selection.set_ranges([r for r in snapped if r is not None], "page", keep_anchor=keep_anchor)

    def _on_annotation(self, ref: AnnotationRef | None) -> None:
        if self.highlights is not None:
            self.highlights.set_current(ref.id if ref is not None and ref.kind == "span" else None)
        for region_id, item in self.regions.items():
            item.set_current(ref == AnnotationRef("region", region_id))
        for relation_id, arrow in self.arrows.items():
            arrow.set_current(ref == AnnotationRef("relation", relation_id))

    def set_linking(self, on: bool) -> None:
        """Link mode: the pointer says a click picks the other end."""
        self.linking = on
        self._point(self.viewport().mapFromGlobal(QCursor.pos()))

    def reveal(self, ref: AnnotationRef) -> None:
        self.ensure_shown()  # highlights of spans changed this turn too
        spans = self.highlights.items if self.highlights is not None else {}
        item = spans.get(ref.id) if ref.kind == "span" else (
            self.arrows.get(ref.id) if ref.kind == "relation" else self.regions.get(ref.id))
        if item is not None:
            self.ensureVisible(item.sceneBoundingRect(), 60, 60)

    # -- rendering --------------------------------------------------------------------------------

    def _request_image(self) -> None:
        if self.page is None or self.image is None:
            return
        scale = scale_for(self.zoom() * self.devicePixelRatioF())
        doc = self.session.document(self.page.document_id)
        pages = self.session.pages(doc.id)
        prefetch = [(pages[self.page.number], doc.source_sha256)] if self.page.number < len(pages) else []
        image = self.renderer.image(self.page, doc.source_sha256, scale, prefetch)
        if image is not None:
            self.image.set_image(image, scale)
        elif self.image.image is None or self.image.scale < scale:
            best = self.renderer.fallback(self.page.id)
            if best is not None and (self.image.image is None or best[0] > self.image.scale):
                self.image.set_image(best[1], best[0])

    def _on_rendered(self, page_id: int, scale: float) -> None:
        if self.page is not None and self.image is not None and page_id == self.page.id:
            wanted = scale_for(self.zoom() * self.devicePixelRatioF())
            if scale == wanted or (self.image.image is None) or (self.image.scale < scale <= wanted):
                image = self.renderer.cache.get((page_id, scale))
                if image is not None:
                    self.image.set_image(image, scale)
                    self.prefetch.start(held=self.prefetch.held)

    def image_ready(self) -> bool:
        """The page's scan is on screen at the resolution the zoom asks for."""
        if self.image is None or self.image.image is None:
            return False
        return self.image.scale >= scale_for(self.zoom() * self.devicePixelRatioF())

    # -- zoom and fit -----------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float, anchor: QPoint | None = None) -> None:
        """Zoom about the view's centre, or keep the page point under `anchor` (viewport pixels)
        fixed; the zoom then stays as set (no longer fitting the page to the window)."""
        self.fit = "none"
        self._zoom_to(zoom, anchor)

    def _zoom_to(self, zoom: float, anchor: QPoint | None = None) -> None:
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        if abs(zoom - self.zoom()) < 1e-6:
            return
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.setTransform(QTransform.fromScale(zoom, zoom))
        else:
            fixed = self.mapToScene(anchor)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
            self.setTransform(QTransform.fromScale(zoom, zoom))
            drift = self.mapFromScene(fixed) - anchor
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + drift.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())
        for item in self.regions.values():
            item.prepareGeometryChange()
        self.editor.cancel()
        self.zoomChanged.emit(zoom)
        self._sharpen.start()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def actual_size(self) -> None:
        self.set_zoom(1.0)

    def fit_width(self) -> None:
        self.fit = "width"
        self._apply_fit()

    def fit_page(self) -> None:
        self.fit = "page"
        self._apply_fit()

    def _apply_fit(self) -> None:
        if self.page is None:
            return
        view = self.viewport().size()  # the vertical scroll bar is always on, so this is stable
        w = self.page.width + 2 * MARGIN
        h = self.page.height + 2 * MARGIN
        zoom = view.width() / w if self.fit == "width" else min(view.width() / w, view.height() / h)
        self._zoom_to(zoom)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit != "none":
            self._apply_fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_zoom(self.zoom() * ZOOM_STEP**steps, anchor=event.position().toPoint())
            event.accept()
            return
        super().wheelEvent(event)

    # -- tools and mouse --------------------------------------------------------------------------

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        for item in self.regions.values():
            item.set_drawing(tool == "region")
        self._point(self.viewport().mapFromGlobal(QCursor.pos()))
        self.toolChanged.emit(tool)

    def _point(self, pos: QPoint) -> None:
        """The pointer says what a press at `pos` would do: move or resize a region, draw one, pick a
        link's other end, or select. Set here rather than on the regions, as Qt then restores a pointer
        it kept from before the tool changed."""
        region = region_taking_press(self, pos) if self.page is not None else None
        if region is not None:
            shape = region.cursor_at(region.mapFromScene(self.mapToScene(pos)))
        elif self.tool == "region":
            shape = Qt.CursorShape.CrossCursor
        else:
            shape = Qt.CursorShape.PointingHandCursor if self.linking else Qt.CursorShape.ArrowCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)

    def set_show_names(self, show: bool) -> None:
        """Each span's label name as a small tag at its start (View > Show label names)."""
        if show != self.show_names:
            self.show_names = show
            self._rebuild_annotations()

    def set_show_boxes(self, show: bool) -> None:
        self.show_boxes = show
        if self.words is not None:
            self.words.set_show_boxes(show)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.page is None:
            return
        self.ensure_shown()
        self.setFocus()
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position().toPoint()
        # Shift+click extends a word selection, over regions too.
        if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier and region_taking_press(self, pos) is not None:
            # With the selection tool a drag inside the selected region moves it, and one on its edge
            # resizes it; on a region not selected, the press is the page's (words, or a click that
            # selects the region). With the region tool on, only the selected region's edges take a
            # press, to adjust what was just drawn; anywhere else, inside a region too, the drag draws a
            # new one, as nested parts of a letter need (a signature in its block).
            super().mousePressEvent(event)
            if event.isAccepted():
                return
        self._press = (pos, self._clamp(self.mapToScene(pos)), event.button(), event.modifiers())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        if self._pan is not None:
            delta = pos - self._pan
            self._pan = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            return
        if self._press is None:
            super().mouseMoveEvent(event)
            if not event.buttons():
                self._point(pos)
            return
        start_view, start, _, _ = self._press
        if self._band is None and (pos - start_view).manhattanLength() < QApplication.startDragDistance():
            return
        if self._band is None:
            self._band = QGraphicsRectItem()
            self._band.setZValue(Z_BAND)
            color = QColor(0, 90, 220) if self.tool == "select" else QColor(200, 0, 0)
            self._band.setPen(cosmetic(color, 1.5, Qt.PenStyle.DashLine))
            self._band.setBrush(QColor(color.red(), color.green(), color.blue(), 30))
            self.scene().addItem(self._band)
        self._band.setRect(QRectF(start, self._clamp(self.mapToScene(pos))).normalized())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._pan = None
            self._point(event.position().toPoint())
            return
        if self._press is None:
            super().mouseReleaseEvent(event)
            return
        _, start, _, modifiers = self._press
        self._press = None
        band, self._band = self._band, None
        if band is not None:
            rect = band.rect()
            self.scene().removeItem(band)
            self._finish_band(rect)
        elif self.tool == "select":
            self._click(start, modifiers)

    def _clamp(self, p: QPointF) -> QPointF:
        assert self.page is not None
        return QPointF(min(max(p.x(), 0.0), self.page.width), min(max(p.y(), 0.0), self.page.height))

    def _finish_band(self, rect: QRectF) -> None:
        assert self.page is not None and self.data is not None
        if self.tool == "region":
            # One region per activation of the tool: after drawing, the mouse selects again.
            self.set_tool("select")
            if rect.width() >= 4 and rect.height() >= 4:
                self.regionDrawn.emit(self.page, (rect.left(), rect.top(), rect.right(), rect.bottom()))
            return
        hits = self.data.index.query((rect.left(), rect.top(), rect.right(), rect.bottom()), mode="center")
        self._select_words(hits)
        self._anchor_word = (self.page.id, hits[0]) if hits else None

    def _click(self, pos: QPointF, modifiers: Qt.KeyboardModifiers) -> None:
        assert self.page is not None and self.data is not None and self.words is not None
        region = region_under(self.scene(), pos)
        ids = spans_clicked(self.scene(), pos, region)
        if ids and not modifiers & Qt.KeyboardModifier.ShiftModifier:
            current = self.selection.annotation
            pick = ids[0]
            if current is not None and current.kind == "span" and current.id in ids:
                pick = ids[(ids.index(current.id) + 1) % len(ids)]  # clicking again cycles overlaps
            self.selection.set_annotation(AnnotationRef("span", pick))
            return
        index = self.words.word_at(pos)
        if region is not None and not modifiers & Qt.KeyboardModifier.ShiftModifier:
            # A click picks the region; a drag from inside it selects its words (a letter's body region
            # covers them all), and one from inside it once selected moves it. The word clicked is still
            # where a Shift+click selects words from.
            self.selection.set_annotation(AnnotationRef("region", region.region_id))
            self._anchor_word = (self.page.id, index) if index is not None else None
            return
        if index is None:
            self.selection.clear()
            return
        anchor = self._anchor_word
        if modifiers & Qt.KeyboardModifier.ShiftModifier and anchor is not None and anchor[0] == self.page.id:
            # By the page's geometry, not the OCR's order: a letterhead column beside the body stays out.
            self._select_words(between_words(self.data, anchor[1], index), keep_anchor=True)
            self._anchor_word = anchor
        elif modifiers & Qt.KeyboardModifier.ShiftModifier and self.selection.range is not None:
            rng = self.data.word_range(index, index)  # from a selection on another page: in text order
            self.selection.extend_to(self.page.document_id, rng.start, rng.end, "page")
        else:
            self._select_words([index])
            self._anchor_word = (self.page.id, index)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        # As in every text widget, a double-click selects the word; F2 or the context menu corrects it.
        self.ensure_shown()
        if self.page is None or self.words is None or event.button() != Qt.MouseButton.LeftButton:
            return
        index = self.words.word_at(self.mapToScene(event.position().toPoint()))
        if index is not None and self.tool == "select":
            self._press = None
            self._select_words([index])
            self._anchor_word = (self.page.id, index)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if self.page is None or self.words is None or self.session.read_only:
            return
        index = self.words.word_at(self.mapToScene(event.pos()))
        if index is None:
            return
        menu = QMenu(self)
        action = menu.addAction(f"Correct OCR of “{self.data.words[index].text}”…", lambda: self.edit_word(index))
        action.setShortcut("F2")
        menu.exec(event.globalPos())

    def show_word(self, index: int) -> None:
        """Scroll to word `index` of this page and select it (the text panel is correcting it)."""
        self.ensure_shown()
        if self.words is None:
            return
        self.ensureVisible(self.words.rects[index], 60, 60)

    def edit_word(self, index: int) -> None:
        """Open the in-place editor just below word `index` of this page (above it at the page's
        foot), never over it: the analyst reads the scanned word while typing its correction."""
        self.ensure_shown()
        assert self.words is not None and self.data is not None
        word = self.data.words[index]
        self.ensureVisible(self.words.rects[index], 30, 60)
        box = self.mapFromScene(self.words.rects[index]).boundingRect()
        height = self.editor.sizeHint().height()
        width = max(box.width() + 40, 90)
        top = box.bottom() + 4 if box.bottom() + 4 + height <= self.viewport().height() else box.top() - height - 4
        self.editor.edit(word, QRect(box.left() - 4, top, width, height))

    def _on_edit_committed(self, word_id: int, old: str, new: str) -> None:
        self.wordCorrected.emit(word_id, old, new)

    def _on_hover(self, word: Word | None) -> None:
        self.hovered.emit(word_tip(word) if word else "")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.tool == "region" and self._band is None:
            self.set_tool("select")
            return
        super().keyPressEvent(event)

    # -- for the window's test-facing API -------------------------------------------------------------

    def viewport_rect(self, box: Box) -> QRect:
        """Where a page-pixel box is on the viewport now."""
        return self.mapFromScene(rect_of(box)).boundingRect()

    def highlight_items(self) -> dict[int, QGraphicsItem]:
        self.ensure_shown()
        return dict(self.highlights.items) if self.highlights is not None else {}

    def region_items(self) -> dict[int, RegionItem]:
        self.ensure_shown()
        return dict(self.regions)

    def arrow_items(self) -> dict[int, ArrowItem]:
        self.ensure_shown()
        return dict(self.arrows)
