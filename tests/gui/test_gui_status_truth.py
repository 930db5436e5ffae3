"""The status bar and the documents list tell the truth in the real window: nothing of another document
or project stays on screen, one message at a time, every edit says what it did, the offer of a tag's
other occurrences belongs to its span, and the Tags column counts tags with suggestions apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest
from gui_helpers import open_window, rows
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QWidget
from pytestqt.qtbot import QtBot

from annotations.assist.suggest import suggest_terms
from annotations.importing.files import ImportOptions, import_into
from annotations.store import Project
from app.editing.selection import AnnotationRef
from app.main_window import MainWindow
from app.settings import Settings

SECOND = "A short note from a law firm about the budget."


@pytest.fixture(scope="session")
def letters_template(sample_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plus a short born-digital second letter; "OJJDP" suggested as agency in the sample."""
    folder = tmp_path_factory.mktemp("status")
    path = folder / "letters.scanspan"
    shutil.copy(sample_template, path)
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), SECOND, fontname="tiro", fontsize=12)
    pdf.save(folder / "law-firm.pdf")
    with Project(path) as project:
        (outcome,) = import_into(project, [folder / "law-firm.pdf"], ImportOptions())
        assert outcome.status == "imported", outcome.message
        suggest_terms(project, [project.documents()[0].id], ["OJJDP"], "agency", "agencies.txt")
    return path


@pytest.fixture
def letters(letters_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "letters.scanspan"
    shutil.copy(letters_template, path)
    return path


def status_texts(window: MainWindow) -> list[str]:
    """Every text the status bar shows: its message and each visible label in it, with tooltips."""
    bar = window.statusBar()
    texts = [bar.currentMessage()]
    for label in bar.findChildren(QLabel):
        if label.isVisible():
            texts += [label.text(), label.toolTip()]
    return [t for t in texts if t]


def tag(qtbot: QtBot, window: MainWindow, phrase: str, key: Qt.Key = Qt.Key.Key_2) -> int:
    """Select `phrase` in the text, press a label key; the new span's id."""
    assert window.select_text(phrase)
    qtbot.keyClick(window.text_view, key)
    ref = window.selection.annotation
    assert ref is not None and ref.kind == "span"
    return ref.id


def counted(qtbot: QtBot, window: MainWindow) -> None:
    """The background count of a tag's other occurrences is over (offered or not)."""
    qtbot.waitUntil(lambda: not window.occurrences.running(), timeout=20_000)


def test_nothing_selected_in_another_document_shows_nothing_of_the_first(
    qtbot: QtBot, settings: Settings, letters: Path
) -> None:
    window = open_window(qtbot, settings, letters)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Tab)  # the first suggestion: OJJDP, in the sample
    assert window.selection_status.text().startswith("Suggested agency “OJJDP”")
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.page_label.text() == "law-firm.pdf · page 1 of 1")
    assert window.selection.annotation is None
    assert window.selection_status.text() == "Nothing selected"
    assert not any("OJJDP" in text or "geneva" in text for text in status_texts(window))
    # Keys act on what is shown: Enter does not accept the other letter's suggestion.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Return)
    assert rows(letters, "select count(*) from spans where suggested = 0") == [(0,)]


def test_another_project_shows_no_page_or_zoom_of_the_one_before(
    qtbot: QtBot, settings: Settings, letters: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, settings, letters)
    assert window.page_label.text().startswith("geneva-letter-2015.pdf · page 1 of")
    assert window.zoom_label.text().endswith("%")
    tag(qtbot, window, "UNITED STATES MISSION")
    assert window.open_project(tmp_path / "empty.scanspan")  # a new project: no document, no page
    assert window.page_label.text() == "" and window.zoom_label.text() == ""
    texts = status_texts(window)
    assert not any("geneva" in text or "%" in text or "MISSION" in text for text in texts), texts
    assert window.selection_status.text() == "Nothing selected"


def _overlapping(widgets: list[QWidget]) -> list[tuple[str, str]]:
    shown = [w for w in widgets if w.isVisible() and w.width() > 0]
    return [(a.objectName() or type(a).__name__, b.objectName() or type(b).__name__)
            for i, a in enumerate(shown) for b in shown[i + 1:] if a.geometry().intersects(b.geometry())]


def test_a_message_replaces_the_last_one_and_never_runs_into_the_offer(
    qtbot: QtBot, settings: Settings, project_file: Path
) -> None:
    window = open_window(qtbot, settings, project_file)
    window.resize(1200, 800)  # the message has less room than its text
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    tag(qtbot, window, "CyberTipline")
    qtbot.waitUntil(lambda: window.offer.isVisible(), timeout=20_000)
    bar = window.statusBar()
    message = window.status_line.message
    assert bar.currentMessage() == "Tagged 'CyberTipline' as program"
    qtbot.waitUntil(lambda: message.geometry().right() < window.offer.geometry().left())
    assert _overlapping([w for w in bar.findChildren(QWidget) if w.parent() is bar]) == []
    shown = message.shown_text()
    assert shown == message.text() or (shown.endswith("…") and message.text().startswith(shown[:-1]))
    assert message.toolTip() == message.text()  # the whole message, on hover

    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert bar.currentMessage() == "No next document"  # exactly one message: the last
    assert message.text() == "No next document" and message.shown_text() == "No next document"
    assert window.offer.isVisible()  # the span is still selected: its offer stays


