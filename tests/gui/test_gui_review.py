"""Reviewing suggestions by keyboard in the real window: how they look, Tab across pages and documents,
accept, reject, their undo, accept all of a label, tagging a span's other occurrences, and the model.

Every check of what was stored reads the project file through a fresh connection, as another
program would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gui_helpers import add_second_letter, open_window, rows, when_modal
from letter_project import add_agency_letters
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from annotations.assist.suggest import suggest_terms
from annotations.store import Project
from app.dialogs.help import ShortcutsDialog
from app.dialogs.suggest_file import SuggestFileDialog
from app.editing.selection import AnnotationRef, TextRange
from app.main_window import MainWindow
from app.settings import Settings


@pytest.fixture(scope="session")
def review_template(sample_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample plus a short second letter, with "OJJDP" suggested as agency and "CyberTipline" as
    program wherever they occur: 2 suggestions on the sample's page 1, 4 on its page 2, 2 in the second letter."""
    folder = tmp_path_factory.mktemp("review")
    path = folder / "review.scanspan"
    shutil.copy(sample_template, path)
    add_second_letter(path, folder)
    with Project(path) as project:
        ids = [d.id for d in project.documents()]
        suggest_terms(project, ids, ["OJJDP"], "agency", "agencies.txt")
        suggest_terms(project, ids, ["CyberTipline"], "program", "programs.txt")
        assert len(project.suggestions()) == 8
    return path


@pytest.fixture
def review_file(review_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "review.scanspan"
    shutil.copy(review_template, path)
    return path


@pytest.fixture
def review_window(qtbot: QtBot, settings: Settings, review_file: Path) -> MainWindow:
    return open_window(qtbot, settings, review_file)


def suggested(path: Path) -> dict[int, tuple[str, int]]:
    """span id -> (label, suggested) as stored."""
    return {i: (label, flag) for i, label, flag in rows(path, "select id, label, suggested from spans")}


def selected_suggestion(window: MainWindow) -> tuple[int, int, str, str]:
    """(document, page, label, text) of the selected annotation, where the window shows it."""
    ref = window.selection.annotation
    assert ref is not None and ref.kind == "span"
    assert window.session is not None
    span = window.session.find_span(ref.id)
    assert span is not None
    doc_id, page = window.current_page() or (0, 0)
    return doc_id, page, span.label, window.session.span_text(span)


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.page_view, key, modifier)


def test_suggestions_look_unlike_accepted_spans_in_both_views_and_the_table(
    qtbot: QtBot, review_window: MainWindow, review_file: Path
) -> None:
    window = review_window
    (agency_id,) = [i for i, (label, _) in suggested(review_file).items() if label == "agency"][:1]
    items = window.highlight_items(agency_id)
    assert items, "the suggestion is drawn on the scan"
    item = items[0]
    assert item.pen().style() == Qt.PenStyle.DashLine  # a dashed outline
    light = item.brush().color().alpha()
    marks = {m.span_id: m for m in window.text_view.highlighter.marks}
    assert marks[agency_id].suggested
    assert underline_at(window, "OJJDP") == QTextCharFormat.UnderlineStyle.DotLine

    # The table says where it came from; the filter shows suggestions only, or decided ones only.
    states = window.annotation_states()
    assert states and all(s == "suggested · agencies.txt 1.00 (exact)" or s.startswith("suggested · programs.txt") for s in states)
    window.panel.filter_state("accepted")
    assert window.annotation_states() == []
    window.panel.filter_state("suggested")
    assert len(window.annotation_states()) == 6  # the sample's six; the second letter has its own list

    # Accepted, it is drawn like any tagged span: solid, stronger fill, a plain underline.
    window.navigation.go_to_annotation(AnnotationRef("span", agency_id))
    press(qtbot, window, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: suggested(review_file)[agency_id] == ("agency", 0))
    window.selection.clear()
    item = window.highlight_items(agency_id)[0]
    assert item.pen().style() == Qt.PenStyle.NoPen
    assert item.brush().color().alpha() > light
    window.panel.filter_state("accepted")
    assert window.annotation_states() == ["accepted · agencies.txt"]


