"""Keys and clicks act only on what is shown: a selection left in another document is never edited,
review stops at a document's end, and what reaches beyond the page asks first.

Every check of what was stored reads the project file through a fresh connection, as another
program would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest
from gui_helpers import click, open_window, rows, when_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from annotations.assist.suggest import suggest_terms
from annotations.importing.files import ImportOptions, import_into
from annotations.store import Project
from app.editing.selection import AnnotationRef
from app.main_window import MainWindow
from app.settings import Settings

SAMPLE, REPLY = "geneva-letter-2015.pdf", "reply.pdf"


@pytest.fixture(scope="session")
def two_letters_template(sample_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with "U.S. Department of Justice (DOJ)" tagged as agency on its page 1, and a short
    reply; "OJJDP" suggested as agency and "CyberTipline" as program wherever they occur (2 on the
    sample's page 1, 4 on its page 2, 2 in the reply), and a signature region suggested on the reply."""
    folder = tmp_path_factory.mktemp("shown")
    path = folder / "shown.scanspan"
    shutil.copy(sample_template, path)
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 72), "Iowa Department of Revenue and Finance", fontname="tiro", fontsize=12)
    page.insert_text((72, 110), "Reports from the CyberTipline reach OJJDP every week.", fontname="tiro", fontsize=12)
    pdf.save(folder / REPLY)
    with Project(path) as project:
        (outcome,) = import_into(project, [folder / REPLY], ImportOptions())
        assert outcome.status == "imported", outcome.message
        sample, reply = (d.id for d in project.documents())
        text = project.document_text(sample).text
        at = text.find("U.S. Department of Justice (DOJ)")
        project.add_span_chars(sample, "agency", at, at + len("U.S. Department of Justice (DOJ)"), annotator="tester")
        suggest_terms(project, [sample, reply], ["OJJDP"], "agency", "agencies.txt")
        suggest_terms(project, [sample, reply], ["CyberTipline"], "program", "programs.txt")
        project.add_region(project.pages(reply)[0].id, "signature", (60, 200, 400, 300), source="letter-parts", suggested=True)
        assert len(project.suggestions()) == 8
    return path


@pytest.fixture
def two_letters_file(two_letters_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "shown.scanspan"
    shutil.copy(two_letters_template, path)
    return path


@pytest.fixture
def two_letters(qtbot: QtBot, settings: Settings, two_letters_file: Path) -> MainWindow:
    return open_window(qtbot, settings, two_letters_file)


def stored(path: Path) -> list[tuple]:
    """Every span and region as the file holds it."""
    return (rows(path, "select 'span', id, document_id, label, suggested from spans order by id")
            + rows(path, "select 'region', id, page_id, label, suggested from regions order by id"))


def press(qtbot: QtBot, window: MainWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.page_view, key, modifier)


def click_label(qtbot: QtBot, window: MainWindow, name: str) -> None:
    palette = window.palette
    item = next(palette.list.item(i) for i in range(palette.list.count())
                if palette.list.item(i).data(Qt.ItemDataRole.UserRole) == name)
    qtbot.mouseClick(palette.list.viewport(), Qt.MouseButton.LeftButton, pos=palette.list.visualItemRect(item).center())


def tagged_span(window: MainWindow) -> int:
    """The sample's one span tagged by hand (U.S. Department of Justice), drawn on its page 1."""
    assert window.session is not None
    return next(s.id for s in window.session.spans(1).values() if not s.suggested)


def select_in_sample(qtbot: QtBot, window: MainWindow, route: str) -> AnnotationRef:
    """Select an annotation on the sample's page 1 as the analyst would: its row, its highlight, or Tab."""
    assert window.current_page() == (1, 1)
    if route == "row":
        panel = window.panel
        panel.ensure_loaded()
        ref = AnnotationRef("span", tagged_span(window))
        index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(ref), 1))
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=panel.table.visualRect(index).center())
    elif route == "highlight":
        (item,) = window.highlight_items(tagged_span(window))
        click(qtbot, window, window.page_view.mapFromScene(item.sceneBoundingRect().center()))
    else:
        press(qtbot, window, Qt.Key.Key_Tab)  # the first OJJDP suggestion
    ref = window.selection.annotation
    assert ref is not None and window.current_page() == (1, 1)
    return ref


