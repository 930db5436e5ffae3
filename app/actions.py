"""The window's actions, menus and toolbar: standard shortcuts, one place to read them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar, QToolButton

Key = QKeySequence.StandardKey


@dataclass
class Actions:
    new_project: QAction
    open_project: QAction
    import_files: QAction
    import_folder: QAction
    import_settings: QAction
    analyst: QAction
    adjudicate: QAction
    export: QAction
    save_copy: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    delete: QAction
    edit_word: QAction
    edit_note: QAction
    link: QAction
    clear_selection: QAction
    zoom_in: QAction
    zoom_out: QAction
    actual_size: QAction
    fit_width: QAction
    fit_page: QAction
    word_boxes: QAction
    region_tool: QAction
    label_names: QAction
    find: QAction
    find_next: QAction
    find_previous: QAction
    search_project: QAction
    next_document: QAction
    previous_document: QAction
    next_page: QAction
    previous_page: QAction
    accept_suggestion: QAction
    accept_label: QAction
    reject_suggestion: QAction
    next_suggestion: QAction
    previous_suggestion: QAction
    suggest_occurrences: QAction
    tag_occurrences: QAction
    suggest_with_model: QAction
    suggest_from_file: QAction
    ocr_again: QAction
    remove_document: QAction
    shortcuts: QAction
    about: QAction
    recent_menu: QMenu
    view_menu: QMenu
    accept_label_menu: QMenu  # filled when opened: one entry per label with suggestions left
    accept_source_menu: QMenu  # the same per source

    def all(self) -> list[QAction]:
        return [v for v in vars(self).values() if isinstance(v, QAction)]


def _action(window: QMainWindow, text: str, slot: Callable[..., object] | None, keys: list | None = None,
            tip: str = "", icon: QStyle.StandardPixmap | None = None, checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if keys:
        action.setShortcuts([QKeySequence(k) for k in keys])
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if keys else tip)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    action.setCheckable(checkable)
    if slot is not None:
        action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work while any panel has focus
    return action


def build(window: QMainWindow, stack: QUndoStack, slots: dict[str, Callable[..., object]]) -> Actions:
    P = QStyle.StandardPixmap
    a = _action
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcuts([QKeySequence(Key.Undo)])
    undo.setIcon(window.style().standardIcon(P.SP_ArrowBack))
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    redo.setIcon(window.style().standardIcon(P.SP_ArrowForward))
    window.addAction(undo)
    window.addAction(redo)
    undo.setObjectName("undo")
    redo.setObjectName("redo")
    _captions_in_tooltips(stack, undo, redo)
    actions = Actions(
        new_project=a(window, "&New project…", slots["new_project"], [Key.New], "Create an empty project file"),
        open_project=a(window, "&Open project…", slots["open_project"], [Key.Open], "Open a project file", P.SP_DirOpenIcon),
        import_files=a(window, "&Import documents…", slots["import_files"], ["Ctrl+I"],
                       "Import scanned letters (PDF, TIFF, PNG, JPEG) and OCR them, or hOCR, ALTO and PAGE files with their images", P.SP_FileDialogNewFolder),
        import_folder=a(window, "Import &folder…", slots["import_folder"], ["Ctrl+Shift+I"],
                        "Import the scanned letters in a folder and its subfolders, found by their content"),
        import_settings=a(window, "Import se&ttings…", slots["import_settings"], None,
                          "Resolution, OCR languages, OCR time limit per page"),
        analyst=a(window, "Anal&yst name…", slots["analyst"], None,
                  "The name your spans and regions are recorded under"),
        adjudicate=a(window, "A&djudicate two analysts…", slots["adjudicate"], None,
                     "Walk where two analysts differ in this document and keep one version, both or neither"),
        export=a(window, "&Export…", slots["export"], ["Ctrl+E"], "Export spans and regions for training, or pages for archives"),
        save_copy=a(window, "Save a &copy…", slots["save_copy"], [Key.SaveAs],
                    "Save a consistent copy of the whole project in one file, to back up or share"),
        quit=a(window, "&Quit", slots["quit"], [Key.Quit]),
        undo=undo,
        redo=redo,
        delete=a(window, "&Delete annotation", slots["delete"], [Key.Delete], "Delete the selected span or region"),
        edit_word=a(window, "Correct &word", slots["edit_word"], ["F2"], "Correct the OCR of the selected word"),
        edit_note=a(window, "Edit &note…", slots["edit_note"], ["N"], "Edit the note of the selected annotation"),
        link=a(window, "&Link to…", slots["link"], ["K"],
               "Link the selected span or region to another: K, click or Tab to the other end, "
               "then a relation label's key (Esc cancels)"),
        clear_selection=a(window, "Select &none", slots["clear_selection"], ["Esc"]),
        zoom_in=a(window, "Zoom &in", slots["zoom_in"], [Key.ZoomIn, "Ctrl+="], "Zoom in", None),
        zoom_out=a(window, "Zoom &out", slots["zoom_out"], [Key.ZoomOut], "Zoom out"),
        actual_size=a(window, "&Actual size", slots["actual_size"], ["Ctrl+1"], "Show the scan at its own resolution"),
        fit_width=a(window, "Fit &width", slots["fit_width"], ["Ctrl+2"], "Fit the page width"),
        fit_page=a(window, "Fit &page", slots["fit_page"], ["Ctrl+0"], "Fit the whole page"),
        word_boxes=a(window, "Show word &boxes", slots["word_boxes"], ["W"],
                     "Show every OCR word box, tinted by confidence (red: weak)", checkable=True),
        region_tool=a(window, "Draw &region", slots["region_tool"], ["R"],
                      "Draw a rectangle region, e.g. around a signature", checkable=True),
        label_names=a(window, "Show &label names", slots["label_names"], ["L"],
                      "Show each span's label name beside it on the scan", checkable=True),
        find=a(window, "&Find…", slots["find"], [Key.Find], "Find in this document"),
        find_next=a(window, "Find &next", slots["find_next"], [Key.FindNext], "Next hit"),
        find_previous=a(window, "Find pre&vious", slots["find_previous"], [Key.FindPrevious], "Previous hit"),
        search_project=a(window, "&Search all documents…", slots["search_project"], ["Ctrl+Shift+F"],
                         "Search the OCR text of every document in the project"),
        next_document=a(window, "Next &document", slots["next_document"], ["Alt+PgDown"], "Next document"),
        previous_document=a(window, "Previous d&ocument", slots["previous_document"], ["Alt+PgUp"], "Previous document"),
        next_page=a(window, "&Next page", slots["next_page"], ["Ctrl+PgDown", "Alt+Right"], "Next page", P.SP_MediaSeekForward),
        previous_page=a(window, "&Previous page", slots["previous_page"], ["Ctrl+PgUp", "Alt+Left"],
                        "Previous page", P.SP_MediaSeekBackward),
        accept_suggestion=a(window, "&Accept suggestion", slots["accept_suggestion"], ["Return", "Enter", "A"],
                            "Accept the selected suggestion and go to the next"),
        accept_label=a(window, "Accept all of &this label", slots["accept_label"], ["Shift+Return", "Shift+Enter", "Shift+A"],
                       "Accept every suggestion with the selected suggestion's label, in every document "
                       "(asked first when they are not all on this page)"),
        reject_suggestion=a(window, "&Reject suggestion", slots["reject_suggestion"], ["X", "Backspace"],
                            "Reject the selected suggestion (it is not proposed again) and go to the next"),
        next_suggestion=a(window, "&Next suggestion", slots["next_suggestion"], ["Tab"],
                          "Select the next suggestion; at the document's end, press again for the next document"),
        previous_suggestion=a(window, "&Previous suggestion", slots["previous_suggestion"], ["Shift+Tab"],
                              "Select the previous suggestion"),
        suggest_occurrences=a(window, "&Suggest the other occurrences", slots["suggest_occurrences"], ["T"],
                              "Suggest the selected span's label for its other occurrences across the project"),
        tag_occurrences=a(window, "&Tag all occurrences", slots["tag_occurrences"], ["Shift+T"],
                          "Tag every other occurrence of the selected span across the project with its label"),
        suggest_with_model=a(window, "Suggest with a &model", slots["suggest_with_model"], None,
                             "Train a small model on the accepted spans in the background and suggest spans "
                             "for the documents not marked done"),
        suggest_from_file=a(window, "Suggest &from a term list or patterns…", slots["suggest_from_file"], None,
                            "Run a term list (one phrase a line) or spaCy patterns over the documents in the "
                            "background, fuzzy or ignoring case if you like; what it finds comes as suggestions"),
        ocr_again=a(window, "&OCR again…", slots["ocr_again"], None,
                    "Read the document shown again (other languages, auto, another resolution); spans, notes and "
                    "corrections move to the new words"),
        remove_document=a(window, "&Remove document…", slots["remove_document"], None,
                          "Remove the document shown from the project (asked first; Undo brings it back)"),
        shortcuts=a(window, "&Keyboard shortcuts", slots["shortcuts"], [Key.HelpContents]),
        about=a(window, "&About Scanspan", slots["about"]),
        recent_menu=QMenu("Recent &projects", window),
        view_menu=QMenu("&View", window),
        accept_label_menu=QMenu("Accept all of a &label", window),
        accept_source_menu=QMenu("Accept all from a s&ource", window),
    )
    actions.quit.setMenuRole(QAction.MenuRole.QuitRole)
    actions.about.setMenuRole(QAction.MenuRole.AboutRole)
    return actions


def build_menus(window: QMainWindow, actions: Actions, label_menu: QMenu) -> None:
    bar = window.menuBar()
    file = bar.addMenu("&File")
    for item in (actions.new_project, actions.open_project, actions.recent_menu, None, actions.import_files,
                 actions.import_folder, actions.import_settings, actions.export, actions.save_copy, None, actions.quit):
        _add(file, item)
    edit = bar.addMenu("&Edit")
    for item in (actions.undo, actions.redo, None, label_menu, actions.link, actions.delete, actions.edit_note,
                 actions.edit_word,
                 None, actions.find, actions.find_next, actions.find_previous, actions.search_project, None, actions.clear_selection,
                 None, actions.analyst, actions.adjudicate):
        _add(edit, item)
    review = bar.addMenu("&Suggestions")
    for item in (actions.accept_suggestion, actions.accept_label, actions.reject_suggestion, actions.next_suggestion,
                 actions.previous_suggestion, None, actions.accept_label_menu, actions.accept_source_menu, None,
                 actions.suggest_occurrences, actions.tag_occurrences, None, actions.suggest_from_file,
                 actions.suggest_with_model):
        _add(review, item)
    document = bar.addMenu("&Document")
    for item in (actions.next_document, actions.previous_document, None, actions.ocr_again, actions.remove_document):
        _add(document, item)
    view = actions.view_menu
    bar.addMenu(view)
    for item in (actions.zoom_in, actions.zoom_out, actions.actual_size, actions.fit_width, actions.fit_page, None,
                 actions.word_boxes, actions.label_names, actions.region_tool, None, actions.previous_page,
                 actions.next_page, actions.previous_document, actions.next_document, None):
        _add(view, item)
    help_menu = bar.addMenu("&Help")
    _add(help_menu, actions.shortcuts)
    _add(help_menu, actions.about)


def _add(menu: QMenu, item: QAction | QMenu | None) -> None:
    if item is None:
        menu.addSeparator()
    elif isinstance(item, QMenu):
        menu.addMenu(item)
    else:
        menu.addAction(item)


TOOLBAR_TEXT = {
    "import_files": "Import", "undo": "Undo", "redo": "Redo", "previous_page": "Previous", "next_page": "Next",
    "word_boxes": "Word boxes", "region_tool": "Region",
}
"""Short, fixed captions for the toolbar (the menus keep the full ones, the tooltips say the rest): a
caption that changed with the last edit made its button grow and pushed the next tools out of sight."""


def _captions_in_tooltips(stack: QUndoStack, undo: QAction, redo: QAction) -> None:
    """What undo and redo would do goes in their tooltips and status tips, not in their toolbar captions."""

    def update() -> None:
        for action, verb, what in ((undo, "Undo", stack.undoText()), (redo, "Redo", stack.redoText())):
            tip = f"{verb}: {what}" if what else f"Nothing to {verb.lower()}"
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({keys})")
            action.setStatusTip(tip)

    stack.undoTextChanged.connect(update)
    stack.redoTextChanged.connect(update)
    update()


def build_toolbar(window: QMainWindow, actions: Actions) -> QToolBar:
    for name, text in TOOLBAR_TEXT.items():
        getattr(actions, name).setIconText(text)
    bar = QToolBar("Tools", window)
    bar.setObjectName("tools")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.setMovable(False)
    for item in (actions.import_files, None, actions.undo, actions.redo, None, actions.previous_page,
                 actions.next_page, None, actions.zoom_out, actions.zoom_in, actions.fit_width, actions.fit_page,
                 None, actions.word_boxes, actions.region_tool):
        if item is None:
            bar.addSeparator()
        else:
            bar.addAction(item)
            button = bar.widgetForAction(item)
            if isinstance(button, QToolButton):
                button.installEventFilter(_follower(bar))
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar


class _ButtonFollower(QObject):
    """Brings a toolbar button up to date with its action without QToolButton's own handler.

    Qt 6.11's QToolButton answers each change of its action by setting the action again, which
    connects to the action's changed() once more every time: the undo button's tooltip changes
    with every edit, so a long session piled up thousands of connections, each run on every
    later change. Setting the button's properties here does the same without connecting.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ActionChanged or not isinstance(watched, QToolButton):
            return False
        action = watched.defaultAction()
        if action is None or event.action() is not action:  # type: ignore[attr-defined]
            return False
        watched.setText(action.iconText())
        watched.setIcon(action.icon())
        watched.setToolTip(action.toolTip())
        watched.setStatusTip(action.statusTip())
        watched.setCheckable(action.isCheckable())
        watched.setChecked(action.isChecked())
        watched.setEnabled(action.isEnabled())
        return True


def _follower(bar: QToolBar) -> _ButtonFollower:
    found = bar.findChild(_ButtonFollower)
    return found if found is not None else _ButtonFollower(bar)


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(what, keys) for every action with a shortcut, for the Help dialog."""
    rows = []
    for action in actions:
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
        if keys:
            # Undo's and Redo's text names the last edit; the help names the action.
            text = action.iconText() if action.objectName() in ("undo", "redo") else action.text()
            rows.append((text.replace("&", "").rstrip("…"), keys))
    return rows