def underline_at(window: MainWindow, phrase: str) -> QTextCharFormat.UnderlineStyle:
    """The underline the text view draws under the first occurrence of `phrase`."""
    window.text_view.refresh_highlights()
    document = window.text_view.document()
    at = document.toPlainText().find(phrase)
    block = document.findBlock(at)
    for fmt in block.layout().formats():
        if fmt.start <= at - block.position() < fmt.start + fmt.length:
            return fmt.format.underlineStyle()
    return QTextCharFormat.UnderlineStyle.NoUnderline


def yes(qtbot: QtBot, window: MainWindow) -> None:
    """Answer Yes to the question asked before accepting suggestions beyond the page shown."""
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Yes).click()
        window.activateWindow()  # its shortcuts need it active again

    when_modal(qtbot, QMessageBox, act)


def test_tab_walks_the_suggestions_across_pages_and_documents_and_shift_tab_walks_back(
    qtbot: QtBot, review_window: MainWindow
) -> None:
    window = review_window
    assert window.suggestion_count.text().startswith("8 suggestions to review in 2 documents")
    seen = []
    for n in range(8):
        press(qtbot, window, Qt.Key.Key_Tab)
        if n == 6:  # the sample's last was the sixth: Tab stops there once, then goes on
            assert window.statusBar().currentMessage() == ("No more suggestions in geneva-letter-2015.pdf after this point; 6 earlier ones "
                                                           "are still open (Shift+Tab) — Tab again for second.pdf")
            press(qtbot, window, Qt.Key.Key_Tab)
        seen.append(selected_suggestion(window))
    assert [(d, p, label, text) for d, p, label, text in seen] == [
        (1, 1, "agency", "OJJDP"), (1, 1, "agency", "OJJDP"),
        (1, 2, "program", "CyberTipline"), (1, 2, "program", "CyberTipline"),
        (1, 2, "program", "CyberTipline"), (1, 2, "program", "CyberTipline"),
        (2, 1, "program", "CyberTipline"), (2, 1, "agency", "OJJDP"),
    ]
    # The selected suggestion is the one outlined on the scan.
    ref = window.selection.annotation
    assert ref is not None and window.highlight_items(ref.id)[0].pen().widthF() > 2
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.statusBar().currentMessage() == (
        "No more suggestions in second.pdf after this point; 2 earlier ones are still open (Shift+Tab) — Tab again for "
        "geneva-letter-2015.pdf, from the first again")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert selected_suggestion(window)[:2] == (1, 1)
    assert "from the first again" in window.statusBar().currentMessage()
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert selected_suggestion(window)[:2] == (1, 1)  # stopped at the sample's start
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert selected_suggestion(window)[:3] == (2, 1, "agency")
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert selected_suggestion(window)[:2] == (2, 1)  # stopped at the second letter's start
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert selected_suggestion(window)[:2] == (1, 2)


def test_enter_accepts_and_moves_on_and_undo_makes_it_a_suggestion_again(
    qtbot: QtBot, review_window: MainWindow, review_file: Path
) -> None:
    window = review_window
    press(qtbot, window, Qt.Key.Key_Tab)
    first = window.selection.annotation
    assert first is not None
    # The status bar says what is selected and which keys decide it.
    assert window.selection_status.text() == "Suggested agency “OJJDP”: Enter accepts, X rejects, Tab skips"
    assert window.statusBar().currentMessage() == "Suggestion 1 of 8, from agencies.txt"
    press(qtbot, window, Qt.Key.Key_Return)
    assert suggested(review_file)[first.id] == ("agency", 0)
    # The next suggestion is selected; the count goes down.
    assert window.selection.annotation not in (None, first)
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("7 suggestions"))
    assert window.statusBar().currentMessage().startswith("Accepted agency “OJJDP”; 7 suggestions left")

    # Go elsewhere; undo comes back to the page it changes and says so.
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() == (2, 1)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert suggested(review_file)[first.id] == ("agency", 1)
    assert window.current_page() == (1, 1)
    assert window.statusBar().currentMessage() == "Undid “Accept agency suggestion” in geneva-letter-2015.pdf, page 1"
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("8 suggestions"))
    assert window.highlight_items(first.id)[0].pen().style() == Qt.PenStyle.DashLine
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert suggested(review_file)[first.id] == ("agency", 0)


