"""Key presses and clicks to reach the demo's tags in the real window (offscreen), without and with suggestions.

Used by bench/assist.py. Every input goes through the window's real widgets and actions (QTest
key presses and mouse clicks on the scan), and is counted as it is sent:

- without suggestions, each demo span is selected on the scan (click its first word, Shift+click
  its last when it has more than one) and tagged with its label key; the page is turned
  (Ctrl+PgDown) and scrolled (PgDown / PgUp on the scan) to bring its words into view first;
- with suggestions (the same term lists and patterns `assist.py` runs, stored before the window
  opens), Tab selects the first; a suggestion whose label's suggestions are all right is taken
  with Shift+Enter (every suggestion of its label), the others with Enter (right) or X (wrong),
  each moving on to the next; what no suggestion covers is tagged as without suggestions;
- with the window's own propagation only (no term lists), each tag by hand, and Shift+T (tag every
  other occurrence) once for a text the demo tags more than once;
- the signature region (R, then one drag) costs the same on every side and is counted on each;
- the window's question before it accepts or tags beyond the page shown (Shift+Enter, Shift+T) is
  answered Yes with one click, counted.

Both sides end checked against the demo's tags: the counts are for reaching exactly them.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QPoint, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from annotations.store import Project  # noqa: E402

Tag = tuple[str, int, int, str]  # label, start, end, text (document characters)


@dataclass
class Count:
    keys: int = 0
    clicks: int = 0
    log: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.keys + self.clicks


def _app() -> QApplication:
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else QApplication([])


def _wait(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    app = _app()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


class Driver:
    """The real MainWindow on one project, and a counter of every input sent to it."""

    def __init__(self, path: Path, work: Path) -> None:
        from app.main_window import MainWindow
        from app.settings import Settings

        _app()
        os.environ["SCANSPAN_DATA_DIR"] = str(work / "data")
        settings = Settings(QSettings(str(work / f"{path.stem}.ini"), QSettings.Format.IniFormat))
        settings.set_analyst("bench")  # the window would otherwise ask for the analyst's name
        self.window = MainWindow(settings)
        self.window.resize(1400, 900)
        assert self.window.open_project(path)
        self.window.show()
        self.window.activateWindow()
        _wait(lambda: QApplication.activeWindow() is self.window)
        _wait(self.window.is_settled)
        self.count = Count()
        self.path = path
        self._pressing = False

    def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier, why: str = "") -> None:
        self._pressing = True
        QTimer.singleShot(0, self._answer)  # a question the key asks blocks in its own event loop
        QTest.keyClick(self.window.page_view, key, modifier)
        self._pressing = False
        _wait(lambda: QApplication.activeWindow() is self.window)  # its shortcuts need it, after a question too
        self.count.keys += 1
        self.count.log.append(why)
        _wait(self.window.is_settled)

    def _answer(self) -> None:
        """Yes to the question a key asked (accepting or tagging beyond the page shown), one click."""
        if not self._pressing:
            return
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            box.button(QMessageBox.StandardButton.Yes).click()
            self.count.clicks += 1
            self.count.log.append("confirm")
            self.window.activateWindow()
        else:
            QTimer.singleShot(10, self._answer)

    def click(self, point: QPoint, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        viewport = self.window.page_view.viewport()
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, point)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, point)
        self.count.clicks += 1

    # -- tagging by hand ---------------------------------------------------------------------------

    def show_box(self, doc_id: int, page: int, box: tuple[float, float, float, float]) -> QPoint:
        """Turn to the page and scroll the box into view, counting each key; the box's centre on screen."""
        w = self.window
        while w.current_page() != (doc_id, page):
            current = w.current_page()
            assert current is not None and current[0] == doc_id, "the demo's tags are all in one document"
            self.key(Qt.Key.Key_PageDown if page > current[1] else Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
        for _ in range(20):
            rect = w.viewport_rect(box)
            height = w.page_view.viewport().height()
            if rect.top() >= 0 and rect.bottom() <= height:
                return rect.center()
            self.key(Qt.Key.Key_PageDown if rect.bottom() > height else Qt.Key.Key_PageUp)
        raise AssertionError(f"cannot scroll to {box}")

    def tag(self, doc_id: int, first_word: int, last_word: int, key: Qt.Key) -> None:
        """Click the first word on the scan, Shift+click the last (in the text when it is on another
        line: on the scan a Shift+click follows the page's geometry), press the label's key."""
        w = self.window
        session = w.session
        assert session is not None
        first, last = session.word(first_word), session.word(last_word)
        pages = {p.id: p.number for p in session.pages(doc_id)}
        point = self.show_box(doc_id, pages[first.page_id], first.box)
        self.click(point)
        if last_word == first_word:
            pass
        elif (first.page_id, first.block, first.par, first.line) == (last.page_id, last.block, last.par, last.line):
            point = self.show_box(doc_id, pages[last.page_id], last.box)
            self.click(point, Qt.KeyboardModifier.ShiftModifier)
        else:
            assert first.page_id == last.page_id, "no demo tag crosses pages"
            w.text_view.ensure_shown()
            assert w.text_view.data is not None
            index = next(i for i, word in enumerate(w.text_view.data.words) if word.id == last_word)
            rect = w.text_view._word_rect(index)
            # The text scrolls to the words selected on the scan, so the next line is in view.
            assert w.text_view.viewport().rect().contains(rect.center()), "the last word is out of the text view"
            viewport = w.text_view.viewport()
            QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, rect.center())
            QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, rect.center())
            self.count.clicks += 1
        self.key(key)

    def region(self, doc_id: int, page: int, box: tuple[float, float, float, float]) -> None:
        """R, then one drag over the box."""
        w = self.window
        self.show_box(doc_id, page, (box[0], box[1], box[0] + 1, box[1] + 1))
        self.key(Qt.Key.Key_R)
        rect = w.viewport_rect(box)
        viewport = w.page_view.viewport()
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.topLeft())
        QTest.mouseMove(viewport, rect.center())
        QTest.mouseMove(viewport, rect.bottomRight())
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.bottomRight())
        self.count.clicks += 1
        _wait(w.is_settled)

    def label_region(self, label: str, key: Qt.Key) -> None:
        """A region takes the current label (the last one used): its key relabels it when that is another."""
        w = self.window
        ref = w.selection.annotation
        assert w.session is not None and ref is not None and ref.kind == "region"
        region = w.session.find_region(ref.id)
        if region is not None and region.label != label:
            self.key(key)

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()
        _app().processEvents()


