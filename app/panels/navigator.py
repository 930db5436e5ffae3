"""Documents and their pages, with status and annotation counts; choose where to look.

Pages are listed lazily: a document's page rows are made when it is expanded or opened, so a
project with thousands of pages opens at once.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotations.records import DOCUMENT_STATUSES, Document, Region, Relation, Span
from annotations.wording import counted
from app.project.session import ProjectSession, TagCount

TAGS_TIP = ("Tags: spans and regions made or accepted by the analysts; suggestions still to review "
            "are counted apart (“5 (+3)”: 5 tags, 3 suggestions), and so are relations (“5, 2 links”; on the "
            "page of their first end); adjudication's copies are not counted again")

DOC_ROLE = Qt.ItemDataRole.UserRole
PAGE_ROLE = Qt.ItemDataRole.UserRole + 1


def tag_count(count: TagCount, blank: bool = False, links: int = 0) -> str:
    """“5”, “5 (+3)” while 3 suggestions wait, “5, 2 links” with 2 relations (short: the document's
    name keeps the column's width); a page with none of them is left `blank`."""
    tags, suggested = count
    if blank and not tags and not suggested and not links:
        return ""
    text = f"{tags} (+{suggested})" if suggested else str(tags)
    return text + (f", {links} link{'s' if links != 1 else ''}" if links else "")


def set_tags(item: QTreeWidgetItem, count: TagCount, blank: bool = False, links: int = 0) -> None:
    """The Tags cell, with what its numbers are in its tooltip."""
    tags, suggested = count
    item.setText(2, tag_count(count, blank, links))
    item.setToolTip(2, f"{tags} tag{'s' if tags != 1 else ''}" + (
        f"; {suggested} suggestion{'s' if suggested != 1 else ''} to review" if suggested else "") + (
        f"; {links} relation{'s' if links != 1 else ''} (links)" if links else ""))


class Navigator(QWidget):
    pageChosen = Signal(int, int)  # document id, page number
    statusRequested = Signal(int, str)  # document id, status
    ocrAgainRequested = Signal(int)  # document id
    removeRequested = Signal(int)  # document id

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Document", "Status", "Tags"])
        self.tree.headerItem().setToolTip(2, TAGS_TIP)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.status = QComboBox()
        self.status.addItems(list(DOCUMENT_STATUSES))
        self.status.setToolTip("Status of the current document")
        self.status.setEnabled(False)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Status", self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        layout.addLayout(form)
        self._docs: dict[int, QTreeWidgetItem] = {}
        self._current: tuple[int, int] | None = None
        self.tree.itemClicked.connect(self._on_clicked)
        self.tree.itemExpanded.connect(self._fill_pages)
        self.tree.currentItemChanged.connect(self._on_current_item)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.status.activated.connect(self._on_status_combo)
        # A change counts too: accepting a suggestion moves it from the suggestions to the tags.
        for signal in (session.spanAdded, session.spanRemoved, session.spanChanged):
            signal.connect(self._on_span)
        for signal in (session.regionAdded, session.regionRemoved, session.regionChanged):
            signal.connect(self._on_region)
        for signal in (session.relationAdded, session.relationRemoved, session.relationChanged):
            signal.connect(self._on_relation)
        session.statusChanged.connect(self._on_status)
        session.documentAdded.connect(lambda _doc: self.reload())

    def reload(self) -> None:
        # Rebuilding moves Qt's current row (to the first document when the shown one is gone): with
        # the keyboard in the list that would take the window there. Where it is shown is set after.
        self.tree.blockSignals(True)
        try:
            self._rebuild()
        finally:
            self.tree.blockSignals(False)
        if self._current is not None:
            self.set_current(*self._current)

    def _rebuild(self) -> None:
        self.tree.clear()
        self._docs = {}
        for summary in self.session.summaries():
            item = QTreeWidgetItem([summary.name, summary.status, ""])
            set_tags(item, (summary.tags, summary.suggestions), links=summary.links)
            item.setData(0, DOC_ROLE, summary.id)
            item.setToolTip(0, f"{summary.name}: {counted(summary.pages, 'page')}")
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self.tree.addTopLevelItem(item)
            self._docs[summary.id] = item

    def _fill_pages(self, item: QTreeWidgetItem) -> None:
        if item.childCount() or item.parent() is not None:
            return
        doc_id = item.data(0, DOC_ROLE)
        # Per-page counts need every span of the document: filled in by refresh_counts() once read.
        loaded = self.session.spans_loaded(doc_id)
        counts = self.session.page_counts(doc_id) if loaded else {}
        links = self.session.link_counts(doc_id) if loaded else {}
        children = []
        for page in self.session.pages(doc_id):
            child = QTreeWidgetItem([f"Page {page.number}", "", ""])
            set_tags(child, counts.get(page.number, (0, 0)), blank=True, links=links.get(page.number, 0))
            child.setData(0, DOC_ROLE, doc_id)
            child.setData(0, PAGE_ROLE, page.number)
            children.append(child)
        item.addChildren(children)

    def set_current(self, doc_id: int, number: int) -> None:
        """Show where the window is, without asking it to go there."""
        self._current = (doc_id, number)
        item = self._docs.get(doc_id)
        if item is None:
            return
        self._fill_pages(item)
        item.setExpanded(True)
        child = item.child(number - 1)
        self.tree.blockSignals(True)
        self.tree.setCurrentItem(child or item)
        self.tree.blockSignals(False)
        self.tree.scrollToItem(child or item)
        self.status.setEnabled(True)
        self.status.setCurrentText(self.session.document(doc_id).status)

    def current_document(self) -> int | None:
        return self._current[0] if self._current else None

    def _on_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        self._go(item)

    def _on_current_item(self, item: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        # Arrow keys in the list move from a row; a list with none (just rebuilt, the shown document
        # gone) is given its first row by Qt when it takes the keyboard, which is no choice of the analyst's.
        if item is not None and previous is not None and self.tree.hasFocus():
            self._go(item)

    def _go(self, item: QTreeWidgetItem) -> None:
        doc_id = item.data(0, DOC_ROLE)
        number = item.data(0, PAGE_ROLE) or 1
        self.pageChosen.emit(doc_id, number)

    def _menu(self, point: QPoint) -> None:
        item = self.tree.itemAt(point)
        if item is None:
            return
        doc: Document = self.session.document(item.data(0, DOC_ROLE))
        menu = QMenu(self)
        group = QActionGroup(menu)
        for status in DOCUMENT_STATUSES:
            action = QAction(f"Mark as {status}", menu, checkable=True, checked=doc.status == status)
            action.triggered.connect(lambda _=False, s=status: self.statusRequested.emit(doc.id, s))
            group.addAction(action)
            menu.addAction(action)
        self.add_document_actions(menu, doc.id)
        menu.exec(self.tree.viewport().mapToGlobal(point))

    def add_document_actions(self, menu: QMenu, doc_id: int) -> None:
        """OCR again… and Remove document… for one document, at the end of its menu."""
        menu.addSeparator()
        again = menu.addAction("OCR again…")
        again.triggered.connect(lambda: self.ocrAgainRequested.emit(doc_id))
        remove = menu.addAction("Remove document…")
        remove.triggered.connect(lambda: self.removeRequested.emit(doc_id))
        writable = not self.session.read_only
        again.setEnabled(writable)
        remove.setEnabled(writable)

    def _on_status_combo(self, _index: int) -> None:
        if self._current is not None:
            status = self.status.currentText()
            if status != self.session.document(self._current[0]).status:
                self.statusRequested.emit(self._current[0], status)

    def _on_status(self, doc_id: int, status: str) -> None:
        item = self._docs.get(doc_id)
        if item is not None:
            item.setText(1, status)
        if self._current and self._current[0] == doc_id:
            self.status.setCurrentText(status)

    def refresh_counts(self, doc_id: int) -> None:
        self._recount(doc_id)

    def _recount(self, doc_id: int) -> None:
        item = self._docs.get(doc_id)
        if item is None:
            return
        counts = self.session.page_counts(doc_id)
        links = self.session.link_counts(doc_id)
        set_tags(item, (sum(t for t, _ in counts.values()), sum(s for _, s in counts.values())),
                 links=sum(links.values()))
        for i in range(item.childCount()):
            child = item.child(i)
            if child is not None:
                set_tags(child, counts.get(i + 1, (0, 0)), blank=True, links=links.get(i + 1, 0))

    def _on_span(self, span: Span) -> None:
        self._recount(span.document_id)

    def _on_relation(self, relation: Relation) -> None:
        self._recount(relation.document_id)

    def _on_region(self, region: Region) -> None:
        for doc_id in self._docs:
            if any(p.id == region.page_id for p in self.session.pages(doc_id)):
                self._recount(doc_id)
                return
