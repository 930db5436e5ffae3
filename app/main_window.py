"""The main window: wiring only. It builds the panels, actions and controllers and connects them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent, QUndoStack
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

from annotations.errors import ScanspanError
from annotations.store.server import ProjectProcess
from app import actions as action_defs
from app.background.export_controller import ExportController
from app.background.import_controller import ImportController
from app.background.model_controller import ModelController
from app.background.occurrences import OccurrenceCounter
from app.controllers.adjudication import AdjudicationController
from app.controllers.analyst import AnalystName
from app.controllers.changes import ChangeFollower
from app.controllers.edit_keys import EditKeys
from app.controllers.find import FindController
from app.controllers.history import HistoryMessages
from app.controllers.imports import ImportOutcome
from app.controllers.label_keys import LabelKeys
from app.controllers.navigation import Navigation
from app.controllers.project_files import ProjectFiles
from app.controllers.review import ReviewController
from app.crash import CrashHandler
from app.dialogs import doctor as doctor_dialog
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
from app.project.session import ProjectSession
from app.scene.page_view import PageView
from app.scene.render import PageRenderer
from app.settings import Settings
from app.window_api import WindowAPI

DOCUMENT_FILTER = "Scanned letters (*.pdf *.tif *.tiff *.png *.jpg *.jpeg);;All files (*)"


STORE_WAIT = 1.0
"""Seconds an edit waits for another process's write before it is queued (WriteQueue) instead."""


