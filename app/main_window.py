"""The main window: wiring only. Panels live in their own modules; edits go through `Editor`
onto the one QUndoStack; long work runs in workers. The methods under "test-facing API" are what
the GUI tests (and the screenshot mode) use instead of reaching into private attributes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from annotations.adjudication import Disagreement
from annotations.errors import ScanspanError
from annotations.importer import Outcome
from annotations.pagetext import Hit, TextRange, snap
from annotations.search import SearchHit
from annotations.store.server import ProjectProcess
from app import actions as action_defs
from app.background.export_controller import PROJECT_FILTER, ExportController
from app.background.import_controller import ImportController
from app.background.model_controller import ModelController
from app.background.occurrences import OccurrenceCounter
from app.crash import CrashHandler
from app.dialogs import doctor as doctor_dialog
from app.dialogs.adjudicate_dialog import ask_pair
from app.dialogs.analyst_dialog import ask_analyst
from app.dialogs.export import ExportDialog
from app.dialogs.help import ShortcutsDialog, about
from app.dialogs.import_settings import ImportSettingsDialog
from app.dialogs.label_dialog import LabelEditor
from app.editing.adjudication import Adjudicator
from app.editing.editor import Editor
from app.editing.history import History
from app.editing.review import Reviewer
from app.editing.selection import AnnotationRef, Selection
from app.panels.adjudication_bar import AdjudicationBar
from app.panels.annotations_panel import AnnotationsPanel
from app.panels.find_bar import FindBar
from app.panels.label_palette import LabelPalette
from app.panels.navigator import Navigator
from app.panels.search_panel import SearchPanel
from app.panels.selection_status import SelectionStatus
from app.panels.suggestion_status import PropagationOffer, SuggestionCount
from app.panels.text_view import TextView
from app.panels.welcome import Welcome
from app.paths import is_project_file
from app.project.session import ProjectSession, default_annotator
from app.scene.page_view import PageView
from app.scene.render import PageRenderer
from app.settings import Settings
from app.window_api import WindowAPI

POLL_MS = 500
"""How often the window looks for other processes' changes to the project (one cheap query)."""
IDLE_POLL_MS = 2000
"""The same while the window is in the background."""
DOCUMENT_FILTER = "Scanned letters (*.pdf *.tif *.tiff *.png *.jpg *.jpeg);;All files (*)"


STORE_WAIT = 1.0
"""Seconds an edit waits for another process's write before it is queued (WriteQueue) instead."""


