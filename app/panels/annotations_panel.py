"""The current document's spans, regions and relations as a table: label, text, page, note, state, analyst.

Click a row to jump to it; Delete removes it (through the window's Delete action); the note is
edited in place. Filter by label, by state (suggested or accepted), by analyst and by text. The model reads through the session and follows
its signals; an edited note is only a request (`noteEdited`) that becomes an undo command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotations.records import Region, Relation, Span
from app.editing.linking import relation_text
from app.editing.selection import AnnotationRef, Selection
from app.panels.typing_keys import keep_field_keys
from app.project.session import ProjectSession
from app.style import swatch

COLUMNS = ("Label", "Text", "Page", "Note", "State", "Analyst")
STATES = (("All", ""), ("Suggested", "suggested"), ("Accepted", "accepted"))
"""The state filter: a suggestion not yet reviewed, or anything decided (made by hand or accepted)."""
Index = QModelIndex | QPersistentModelIndex


@dataclass
class Row:
    ref: AnnotationRef
    label: str
    page: int
    order: tuple[int, int]  # (page, first word index) for sorting in reading order
    note: str
    text: str | None = None  # computed when first shown
    suggested: bool = False
    source: str = ""
    score: float | None = None
    annotator: str = ""
    reason: str = ""

    @property
    def state(self) -> str:
        """What the State column says: a suggestion, where it came from and why (its score's reason:
        "exact", "case", "1 OCR edit: 'Senato' for 'Senate'"), or how the span was made; a relation says so."""
        if self.ref.kind == "relation":
            return "relation · suggested" if self.suggested else "relation"
        if self.suggested:
            score = f" {self.score:.2f}" if self.score is not None else ""
            reason = f" ({self.reason})" if self.reason else ""
            return f"suggested · {self.source or 'import'}{score}{reason}"
        return f"accepted · {self.source}" if self.source else "by hand"


class AnnotationModel(QAbstractTableModel):
    noteEdited = Signal(object, str)  # AnnotationRef, note

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.doc_id: int | None = None
        self.rows: list[Row] = []
        self.sort_key: tuple[int, Qt.SortOrder] = (2, Qt.SortOrder.AscendingOrder)
        self._icons: dict[str, QIcon] = {}
        session.spanAdded.connect(self._on_span_added)
        session.spanRemoved.connect(lambda s: self._remove(AnnotationRef("span", s.id)))
        session.spanChanged.connect(self._on_span_changed)
        session.regionAdded.connect(self._on_region_added)
        session.regionRemoved.connect(lambda r: self._remove(AnnotationRef("region", r.id)))
        session.regionChanged.connect(self._on_region_changed)
        session.relationAdded.connect(self._on_relation_added)
        session.relationRemoved.connect(lambda r: self._remove(AnnotationRef("relation", r.id)))
        session.relationChanged.connect(self._on_relation_changed)
        session.wordChanged.connect(self._on_word_changed)
        session.labelsChanged.connect(self._on_labels)

    def set_document(self, doc_id: int | None) -> None:
        rows: list[Row] = []
        if doc_id is not None:
            # Read before the reset: a read the project's process does not answer (ProjectBusy)
            # leaves the table as it was, never half a reset.
            rows = [self._span_row(s) for s in self.session.spans(doc_id).values()]
            rows += [self._region_row(r, doc_id) for r in self.session.regions(doc_id).values()]
            rows += [row for r in self.session.relations(doc_id).values() if (row := self._relation_row(r, doc_id))]
            rows.sort(key=lambda r: r.order)
        self.beginResetModel()
        self.doc_id = doc_id
        self.rows = rows
        self.endResetModel()
        if self.sort_key != (2, Qt.SortOrder.AscendingOrder):
            self.sort(*self.sort_key)

    def _span_row(self, span: Span) -> Row:
        p1, i1, _, _ = self.session.extent(span)
        return Row(AnnotationRef("span", span.id), span.label, p1, (p1, i1), span.note,
                   suggested=bool(span.suggested), source=span.source or "", score=span.score,
                   annotator=span.annotator or "", reason=span.reason)

    def _region_row(self, region: Region, doc_id: int | None = None) -> Row:
        doc_id = self.doc_id if doc_id is None else doc_id
        assert doc_id is not None
        page = self.session.page_by_id(doc_id, region.page_id)
        return Row(AnnotationRef("region", region.id), region.label, page.number, (page.number, -1),
                   region.note, region.text or "[region]", bool(region.suggested), region.source or "",
                   annotator=region.annotator or "")

    def _relation_row(self, relation: Relation, doc_id: int | None = None) -> Row | None:
        """Listed where its from-end is, just after it; None when that end is not read (it is gone)."""
        doc_id = self.doc_id if doc_id is None else doc_id
        assert doc_id is not None
        kind, ident = relation.from_end
        if kind == "span":
            span = self.session.spans(doc_id).get(ident)
            if span is None:
                return None
            p1, i1, _, _ = self.session.extent(span)
            page, order = p1, (p1, i1)
        else:
            region = self.session.regions(doc_id).get(ident)
            if region is None:
                return None
            page = self.session.page_by_id(doc_id, region.page_id).number
            order = (page, -1)
        return Row(AnnotationRef("relation", relation.id), relation.label, page, order, relation.note,
                   suggested=relation.suggested, source=relation.source, annotator=relation.annotator)

    def row_of(self, ref: AnnotationRef) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.ref == ref), None)

    # -- Qt model ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() == 3:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def text_of(self, row: Row) -> str:
        if row.text is None and row.ref.kind == "relation":
            relation = self.session.find_relation(row.ref.id)
            row.text = relation_text(self.session, relation) if relation is not None else ""
        if row.text is None:
            span = self.session.spans(self.doc_id).get(row.ref.id) if self.doc_id is not None else None
            row.text = self.session.span_text(span) if span else ""
        return row.text

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 1:
                return self.text_of(row)  # computed only for rows that are shown
            return (row.label, None, row.page, row.note, row.state, row.annotator)[col]
        if role == Qt.ItemDataRole.FontRole and row.suggested:
            font = QFont()
            font.setItalic(True)  # not decided yet, like its dashed outline on the scan
            return font
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._icon(row.label)
        if role == Qt.ItemDataRole.ToolTipRole and col == 1:
            return self.text_of(row)
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return row.state  # the reason can be longer than the column
        if role == Qt.ItemDataRole.UserRole:
            return row.ref
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here in Python in one pass; a proxy would call data() for every comparison."""
        keys = {
            0: lambda r: (r.label, r.order),
            1: lambda r: (self.text_of(r).lower(), r.order),
            2: lambda r: r.order,
            3: lambda r: (r.note.lower(), r.order),
            4: lambda r: (r.state, r.order),
            5: lambda r: (r.annotator, r.order),
        }
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        refs = [self.rows[i.row()].ref if i.isValid() else None for i in persistent]
        self.rows.sort(key=keys.get(column, keys[2]), reverse=order == Qt.SortOrder.DescendingOrder)
        self.sort_key = (column, order)
        for index, ref in zip(persistent, refs):
            at = self.row_of(ref) if ref is not None else None
            self.changePersistentIndex(index, self.index(at, index.column()) if at is not None else QModelIndex())
        self.layoutChanged.emit()

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.isValid() and index.column() == 3 and role == Qt.ItemDataRole.EditRole:
            row = self.rows[index.row()]
            if str(value) != row.note:
                self.noteEdited.emit(row.ref, str(value))
            return False  # the row changes when the command has run, through the session's signal
        return False

    def _icon(self, label: str) -> QIcon:
        icon = self._icons.get(label)
        if icon is None:
            found = self.session.label(label)
            icon = self._icons[label] = swatch(found.color if found else "#888888")
        return icon

    # -- following the session --------------------------------------------------------------------

    def _insert(self, row: Row) -> None:
        column, order = self.sort_key
        if column == 2 and order == Qt.SortOrder.AscendingOrder:
            at = next((i for i, r in enumerate(self.rows) if r.order > row.order), len(self.rows))
        else:
            at = len(self.rows)  # at the end until the next sort
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.insert(at, row)
        self.endInsertRows()

    def _remove(self, ref: AnnotationRef) -> None:
        i = self.row_of(ref)
        if i is not None:
            self.beginRemoveRows(QModelIndex(), i, i)
            del self.rows[i]
            self.endRemoveRows()

    def annotators(self) -> list[str]:
        """The analysts who made the rows of the document shown, by name."""
        return sorted({row.annotator for row in self.rows})

    def _update(self, ref: AnnotationRef, label: str, note: str, suggested: bool, source: str, annotator: str) -> None:
        i = self.row_of(ref)
        if i is not None:
            row = self.rows[i]
            row.label, row.note, row.suggested, row.source = label, note, suggested, source
            row.annotator = annotator  # an accepted suggestion becomes the analyst's
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def _on_span_added(self, span: Span) -> None:
        if span.document_id == self.doc_id:
            self._insert(self._span_row(span))

    def _on_span_changed(self, span: Span) -> None:
        self._update(AnnotationRef("span", span.id), span.label, span.note, bool(span.suggested), span.source or "",
                     span.annotator or "")

    def _on_region_added(self, region: Region) -> None:
        if self.doc_id is not None and region.page_id in {p.id for p in self.session.pages(self.doc_id)}:
            self._insert(self._region_row(region))

    def _on_region_changed(self, region: Region) -> None:
        self._update(AnnotationRef("region", region.id), region.label, region.note, bool(region.suggested),
                     region.source or "", region.annotator or "")

    def _on_relation_added(self, relation: Relation) -> None:
        if relation.document_id == self.doc_id and self.row_of(AnnotationRef("relation", relation.id)) is None:
            row = self._relation_row(relation)
            if row is not None:
                self._insert(row)

    def _on_relation_changed(self, relation: Relation) -> None:
        ref = AnnotationRef("relation", relation.id)
        if self.row_of(ref) is None:
            self._on_relation_added(relation)  # first seen as a change when its document was read meanwhile
            return
        self._update(ref, relation.label, relation.note, relation.suggested, relation.source, relation.annotator)

    def _on_word_changed(self, _word: object) -> None:
        for row in self.rows:
            if row.ref.kind in ("span", "relation"):
                row.text = None
        if self.rows:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self.rows) - 1, 1))

    def _on_labels(self) -> None:
        self._icons.clear()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))