def go_to_reply(qtbot: QtBot, window: MainWindow, route: str) -> None:
    """Show the reply: a click in Documents, Alt+PgDown, or a hit of the project-wide search."""
    if route == "documents":
        tree = window.navigator.tree
        reply = tree.topLevelItem(1)
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(reply).center())
    elif route == "alt_pgdown":
        press(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    else:
        press(qtbot, window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClicks(window.search_panel.edit, "Revenue")
        qtbot.keyClick(window.search_panel.edit, Qt.Key.Key_Return)
        qtbot.keyClick(window.search_panel.edit, Qt.Key.Key_Return)
    assert window.current_page() == (2, 1)
    active(qtbot, window)


def active(qtbot: QtBot, window: MainWindow) -> None:
    """The window active again (after a dialog, or a click in a dock): its shortcuts need that."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


@pytest.mark.parametrize("switch", ["documents", "alt_pgdown", "search"])
@pytest.mark.parametrize("select", ["row", "highlight", "tab"])
def test_delete_a_label_key_or_a_label_click_never_reach_the_document_left_behind(
    qtbot: QtBot, two_letters: MainWindow, two_letters_file: Path, select: str, switch: str
) -> None:
    window = two_letters
    before = stored(two_letters_file)
    sample_before = [r for r in before if r[0] == "span" and r[2] == 1]
    ref = select_in_sample(qtbot, window, select)
    go_to_reply(qtbot, window, switch)
    found = switch == "search"  # a search hit selects the words found, so that a label key tags them
    if not found:
        assert window.selection.annotation is None
        assert window.selection_status.text() == "Nothing selected"

    press(qtbot, window, Qt.Key.Key_Delete)
    assert stored(two_letters_file) == before
    assert window.statusBar().currentMessage().startswith("Nothing selected on this page")
    press(qtbot, window, Qt.Key.Key_3)  # figure
    if not found:
        assert stored(two_letters_file) == before
        assert window.statusBar().currentMessage().startswith("Nothing selected on this page")
    click_label(qtbot, window, "signature")
    if not found:
        assert stored(two_letters_file) == before
        assert window.statusBar().currentMessage().startswith("Nothing selected on this page")
    else:  # the words found were tagged, in the reply, and the tag relabelled by the click
        assert rows(two_letters_file, "select document_id, label from spans where suggested = 0 and document_id = 2") == [
            (2, "signature")]
    assert [r for r in stored(two_letters_file) if r[0] == "span" and r[2] == 1] == sample_before
    assert window.selection.annotation != ref


def test_a_suggestion_selected_in_the_reply_is_not_accepted_from_the_sample(
    qtbot: QtBot, two_letters: MainWindow, two_letters_file: Path
) -> None:
    window = two_letters
    before = stored(two_letters_file)
    press(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    press(qtbot, window, Qt.Key.Key_Tab)
    ref = window.selection.annotation
    assert ref is not None and window.current_page() == (2, 1)
    press(qtbot, window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() == (1, 1)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_X, Qt.Key.Key_4):
        press(qtbot, window, key)
        assert stored(two_letters_file) == before
    click_label(qtbot, window, "signature")
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # accept all of its label
    press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)  # tag all its occurrences
    assert stored(two_letters_file) == before


def test_words_left_on_the_page_before_are_not_tagged_from_the_next_one(
    qtbot: QtBot, two_letters: MainWindow, two_letters_file: Path
) -> None:
    window = two_letters
    before = stored(two_letters_file)
    assert window.select_text("Thank you")
    press(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == (1, 2)
    assert window.selection_status.text() == "2 words selected on page 1: Shift+click a word here to take it on to this page"
    press(qtbot, window, Qt.Key.Key_3)
    assert stored(two_letters_file) == before
    assert window.statusBar().currentMessage().startswith("The selected words are on page 1, not on this one")
    # Back on their page they are tagged.
    press(qtbot, window, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, window, Qt.Key.Key_3)
    assert rows(two_letters_file, "select label from spans where suggested = 0 order by id") == [("agency",), ("figure",)]


def test_tab_stops_at_the_end_of_a_document_and_a_second_tab_goes_on(qtbot: QtBot, two_letters: MainWindow) -> None:
    window = two_letters
    for _ in range(6):  # the sample's suggestions: 2 on page 1, 4 on page 2
        press(qtbot, window, Qt.Key.Key_Tab)
    last = window.selection.annotation
    assert window.current_page() == (1, 2)
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.current_page() == (1, 2) and window.selection.annotation == last
    assert window.statusBar().currentMessage() == f"No more suggestions in {SAMPLE} after this point; 6 earlier ones are still open (Shift+Tab) — Tab again for {REPLY}"
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.current_page() == (2, 1)
    first = window.selection.annotation
    assert first is not None and first != last

    # Backwards the same: Shift+Tab stops at the reply's start, then goes back to the sample's last.
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_page() == (2, 1) and window.selection.annotation == first
    assert window.statusBar().currentMessage() == f"No earlier suggestions in {REPLY}; 3 later ones are still open (Tab) — Shift+Tab again for {SAMPLE}"
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_page() == (1, 2) and window.selection.annotation == last


def test_enter_on_a_documents_last_suggestion_stops_there_and_tab_goes_on(
    qtbot: QtBot, two_letters: MainWindow, two_letters_file: Path
) -> None:
    window = two_letters
    press(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    for _ in range(4):
        press(qtbot, window, Qt.Key.Key_Tab)
    last = window.selection.annotation
    assert last is not None and window.current_page() == (1, 2)
    press(qtbot, window, Qt.Key.Key_Return)
    assert rows(two_letters_file, f"select suggested from spans where id = {last.id}") == [(0,)]
    assert window.current_page() == (1, 2)
    assert window.statusBar().currentMessage() == (
        f"Accepted program “CyberTipline”; no more suggestions in {SAMPLE} after this point; 5 earlier ones are still open "
        f"(Shift+Tab) — Tab again for {REPLY} (8 suggestions left)")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.current_page() == (2, 1)

    # X the same: rejected, nothing is selected, and Tab goes on to where it stopped.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == (1, 2)
    window.navigation.go_to_annotation(last)
    press(qtbot, window, Qt.Key.Key_X)
    assert rows(two_letters_file, f"select count(*) from spans where id = {last.id}") == [(0,)]
    assert window.current_page() == (1, 2) and window.selection.annotation is None
    assert window.statusBar().currentMessage().startswith(f"Rejected program “CyberTipline”; no more suggestions in {SAMPLE}")
    press(qtbot, window, Qt.Key.Key_Tab)
    assert window.current_page() == (2, 1)
    assert rows(two_letters_file, "select count(*) from spans where document_id = 2 and suggested = 1") == [(2,)]


def test_shift_tab_into_another_document_goes_to_its_region_on_its_page(qtbot: QtBot, two_letters: MainWindow,
                                                                       two_letters_file: Path) -> None:
    window = two_letters
    ((region_id,),) = rows(two_letters_file, "select id from regions")
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_page() == (1, 1)
    assert window.statusBar().currentMessage() == (
        f"No earlier suggestions in {SAMPLE}; 6 later ones are still open (Tab) — Shift+Tab again for {REPLY}, from the last again")
    press(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_page() == (2, 1)
    assert window.selection.annotation == AnnotationRef("region", region_id)
    assert region_id in window.region_items()


def answer(qtbot: QtBot, button: QMessageBox.StandardButton, seen: list[str]) -> None:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(button).click()

    when_modal(qtbot, QMessageBox, act)


def test_accept_all_of_a_label_across_documents_asks_first_and_cancel_changes_nothing(
    qtbot: QtBot, two_letters: MainWindow, two_letters_file: Path
) -> None:
    window = two_letters
    before = stored(two_letters_file)
    menu = window.actions.accept_label_menu
    menu.aboutToShow.emit()  # what opening Suggestions ▸ Accept all of a label lists
    entries = {a.text(): a for a in menu.actions()}
    seen: list[str] = []
    answer(qtbot, QMessageBox.StandardButton.Cancel, seen)
    entries["agency (3)"].trigger()
    assert seen == [f"Accept all 3 agency suggestions?\n\nIn 2 documents: {SAMPLE} (2), {REPLY} (1).\n"
                    "1 of them is not on the page shown."]
    assert stored(two_letters_file) == before
    assert window.statusBar().currentMessage() == "Nothing accepted"
    active(qtbot, window)

    # Shift+Enter on a suggestion asks the same; Yes accepts them all.
    press(qtbot, window, Qt.Key.Key_Tab)
    answer(qtbot, QMessageBox.StandardButton.Yes, seen)
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert len(seen) == 2
    assert rows(two_letters_file, "select suggested, count(*) from spans where label = 'agency' group by suggested") == [(0, 4)]


def test_accept_all_from_a_source_on_the_page_shown_only_does_not_ask(
    qtbot: QtBot, two_letters: MainWindow, two_letters_file: Path
) -> None:
    window = two_letters
    press(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    menu = window.actions.accept_source_menu
    menu.aboutToShow.emit()
    entries = {a.text(): a for a in menu.actions()}
    entries["letter-parts (1)"].trigger()  # the reply's signature region, on the page shown
    assert rows(two_letters_file, "select suggested from regions") == [(0,)]


def test_tagging_all_occurrences_in_other_documents_asks_first(
    qtbot: QtBot, two_letters: MainWindow, two_letters_file: Path
) -> None:
    window = two_letters
    before = stored(two_letters_file)
    press(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert window.select_text("Department")  # the reply's; the sample has it more than once
    press(qtbot, window, Qt.Key.Key_3)
    span_id = window.selection.annotation
    assert span_id is not None
    tagged = stored(two_letters_file)
    assert len(tagged) == len(before) + 1
    seen: list[str] = []
    answer(qtbot, QMessageBox.StandardButton.Cancel, seen)
    press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ShiftModifier)
    assert len(seen) == 1 and seen[0].startswith("Tag ") and "not on the page shown" in seen[0]
    assert stored(two_letters_file) == tagged