class MainWindow(WindowAPI, QMainWindow):
    pageShown = Signal(int, int)  # document id, page number
    pageImageReady = Signal()
    importFinished = Signal(list)  # list[Outcome]
    exportFinished = Signal(object)  # ExportReport or an error message
    messageShown = Signal(str)
    copySaved = Signal(str)  # the status message; empty when it failed

    def __init__(self, settings: Settings | None = None, crash: CrashHandler | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.crash = crash or CrashHandler(self)
        self.pool = QThreadPool(self)  # imports and exports; page renders have their own
        self.stack = QUndoStack(self)
        self.history = History(self.stack, self)
        self.history.stepped.connect(self._on_history_step)
        self.selection = Selection(self)
        self.session: ProjectSession | None = None
        self.renderer: PageRenderer | None = None
        self.editor: Editor | None = None
        self.doc_id: int | None = None
        self.page_number: int | None = None
        self._last_message = ""
        self._ask_analyst = False  # the analyst's name is to be asked once the window shows
        self._poll_timer = QTimer(self, interval=POLL_MS)
        self._poll_timer.timeout.connect(self.follow_changes)
        self._label_actions: list[QAction] = []
        self._lists_doc: int | None = None  # whose annotation list and counts are still to read
        self._lists_timer = QTimer(self, singleShot=True, interval=600)  # if the scan is slow to come
        self._lists_timer.timeout.connect(self._load_lists)
        self.setWindowTitle("Scanspan")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.actions = action_defs.build(self, self.stack, {
            "new_project": self.new_project_dialog, "open_project": self.open_project_dialog,
            "import_files": self.import_dialog, "import_settings": self.import_settings_dialog,
            "analyst": self.analyst_dialog, "adjudicate": self.adjudicate_dialog,
            "export": self.export_dialog, "save_copy": self.save_copy_dialog,
            "quit": self.close,
            "delete": self.delete_selected, "edit_word": self.edit_word, "edit_note": self.edit_note,
            "clear_selection": self.clear_selection, "zoom_in": lambda: self._page_call("zoom_in"),
            "zoom_out": lambda: self._page_call("zoom_out"), "actual_size": lambda: self._page_call("actual_size"),
            "fit_width": lambda: self._page_call("fit_width"), "fit_page": lambda: self._page_call("fit_page"),
            "word_boxes": self._toggle_boxes, "region_tool": self._toggle_region_tool,
            "label_names": lambda on: self._page_call("set_show_names", on),
            "find": self.find_bar_open, "find_next": lambda: self.find_bar.next(),
            "find_previous": lambda: self.find_bar.previous(),
            "search_project": self.search_project,
            "next_document": lambda: self.step_document(1), "previous_document": lambda: self.step_document(-1),
            "next_page": lambda: self.step_page(1), "previous_page": lambda: self.step_page(-1),
            "accept_suggestion": lambda: self._review("accept_selected"),
            "accept_label": lambda: self._review("accept_label_of_selected"),
            "reject_suggestion": lambda: self._review("reject_selected"),
            "next_suggestion": lambda: self._review("step", 1, self._position()),
            "previous_suggestion": lambda: self._review("step", -1, self._position()),
            "suggest_occurrences": lambda: self._review("tag_occurrences", False),
            "tag_occurrences": lambda: self._review("tag_occurrences", True),
            "suggest_with_model": self.suggest_with_model,
            "shortcuts": self.show_shortcuts, "about": lambda: about(self),
        })
        self.label_menu = QMenu("&Label selection", self)
        action_defs.build_menus(self, self.actions, self.label_menu)
        self.doctor_action = doctor_dialog.add_to_help_menu(self)
        action_defs.build_toolbar(self, self.actions)
        self.actions.recent_menu.aboutToShow.connect(self._fill_recent)

        self.welcome = Welcome(self.actions.new_project, self.actions.open_project, self.settings, self.open_project)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.central = QStackedWidget()
        self.central.addWidget(self.welcome)
        self.find_bar = FindBar()
        self.find_bar.hitChosen.connect(self._go_to_hit)
        self.find_bar.hitsChanged.connect(self._show_find_hits)
        self.find_bar.closed.connect(lambda: self.page_view.setFocus() if self.session is not None else None)
        self.workspace = QWidget()
        workspace = QVBoxLayout(self.workspace)
        workspace.setContentsMargins(0, 0, 0, 0)
        workspace.setSpacing(0)
        workspace.addWidget(self.find_bar)
        workspace.addWidget(self.splitter, 1)
        self.central.addWidget(self.workspace)
        self.setCentralWidget(self.central)
        self.docks = {
            "documents": self._dock("Documents", Qt.DockWidgetArea.LeftDockWidgetArea),
            "labels": self._dock("Labels", Qt.DockWidgetArea.LeftDockWidgetArea),
            "annotations": self._dock("Annotations", Qt.DockWidgetArea.BottomDockWidgetArea),
            "history": self._dock("History", Qt.DockWidgetArea.RightDockWidgetArea),
            "search": self._dock("Search", Qt.DockWidgetArea.RightDockWidgetArea),
        }
        self.docks["history"].setWidget(QUndoView(self.stack))
        self.docks["history"].hide()
        self.search_panel = SearchPanel()
        self.search_panel.hitChosen.connect(self._go_to_search_hit)
        self.docks["search"].setWidget(self.search_panel)
        self.docks["search"].hide()
        self.resizeDocks([self.docks["documents"], self.docks["labels"]], [300, 260], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["documents"]], [270], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["annotations"]], [230], Qt.Orientation.Vertical)

        self.page_label = QLabel()
        self.zoom_label = QLabel()
        self.read_only_label = QLabel()
        self.read_only_label.setStyleSheet("QLabel { color: #8a4b00; font-weight: bold; }")
        self.read_only_label.hide()
        self.selection_status = SelectionStatus(self.selection)
        self.suggestion_count = SuggestionCount()
        self.offer = PropagationOffer()
        self.reviewer: Reviewer | None = None
        self.adjudicator: Adjudicator | None = None
        self.adjudication_bar: AdjudicationBar | None = None
        self.offer.suggestRequested.connect(lambda: self._review("tag_occurrences", False, self.offer.span_id))
        self.offer.tagRequested.connect(lambda: self._review("tag_occurrences", True, self.offer.span_id))
        self.statusBar().addPermanentWidget(self.read_only_label)
        self.statusBar().addPermanentWidget(self.offer)
        self.statusBar().addPermanentWidget(self.selection_status)
        self.statusBar().addPermanentWidget(self.suggestion_count)
        self.statusBar().addPermanentWidget(self.page_label)
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.importer = ImportController(self.statusBar(), self.pool, self, self.settings)
        self.exports = ExportController(self, self.statusBar(), self.pool, self.crash, self.show_error)
        self.exports.exported.connect(self.exportFinished)
        self.exports.copied.connect(self.copySaved)
        self.importer.finished.connect(self._on_import_finished)
        self.importer.crashed.connect(lambda details: self.crash.report(details, "the import stopped on an internal error"))
        self.occurrences = OccurrenceCounter(self.pool, self)
        self.occurrences.counted.connect(lambda span_id, epoch, plan: self._review("offer", span_id, epoch, plan))
        self.model = ModelController(self.statusBar(), self.pool, self)
        self.model.finished.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.model.failed.connect(lambda text: self.show_error("Cannot suggest with a model", text))
        self.model.crashed.connect(lambda details: self.crash.report(details, "training stopped on an internal error"))
        self.actions.accept_label_menu.aboutToShow.connect(lambda: self._review("fill_menu", self.actions.accept_label_menu, "label"))
        self.actions.accept_source_menu.aboutToShow.connect(lambda: self._review("fill_menu", self.actions.accept_source_menu, "source"))
        self._set_enabled()
        self.geometry_restored = self.settings.restore_window(self)

    def _dock(self, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.actions.view_menu.addAction(dock.toggleViewAction())
        return dock

    # -- projects ---------------------------------------------------------------------------------

    def open_project(self, path: str | Path) -> bool:
        """Open (or create) a project file; on failure the current one stays open."""
        path = Path(path)
        try:
            # The project's connection lives in a child process: code in this one (file dialogs,
            # thumbnailers) that opens and closes the project file would otherwise drop its locks.
            project = ProjectProcess(path, wait=STORE_WAIT)
        except ScanspanError as exc:
            self.show_error("Cannot open project", str(exc))
            return False
        self.close_project()
        self._bind(ProjectSession(project, self))
        self.settings.add_recent(path)
        docs = self.session.documents() if self.session else []
        if docs:
            self.show_page(docs[0].id, 1)
        if self.settings.analyst() is None and not project.read_only:
            # Asked once (until chosen), over the window once it is up, before the first edit.
            self._ask_analyst = True
            if self.isVisible():
                QTimer.singleShot(0, self._ask_analyst_first)
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._ask_analyst:
            QTimer.singleShot(0, self._ask_analyst_first)

    def _ask_analyst_first(self) -> None:
        if self._ask_analyst and self.session is not None:
            self._ask_analyst = False
            self.analyst_dialog()

    def close_project(self) -> None:
        self._poll_timer.stop()
        self.importer.set_session(None)
        self.model.set_session(None)
        self.occurrences.set_session(None)
        self.stack.clear()
        self.selection.clear()
        if self.renderer is not None:
            self.renderer.close()
        if self.session is not None:
            self.session.close()
        for dock in ("documents", "labels", "annotations"):
            old = self.docks[dock].widget()
            if old is not None:
                old.deleteLater()
        while self.splitter.count():
            widget = self.splitter.widget(0)
            widget.setParent(None)
            widget.deleteLater()
        if self.adjudicator is not None:
            self.adjudicator.stop()  # the bar hides and gives the window its keys back
        if self.adjudication_bar is not None:
            self.adjudication_bar.deleteLater()
        self.session = self.renderer = self.editor = self.reviewer = self.adjudicator = self.adjudication_bar = None
        self.selection_status.set_session(None)
        self.search_panel.set_session(None)
        self.suggestion_count.set_session(None)
        self.offer.withdraw()
        self.doc_id = self.page_number = self._lists_doc = None
        self.read_only_label.hide()
        self.central.setCurrentWidget(self.welcome)
        self.setWindowTitle("Scanspan")
        self._set_enabled()

    def _bind(self, session: ProjectSession) -> None:
        """Build the panels for one open project and wire them."""
        self.session = session
        session.annotator = self.analyst()
        self.renderer = PageRenderer(session.project, parent=session)
        self.page_view = PageView(session, self.selection, self.renderer)
        self.text_view = TextView(session, self.selection)
        self.panel = AnnotationsPanel(session, self.selection)
        self.palette = LabelPalette(session)
        self.navigator = Navigator(session)
        self.editor = Editor(session, self.selection, self.stack, self.palette.current, session)
        self.label_editor = LabelEditor(session, self.stack, self, session)
        self.reviewer = Reviewer(session, self.selection, self.stack, session)
        self.adjudicator = Adjudicator(session, self.stack, session)
        self.adjudication_bar = AdjudicationBar(self.adjudicator)
        self.workspace.layout().insertWidget(1, self.adjudication_bar)
        self.splitter.addWidget(self.page_view)
        self.splitter.addWidget(self.text_view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 400])
        self.docks["documents"].setWidget(self.navigator)
        self.docks["labels"].setWidget(self.palette)
        self.docks["annotations"].setWidget(self.panel)
        self.central.setCurrentWidget(self.workspace)
        self.setWindowTitle(f"{session.name}{' [read-only]' if session.read_only else ''} — Scanspan")
        if session.read_only:
            self.read_only_label.setText(f"Read-only: {session.read_only}")
            self.read_only_label.setToolTip("This project can be read and exported here, but not changed")
            self.read_only_label.show()

        self.page_view.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f}%"))
        self.page_view.hovered.connect(lambda tip: self.statusBar().showMessage(tip, 4000) if tip else None)
        self.page_view.regionDrawn.connect(self.editor.draw_region)
        self.page_view.regionEdited.connect(self.editor.move_region)
        self.page_view.wordCorrected.connect(self.editor.correct_word)
        self.page_view.pageReady.connect(lambda: QTimer.singleShot(1, self._page_text))  # a page read in steps
        self.page_view.toolChanged.connect(lambda tool: self.actions.region_tool.setChecked(tool == "region"))
        self.text_view.wordCorrected.connect(self.editor.correct_word)
        self.text_view.editingWord.connect(self.page_view.show_word)
        self.renderer.rendered.connect(self._on_rendered)
        self.renderer.failed.connect(lambda _pid, msg: self.statusBar().showMessage(f"Cannot render the page: {msg}"))
        self.panel.activated.connect(self.go_to_annotation)
        self.panel.model.noteEdited.connect(self.editor.set_note)
        self.palette.applied.connect(self._apply_label)
        self.palette.addRequested.connect(self.add_label_dialog)
        self.palette.editRequested.connect(self.label_editor.edit)
        self.palette.deleteRequested.connect(self.label_editor.delete)
        self.label_editor.error.connect(lambda text: self.show_error("Cannot change the label", text))
        self.label_editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.navigator.pageChosen.connect(self.show_page)
        self.navigator.statusRequested.connect(self.editor.set_status)
        self.editor.error.connect(lambda text: self.show_error("Cannot do that", text))
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        # A tag's other occurrences are counted in the background, then offered.
        self.editor.tagged.connect(lambda span_id: self.occurrences.count(span_id, self.reviewer.epoch if self.reviewer else 0))
        self.reviewer.chosen.connect(self.go_to_annotation)
        self.adjudicator.shown.connect(self._show_disagreement)
        self.adjudicator.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.adjudicator.error.connect(lambda text: self.show_error("Cannot adjudicate", text))
        self.reviewer.offered.connect(self.offer.offer)
        self.reviewer.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.reviewer.error.connect(lambda text: self.show_error("Cannot do that", text))
        session.spanRemoved.connect(lambda span: self.offer.withdraw(span.id))
        self.selection.annotationChanged.connect(self._on_annotation_selected)
        # What the status bar said about the last action is stale once the selection moves on.
        self.selection.rangeChanged.connect(lambda *_: self.statusBar().clearMessage())
        self.selection.annotationChanged.connect(lambda *_: self.statusBar().clearMessage())
        session.spanRemoved.connect(lambda span: self.selection.forget(AnnotationRef("span", span.id)))
        session.regionRemoved.connect(lambda region: self.selection.forget(AnnotationRef("region", region.id)))
        session.labelsChanged.connect(self._rebuild_label_actions)
        session.wordChanged.connect(lambda _word: self.selection.set_range(None, "edit"))  # offsets moved
        session.documentAdded.connect(self._on_document_added)
        session.reset.connect(self._on_reset)
        session.writes.waiting.connect(self._on_writes_waiting)
        self.importer.set_session(session)
        self.selection_status.set_session(session)
        self.search_panel.set_session(session)
        self.suggestion_count.set_session(session)
        self.model.set_session(session)
        self.occurrences.set_session(session)
        self.navigator.reload()
        self._rebuild_label_actions()
        self.page_view.set_show_boxes(self.actions.word_boxes.isChecked())
        self.page_view.set_show_names(self.actions.label_names.isChecked())
        self._set_enabled()
        self._poll_timer.start()

    def _set_enabled(self) -> None:
        has_project = self.session is not None
        has_page = self.page_number is not None
        writable = has_project and not self.session.read_only  # type: ignore[union-attr]
        for action in (self.actions.export, self.actions.save_copy):
            action.setEnabled(has_project)
        self.actions.import_files.setEnabled(writable)
        for action in (self.actions.zoom_in, self.actions.zoom_out, self.actions.actual_size, self.actions.fit_width,
                       self.actions.fit_page, self.actions.word_boxes, self.actions.next_page, self.actions.previous_page):
            action.setEnabled(has_page)
        for action in (self.actions.region_tool, self.actions.edit_word, self.actions.delete, self.actions.edit_note,
                       self.actions.accept_suggestion, self.actions.accept_label, self.actions.reject_suggestion, self.actions.suggest_occurrences,
                       self.actions.tag_occurrences, self.actions.suggest_with_model, self.actions.adjudicate):
            action.setEnabled(has_page and writable)
        for action in (self.actions.next_suggestion, self.actions.previous_suggestion):
            action.setEnabled(has_page)
        for action in self._label_actions:  # on a read-only project a label key says why nothing happens
            action.setEnabled(has_page)

    # -- navigation -------------------------------------------------------------------------------

    def show_page(self, doc_id: int, number: int) -> None:
        if self.session is None:
            return
        pages = self.session.pages(doc_id)
        if not pages:
            return
        number = min(max(number, 1), len(pages))
        if (doc_id, number) == (self.doc_id, self.page_number):
            return
        page = pages[number - 1]
        if self.adjudicator is not None and self.adjudicator.doc_id not in (None, doc_id):
            # The walk is of one document's disagreements: its keys must not act on another's page.
            self.adjudicator.stop()
            self.statusBar().showMessage("Adjudication stopped: another document is shown", 8000)
        if doc_id != self.doc_id:
            # A long document's list of annotations is read once its first page is on screen.
            self.panel.set_document(doc_id, defer=True)
            self._lists_doc = doc_id
            self._lists_timer.start()
            # Another letter opens as a reader starts one: its whole width, from the top (show_page
            # scrolls up), whatever zoom the previous letter was read at.
            self.page_view.fit_width()
        self.doc_id, self.page_number = doc_id, number
        # This turn of the event loop draws the scan; the text follows on the next, the navigator
        # and the status bar on the one after, so a dense page never costs one long frame. A page
        # never read shows its words in steps first (the page view's pageReady, then the text).
        self.page_view.show_page(page)
        self.text_view.show_page(page, defer=True)
        self.find_bar.set_document(self.session, doc_id)
        self._show_find_hits()
        self._set_enabled()
        self.actions.previous_page.setEnabled(number > 1)
        self.actions.next_page.setEnabled(number < len(pages))
        QTimer.singleShot(1, self._page_text)  # a timer: Qt paints the scan before it fires

    def _page_text(self) -> None:
        if not self.page_view.shown():
            return  # the page's words are still being read: pageReady calls again
        self.text_view.ensure_shown()
        QTimer.singleShot(1, self._page_chrome)

    def _page_chrome(self) -> None:
        if self.session is None or self.doc_id is None or self.page_number is None:
            return
        doc_id, number = self.doc_id, self.page_number
        self.navigator.set_current(doc_id, number)
        pages = len(self.session.pages(doc_id))
        self.page_label.setText(f"{self.session.document(doc_id).name} · page {number} of {pages}")
        self.pageShown.emit(doc_id, number)
        self.page_view.start_prefetch()
        if self.page_view.image_ready():
            self.pageImageReady.emit()
            QTimer.singleShot(0, self._load_lists)

    def _load_lists(self) -> None:
        """The annotations table and the navigator's per-page counts (they read every span)."""
        doc_id, self._lists_doc = self._lists_doc, None
        self._lists_timer.stop()
        if self.session is None or doc_id is None:
            return
        self.panel.ensure_loaded()
        self.navigator.refresh_counts(doc_id)

    def step_document(self, delta: int) -> None:
        """Alt+PgDown / Alt+PgUp: the next or previous document, from its first page."""
        if self.session is None:
            return
        ids = [d.id for d in self.session.documents()]
        if not ids:
            return
        at = ids.index(self.doc_id) if self.doc_id in ids else -1
        target = at + delta
        if 0 <= target < len(ids):
            self.show_page(ids[target], 1)
        else:
            self.statusBar().showMessage("No next document" if delta > 0 else "No previous document", 3000)

    def find_bar_open(self) -> None:
        if self.session is not None:
            self.find_bar.set_document(self.session, self.doc_id)
            self.find_bar.open()

    def _go_to_hit(self, doc_id: int, hit: Hit) -> None:
        """Show a Find hit and select it, so that a label key tags it."""
        self._select_found(doc_id, TextRange(doc_id, (hit.page, hit.start), (hit.page, hit.end)))

    def _select_found(self, doc_id: int, rng: TextRange) -> None:
        """Show where a search found something and select it as a tag would store it."""
        if self.session is None:
            return
        self.show_page(doc_id, rng.start[0])
        pages = self.session.pages(doc_id)
        self.selection.set_range(snap(rng, pages, self.session.page_data) or rng, "find")

    def search_project(self) -> None:
        """Ctrl+Shift+F: the Search dock, its field ready for a query over every document."""
        if self.session is None:
            return
        self.docks["search"].show()
        self.docks["search"].raise_()
        self.search_panel.focus()

    def _go_to_search_hit(self, hit: SearchHit) -> None:
        """Show a project-wide search hit and select its words, so that a label key tags them."""
        if self.session is None:
            return
        data = self.session.page_data(self.session.page(hit.document_id, hit.page))
        indices = [data.position[w] for w in hit.word_ids if w in data.position]
        if indices:
            self._select_found(hit.document_id, data.word_range(min(indices), max(indices)))
        else:
            self.show_page(hit.document_id, hit.page)
        self.page_view.setFocus()  # so that a label key tags the hit

    def _show_find_hits(self) -> None:
        if self.session is None or self.page_number is None:
            return
        hits = self.find_bar.on_page(self.doc_id, self.page_number)
        self.page_view.set_find_hits(hits)
        self.text_view.set_find_hits(hits)

    def step_page(self, delta: int) -> None:
        if self.doc_id is not None and self.page_number is not None:
            self.show_page(self.doc_id, self.page_number + delta)

    def go_to_annotation(self, ref: AnnotationRef) -> None:
        """Show the annotation's page, select it and scroll both views to it."""
        if self.session is None or self.doc_id is None:
            return
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            if span is None:
                return
            self.show_page(span.document_id, self.session.extent(span)[0])
        else:
            region = self.session.find_region(ref.id)
            if region is None:
                return
            self.show_page(self.doc_id, self.session.region_page(region).number)
        self.selection.set_annotation(ref)
        self.page_view.reveal(ref)

    def _on_annotation_selected(self, ref: AnnotationRef | None) -> None:
        if ref is None or self.session is None:
            return
        self.text_view.ensure_shown()
        if self.text_view.page is None:
            return
        if ref.kind == "span":
            span = self.session.find_span(ref.id)
            part = self.session.span_on_page(span, self.text_view.page) if span else None
            if part is not None:
                cursor = self.text_view.textCursor()
                cursor.setPosition(self.text_view._to_qt(part.start))
                self.text_view.setTextCursor(cursor)
                self.text_view.ensureCursorVisible()

    def _on_rendered(self, page_id: int, _scale: float) -> None:
        if self.page_view.page is not None and page_id == self.page_view.page.id and self.page_view.image_ready():
            self.pageImageReady.emit()
            QTimer.singleShot(0, self._load_lists)

    def _page_call(self, name: str, *args: object) -> None:
        if self.page_number is not None:
            getattr(self.page_view, name)(*args)

    # -- editing ----------------------------------------------------------------------------------

    def _review(self, method: str, *args: object) -> None:
        if self.reviewer is not None:
            getattr(self.reviewer, method)(*args)

    def _position(self) -> tuple[int, int, int, int] | None:
        """Where the analyst is, for the next suggestion: the selection's first word, else the page's start."""
        if self.session is None or self.doc_id is None or self.page_number is None:
            return None
        ref = self.selection.annotation
        span = self.session.find_span(ref.id) if ref is not None and ref.kind == "span" else None
        if span is not None:
            p1, i1, _, _ = self.session.extent(span)
            return (span.document_id, p1, i1, span.id)
        rng = self.selection.range
        if rng is not None and rng.doc_id == self.doc_id:
            page, offset = rng.start
            words = self.session.page_data(self.session.page(rng.doc_id, page)).text.words_in_range(offset, offset + 1)
            return (rng.doc_id, page, words[0] if words else -1, -1)
        return (self.doc_id, self.page_number, -1, -1)

    def suggest_with_model(self) -> None:
        if self.session is not None and not self.model.start():
            self.statusBar().showMessage("The model is already training", 5000)

    def _rebuild_label_actions(self) -> None:
        for action in self._label_actions:
            self.removeAction(action)
            action.deleteLater()
        self._label_actions = []
        self.label_menu.clear()
        if self.session is None:
            return
        for label in self.session.labels():
            action = QAction(label.name, self)
            if label.shortcut:
                action.setShortcut(QKeySequence(label.shortcut))
            action.setStatusTip(f"Tag the selected words as {label.name}, or relabel the selected annotation")
            action.triggered.connect(lambda _=False, name=label.name: self._apply_label(name))
            self.addAction(action)
            self.label_menu.addAction(action)
            self._label_actions.append(action)
        self.label_menu.addSeparator()
        self.label_menu.addAction("Add label…", self.add_label_dialog)
        self._set_enabled()

    def _apply_label(self, name: str) -> None:
        if self.editor is None:
            return
        self.palette.set_current(name)
        self.editor.apply_label(name)

    def add_label_dialog(self) -> None:
        if self.session is None:
            return
        self.label_editor.add()

    def _on_history_step(self, verb: str, text: str, place: tuple[int, int | None] | None,
                         target: tuple[str, int] | None = None) -> None:
        """An undo or redo goes to the page it changed and says so, even in another document."""
        if self.session is None:
            return
        where = ""
        if place is not None and place[0] in {d.id for d in self.session.documents()}:
            doc_id, number = place
            if number is None:
                number = self.page_number if doc_id == self.doc_id and self.page_number else 1
            self.show_page(doc_id, number)
            where = f" in {self.session.document(doc_id).name}, page {number}"
            # And to the annotation itself, when the step left one there (not after undoing a tag).
            found = target is not None and (self.session.find_span(target[1]) if target[0] == "span"
                                            else self.session.find_region(target[1])) is not None
            if target is not None and found:
                self.page_view.reveal(AnnotationRef(*target))
        self.statusBar().showMessage(f"{verb} “{text}”{where}", 8000)

    def delete_selected(self) -> None:
        ref = self.selection.annotation
        if ref is None or self.editor is None:
            self.statusBar().showMessage("Select an annotation to delete (click its highlight or its row)", 5000)
            return
        self.editor.delete(ref)

    def edit_note(self) -> None:
        ref = self.selection.annotation
        if ref is None:
            self.statusBar().showMessage("Select an annotation first", 5000)
            return
        self.docks["annotations"].show()
        self.panel.ensure_loaded()
        row = self.panel.model.row_of(ref)
        if row is not None:
            index = self.panel.proxy.mapFromSource(self.panel.model.index(row, 3))
            self.panel.table.setFocus()
            self.panel.table.setCurrentIndex(index)
            self.panel.table.edit(index)

    def edit_word(self) -> None:
        """F2: the note in the annotations table, else the first selected word on this page."""
        if self.session is None or self.page_view.data is None:
            return
        if self.panel.table.hasFocus():
            self.edit_note()
            return
        rng = self.selection.range
        data = self.page_view.data
        part = rng.on_page(data.page.number, len(data.text.text)) if rng and rng.doc_id == self.doc_id else None
        hits = data.text.words_in_range(*part) if part else range(0)
        if not hits:
            self.statusBar().showMessage("Select a word to correct (or double-click it)", 5000)
            return
        if self.text_view.hasFocus() and self.text_view.shown():
            self.text_view.edit_word(hits[0])
        else:
            self.page_view.edit_word(hits[0])

    def clear_selection(self) -> None:
        if self.page_number is not None and self.page_view.tool == "region":
            self.page_view.set_tool("select")
            return
        self.selection.clear()

    def _toggle_boxes(self, checked: bool) -> None:
        if self.page_number is not None:
            self.page_view.set_show_boxes(checked)

    def _toggle_region_tool(self, checked: bool) -> None:
        if self.page_number is not None:
            self.page_view.set_tool("region" if checked else "select")

    # -- import and export ------------------------------------------------------------------------

    def import_files(self, paths: list[str | Path]) -> None:
        if self.session is None:
            self.show_error("No project", "Open or create a project first, then import into it.")
            return
        self.importer.start([Path(p) for p in paths])

    def _on_import_finished(self, outcomes: list[Outcome]) -> None:
        failed = [o.message for o in outcomes if o.status == "failed"]
        imported = [o for o in outcomes if o.status == "imported"]
        dupes = [o for o in outcomes if o.status == "duplicate"]
        if not outcomes:
            self.statusBar().showMessage("Import cancelled; files finished before that are stored", 8000)
        else:
            self.statusBar().showMessage(
                f"Imported {len(imported)} file(s)" + (f", {len(dupes)} already in the project" if dupes else "")
                + (f", {len(failed)} failed" if failed else "")
                + (f"; {self.importer.note}" if self.importer.note else ""), 8000)
        if failed:
            self.show_error("Some files were not imported", "\n".join(failed))
        if imported and self.page_number is None and imported[0].document is not None:
            self.show_page(imported[0].document.id, 1)
        self.importFinished.emit(outcomes)

    def _on_document_added(self, _document: object) -> None:
        if self.doc_id is not None and self.page_number is not None:
            self.navigator.set_current(self.doc_id, self.page_number)

    def analyst(self) -> str:
        """The name this window's edits are recorded under: the one chosen, else the OS user."""
        return self.settings.analyst() or default_annotator()

    def analyst_dialog(self) -> None:
        name = ask_analyst(self.analyst(), self)
        self.activateWindow()  # the window's shortcuts work again at once, without a click
        if name is not None:
            self.settings.set_analyst(name)
            self.statusBar().showMessage(f"Your edits are recorded as {name}", 6000)
        if self.session is not None:
            self.session.annotator = self.analyst()

    def adjudicate_dialog(self) -> None:
        if self.session is None or self.adjudicator is None or self.doc_id is None:
            return
        names = [n for n in self.session.annotators() if n]
        if len(names) < 2:
            who = f"only {names[0]}'s" if names else "nobody's"
            self.show_error("Nothing to adjudicate", f"Adjudication compares two analysts' spans; this project has {who}. "
                            "Bring another analyst's project in with scanspan merge.")
            return
        pair = ask_pair(names, self)
        self.activateWindow()
        if pair is not None:
            self.adjudicator.start(self.doc_id, *pair)

    def _show_disagreement(self, stretch: Disagreement | None) -> None:
        if stretch is not None:
            self.go_to_annotation(AnnotationRef("span", (stretch.a + stretch.b)[0].id))

    def import_settings_dialog(self) -> None:
        dialog = ImportSettingsDialog(self.importer.options, self, self.session.name if self.session else None)
        if dialog.exec() == ImportSettingsDialog.DialogCode.Accepted:
            self.importer.remember(dialog.options())

    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import documents", "", DOCUMENT_FILTER)
        if paths:
            self.import_files(paths)

    def export_dialog(self) -> None:
        if self.session is None:
            return
        dialog = ExportDialog(self.session.path, self.doc_id, self)
        if dialog.exec() == ExportDialog.DialogCode.Accepted:
            self.export_to(*dialog.request())

    def export_to(self, fmt: str, output: Path, documents: list[int] | None = None, options: object = None) -> None:
        if self.session is not None:
            self.exports.export(self.session.path, fmt, output, documents, options)

    def save_copy_dialog(self) -> None:
        if self.session is not None:
            self.exports.copy_dialog(self.session.path)

    def save_copy(self, output: Path) -> None:
        if self.session is not None:
            self.exports.copy(self.session.path, output)

    # -- following other writers --------------------------------------------------------------------

    def follow_changes(self) -> None:
        """Take in what other processes changed in the project (the CLI, an import, another window)."""
        if self.session is None:
            return
        self._poll_timer.setInterval(POLL_MS if self.isActiveWindow() else IDLE_POLL_MS)
        try:
            self.session.poll()
        except ScanspanError as exc:
            self._poll_timer.stop()
            self.show_error("The project stopped responding", str(exc))

    def _on_reset(self) -> None:
        """More changed elsewhere than the window can follow one by one: read everything again."""
        if self.session is None:
            return
        self.selection.clear()
        self._rebuild_label_actions()
        self.navigator.reload()
        doc_id, number = self.doc_id, self.page_number
        self.doc_id = self.page_number = None
        pages = self.session.pages(doc_id) if doc_id is not None else []
        if doc_id is not None and pages:
            self.panel.set_document(doc_id)
            self.show_page(doc_id, min(number or 1, len(pages)))

    def _on_writes_waiting(self, count: int) -> None:
        if count:
            self.statusBar().showMessage(
                f"The project is busy (another program is writing to it); {count} change"
                f"{'s' if count != 1 else ''} waiting, retrying…")
        else:
            self.statusBar().showMessage("All changes stored", 4000)

    # -- project dialogs --------------------------------------------------------------------------

    def new_project_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", "untitled.scanspan", PROJECT_FILTER,
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        if Path(path).exists():  # never overwrite: it may hold someone's work
            self.show_error("Cannot create project", f"{path} already exists; choose a new name, or open it.")
            return
        self.open_project(path)

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
        if path:
            self.open_project(path)

    def _fill_recent(self) -> None:
        menu = self.actions.recent_menu
        menu.clear()
        for path in self.settings.recent_projects():
            action = menu.addAction(str(path), lambda p=path: self.open_project(p))
            action.setEnabled(path.exists())
        if menu.isEmpty():
            menu.addAction("No recent projects").setEnabled(False)

    def show_shortcuts(self) -> None:
        rows = action_defs.shortcut_rows(self.actions.all() + self._label_actions)
        ShortcutsDialog(rows, self).exec()

    # -- messages, drops, closing -----------------------------------------------------------------

    def show_error(self, title: str, text: str) -> None:
        """A clear message in the window (never a traceback); non-modal so work can go on."""
        self._last_message = text
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.messageShown.emit(text)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        projects = [p for p in paths if is_project_file(p)]
        if len(projects) == 1 and len(paths) == 1:
            self.open_project(projects[0])
        elif self.session is None:
            self.show_error("No project", "Open or create a project first (File ▸ New project), then drop letters on it.")
        else:
            self.import_files(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session is not None and self.session.writes.pending():
            left = self.session.writes.flush(attempts=10)
            if left:
                answer = QMessageBox.warning(
                    self, "Changes not stored yet",
                    f"Another program keeps the project busy, so {left} change{'s' if left != 1 else ''} "
                    "could not be stored yet. Close anyway and lose them?",
                    QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                    QMessageBox.StandardButton.Cancel)
                if answer != QMessageBox.StandardButton.Discard:
                    event.ignore()
                    return
        self.settings.save_window(self)
        self.importer.stop()
        self.model.stop()
        self.pool.waitForDone()
        self.close_project()
        super().closeEvent(event)