def test_x_rejects_and_undo_restores_the_suggestion_under_its_id(
    qtbot: QtBot, review_window: MainWindow, review_file: Path
) -> None:
    window = review_window
    press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Tab)
    second = window.selection.annotation
    assert second is not None
    press(qtbot, window, Qt.Key.Key_X)
    assert second.id not in suggested(review_file)
    assert rows(review_file, "select span_id from span_rejections") == [(second.id,)]
    assert window.highlight_items(second.id) == []
    assert second.id not in window.text_view.highlighted()
    assert selected_suggestion(window)[:3] == (1, 2, "program")  # moved on to the next one
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("7 suggestions"))

    press(qtbot, window, Qt.Key.Key_Backspace)  # the other key for reject
    assert len(suggested(review_file)) == 6

    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert suggested(review_file)[second.id] == ("agency", 1)
    assert rows(review_file, "select count(*) from span_rejections") == [(0,)]
    assert window.current_page() == (1, 1)
    assert window.highlight_items(second.id)[0].pen().style() == Qt.PenStyle.DashLine
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("8 suggestions"))
    # Redo rejects it again, and remembers it again.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert second.id not in suggested(review_file)
    assert rows(review_file, "select span_id from span_rejections") == [(second.id,)]


def test_accept_all_of_a_label_from_the_menu_is_one_undo_step(
    qtbot: QtBot, review_window: MainWindow, review_file: Path
) -> None:
    window = review_window
    menu = window.actions.accept_label_menu
    # What opening Suggestions ▸ Accept all of a label lists (a popup would grab the keyboard offscreen).
    menu.aboutToShow.emit()
    entries = {a.text(): a for a in menu.actions()}
    assert set(entries) == {"agency (3)", "program (5)"}
    yes(qtbot, window)  # they are on other pages and in the second letter too: asked first
    entries["program (5)"].trigger()
    assert sorted(flag for label, flag in suggested(review_file).values() if label == "program") == [0] * 5
    assert sorted(flag for label, flag in suggested(review_file).values() if label == "agency") == [1] * 3
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("3 suggestions"))
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert all(flag == 1 for _, flag in suggested(review_file).values())
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("8 suggestions"))


def test_after_a_tag_the_other_occurrences_are_offered_and_t_suggests_them_in_one_undo_step(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, settings, project_file)
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.select_text("CyberTipline")
    qtbot.keyClick(window.text_view, Qt.Key.Key_2)  # program
    # Counted across the project before anything is stored: the sample has it four times.
    qtbot.waitUntil(lambda: window.offer.isVisible())
    assert window.offer.label.text() == "3 more occurrences of “CyberTipline”:"
    assert len(rows(project_file, "select id from spans")) == 1
    assert not window.suggestion_count.isVisible()

    qtbot.keyClick(window.page_view, Qt.Key.Key_T)
    stored = rows(project_file, "select label, source, suggested from spans order by id")
    assert stored == [("program", "", 0)] + [("program", "propagation", 1)] * 3
    assert not window.offer.isVisible()
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("3 suggestions to review (Tab)"))
    suggested_ids = rows(project_file, "select id from spans where suggested = 1 order by id")
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(project_file, "select label, suggested from spans") == [("program", 0)]
    assert window.statusBar().currentMessage() == "Undid “Suggest 3 more occurrences as program” in geneva-letter-2015.pdf, page 2"
    # Redo brings the same three back, under their ids.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert rows(project_file, "select id from spans where suggested = 1 order by id") == suggested_ids
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    # Shift+T tags them at once, accepted.
    window.navigation.go_to_annotation(AnnotationRef("span", rows(project_file, "select id from spans")[0][0]))
    qtbot.keyClick(window.page_view, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    assert rows(project_file, "select suggested from spans order by id") == [(0,)] * 4
    assert "3 more occurrences of “CyberTipline” tagged as program" in window.statusBar().currentMessage()


def test_enter_in_a_text_field_stays_in_the_field(qtbot: QtBot, review_window: MainWindow, review_file: Path) -> None:
    window = review_window
    press(qtbot, window, Qt.Key.Key_Tab)
    qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.find_bar.edit, "Geneva")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    assert window.find_bar.count.text().startswith("1 of")
    assert all(flag == 1 for _, flag in suggested(review_file).values())


