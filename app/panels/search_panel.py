"""Search the whole project (Ctrl+Shift+F): every page's OCR text through the project's full-text index."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from annotations.errors import ProjectBusy, ScanspanError
from annotations.text.search import SearchHit
from app.panels.typing_keys import keep_field_keys
from app.project.session import ProjectSession

LIMIT = 500
"""Hits listed at most; the summary says when there are more."""


class SearchPanel(QWidget):
    """The query, how many hits in how many documents, and the hits: Enter or a click goes to one."""

    hitChosen = Signal(object)  # SearchHit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: ProjectSession | None = None
        self.hits: list[SearchHit] = []
        self._searched = ""  # the query the hits are for
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Search every document (Enter)")
        self.edit.setClearButtonEnabled(True)
        keep_field_keys(self.edit)
        self.summary = QLabel()
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)  # thousands of hits lay out at once
        keep_field_keys(self.list)  # Enter goes to the hit, not to the suggestion the window has selected
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.edit)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.edit.returnPressed.connect(self._enter)
        self.list.itemActivated.connect(self._choose)
        self.list.itemClicked.connect(self._choose)

    def set_session(self, session: ProjectSession | None) -> None:
        """Another project: its query and hits were the last one's, and would read as this one's."""
        self.session = session
        self.hits = []
        self._searched = ""
        self.edit.clear()
        self.list.clear()
        self.summary.clear()

    def focus(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()

    def _enter(self) -> None:
        """Enter searches; Enter again on the same query goes to the current hit (keyboard only)."""
        item = self.list.currentItem()
        if self.edit.text() == self._searched and item is not None:
            self._choose(item)
        else:
            self.search()

    def search(self) -> None:
        query = self.edit.text()
        hits: list[SearchHit] = []
        error = ""
        if self.session is not None and query.strip():
            try:
                # One more than shown, to know whether there are more.
                hits = self.session.project.search(query, limit=LIMIT + 1)
            except ProjectBusy:
                raise  # its process did not answer: the hits shown stay, and the window says why
            except ScanspanError as exc:
                error = str(exc)
        self.list.clear()
        self.hits = hits
        self._searched = query
        if self.session is None or not query.strip() or error:
            self.summary.setText(error)
            return
        more = len(self.hits) > LIMIT
        self.hits = self.hits[:LIMIT]
        documents = len({h.document_id for h in self.hits})
        if not self.hits:
            self.summary.setText("No hits")
        else:
            self.summary.setText(f"{'More than ' if more else ''}{len(self.hits)} hit{'s' if len(self.hits) != 1 else ''} "
                                 f"in {documents} document{'s' if documents != 1 else ''}")
        for hit in self.hits:
            item = QListWidgetItem(f"{hit.document_name}, p. {hit.page}: {hit.snippet}")
            item.setToolTip(hit.snippet)
            item.setData(Qt.ItemDataRole.UserRole, hit)
            self.list.addItem(item)
        if self.hits:
            self.list.setCurrentRow(0)

    def _choose(self, item: QListWidgetItem) -> None:
        hit = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(hit, SearchHit):
            self.hitChosen.emit(hit)
