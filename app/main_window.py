"""The main window: wiring only. It builds the panels, actions and controllers and connects them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
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
from app.background.file_suggestions import FileSuggestions
from app.background.import_controller import ImportController
from app.background.model_controller import ModelController
from app.background.occurrences import OccurrenceCounter
from app.background.reocr_controller import ReocrController
from app.controllers.adjudication import AdjudicationController
from app.controllers.analyst import AnalystName
from app.controllers.changes import ChangeFollower
from app.controllers.documents import DocumentCommands
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
from app.editing.history import History
from app.editing.selection import Selection
from app.panels.find_bar import FindBar
from app.panels.search_panel import SearchPanel
from app.panels.status_line import StatusLine
from app.panels.welcome import Welcome
from app.project.session import ProjectSession
from app.project_scope import ProjectScope
from app.settings import Settings
from app.window_api import WindowAPI

STORE_WAIT = 1.0
"""Seconds an edit waits for another process's write before it is queued (WriteQueue) instead."""
ANSWER_WITHIN = 0.1
"""Seconds the window waits for its project's process to answer (a few frames): one stopped or
stuck answers nothing, and the window must go on answering the analyst."""


class MainWindow(WindowAPI, QMainWindow):
    """The methods under the WindowAPI mixin are what the GUI tests (and the screenshot mode) use
    instead of reaching into private attributes; the behaviour is in app/controllers/."""

    pageShown = Signal(int, int)  # document id, page number
    pageImageReady = Signal()
    importFinished = Signal(list)  # list[Outcome]; after a Cancel, the files it did not reach are "cancelled"
    exportFinished = Signal(object)  # ExportReport or an error message
    messageShown = Signal(str)
    copySaved = Signal(str)  # the status message; empty when it failed
    # Attributes named like the QWidget methods they shadow, declared for the controllers' type checks.
    actions: action_defs.Actions

    def __init__(self, settings: Settings | None = None, crash: CrashHandler | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.crash = crash or CrashHandler(self)
        self.pool = QThreadPool(self)  # imports and exports; page renders have their own
        self.stack = QUndoStack(self)
        self.history = History(self.stack, self)
        self.scope: ProjectScope | None = None
        self._no_selection = Selection(self)  # what `selection` is with no project open: always empty
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
        self.crash.busy.connect(self.changes.on_busy)
        self.analyst = AnalystName(self)
        self.project_files = ProjectFiles(self)
        self.history_messages = HistoryMessages(self)
        self.documents = DocumentCommands(self)
        self.history.stepped.connect(self.history_messages.on_step)
        self.setWindowTitle("Scanspan")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        nav, review, keys = self.navigation, self.review, self.edit_keys
        self.actions = action_defs.build(self, self.stack, {
            "new_project": self.project_files.new_dialog, "open_project": self.project_files.open_dialog,
            "import_files": self.import_dialog, "import_folder": self.project_files.import_folder_dialog,
            "import_settings": self.import_settings_dialog,
            "analyst": self.analyst.dialog, "adjudicate": self.adjudication.dialog,
            "export": self.export_dialog, "save_copy": self.save_copy_dialog,
            "quit": self.close,
            "delete": keys.delete_selected, "link": keys.link, "edit_word": keys.edit_word, "edit_note": keys.edit_note,
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
            "next_suggestion": lambda: keys.link_step(1) or review.step(1),
            "previous_suggestion": lambda: keys.link_step(-1) or review.step(-1),
            "suggest_occurrences": lambda: review.call("tag_occurrences", False),
            "tag_occurrences": lambda: review.call("tag_occurrences", True),
            "suggest_with_model": review.suggest_with_model, "suggest_from_file": review.suggest_from_file,
            "ocr_again": lambda: self.documents.ocr_again(), "remove_document": lambda: self.documents.remove(),
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

        self.status_line = StatusLine()
        self.setStatusBar(self.status_line)
        line = self.status_line
        self.page_label, self.zoom_label, self.read_only_label = line.page_label, line.zoom_label, line.read_only_label
        self.selection_status, self.suggestion_count, self.offer = line.selection_status, line.suggestion_count, line.offer
        self.offer.suggestRequested.connect(lambda: review.call("tag_occurrences", False, self.offer.span_id))
        self.offer.tagRequested.connect(lambda: review.call("tag_occurrences", True, self.offer.span_id))
        self.importer = ImportController(self.statusBar(), self.pool, self, self.settings)
        self.exports = ExportController(self, self.statusBar(), self.pool, self.crash, self.show_error)
        self.exports.exported.connect(self.exportFinished)
        self.exports.copied.connect(self.copySaved)
        self.import_outcome = ImportOutcome(self)
        self.importer.finished.connect(self.import_outcome.on_finished)
        self.importer.cancelled.connect(self.import_outcome.on_cancelled)
        self.importer.crashed.connect(lambda details: self.crash.report(details, "the import stopped on an internal error"))
        self.occurrences = OccurrenceCounter(self.pool, self)
        self.occurrences.counted.connect(lambda span_id, epoch, plan: review.call("offer", span_id, epoch, plan))
        self.model = ModelController(self.statusBar(), self.pool, self)
        self.model.finished.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.model.failed.connect(lambda text: self.show_error("Cannot suggest with a model", text))
        self.model.crashed.connect(lambda details: self.crash.report(details, "training stopped on an internal error"))
        self.file_suggestions = FileSuggestions(self.statusBar(), self.pool, self)
        self.file_suggestions.finished.connect(review.file_suggested)
        self.file_suggestions.cancelled.connect(lambda text: self.status_line.say(text, 10000))
        self.file_suggestions.failed.connect(lambda text: self.show_error("Cannot suggest from that file", text))
        self.file_suggestions.crashed.connect(lambda details: self.crash.report(details, "the term list stopped on an internal error"))
        self.reocr = ReocrController(self.statusBar(), self.pool, self)
        self.reocr.finished.connect(self.documents.on_read_again)
        self.reocr.failed.connect(lambda text: self.show_error("Cannot OCR again", text))
        self.reocr.cancelled.connect(lambda: self.status_line.say("OCR again cancelled; the document is as it was", 8000))
        self.reocr.crashed.connect(lambda details: self.crash.report(details, "OCR again stopped on an internal error"))
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
        if not self.changes.may_close():
            return False
        try:
            # The project's connection lives in a child process: code in this one (file dialogs,
            # thumbnailers) that opens and closes the project file would otherwise drop its locks.
            project = ProjectProcess(path, wait=STORE_WAIT)
        except ScanspanError as exc:
            self.show_error("Cannot open project", str(exc))
            return False
        try:
            # Its first answers are waited for, however slow the machine: a child that has just
            # started is working, and a window that gave up on them could not open the project at all.
            session = ProjectSession(project)
        except ScanspanError as exc:
            project.close(within=1)
            self.show_error("Cannot open project", str(exc))
            return False
        self.close_project()
        project.answer_within(ANSWER_WITHIN)
        self._bind(session)
        self.settings.add_recent(path)
        docs = self.session.documents() if self.session else []
        if docs:
            self.navigation.show_page(docs[0].id, 1)
            # The keys are for the page (Tab reviews, a digit tags), not for whichever field Qt's
            # focus chain reaches once the last project's page is gone, such as the Search dock's.
            self.page_view.setFocus()
        if not project.read_only:
            self.analyst.ask_later()
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.analyst.on_shown()

    # The open project's parts, as the controllers and the tests reach them; None with no project open.
    session = property(lambda self: self.scope.session if self.scope else None)
    selection = property(lambda self: self.scope.selection if self.scope else self._no_selection)
    renderer = property(lambda self: self.scope.renderer if self.scope else None)
    page_view = property(lambda self: self.scope.page_view if self.scope else None)
    text_view = property(lambda self: self.scope.text_view if self.scope else None)
    panel = property(lambda self: self.scope.panel if self.scope else None)
    palette = property(lambda self: self.scope.palette if self.scope else None)
    navigator = property(lambda self: self.scope.navigator if self.scope else None)
    editor = property(lambda self: self.scope.editor if self.scope else None)
    label_editor = property(lambda self: self.scope.label_editor if self.scope else None)
    linker = property(lambda self: self.scope.linker if self.scope else None)
    reviewer = property(lambda self: self.scope.reviewer if self.scope else None)
    adjudicator = property(lambda self: self.scope.adjudicator if self.scope else None)
    adjudication_bar = property(lambda self: self.scope.adjudication_bar if self.scope else None)

    def close_project(self) -> None:
        self.changes.timer.stop()
        self.stack.clear()
        scope, self.scope = self.scope, None
        if scope is not None:
            scope.close()
        self.navigation.forget()
        self.label_keys.rebuild()
        self.read_only_label.hide()
        self.central.setCurrentWidget(self.welcome)
        self.setWindowTitle("Scanspan")
        self.enable_actions()

    def _bind(self, session: ProjectSession) -> None:
        """Build the parts for one open project (its scope wires them) and put them in the window."""
        scope = self.scope = ProjectScope(self, session)
        self.workspace.layout().insertWidget(1, scope.adjudication_bar)
        self.splitter.addWidget(scope.page_view)
        self.splitter.addWidget(scope.text_view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 400])
        self.docks["documents"].setWidget(scope.navigator)
        self.docks["labels"].setWidget(scope.palette)
        self.docks["annotations"].setWidget(scope.panel)
        self.central.setCurrentWidget(self.workspace)
        self.setWindowTitle(f"{session.name}{' [read-only]' if session.read_only else ''} — Scanspan")
        if session.read_only:
            self.read_only_label.setText(f"Read-only: {session.read_only}")
            self.read_only_label.setToolTip("This project can be read and exported here, but not changed")
            self.read_only_label.show()
        scope.navigator.reload()
        self.label_keys.rebuild()
        scope.page_view.set_show_boxes(self.actions.word_boxes.isChecked())
        scope.page_view.set_show_names(self.actions.label_names.isChecked())
        self.enable_actions()
        self.changes.timer.start()

    def enable_actions(self) -> None:
        """Actions are enabled for what is open: a project, a page, a writable project."""
        has_project = self.session is not None
        has_page = self.navigation.page_number is not None
        writable = has_project and not self.session.read_only  # type: ignore[union-attr]
        for action in (self.actions.export, self.actions.save_copy):
            action.setEnabled(has_project)
        for action in (self.actions.import_files, self.actions.import_folder):
            action.setEnabled(writable)
        for action in (self.actions.zoom_in, self.actions.zoom_out, self.actions.actual_size, self.actions.fit_width,
                       self.actions.fit_page, self.actions.word_boxes):
            action.setEnabled(has_page)
        # Called again whenever the labels change: only a page before or after the one shown enables these.
        number = self.navigation.page_number or 0
        self.actions.previous_page.setEnabled(number > 1)
        self.actions.next_page.setEnabled(0 < number < self.navigation.page_count)
        for action in (self.actions.region_tool, self.actions.edit_word, self.actions.delete, self.actions.edit_note,
                       self.actions.link,
                       self.actions.accept_suggestion, self.actions.accept_label, self.actions.reject_suggestion, self.actions.suggest_occurrences,
                       self.actions.tag_occurrences, self.actions.suggest_with_model, self.actions.suggest_from_file,
                       self.actions.adjudicate, self.actions.ocr_again, self.actions.remove_document):
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
        self.project_files.import_dialog()

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
        self.file_suggestions.stop()
        self.pool.waitForDone()
        self.close_project()
        super().closeEvent(event)