def test_the_model_says_why_when_there_is_nothing_to_learn_from(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.messageShown, timeout=60_000) as shown:
        window.actions.suggest_with_model.trigger()
    assert shown.args == ["no accepted spans to learn from: tag or accept some spans first"]
    assert not window.model.running() and not window.model.bar.isVisible()


def test_the_model_says_how_many_accepted_spans_of_a_label_it_needs(qtbot: QtBot, tagged_window: MainWindow) -> None:
    with qtbot.waitSignal(tagged_window.messageShown, timeout=60_000) as shown:
        tagged_window.actions.suggest_with_model.trigger()
    assert shown.args[0].startswith("the model needs at least 10 accepted spans of a label to learn it (accepted so far: agency ")
    assert not tagged_window.model.running()


@pytest.fixture
def agency_file(tmp_path: Path) -> Path:
    """Five letters done with their agencies tagged (ten spans), three new ones."""
    path = tmp_path / "agencies.scanspan"
    with Project(path) as project:
        add_agency_letters(project, done=5, new=3)
    return path


def test_cancelling_the_model_stores_nothing(qtbot: QtBot, settings: Settings, agency_file: Path) -> None:
    window = open_window(qtbot, settings, agency_file)
    window.actions.suggest_with_model.trigger()
    qtbot.waitUntil(lambda: window.model.label.text().startswith("Model: held-out fold"), timeout=60_000)
    qtbot.mouseClick(window.model.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.model.running(), timeout=60_000)
    assert window.statusBar().currentMessage() == "Training cancelled; nothing was stored"
    assert rows(agency_file, "select count(*) from spans where source = 'model'") == [(0,)]


@pytest.mark.slow
def test_the_model_trains_in_the_background_and_its_suggestions_appear(
    qtbot: QtBot, settings: Settings, agency_file: Path
) -> None:
    window = open_window(qtbot, settings, agency_file)
    window.actions.suggest_with_model.trigger()
    assert window.model.running()
    qtbot.waitUntil(window.model.bar.isVisible)
    # The analyst keeps working meanwhile: the next document answers at once.
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() == (2, 1)
    qtbot.waitUntil(lambda: not window.model.running(), timeout=120_000)
    (made,) = rows(agency_file, "select count(*) from spans where source = 'model' and suggested = 1")[0]
    assert made > 0
    assert window.statusBar().currentMessage().startswith(
        f"Model trained on 10 accepted spans: {made} new suggestion{'s' if made != 1 else ''}; held-out F1 agency ")
    assert not window.model.bar.isVisible()
    # They reached the window through the change log: counted, and Tab goes to them.
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith(f"{made} suggestion"))
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.statusBar().currentMessage() == "No suggestions in letter-1.pdf — Tab again for letter-5.pdf"
    press(qtbot, window, Qt.Key.Key_Tab)
    assert "from model" in window.statusBar().currentMessage()