class AnnotationFilter(QSortFilterProxyModel):
    """Filters by label, state, analyst and text; sorting is passed to the source model (see AnnotationModel.sort)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ""
        self.needle = ""
        self.state = ""  # "", "suggested" or "accepted"
        self.annotator: str | None = None  # None: every analyst's

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, AnnotationModel) and column >= 0:
            model.sort(column, order)

    def set_filter(self, label: str, needle: str, state: str = "", annotator: str | None = None) -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt < 6.10
            self.label, self.needle, self.state, self.annotator = label, needle.lower(), state, annotator
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self.label, self.needle, self.state, self.annotator = label, needle.lower(), state, annotator
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, AnnotationModel)
        row = model.rows[source_row]
        if self.label and row.label != self.label:
            return False
        if self.state and row.suggested != (self.state == "suggested"):
            return False
        if self.annotator is not None and row.annotator != self.annotator:
            return False
        if self.needle and self.needle not in model.text_of(row).lower() and self.needle not in row.note.lower():
            return False
        return True


class NoteDelegate(QStyledItemDelegate):
    """The note is edited in a field that keeps Enter and Tab (the window's review keys) for itself."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        editor = super().createEditor(parent, option, index)
        keep_field_keys(editor)
        return editor


class AnnotationsPanel(QWidget):
    """The table with its label filter and search field."""

    activated = Signal(object)  # AnnotationRef: the user picked this row
    otherEnd = Signal(object)  # AnnotationRef: a double-click on a relation's row, to go to its other end
    analystChanged = Signal(object)  # the analyst whose annotations are shown, or None: everyone's

    def __init__(self, session: ProjectSession, selection: Selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.selection = selection
        self._pending: int | None = None
        self.model = AnnotationModel(session, self)
        self.proxy = AnnotationFilter(self)
        self.proxy.setSourceModel(self.model)
        self.labels = QComboBox()
        self.labels.setToolTip("Show annotations with this label only")
        self.states = QComboBox()
        self.states.setToolTip("Show suggestions not yet reviewed, or what is decided (made by hand or accepted)")
        for text, state in STATES:
            self.states.addItem(text, state)
        self.analysts = QComboBox()
        self.analysts.setToolTip("Show what one analyst made only")
        self.analysts.addItem("All analysts", None)
        self.search = QLineEdit(placeholderText="Filter text or note", clearButtonEnabled=True)
        keep_field_keys(self.search)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(NoteDelegate(self.table))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        # Fixed sizes, not ResizeToContents: measuring thousands of rows would read all their text.
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, metrics.horizontalAdvance("signature") + 44)
        header.resizeSection(2, metrics.horizontalAdvance("Page") + 30)
        header.resizeSection(3, 160)
        header.resizeSection(4, metrics.horizontalAdvance("suggested · agencies.txt 0.00") + 12)
        header.resizeSection(5, metrics.horizontalAdvance("adjudicator") + 12)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(metrics.height() + 6)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.labels)
        top.addWidget(self.states)
        top.addWidget(self.analysts)
        top.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.labels.currentIndexChanged.connect(self._refilter)
        self.states.currentIndexChanged.connect(self._refilter)
        self.analysts.currentIndexChanged.connect(self._refilter)
        # The analysts offered are those of the document shown, kept up as rows come and change.
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.dataChanged):
            signal.connect(self._reload_analysts)
        self.search.textChanged.connect(self._refilter)
        self.table.clicked.connect(self._on_clicked)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self._removing = False
        self.proxy.rowsAboutToBeRemoved.connect(lambda *_: setattr(self, "_removing", True))
        self.proxy.rowsRemoved.connect(self._rows_removed)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        selection.annotationChanged.connect(self._follow)
        session.labelsChanged.connect(self.reload_labels)
        self.reload_labels()

    def reload_labels(self) -> None:
        current = self.labels.currentData()
        self.labels.blockSignals(True)
        self.labels.clear()
        self.labels.addItem("All labels", "")
        for label in self.session.labels():
            self.labels.addItem(swatch(label.color), label.name, label.name)
        at = self.labels.findData(current)
        self.labels.setCurrentIndex(max(at, 0))
        self.labels.blockSignals(False)

    def set_document(self, doc_id: int | None, defer: bool = False) -> None:
        """Show a document's annotations; with `defer` the table is filled when ensure_loaded()
        is called, so that a long document's first page is drawn before its list is read."""
        self._pending = doc_id
        if not defer:
            self.ensure_loaded()

    def ensure_loaded(self) -> None:
        """Fill the table with the pending document's annotations; one the project's process cannot
        read yet (ProjectBusy) stays pending, so that calling again later fills it."""
        if self._pending is not None:
            self.model.set_document(self._pending)
            self._pending = None

    def clear_until_loaded(self) -> None:
        """No rows until ensure_loaded() can read the pending document: the table never lists
        another document's annotations beside the page shown."""
        self.model.set_document(None)

    def loaded(self) -> bool:
        return self._pending is None

    def filter_state(self, state: str) -> None:
        """"" (all), "suggested" or "accepted"."""
        self.states.setCurrentIndex(max(self.states.findData(state), 0))

    def filter_annotator(self, name: str | None) -> None:
        """Show one analyst's annotations (None: everyone's)."""
        self._reload_analysts()
        self.analysts.setCurrentIndex(max(self.analysts.findData(name), 0))

    def _reload_analysts(self) -> None:
        names = self.model.annotators()
        if [self.analysts.itemData(i) for i in range(1, self.analysts.count())] == names:
            return
        current = self.analysts.currentData()
        self.analysts.blockSignals(True)
        self.analysts.clear()
        self.analysts.addItem("All analysts", None)
        for name in names:
            self.analysts.addItem(name or "(nobody)", name)
        at = self.analysts.findData(current) if current is not None else 0
        self.analysts.setCurrentIndex(max(at, 0))
        self.analysts.blockSignals(False)
        if current is not None and at < 0:
            self._refilter()  # the analyst chosen has nothing left here: show everyone's again

    def filter_label(self, name: str) -> None:
        self.labels.setCurrentIndex(max(self.labels.findData(name), 0))

    def _hidden_by_analyst(self, ref: AnnotationRef | None) -> bool:
        """Whether the analyst chosen in the filter hides this annotation (on the scan and in the text too)."""
        annotator = self.analysts.currentData()
        row = self.model.row_of(ref) if ref is not None and annotator is not None else None
        return row is not None and self.model.rows[row].annotator != annotator

    def _refilter(self) -> None:
        # Keys act on the selected annotation: one the filter takes out of sight must not stay selected.
        if self.loaded() and self._hidden_by_analyst(self.selection.annotation):
            self.selection.set_annotation(None)
        self.proxy.set_filter(self.labels.currentData() or "", self.search.text(), self.states.currentData() or "",
                              self.analysts.currentData())
        # Qt moves the highlight to a row the filter keeps: it must stay on the selection, or on none.
        # A table still waiting to be filled (the page drawn first) is not read for that.
        if self.loaded():
            self._follow(self.selection.annotation)
        self.analystChanged.emit(self.analysts.currentData())

    def _on_clicked(self, index: QModelIndex) -> None:
        ref = index.data(Qt.ItemDataRole.UserRole)
        if ref is not None:
            self.activated.emit(ref)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        ref = index.data(Qt.ItemDataRole.UserRole)
        # A double-click on the note edits it (the table's edit trigger), so it does not also go elsewhere.
        if ref is not None and ref.kind == "relation" and index.column() != 3:
            self.otherEnd.emit(ref)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # Keyboard navigation in the table selects; a row taken away (a delete, an undo) moves Qt's
        # current row to its neighbour, which must not select that one (a second Delete would delete it).
        if current.isValid() and self.table.hasFocus() and not self._removing:
            self.activated.emit(current.data(Qt.ItemDataRole.UserRole))

    def _rows_removed(self, *_: object) -> None:
        self._removing = False
        self._follow(self.selection.annotation)

    def _follow(self, ref: AnnotationRef | None) -> None:
        """Select the row of the annotation selected elsewhere; one the analyst filter hides (the
        adjudication walk, an undo, a suggestion reviewed) brings everyone's back into sight."""
        self.ensure_loaded()
        if self._hidden_by_analyst(ref):
            self.analysts.setCurrentIndex(0)  # refilters, and comes back here
            return
        sm = self.table.selectionModel()
        row = self.model.row_of(ref) if ref is not None else None
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else QModelIndex()
        sm.blockSignals(True)
        if index.isValid():
            sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        else:
            sm.clear()  # the current row too: no row looks selected when the selection has none here
        sm.blockSignals(False)
        self.table.viewport().update()
        if index.isValid():
            self.table.scrollTo(index)

    def visible_refs(self) -> list[AnnotationRef]:
        """The rows the filter lets through, in display order."""
        self.ensure_loaded()
        return [self.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.proxy.rowCount())]
