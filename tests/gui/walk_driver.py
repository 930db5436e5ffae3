"""The random walk through the real window: its actions, and the invariants checked after each (see test_gui_walk.py)."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gui_helpers import click, drag
from helpers import run_scanspan
from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.editing.selection import AnnotationRef
from app.main_window import MainWindow

# -- what the file holds ------------------------------------------------------------------------------

Key = tuple[str, int]  # ("span" | "region" | "relation", id)


@dataclass(frozen=True)
class Row:
    doc: int
    first: int  # page numbers the annotation is on
    last: int
    fields: tuple


def read_file(path: Path) -> dict[Key, Row]:
    """Every span, region and relation of a project, as another program reads the file."""
    conn = sqlite3.connect(path)
    try:
        spans = conn.execute(
            "select s.id, s.document_id, p1.number, p2.number, s.label, s.first_word_id, s.last_word_id, s.head,"
            " s.tail, s.suggested, s.note from spans s join words w1 on w1.id = s.first_word_id"
            " join pages p1 on p1.id = w1.page_id join words w2 on w2.id = s.last_word_id"
            " join pages p2 on p2.id = w2.page_id").fetchall()
        regions = conn.execute(
            "select r.id, p.document_id, p.number, r.label, r.x0, r.y0, r.x1, r.y1, r.suggested, r.note"
            " from regions r join pages p on p.id = r.page_id").fetchall()
        relations = conn.execute(
            "select id, document_id, label, from_kind, from_id, to_kind, to_id, note, suggested from relations").fetchall()
    finally:
        conn.close()
    found = {("span", i): Row(d, a, b, tuple(rest)) for i, d, a, b, *rest in spans}
    found.update({("region", i): Row(d, n, n, tuple(rest)) for i, d, n, *rest in regions})
    # A relation lies on the pages of its two ends.
    for i, d, label, from_kind, from_id, to_kind, to_id, note, suggested in relations:
        ends = [found.get((from_kind, from_id)), found.get((to_kind, to_id))]
        first = min((e.first for e in ends if e is not None), default=0)
        last = max((e.last for e in ends if e is not None), default=0)
        found[("relation", i)] = Row(d, first, last, (label, from_kind, from_id, to_kind, to_id, note, suggested))
    return found


def changed(before: dict[Key, Row], after: dict[Key, Row]) -> list[tuple[Key, Row]]:
    """Each annotation added, removed or changed, with where it was (removed) or is (else)."""
    out = [(k, row) for k, row in after.items() if before.get(k) != row]
    return out + [(k, row) for k, row in before.items() if k not in after]


# -- the walk -----------------------------------------------------------------------------------------


class WalkFailed(AssertionError):
    pass


@dataclass
class Walk:
    qtbot: QtBot
    window: MainWindow
    files: list[Path]  # the project open first, then the other one
    tmp: Path
    rng: random.Random
    crashes: list[tuple[str, str]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    wider_commands: set[str] = field(default_factory=set)  # undo texts of steps that reached wider
    qt_messages: Callable[[], list[str]] = list  # Qt's warnings so far
    announced: bool = False  # the step's action said it reaches past the page shown
    edits: int = 0  # steps that changed a project file

    # -- helpers ----------------------------------------------------------------------------------

    @property
    def w(self) -> MainWindow:
        return self.window

    def shown(self) -> tuple[Path, int, int]:
        page = self.w.current_page()
        path = self.w.project_path()
        assert page is not None and path is not None, "the window shows no page"
        return path.resolve(), page[0], page[1]

    def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
            target: str = "scan") -> None:
        widget = self.w.text_view if target == "text" else self.w.page_view
        self.qtbot.keyClick(widget, key, modifier)

    def visible_words(self) -> list[tuple[int, QRect]]:
        """(index, viewport rect) of the page's words wholly on screen."""
        area = self.w.page_view.viewport().rect().adjusted(4, 4, -4, -4)
        out = []
        for i, word in enumerate(self.w.page_words()):
            rect = self.w.viewport_rect(word.box)
            if area.contains(rect) and rect.width() > 2:
                out.append((i, rect))
        return out

    def settle(self) -> None:
        # A turn of the event loop, as a person's next key always comes after one (widgets closed
        # with deleteLater go then).
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        session = self.w.session
        if session is not None:
            self.qtbot.waitUntil(lambda: session.writes.pending() == 0, timeout=20_000)
        self.w.changes.follow()
        self.qtbot.waitUntil(self.w.is_settled, timeout=20_000)

    def activate(self) -> None:
        if QApplication.activeWindow() is not self.w:
            self.w.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.w)

    # -- actions: each returns what it did, for the list of steps; `announced` says it reached wider --

    def act_select_text(self) -> str:
        """Select a run of words by a drag in the text panel, or extend the selection by Shift+click."""
        view = self.w.text_view
        view.ensure_shown()
        data = view.data
        if data is None or not data.text.starts:
            return "select text: no words"
        n = len(data.text.starts)
        first = self.rng.randrange(n)
        last = min(n - 1, first + self.rng.randrange(4))
        viewport = view.viewport()

        def at(offset: int) -> QPoint:
            cursor = view.textCursor()
            cursor.setPosition(offset)  # the sample's text is all in the BMP: Qt's positions are ours
            return view.cursorRect(cursor).center()

        bar = view.verticalScrollBar()
        bar.setValue(bar.value() + at(data.text.starts[first]).y() - viewport.height() // 3)  # scrolled to
        start = at(data.text.starts[first]) + QPoint(1, 0)
        end = at(data.text.ends[last]) - QPoint(1, 0)
        if not viewport.rect().contains(end):
            end = start + QPoint(30, 0)
        if self.rng.random() < 0.25:  # from the words selected before, maybe on another page, to this one
            self.qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start)
            return f"Shift+click in the text on word {first} ({self.w.selected_text()!r})"
        self.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        self.qtbot.mouseMove(viewport, (start + end) / 2)
        self.qtbot.mouseMove(viewport, end)
        self.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
        return f"drag in the text over words {first}-{last} ({self.w.selected_text()!r})"

    def act_select_phrase(self) -> str:
        """Select a phrase through the window's API, as a drag in the text would."""
        words = self.w.page_words()
        if not words:
            return "select phrase: no words"
        at = self.rng.randrange(len(words))
        phrase = " ".join(w.text for w in words[at : at + self.rng.randint(1, 3)])
        return f"select_text({phrase!r}) -> {self.w.select_text(phrase)}"

    def act_band(self) -> str:
        """A rubber band over a few words on the scan (a drag starting in a region moves it)."""
        words = self.visible_words()
        if not words:
            return "band: no words on screen"
        at = self.rng.randrange(len(words))
        rects = [r for _, r in words[at : at + self.rng.randint(1, 3)]]
        box = rects[0]
        for rect in rects[1:]:
            box = box.united(rect)
        drag(self.qtbot, self.w, box.adjusted(-2, -2, 2, 2))
        return f"rubber band over words {words[at][0]}.. on the scan"

    def act_click_scan(self) -> str:
        """A click on a word, a highlight or a region of the scan."""
        items = list(self.w.highlight_items()) + list(self.w.region_items().values())
        if items and self.rng.random() < 0.6:
            item = self.rng.choice(items)
            point = self.w.page_view.mapFromScene(item.sceneBoundingRect().center())
            if self.w.page_view.viewport().rect().contains(point):
                modifier = Qt.KeyboardModifier.ShiftModifier if self.rng.random() < 0.1 else Qt.KeyboardModifier.NoModifier
                click(self.qtbot, self.w, point, modifier)
                return f"click on an annotation at {point.x()},{point.y()}"
        words = self.visible_words()
        if not words:
            return "click: no words on screen"
        index, rect = self.rng.choice(words)
        modifier = Qt.KeyboardModifier.ShiftModifier if self.rng.random() < 0.2 else Qt.KeyboardModifier.NoModifier
        click(self.qtbot, self.w, rect.center(), modifier)
        return f"click on word {index}{' with Shift' if modifier != Qt.KeyboardModifier.NoModifier else ''}"

    def act_label_key(self) -> str:
        digit = self.rng.choice("1111222333345679")
        target = self.rng.choice(["scan", "text"])
        self.key(getattr(Qt.Key, f"Key_{digit}"), target=target)
        return f"key {digit} in the {target} view"

    def act_palette(self) -> str:
        palette = self.w.palette
        if not palette.list.count():
            return "palette: empty"
        item = palette.list.item(self.rng.randrange(palette.list.count()))
        self.qtbot.mouseClick(palette.list.viewport(), Qt.MouseButton.LeftButton,
                              pos=palette.list.visualItemRect(item).center())
        return f"click label {item.data(Qt.ItemDataRole.UserRole)!r} in the Labels panel"

    def act_link(self) -> str:
        """K on what is selected, Tab (or a click) to another annotation, then the relation key (5)."""
        self.key(Qt.Key.Key_K)
        if self.rng.random() < 0.15:
            self.key(Qt.Key.Key_Escape)
            return "K, Esc"
        steps = self.rng.randint(1, 3)
        back = self.rng.random() < 0.3
        for _ in range(steps):
            if back:
                self.key(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
            else:
                self.key(Qt.Key.Key_Tab)
        self.key(Qt.Key.Key_5)
        return f"K, {'Shift+Tab' if back else 'Tab'} x{steps}, 5"

    def act_delete(self) -> str:
        self.key(Qt.Key.Key_Delete)
        return "Delete"

    def act_escape(self) -> str:
        self.key(Qt.Key.Key_Escape)
        return "Esc"

    def act_note(self) -> str:
        """N, then a note typed into the Annotations table and Enter."""
        self.key(Qt.Key.Key_N)
        editor = QApplication.focusWidget()
        if editor is None or editor.parent() is None or editor.parent().parent() is not self.w.panel.table:
            self.activate()
            return "N (no note editor)"
        self.qtbot.keyClicks(editor, f"walk {self.rng.randrange(100)}")
        self.qtbot.keyClick(editor, Qt.Key.Key_Return)
        self.qtbot.waitUntil(lambda: QApplication.focusWidget() is not editor)  # the editor closes
        self.activate()
        return "N, a note, Enter"

    def act_review(self) -> str:
        name, key, modifier = self.rng.choice([
            ("Tab", Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
            ("Tab", Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
            ("Shift+Tab", Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier),
            ("Enter", Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),
            ("X", Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier),
        ])
        self.key(key, modifier)
        return name

    def act_wide(self) -> str:
        """Accept all of the selected suggestion's label, tag all its span's occurrences (each asks
        first: only then may it change other pages), or suggest them (its name says across the project)."""
        name, key, modifier = self.rng.choice([
            ("Shift+Enter", Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier),
            ("T", Qt.Key.Key_T, Qt.KeyboardModifier.NoModifier),
            ("Shift+T", Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier),
        ])
        stack = self.w.undo_stack()
        start = stack.index()  # a push drops what could be redone: the new commands begin here
        with self.answering_questions() as answerer:
            self.key(key, modifier)
        self.announced = name == "T" or bool(answerer.asked)
        if self.announced:
            self.wider_commands.update(stack.text(i) for i in range(start, stack.index()))
        return name + (f" (asked {answerer.asked[0]!r}, answered Yes)" if answerer.asked else "")

    def act_page(self) -> str:
        name, key, modifier = self.rng.choice([
            ("Ctrl+PgDown", Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier),
            ("Ctrl+PgUp", Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier),
            ("Alt+PgDown", Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier),
            ("Alt+PgUp", Qt.Key.Key_PageUp, Qt.KeyboardModifier.AltModifier),
        ])
        self.key(key, modifier)
        return name

    def act_documents(self) -> str:
        """A click on a document or page row of the Documents panel."""
        tree = self.w.navigator.tree
        items = []
        for i in range(tree.topLevelItemCount()):
            top = tree.topLevelItem(i)
            items.append(top)
            if top.isExpanded():
                items += [top.child(j) for j in range(top.childCount())]
        if not items:
            return "documents: none"
        item = self.rng.choice(items)
        tree.scrollToItem(item)
        self.qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
        return f"click {item.text(0)!r} in the Documents panel"

    def act_table(self) -> str:
        """A click on a row of the Annotations table."""
        panel = self.w.panel
        panel.ensure_loaded()
        if not panel.proxy.rowCount():
            return "table: no rows"
        index = panel.proxy.index(self.rng.randrange(panel.proxy.rowCount()), 1)
        panel.table.scrollTo(index)
        self.qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                              pos=panel.table.visualRect(index).center())
        return f"click row {index.row()} ({index.data()!r}) in the Annotations table"

    def act_undo(self) -> str:
        if self.rng.random() < 0.6:
            self.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
            return "Ctrl+Z"
        self.key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        return "Ctrl+Shift+Z"

    def act_region(self) -> str:
        """R, then a box dragged around a word on screen."""
        words = self.visible_words()
        if not words:
            return "region: no words on screen"
        _, rect = self.rng.choice(words)
        self.key(Qt.Key.Key_R)
        drag(self.qtbot, self.w, rect.adjusted(-6, -6, 6 + self.rng.randrange(60), 6 + self.rng.randrange(20)))
        return f"R and a region dragged at {rect.x()},{rect.y()}"

    def act_scroll(self) -> str:
        bar = self.w.page_view.verticalScrollBar()
        bar.setValue(self.rng.randint(bar.minimum(), bar.maximum()))
        return f"scroll the scan to {bar.value()}"

    def act_open_other(self) -> str:
        """Open the other project, as File ▸ Open does after its dialog."""
        current = self.w.project_path()
        target = self.files[1] if current is not None and current.resolve() == self.files[0].resolve() else self.files[0]
        opened: list[bool] = []
        # Sometimes in the turn right after a page change, whose text and chrome are still to come.
        hurried = self.act_page() + ", then at once " if self.rng.random() < 0.5 else ""
        # From a turn of the event loop, as the menu's dialog calls it once it closes.
        QTimer.singleShot(0, lambda: opened.append(self.w.open_project(target)))
        self.qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
        assert opened == [True], self.w.last_message()
        self.activate()
        return f"{hurried}open project {target.name}"

    def act_cli(self) -> str:
        """Another program writes a span or a region to the open project."""
        path = self.w.project_path()
        assert path is not None and self.w.session is not None
        docs = self.w.session.documents()
        doc = self.rng.choice(docs)
        label = self.rng.choice(["agency", "program", "figure", "signature"])
        if self.rng.random() < 0.6:
            words = [w for p in self.w.session.pages(doc.id) for w in self.w.session.page_data(p).words
                     if w.text.isalpha() and len(w.text) > 3]
            phrase = self.rng.choice(words).text
            args = ["--text", phrase]
        else:
            page = self.rng.choice(self.w.session.pages(doc.id))
            x, y = self.rng.randrange(max(page.width - 200, 1)), self.rng.randrange(max(page.height - 100, 1))
            args = ["--page", str(page.number), "--box", f"{x},{y},{x + 150},{y + 60}"]
        run = run_scanspan(["annotate", "-p", path, "-d", str(doc.id), "-l", label, *args], self.tmp)
        assert run.code == 0, run.err
        return f"scanspan annotate -d {doc.id} -l {label} {' '.join(args)}"

    ACTIONS: tuple[tuple[str, int, bool], ...] = (  # name, weight, reaches past the shown page
        ("select_text", 8, False), ("select_phrase", 6, False), ("band", 6, False), ("click_scan", 8, False),
        ("label_key", 10, False), ("palette", 4, False), ("delete", 5, False), ("escape", 2, False),
        ("note", 2, False), ("review", 10, False), ("wide", 2, False), ("page", 8, False),
        ("documents", 4, False), ("table", 5, False), ("undo", 6, False), ("region", 3, False),
        ("scroll", 2, False), ("open_other", 2, False), ("cli", 2, True), ("link", 4, False),
    )

    # -- message boxes ----------------------------------------------------------------------------

    class _Answerer:
        """While a wider action runs, a question it asks first (modal or not) is answered Yes."""

        def __init__(self) -> None:
            self.timer = QTimer(interval=20)
            self.timer.timeout.connect(self.answer)
            self.asked: list[str] = []

        def answer(self) -> None:
            for box in QApplication.topLevelWidgets():
                if isinstance(box, QMessageBox) and box.isVisible() and box.icon() == QMessageBox.Icon.Question:
                    self.asked.append(box.text())
                    yes = box.button(QMessageBox.StandardButton.Yes) or box.defaultButton()
                    if yes is not None:
                        yes.click()
                    else:
                        box.accept()

        def __enter__(self) -> Walk._Answerer:
            self.timer.start()
            return self

        def __exit__(self, *_: object) -> None:
            self.answer()
            self.timer.stop()

    def answering_questions(self) -> Walk._Answerer:
        return Walk._Answerer()

    # -- invariants -------------------------------------------------------------------------------

    def check(self, before: dict[Path, dict[Key, Row]], began: tuple[Path, int, int], wide: bool,
              undo: bool) -> dict[Path, dict[Key, Row]]:
        if self.crashes:
            summary, log = self.crashes[0]
            details = Path(log).read_text(encoding="utf-8").split("\n--- ")[0] if log else ""
            raise WalkFailed(f"an unexpected error: {summary}\n{details}")
        warnings = self.qt_messages()
        if warnings:
            raise WalkFailed(f"Qt warned: {warnings[0]}")
        boxes = [b for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox) and b.isVisible()]
        if boxes:
            raise WalkFailed(f"a message box is open: {boxes[0].windowTitle()!r}: {boxes[0].text()!r}")
        after = {path: read_file(path) for path in self.files}
        self.edits += any(before[file] != after[file] for file in self.files)
        path, doc, page = self.shown() if undo else began
        if not wide:
            for file in self.files:
                for key, row in changed(before[file], after[file]):
                    if file != path or row.doc != doc or not row.first <= page <= row.last:
                        raise WalkFailed(
                            f"{key[0]} {key[1]} changed in {file.name} on document {row.doc}, pages "
                            f"{row.first}-{row.last}, while {path.name} document {doc} page {page} was shown"
                            f"{' (where the undo went)' if undo else ''}: {before[file].get(key)} -> {after[file].get(key)}")
        self.check_window(after)
        self.check_status()
        return after

    def check_window(self, files: dict[Path, dict[Key, Row]]) -> None:
        session = self.w.session
        path, doc, _ = self.shown()
        assert session is not None
        in_file = files[path] if path in files else read_file(path)
        spans = {i: (s.label, s.first_word_id, s.last_word_id, s.head, s.tail, int(s.suggested), s.note)
                 for i, s in session.spans(doc).items()}
        stored = {k[1]: row.fields[:7] for k, row in in_file.items() if k[0] == "span" and row.doc == doc}
        if spans != stored:
            only_window = {i: v for i, v in spans.items() if stored.get(i) != v}
            only_file = {i: v for i, v in stored.items() if spans.get(i) != v}
            raise WalkFailed(f"the window's spans of document {doc} differ from the file's: "
                             f"window {only_window}, file {only_file}")
        regions = {i: (r.label, *(round(v, 3) for v in r.box), int(r.suggested), r.note)
                   for i, r in session.regions(doc).items()}
        stored_regions = {k[1]: (row.fields[0], *(round(v, 3) for v in row.fields[1:5]), *row.fields[5:])
                          for k, row in in_file.items() if k[0] == "region" and row.doc == doc}
        if regions != stored_regions:
            raise WalkFailed(f"the window's regions of document {doc} differ from the file's: "
                             f"window {regions}, file {stored_regions}")
        relations = {i: (r.label, r.from_kind, r.from_id, r.to_kind, r.to_id, r.note, int(r.suggested))
                     for i, r in session.relations(doc).items()}
        stored_relations = {k[1]: row.fields for k, row in in_file.items() if k[0] == "relation" and row.doc == doc}
        if relations != stored_relations:
            raise WalkFailed(f"the window's relations of document {doc} differ from the file's: "
                             f"window {relations}, file {stored_relations}")

    def on_shown_page(self, ref: AnnotationRef) -> bool:
        session = self.w.session
        _, doc, number = self.shown()
        assert session is not None
        if ref.kind == "relation":
            relation = session.find_relation(ref.id)
            return relation is not None and all(self.on_shown_page(AnnotationRef(kind, i))
                                                for kind, i in (relation.from_end, relation.to_end))
        if ref.kind == "region":
            region = session.find_region(ref.id)
            page = session.region_page(region) if region is not None else None
            return page is not None and (page.document_id, page.number) == (doc, number)
        span = session.find_span(ref.id)
        if span is None or span.document_id != doc:
            return False
        first, _, last, _ = session.extent(span)
        return first <= number <= last

    def check_status(self) -> None:
        session, selection = self.w.session, self.w.selection
        assert session is not None
        text = self.w.selection_status.text()
        if selection.ranges:
            count = 0
            for rng in selection.ranges:
                for number in range(rng.start[0], rng.end[0] + 1):
                    data = session.page_data(session.page(rng.doc_id, number))
                    part = rng.on_page(number, len(data.text.text))
                    count += len(data.text.words_in_range(*part)) if part else 0
            want = f"{count} word{'s' if count != 1 else ''} selected"
            if not text.startswith(want):
                raise WalkFailed(f"{len(selection.ranges)} range(s) of {count} words selected, the status bar says {text!r}")
        elif selection.annotation is not None:
            ref = selection.annotation
            if ref.kind == "relation":
                relation = session.find_relation(ref.id)
                if relation is None:
                    raise WalkFailed(f"the selection is {ref}, which the window does not have (status {text!r})")
                kind = "Suggested" if relation.suggested else "Selected"
                if self.on_shown_page(ref) and not text.startswith(f"{kind} {relation.label} relation"):
                    raise WalkFailed(f"selected {relation.label} relation {ref.id}, the status bar says {text!r}")
                return
            found = session.find_span(ref.id) if ref.kind == "span" else session.find_region(ref.id)
            if found is None:
                raise WalkFailed(f"the selection is {ref}, which the window does not have (status {text!r})")
            if not self.on_shown_page(ref) and text.startswith("Nothing selected"):
                return  # left selected on another page, where no key reaches it
            kind = "Suggested" if found.suggested else "Selected"
            if not (text.startswith(kind) and f"{found.label} " in text):
                raise WalkFailed(f"{kind.lower()} {found.label} {ref.kind} {ref.id}, the status bar says {text!r}")
        elif text != "Nothing selected":
            raise WalkFailed(f"nothing is selected, the status bar says {text!r}")

    # -- running ----------------------------------------------------------------------------------

    def run(self, steps: int) -> None:
        actions: list[Callable[[], str]] = [getattr(self, f"act_{name}") for name, _, _ in self.ACTIONS]
        weights = [weight for _, weight, _ in self.ACTIONS]
        before = {path: read_file(path) for path in self.files}
        self.check(before, self.shown(), False, False)
        for step in range(1, steps + 1):
            self.activate()
            began = self.shown()
            index = self.rng.choices(range(len(actions)), weights)[0]
            name, _, wide = self.ACTIONS[index]
            undo_text = self.w.undo_stack().undoText() if name == "undo" else ""
            redo_text = self.w.undo_stack().redoText() if name == "undo" else ""
            self.announced = wide
            try:
                did = actions[index]()
                self.settle()
            except Exception as exc:
                self.log.append(f"{step:4}  {began[0].name} doc {began[1]} p{began[2]}: {name} raised")
                raise WalkFailed(f"step {step} ({name}) raised {type(exc).__name__}: {exc}") from exc
            self.log.append(f"{step:4}  {began[0].name} doc {began[1]} p{began[2]}: {did}")
            if name == "undo":
                text = undo_text if did == "Ctrl+Z" else redo_text
                self.announced = text in self.wider_commands
            before = self.check(before, began, self.announced, name == "undo")