def test_shift_enter_accepts_every_suggestion_of_the_selected_ones_label_and_moves_on(
    qtbot: QtBot, review_window: MainWindow, review_file: Path
) -> None:
    window = review_window
    press(qtbot, window, Qt.Key.Key_Tab)
    assert selected_suggestion(window)[2] == "agency"
    yes(qtbot, window)
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert sorted(suggested(review_file).values()) == [("agency", 0)] * 3 + [("program", 1)] * 5
    assert selected_suggestion(window)[2:] == ("program", "CyberTipline")
    assert window.statusBar().currentMessage() == "Accepted all 3 agency suggestions; 5 suggestions left"
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert all(flag == 1 for _, flag in suggested(review_file).values())


def test_f1_lists_the_review_keys(qtbot: QtBot, review_window: MainWindow) -> None:
    help_rows: list[tuple[str, str]] = []

    def read(dialog: QWidget) -> None:
        table = dialog.findChild(QTableWidget)
        help_rows.extend((table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount()))
        dialog.reject()

    when_modal(qtbot, ShortcutsDialog, read)
    qtbot.keyClick(review_window.page_view, Qt.Key.Key_F1)
    for row in (("Accept suggestion", "Return, Enter, A"), ("Accept all of this label", "Shift+Return, Shift+Enter, Shift+A"),
                ("Reject suggestion", "X, Backspace"), ("Next suggestion", "Tab"), ("Previous suggestion", "Shift+Tab"),
                ("Suggest the other occurrences", "T"), ("Tag all occurrences", "Shift+T")):
        assert row in help_rows
    assert any(what == "Review suggestions" for what, _ in help_rows)


def test_tagging_another_occurrence_after_the_count_is_not_suggested_again(
    qtbot: QtBot, settings: Settings, project_file: Path
) -> None:
    window = open_window(qtbot, settings, project_file)
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.select_text("CyberTipline")
    qtbot.keyClick(window.text_view, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: window.offer.label.text() == "3 more occurrences of “CyberTipline”:")
    (first,) = rows(project_file, "select id from spans")
    # The analyst tags the next one by hand, with the word before it, before taking up the offer:
    # the occurrence counted is now inside a program span, so it is no longer offered.
    text = window.text_view.data.text.text
    at = text.find("CyberTipline", text.find("CyberTipline") + 1)
    assert text[at - 4 : at] == "the "
    window.select_range(TextRange(1, (2, at - 4), (2, at + len("CyberTipline"))))
    qtbot.keyClick(window.text_view, Qt.Key.Key_2)
    window.navigation.go_to_annotation(AnnotationRef("span", first[0]))
    qtbot.keyClick(window.page_view, Qt.Key.Key_T)
    assert rows(project_file, "select suggested, count(*) from spans group by suggested") == [(0, 2), (1, 2)]


def test_a_label_key_on_a_suggestion_accepts_it_with_that_label_in_one_undo_step(
    qtbot: QtBot, review_window: MainWindow, review_file: Path
) -> None:
    window = review_window
    press(qtbot, window, Qt.Key.Key_Tab)
    first = window.selection.annotation
    assert first is not None and suggested(review_file)[first.id] == ("agency", 1)
    press(qtbot, window, Qt.Key.Key_2)
    assert suggested(review_file)[first.id] == ("program", 0)
    assert window.undo_stack().undoText() == "Accept agency suggestion as program"
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert suggested(review_file)[first.id] == ("agency", 1)


def test_an_accepted_suggestion_becomes_the_analysts_and_undo_gives_it_back(
    qtbot: QtBot, review_window: MainWindow, review_file: Path
) -> None:
    window = review_window
    press(qtbot, window, Qt.Key.Key_Tab)
    first = window.selection.annotation
    assert first is not None
    assert rows(review_file, f"select annotator from spans where id = {first.id}") == [("",)]
    press(qtbot, window, Qt.Key.Key_Return)
    assert rows(review_file, f"select annotator, suggested from spans where id = {first.id}") == [("tester", 0)]
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(review_file, f"select annotator, suggested from spans where id = {first.id}") == [("", 1)]