def test_delete_and_relabel_say_what_they_did(qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path) -> None:
    window = tagged_window
    (span_id,) = next(iter(rows(tagged_file, "select id from spans where label = 'agency' order by id")))
    window.navigation.go_to_annotation(AnnotationRef("span", span_id))
    words = window.selection_status.text().split("“", 1)[1].split("”", 1)[0]
    qtbot.keyClick(window.page_view, Qt.Key.Key_2)
    assert window.statusBar().currentMessage() == f"Relabelled agency span “{words}” as program"
    assert rows(tagged_file, f"select label from spans where id = {span_id}") == [("program",)]
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage() == f"Deleted program span “{words}”"
    assert rows(tagged_file, f"select count(*) from spans where id = {span_id}") == [(0,)]

    (region_id,) = next(iter(rows(tagged_file, "select id from regions")))
    window.navigation.go_to_annotation(AnnotationRef("region", region_id))
    qtbot.keyClick(window.page_view, Qt.Key.Key_3)
    assert window.statusBar().currentMessage() == "Relabelled signature region as figure"
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage() == "Deleted figure region"
    assert rows(tagged_file, "select count(*) from regions") == [(0,)]


def test_the_offer_goes_with_its_span_selection(qtbot: QtBot, settings: Settings, letters: Path) -> None:
    window = open_window(qtbot, settings, letters)
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    offer = window.offer
    other = tag(qtbot, window, "receives leads and tips", Qt.Key.Key_1)
    counted(qtbot, window)

    # Each time "CyberTipline" is tagged with another label, its 3 other occurrences are offered.
    def tag_offered(key: Qt.Key) -> None:
        tag(qtbot, window, "CyberTipline", key)
        qtbot.waitUntil(lambda: offer.isVisible(), timeout=20_000)
        assert offer.label.text() == "3 more occurrences of “CyberTipline”:"

    tag_offered(Qt.Key.Key_2)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Escape)
    assert not offer.isVisible()

    tag_offered(Qt.Key.Key_1)
    window.navigation.go_to_annotation(AnnotationRef("span", other))  # another annotation selected
    assert not offer.isVisible()

    tag_offered(Qt.Key.Key_3)
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)  # another document
    qtbot.waitUntil(lambda: window.page_label.text() == "law-firm.pdf · page 1 of 1")
    assert not offer.isVisible()

    # A count that comes back after the analyst moved on offers nothing.
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageUp, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    tag(qtbot, window, "CyberTipline", Qt.Key.Key_4)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Escape)
    counted(qtbot, window)
    assert not offer.isVisible()


@pytest.mark.parametrize("phrase", ["2015", " of "])
def test_a_bare_number_or_a_two_letter_word_gets_no_offer(
    qtbot: QtBot, settings: Settings, project_file: Path, phrase: str
) -> None:
    window = open_window(qtbot, settings, project_file)
    span_id = tag(qtbot, window, phrase)
    assert window.session is not None
    span = window.session.find_span(span_id)
    assert span is not None and window.session.span_text(span) == phrase.strip()
    counted(qtbot, window)
    assert not window.offer.isVisible()
    assert not any("more occurrence" in text for text in status_texts(window))


def test_the_tags_column_counts_tags_once_with_suggestions_apart(
    qtbot: QtBot, settings: Settings, letters: Path
) -> None:
    with Project(letters) as project:
        doc = project.documents()[0].id
        pages = project.pages(doc)
        words = project.words(pages[0].id)
        # Two analysts tag the first word alike; adjudication keeps one copy of it.
        kept = [project.add_span(doc, "agency", words[0].id, words[2].id, annotator=who) for who in ("ann", "bob")]
        project.settle(doc, "ann", "bob", (words[0].id, words[2].id), "agreed", "carol", [kept[0]])
        project.add_span(doc, "program", words[5].id, words[5].id, annotator="ann")
        project.add_region(pages[1].id, "signature", (50.0, 50.0, 200.0, 120.0), annotator="ann")
        project.add_region(pages[1].id, "signature", (300.0, 50.0, 400.0, 120.0), annotator="model",
                           source="model", suggested=True)
    assert rows(letters, "select count(*) from spans where source = 'adjudicated'") == [(1,)]
    suggested_spans = rows(letters, "select count(*) from spans where suggested = 1")[0][0]
    ((page_1_suggested,),) = rows(letters, "select count(*) from spans s join words w on w.id = s.first_word_id "
                                           f"where s.suggested = 1 and w.page_id = {pages[0].id}")
    window = open_window(qtbot, settings, letters)
    tree = window.navigator.findChild(QTreeWidget)
    assert tree is not None
    sample = tree.topLevelItem(0)
    want = f"4 (+{suggested_spans + 1})"  # 3 spans and a region by hand; the copy not again
    assert sample.text(2) == want
    qtbot.waitUntil(lambda: sample.child(0).text(2) != "", timeout=10_000)  # per page, once the spans are read
    assert sample.text(2) == want
    assert sample.child(0).text(2) == (f"3 (+{page_1_suggested})" if page_1_suggested else "3")
    assert sample.child(1).text(2).startswith("1 (+")
    assert sample.toolTip(2) == f"4 tags; {suggested_spans + 1} suggestions to review"
    assert tree.topLevelItem(1).text(2) == "0"
    assert "suggestions" in tree.headerItem().toolTip(2) and "adjudicat" in tree.headerItem().toolTip(2)
    # Accepting a suggestion moves it from the suggestions to the tags, at once; undo moves it back.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Tab)
    assert window.selection.annotation is not None
    qtbot.keyClick(window.page_view, Qt.Key.Key_Return)
    assert sample.text(2) == f"5 (+{suggested_spans})"
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sample.text(2) == want