LABEL_KEYS = {1: Qt.Key.Key_1, 2: Qt.Key.Key_2, 3: Qt.Key.Key_3, 4: Qt.Key.Key_4, 5: Qt.Key.Key_5}


def _label_keys(project: Path) -> dict[str, Qt.Key]:
    with Project(project, read_only=True) as p:
        return {label.name: LABEL_KEYS[int(label.shortcut)] for label in p.labels() if label.shortcut in ("1", "2", "3", "4", "5")}


def _anchors(project: Path, doc_id: int, tags: list[Tag]) -> list[tuple[str, int, int]]:
    """(label, first word id, last word id) of each tag."""
    with Project(project, read_only=True) as p:
        text = p.document_text(doc_id)
        return [(label, *text.anchor(start, end)[:2]) for label, start, end, _ in tags]


def manual(project: Path, doc_id: int, truth: list[Tag], regions: list[dict], work: Path,
           tags_of: Callable[[Path], list[Tag]]) -> Count:
    """Every demo tag by hand."""
    keys = _label_keys(project)
    driver = Driver(project, work)
    try:
        for (label, first, last), tag in sorted(zip(_anchors(project, doc_id, truth), truth), key=lambda a: a[1][1]):
            before = len(tags_of(project))
            driver.tag(doc_id, first, last, keys[label])
            after = {same(t) for t in tags_of(project)}
            assert same(tag) in after and len(after) == before + 1, f"tagging {tag} by hand stored {sorted(after)}"
        for region in regions:
            driver.region(doc_id, region["page"], tuple(region["box"]))
            driver.label_region(region["label"], keys[region["label"]])
        return driver.count
    finally:
        driver.close()