@pytest.fixture
def region_review_file(review_file: Path) -> Path:
    """The review project plus a suggested signature region on the sample's page 2 and one on the second letter."""
    with Project(review_file) as project:
        sample, second = (project.pages(d.id) for d in project.documents())
        project.add_region(sample[1].id, "signature", (300, 2500, 1500, 2850), source="letter-parts", suggested=True)
        project.add_region(second[0].id, "signature", (60, 100, 400, 300), source="letter-parts", suggested=True)
    return review_file


def test_suggested_regions_are_reviewed_with_the_same_keys_after_their_documents_spans(
    qtbot: QtBot, settings: Settings, region_review_file: Path
) -> None:
    window = open_window(qtbot, settings, region_review_file)
    regions = {i: (label, flag, who) for i, label, flag, who in
               rows(region_review_file, "select id, label, suggested, annotator from regions")}
    first, second = sorted(regions)
    assert window.suggestion_count.text().startswith("10 suggestions to review in 2 documents")
    for _ in range(7):  # the sample's six spans, then its region
        press(qtbot, window, Qt.Key.Key_Tab)
    assert window.selection.annotation == AnnotationRef("region", first)
    assert window.current_page() == (1, 2)
    assert window.selection_status.text() == "Suggested signature region: Enter accepts, X rejects, Tab skips"
    press(qtbot, window, Qt.Key.Key_Return)
    assert rows(region_review_file, f"select suggested, annotator from regions where id = {first}") == [(0, "tester")]
    assert window.statusBar().currentMessage() == ("Accepted signature region on page 2; no more suggestions in "
                                                   "geneva-letter-2015.pdf after this point; 6 earlier ones are still open "
                                                   "(Shift+Tab) — Tab again for second.pdf (9 suggestions left)")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert selected_suggestion(window)[:2] == (2, 1)  # on to the second letter's spans
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("9 suggestions"))

    press(qtbot, window, Qt.Key.Key_Tab)
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.selection.annotation == AnnotationRef("region", second)
    press(qtbot, window, Qt.Key.Key_X)
    assert rows(region_review_file, f"select count(*) from regions where id = {second}") == [(0,)]
    assert rows(region_review_file, "select region_id from region_rejections") == [(second,)]
    assert window.statusBar().currentMessage() == ("Rejected signature region on page 1; no more suggestions in second.pdf after this "
                                                   "point; 2 earlier ones are still open (Shift+Tab) — Tab again for "
                                                   "geneva-letter-2015.pdf, from the first again (8 suggestions left)")

    # Undo brings each back, on its page: the rejected one under its id, the accepted one as a suggestion.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(region_review_file, f"select suggested from regions where id = {second}") == [(1,)]
    assert rows(region_review_file, "select count(*) from region_rejections") == [(0,)]
    assert window.statusBar().currentMessage() == "Undid “Reject signature region suggestion” in second.pdf, page 1"
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(region_review_file, f"select suggested, annotator from regions where id = {first}") == [(1, "")]
    assert window.current_page() == (1, 2)
    qtbot.waitUntil(lambda: window.suggestion_count.text().startswith("10 suggestions"))

    # Accept all of a label takes the regions of that label too, in one undo step.
    menu = window.actions.accept_label_menu
    menu.aboutToShow.emit()
    entries = {a.text(): a for a in menu.actions()}
    assert set(entries) == {"agency (3)", "program (5)", "signature (2)"}
    yes(qtbot, window)
    entries["signature (2)"].trigger()
    assert rows(region_review_file, "select suggested from regions order by id") == [(0,), (0,)]
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(region_review_file, "select suggested from regions order by id") == [(1,), (1,)]