class MainWindow(WindowAPI, QMainWindow):
    """The methods under the WindowAPI mixin are what the GUI tests (and the screenshot mode) use
    instead of reaching into private attributes; the behaviour is in app/controllers/."""

    pageShown = Signal(int, int)  # document id, page number
    pageImageReady = Signal()
    importFinished = Signal(list)  # list[Outcome]
    exportFinished = Signal(object)  # ExportReport or an error message
    messageShown = Signal(str)
    copySaved = Signal(str)  # the status message; empty when it failed
    # Attributes named like the QWidget methods they shadow, declared for the controllers' type checks.
    actions: action_defs.Actions
    palette: LabelPalette

    def __init__(self, settings: Settings | None = None, crash: CrashHandler | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.crash = crash or CrashHandler(self)
        self.pool = QThreadPool(self)  # imports and exports; page renders have their own
        self.stack = QUndoStack(self)
        self.history = History(self.stack, self)
        self.selection = Selection(self)
        self.session: ProjectSession | None = None
        self.renderer: PageRenderer | None = None
        self.editor: Editor | None = None
        self._last_message = ""
        self.navigation = Navigation(self)
        self.navigation.pageShown.connect(self.pageShown)
        self.navigation.pageImageReady.connect(self.pageImageReady)
        self.finder = FindController(self)
        self.review = ReviewController(self)
        self.adjudication = AdjudicationController(self)
        self.edit_keys = EditKeys(self)
        self.label_keys = LabelKeys(self)
        self.changes = ChangeFollower(self)
        self.analyst = AnalystName(self)
        self.project_files = ProjectFiles(self)
        self.history_messages = HistoryMessages(self)
        self.history.stepped.connect(self.history_messages.on_step)
        self.setWindowTitle("Scanspan")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        nav, review, keys = self.navigation, self.review, self.edit_keys
        self.actions = action_defs.build(self, self.stack, {
            "new_project": self.project_files.new_dialog, "open_project": self.project_files.open_dialog,
            "import_files": self.import_dialog, "import_settings": self.import_settings_dialog,
            "analyst": self.analyst.dialog, "adjudicate": self.adjudication.dialog,
            "export": self.export_dialog, "save_copy": self.save_copy_dialog,
            "quit": self.close,
            "delete": keys.delete_selected, "edit_word": keys.edit_word, "edit_note": keys.edit_note,
            "clear_selection": keys.clear_selection, "zoom_in": lambda: nav.page_call("zoom_in"),
            "zoom_out": lambda: nav.page_call("zoom_out"), "actual_size": lambda: nav.page_call("actual_size"),
            "fit_width": lambda: nav.page_call("fit_width"), "fit_page": lambda: nav.page_call("fit_page"),
            "word_boxes": lambda on: nav.page_call("set_show_boxes", on),
            "region_tool": lambda on: nav.page_call("set_tool", "region" if on else "select"),
            "label_names": lambda on: nav.page_call("set_show_names", on),
            "find": self.finder.open, "find_next": lambda: self.find_bar.next(),
            "find_previous": lambda: self.find_bar.previous(),
            "search_project": self.finder.search_project,
            "next_document": lambda: nav.step_document(1), "previous_document": lambda: nav.step_document(-1),
            "next_page": lambda: nav.step_page(1), "previous_page": lambda: nav.step_page(-1),
            "accept_suggestion": lambda: review.call("accept_selected"),
            "accept_label": lambda: review.call("accept_label_of_selected"),
            "reject_suggestion": lambda: review.call("reject_selected"),
            "next_suggestion": lambda: review.step(1), "previous_suggestion": lambda: review.step(-1),
            "suggest_occurrences": lambda: review.call("tag_occurrences", False),
            "tag_occurrences": lambda: review.call("tag_occurrences", True),
            "suggest_with_model": review.suggest_with_model,
            "shortcuts": self.show_shortcuts, "about": lambda: about(self),
        })
        self.label_menu = QMenu("&Label selection", self)
        action_defs.build_menus(self, self.actions, self.label_menu)
        self.doctor_action = doctor_dialog.add_to_help_menu(self)
        action_defs.build_toolbar(self, self.actions)
        self.actions.recent_menu.aboutToShow.connect(self.project_files.fill_recent)

        self.welcome = Welcome(self.actions.new_project, self.actions.open_project, self.settings, self.open_project)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.central = QStackedWidget()
        self.central.addWidget(self.welcome)
        self.find_bar = FindBar()
        self.find_bar.hitChosen.connect(self.finder.go_to_hit)
        self.find_bar.hitsChanged.connect(self.finder.show_hits)
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
        self.search_panel.hitChosen.connect(self.finder.go_to_search_hit)
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
        self.offer.suggestRequested.connect(lambda: review.call("tag_occurrences", False, self.offer.span_id))
        self.offer.tagRequested.connect(lambda: review.call("tag_occurrences", True, self.offer.span_id))
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
        self.import_outcome = ImportOutcome(self)
        self.importer.finished.connect(self.import_outcome.on_finished)
        self.importer.crashed.connect(lambda details: self.crash.report(details, "the import stopped on an internal error"))
        self.occurrences = OccurrenceCounter(self.pool, self)
        self.occurrences.counted.connect(lambda span_id, epoch, plan: review.call("offer", span_id, epoch, plan))
        self.model = ModelController(self.statusBar(), self.pool, self)
        self.model.finished.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.model.failed.connect(lambda text: self.show_error("Cannot suggest with a model", text))
        self.model.crashed.connect(lambda details: self.crash.report(details, "training stopped on an internal error"))
        self.actions.accept_label_menu.aboutToShow.connect(lambda: review.call("fill_menu", self.actions.accept_label_menu, "label"))
        self.actions.accept_source_menu.aboutToShow.connect(lambda: review.call("fill_menu", self.actions.accept_source_menu, "source"))
        self.enable_actions()
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
            self.navigation.show_page(docs[0].id, 1)
        if not project.read_only:
            self.analyst.ask_later()
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.analyst.on_shown()

    def close_project(self) -> None:
        self.changes.timer.stop()
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
        self.navigation.forget()
        self.read_only_label.hide()
        self.central.setCurrentWidget(self.welcome)
        self.setWindowTitle("Scanspan")
        self.enable_actions()

    def _bind(self, session: ProjectSession) -> None:
        """Build the panels for one open project and wire them."""
        self.session = session
        session.annotator = self.analyst.name()
        self.renderer = PageRenderer(session.project, parent=session)
        self.page_view = PageView(session, self.selection, self.renderer)
        self.text_view = TextView(session, self.selection)
        self.panel = AnnotationsPanel(session, self.selection)
        self.palette = LabelPalette(session)
        self.navigator = Navigator(session)
        self.editor = Editor(session, self.selection, self.stack, self.palette.current, session)
        self.label_editor = LabelEditor(session, self.stack, self, session)
        self.reviewer = Reviewer(session, self.selection, self.stack, session, confirm=self.review.confirm)
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
        self.page_view.pageReady.connect(lambda: QTimer.singleShot(1, self.navigation.page_text))  # a page read in steps
        self.page_view.toolChanged.connect(lambda tool: self.actions.region_tool.setChecked(tool == "region"))
        self.text_view.wordCorrected.connect(self.editor.correct_word)
        self.text_view.editingWord.connect(self.page_view.show_word)
        self.renderer.rendered.connect(self.navigation.on_rendered)
        self.renderer.failed.connect(lambda _pid, msg: self.statusBar().showMessage(f"Cannot render the page: {msg}"))
        self.panel.activated.connect(self.navigation.go_to_annotation)
        self.panel.analystChanged.connect(self.page_view.set_analyst)
        self.panel.analystChanged.connect(self.text_view.set_analyst)
        self.panel.model.noteEdited.connect(self.editor.set_note)
        self.palette.applied.connect(self.label_keys.apply)
        self.palette.addRequested.connect(self.label_keys.add_dialog)
        self.palette.editRequested.connect(self.label_editor.edit)
        self.palette.deleteRequested.connect(self.label_editor.delete)
        self.label_editor.error.connect(lambda text: self.show_error("Cannot change the label", text))
        self.label_editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.navigator.pageChosen.connect(self.navigation.show_page)
        self.navigator.statusRequested.connect(self.editor.set_status)
        self.editor.error.connect(lambda text: self.show_error("Cannot do that", text))
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.editor.tagged.connect(self.review.count_occurrences)
        self.reviewer.chosen.connect(self.navigation.go_to_annotation)
        self.adjudicator.shown.connect(self.adjudication.show)
        self.adjudicator.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.adjudicator.error.connect(lambda text: self.show_error("Cannot adjudicate", text))
        self.reviewer.offered.connect(self.offer.offer)
        self.reviewer.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.reviewer.error.connect(lambda text: self.show_error("Cannot do that", text))
        session.spanRemoved.connect(lambda span: self.offer.withdraw(span.id))
        self.selection.annotationChanged.connect(self.navigation.scroll_text_to)
        # What the status bar said about the last action is stale once the selection moves on.
        self.selection.rangeChanged.connect(lambda *_: self.statusBar().clearMessage())
        self.selection.annotationChanged.connect(lambda *_: self.statusBar().clearMessage())
        session.spanRemoved.connect(lambda span: self.selection.forget(AnnotationRef("span", span.id)))
        session.regionRemoved.connect(lambda region: self.selection.forget(AnnotationRef("region", region.id)))
        session.labelsChanged.connect(self.label_keys.rebuild)
        session.wordChanged.connect(lambda _word: self.selection.set_range(None, "edit"))  # offsets moved
        session.documentAdded.connect(self.navigation.on_document_added)
        session.reset.connect(self.changes.reload)
        session.writes.waiting.connect(self.changes.on_writes_waiting)
        self.importer.set_session(session)
        self.selection_status.set_session(session)
        self.search_panel.set_session(session)
        self.suggestion_count.set_session(session)
        self.model.set_session(session)
        self.occurrences.set_session(session)
        self.navigator.reload()
        self.label_keys.rebuild()
        self.page_view.set_show_boxes(self.actions.word_boxes.isChecked())
        self.page_view.set_show_names(self.actions.label_names.isChecked())
        self.enable_actions()
        self.changes.timer.start()

    def enable_actions(self) -> None:
        """Actions are enabled for what is open: a project, a page, a writable project."""
        has_project = self.session is not None
        has_page = self.navigation.page_number is not None
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
        for action in self.label_keys.actions:  # on a read-only project a label key says why nothing happens
            action.setEnabled(has_page)

    # -- import, export, help ------------------------------------------------------------------------

    def import_files(self, paths: list[str | Path]) -> None:
        if self.session is None:
            self.show_error("No project", "Open or create a project first, then import into it.")
            return
        self.importer.start([Path(p) for p in paths])

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
        analysts = [n for n in self.session.annotators() if n]
        dialog = ExportDialog(self.session.path, self.navigation.doc_id, self, analysts=analysts)
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

    def show_shortcuts(self) -> None:
        rows = action_defs.shortcut_rows(self.actions.all() + self.label_keys.actions)
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
        self.project_files.dropped(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.changes.may_close():
            event.ignore()
            return
        self.settings.save_window(self)
        self.importer.stop()
        self.model.stop()
        self.pool.waitForDone()
        self.close_project()
        super().closeEvent(event)