def assisted(project: Path, doc_id: int, truth: list[Tag], regions: list[dict], work: Path,
             tags_of: Callable[[Path], list[Tag]]) -> Count:
    """Suggestions already stored: accept whole labels that are all right, review the rest, tag what is missing."""
    keys = _label_keys(project)
    right = {same(t) for t in truth}
    with Project(project, read_only=True) as p:
        text = p.document_text(doc_id)
        proposed = {s.id: same((s.label, *(lambda r: (r.start, r.end, r.text))(text.resolve(s)))) for s in p.suggestions()}
    driver = Driver(project, work)
    w = driver.window
    try:
        assert w.reviewer is not None
        while w.reviewer.session.suggestions():
            if w.reviewer.selected() is None:
                driver.key(Qt.Key.Key_Tab, why="next suggestion")
            span = w.reviewer.selected()
            assert span is not None
            if all(v in right for v in proposed.values() if v[0] == span.label) and len(
                    [v for v in proposed.values() if v[0] == span.label]) > 1:
                driver.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier, why=f"accept all {span.label}")
                proposed = {i: v for i, v in proposed.items() if v[0] != span.label}
                continue
            good = proposed.pop(span.id) in right
            driver.key(Qt.Key.Key_Return if good else Qt.Key.Key_X, why="accept" if good else "reject")
        have = {same(t) for t in tags_of(project)}
        missing = [t for t in truth if same(t) not in have]
        for label, first, last in _anchors(project, doc_id, missing):
            driver.tag(doc_id, first, last, keys[label])
        for region in regions:
            driver.region(doc_id, region["page"], tuple(region["box"]))
            driver.label_region(region["label"], keys[region["label"]])
        return driver.count
    finally:
        driver.close()


def propagated(project: Path, doc_id: int, truth: list[Tag], regions: list[dict], work: Path,
               tags_of: Callable[[Path], list[Tag]]) -> Count:
    """No term lists: each tag by hand, and when the demo tags its text again, Shift+T tags the other
    occurrences the window offers."""
    keys = _label_keys(project)
    driver = Driver(project, work)
    w = driver.window
    try:
        for (label, first, last), tag in sorted(zip(_anchors(project, doc_id, truth), truth), key=lambda a: a[1][1]):
            if same(tag) in {same(t) for t in tags_of(project)}:
                continue  # tagged with an earlier occurrence
            driver.tag(doc_id, first, last, keys[label])
            again = [t for t in truth if t[0] == label and " ".join(t[3].split()) == " ".join(tag[3].split())]
            if len(again) > 1:
                _wait(lambda: w.offer.span_id is not None)
                driver.key(Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier, why="tag all occurrences")
        for region in regions:
            driver.region(doc_id, region["page"], tuple(region["box"]))
            driver.label_region(region["label"], keys[region["label"]])
        return driver.count
    finally:
        driver.close()


EDGE = "()[]{},;:\"'"


def same(tag: Tag) -> tuple[str, int, int]:
    """A tag's label and characters, its edge brackets and punctuation left out: a selection in the
    window leaves them out ("(DOJ)" is tagged "(DOJ"), the demo's phrases keep them."""
    label, start, end, text = tag
    head = len(text) - len(text.lstrip(EDGE))
    tail = len(text) - len(text.rstrip(EDGE))
    return (label, start + head, end - tail)


def compare_keystrokes(imported: Path, assisted_db: Path, truth: list[Tag], regions: list[dict],
                       tags_of: Callable[[Path], list[Tag]]) -> tuple[Count, Count, Count]:
    """(without, with suggestions, with the window's "tag all occurrences" only); each checked to end
    with exactly the demo's span tags."""
    work = Path(tempfile.mkdtemp(prefix="scanspan-keys-"))
    by_hand = work / "by-hand.db"
    by_hand.write_bytes(imported.read_bytes())
    with Project(by_hand, read_only=True) as p:
        [doc] = p.documents()
    without = manual(by_hand, doc.id, truth, regions, work, tags_of)
    helped = assisted(assisted_db, doc.id, truth, regions, work, tags_of)
    spread = work / "propagated.db"
    spread.write_bytes(imported.read_bytes())
    spreading = propagated(spread, doc.id, truth, regions, work, tags_of)
    for path in (by_hand, assisted_db, spread):
        got = {same(t) for t in tags_of(path)}
        want = {same(t) for t in truth}
        assert got == want, f"{path.name}: missed {sorted(want - got)}, extra {sorted(got - want)}"
        with Project(path, read_only=True) as p:
            drawn = sorted(r.label for r in p.regions(doc.id))
        assert drawn == sorted(r["label"] for r in regions), f"{path.name}: regions {drawn}"
    return without, helped, spreading