def test_a_term_list_runs_from_the_suggestions_menu_and_shows_what_it_added(
    qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path
) -> None:
    terms = tmp_path / "programs.txt"
    terms.write_text("cybertipline\nProject iGuardain\n", encoding="utf-8")  # other case; a misspelling

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, SuggestFileDialog)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled() and dialog.problem.text() == "Choose a term list or a pattern file"
        qtbot.keyClicks(dialog.path, str(terms))
        assert dialog.kind.currentData() == "terms"
        qtbot.keyClicks(dialog.label, "pr")
        assert dialog.label.currentText() == "program"
        for box in (dialog.fuzzy, dialog.ignore_case):  # on the box itself: the widget is wider than its text
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
            assert box.isChecked()
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Suggestions")
    action = next(a for a in menu.actions() if a.text() == "Suggest &from a term list or patterns…")
    when_modal(qtbot, SuggestFileDialog, fill)
    action.trigger()
    assert window.file_suggestions.running()
    qtbot.waitUntil(lambda: not window.file_suggestions.running(), timeout=60_000)
    stored = rows(project_file, "select label, reason from spans where source = 'programs.txt' and suggested = 1")
    reasons = sorted({reason for _, reason in stored})
    assert {label for label, _ in stored} == {"program"}
    assert reasons == ["2 OCR edits: 'iGuardian' for 'iGuardain'", "case"]
    # The status line says what it added, and the review starts at its first suggestion.
    assert window.statusBar().currentMessage() == (
        f"{len(stored)} suggestions added from 'programs.txt' ({len(stored)} found, 0 already tagged or suggested, "
        "0 rejected before). Tab goes through them")
    assert selected_suggestion(window)[2:] in {("program", "CyberTipline"), ("program", "Project iGuardian")}
    assert "suggested · programs.txt 1.00 (case)" in window.annotation_states()
    window.activateWindow()  # the offscreen platform does not give it back when the dialog closes
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    press(qtbot, window, Qt.Key.Key_Return)  # accepted like any suggestion
    assert len(rows(project_file, "select 1 from spans where source = 'programs.txt' and suggested = 0")) == 1


def test_a_pattern_file_chosen_in_the_dialog_runs_every_label_in_it_unless_one_is_picked(
    qtbot: QtBot, window: MainWindow, project_file: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.jsonl"
    rules.write_text('{"label": "program", "pattern": "CyberTipline"}\n'
                     '{"label": "agency", "pattern": "OJJDP"}\n', encoding="utf-8")

    chosen: list[tuple[str, str]] = []

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, SuggestFileDialog)
        qtbot.keyClicks(dialog.path, str(rules))
        chosen.append((dialog.kind.currentData(), dialog.label.currentText()))
        if chosen[-1][1] == "Every label in the file":
            qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
        else:
            dialog.reject()  # run with one label, the file's others would be refused in a message box

    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Suggestions")
    action = next(a for a in menu.actions() if a.text() == "Suggest &from a term list or patterns…")
    when_modal(qtbot, SuggestFileDialog, fill)
    action.trigger()
    # The file says its labels: nothing picked, every one of them runs (as `suggest --patterns` without --label).
    assert chosen == [("patterns", "Every label in the file")]
    qtbot.waitUntil(lambda: not window.file_suggestions.running(), timeout=60_000)
    stored = rows(project_file, "select label from spans where source = 'rules.jsonl' and suggested = 1")
    assert {label for (label,) in stored} == {"agency", "program"}
    assert window.statusBar().currentMessage().startswith(f"{len(stored)} suggestions added from 'rules.jsonl'")

    # A label picked before the file is chosen stays picked.
    def pick(dialog: QWidget) -> None:
        assert isinstance(dialog, SuggestFileDialog)
        qtbot.keyClicks(dialog.label, "pr")
        qtbot.keyClicks(dialog.path, str(rules))
        chosen.append((dialog.kind.currentData(), dialog.label.currentText()))
        dialog.reject()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    when_modal(qtbot, SuggestFileDialog, pick)
    action.trigger()
    assert chosen[1:] == [("patterns", "program")]
