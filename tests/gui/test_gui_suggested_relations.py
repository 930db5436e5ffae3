"""A suggested relation in the real window: accepted with the last of its ends by Enter, removed with a
rejected end by X, and each undo puts it back as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import open_window, rows
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotations.assist.suggest import suggest_terms
from annotations.records import Label
from annotations.store import Project
from app.editing.selection import AnnotationRef
from app.main_window import MainWindow
from app.settings import Settings


@pytest.fixture
def linked_suggestions(project_file: Path) -> Path:
    """The sample with "OJJDP" suggested as agency and "CyberTipline" as program, and a suggested
    "runs" relation from the first of each (as a pre-annotation file brings them)."""
    with Project(project_file) as project:
        doc = project.documents()[0].id
        suggest_terms(project, [doc], ["OJJDP"], "agency", "agencies.txt")
        suggest_terms(project, [doc], ["CyberTipline"], "program", "programs.txt")
        project.add_label(Label("runs", "#336699", kind="relation"))
        agency = next(s.id for s in project.suggestions([doc]) if s.label == "agency")
        program = next(s.id for s in project.suggestions([doc]) if s.label == "program")
        project.add_relation("runs", ("span", agency), ("span", program), source="model.jsonl")
    return project_file


def relation(path: Path) -> list[tuple[str, int, str]]:
    """(label, suggested, annotator) of each relation the file holds."""
    return rows(path, "select label, suggested, annotator from relations")


def select(qtbot: QtBot, window: MainWindow, span_id: int) -> None:
    """Tab through the suggestions to this one."""
    for _ in range(20):
        qtbot.keyClick(window.page_view, Qt.Key.Key_Tab)
        ref = window.selection.annotation
        if ref is not None and ref.kind == "span" and ref.id == span_id:
            return
    raise AssertionError(f"Tab never reached suggestion {span_id}")


def test_enter_on_both_ends_accepts_the_relation_and_undo_makes_it_a_suggestion_again(
    qtbot: QtBot, settings: Settings, linked_suggestions: Path
) -> None:
    (agency, program) = rows(linked_suggestions, "select from_id, to_id from relations")[0]
    assert relation(linked_suggestions) == [("runs", 1, "")]
    window = open_window(qtbot, settings, linked_suggestions)
    select(qtbot, window, agency)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Return)
    assert rows(linked_suggestions, f"select suggested from spans where id = {agency}") == [(0,)]
    assert relation(linked_suggestions) == [("runs", 1, "")]  # its other end is still a suggestion
    select(qtbot, window, program)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Return)
    assert relation(linked_suggestions) == [("runs", 0, "tester")]  # accepted with its ends, the analyst's now
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert relation(linked_suggestions) == [("runs", 1, "")]
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert relation(linked_suggestions) == [("runs", 0, "tester")]


def test_x_on_an_end_removes_the_relation_and_undo_brings_it_back(
    qtbot: QtBot, settings: Settings, linked_suggestions: Path
) -> None:
    (relation_id, program) = rows(linked_suggestions, "select id, to_id from relations")[0]
    window = open_window(qtbot, settings, linked_suggestions)
    select(qtbot, window, program)
    qtbot.keyClick(window.page_view, Qt.Key.Key_X)
    assert relation(linked_suggestions) == []
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(linked_suggestions, "select id, suggested, source from relations") == [(relation_id, 1, "model.jsonl")]


@pytest.fixture
def accepted_ends(project_file: Path) -> Path:
    """"OJJDP" tagged as agency and "ICAC" as program (both accepted), and a file's suggested
    "runs" relation between them: no end left to accept it with."""
    with Project(project_file) as project:
        doc = project.documents()[0].id
        suggest_terms(project, [doc], ["OJJDP"], "agency", "agencies.txt")
        suggest_terms(project, [doc], ["ICAC"], "program", "programs.txt")
        project.add_label(Label("runs", "#336699", kind="relation"))
        pages = {s.id: (s.label, project.word(s.first_word_id).page_id) for s in project.suggestions([doc])}
        # Both ends on one page, where its arrow is drawn.
        agency, program = next((a, p) for a, (la, pa) in pages.items() for p, (lp, pp) in pages.items()
                               if (la, lp) == ("agency", "program") and pa == pp)
        project.accept_suggestions([s.id for s in project.suggestions([doc])], annotator="ann")
        project.add_relation("runs", ("span", agency), ("span", program), source="model.jsonl", suggested=True)
    return project_file


def tab_to_relation(qtbot: QtBot, window: MainWindow, relation_id: int) -> None:
    for _ in range(40):
        qtbot.keyClick(window.page_view, Qt.Key.Key_Tab)
        if window.selection.annotation == AnnotationRef("relation", relation_id):
            return
    raise AssertionError(f"Tab never reached suggested relation {relation_id}")


def test_a_suggested_relation_between_accepted_ends_is_reached_by_tab_and_decided_by_enter_or_x(
    qtbot: QtBot, settings: Settings, accepted_ends: Path
) -> None:
    ((relation_id,),) = rows(accepted_ends, "select id from relations")
    assert rows(accepted_ends, "select count(*) from spans where suggested = 1") == [(0,)]
    assert relation(accepted_ends) == [("runs", 1, "")]
    window = open_window(qtbot, settings, accepted_ends)
    tab_to_relation(qtbot, window, relation_id)
    assert window.selection_status.text() == "Suggested runs relation: Enter accepts, X rejects, Tab skips"
    steps = window.undo_stack().count()
    qtbot.keyClick(window.page_view, Qt.Key.Key_Return)
    assert relation(accepted_ends) == [("runs", 0, "tester")]
    assert window.undo_stack().count() == steps + 1
    assert window.arrow_items().keys() == {relation_id}
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert relation(accepted_ends) == [("runs", 1, "")]
    # Rejected by X: gone and remembered, and one undo brings it back as the suggestion it was.
    tab_to_relation(qtbot, window, relation_id)
    qtbot.keyClick(window.page_view, Qt.Key.Key_X)
    assert relation(accepted_ends) == []
    assert rows(accepted_ends, "select label, relation_id from relation_rejections") == [("runs", relation_id)]
    assert window.undo_stack().count() == steps + 1
    assert not window.arrow_items()
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(accepted_ends, "select id, suggested, source from relations") == [(relation_id, 1, "model.jsonl")]
    assert rows(accepted_ends, "select count(*) from relation_rejections") == [(0,)]
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert relation(accepted_ends) == []


def test_enter_on_a_suggested_relation_goes_on_to_the_next_one_in_its_document_whatever_their_pages(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    # The first relation (by id) starts on page 2 and the second on page 1, and another document
    # has a suggestion: review must not leave this document with the second one still waiting.
    from gui_helpers import add_second_letter

    with Project(project_file) as project:
        doc = project.documents()[0].id
        for term, label in (("OJJDP", "agency"), ("ICAC", "program"), ("NCMEC", "agency"), ("CyberTipline", "program")):
            suggest_terms(project, [doc], [term], label, "terms.txt")
        project.accept_suggestions([s.id for s in project.suggestions([doc])], annotator="ann")
        project.add_label(Label("runs", "#336699", kind="relation"))
        numbers = {page.id: page.number for page in project.pages(doc)}
        on: dict[tuple[str, int], int] = {}
        for span in project.spans(doc):
            on.setdefault((span.label, numbers[project.word(span.first_word_id).page_id]), span.id)
        later = project.add_relation("runs", ("span", on[("program", 2)]), ("span", on[("agency", 2)]),
                                     source="model.jsonl", suggested=True).id
        earlier = project.add_relation("runs", ("span", on[("agency", 1)]), ("span", on[("program", 1)]),
                                       source="model.jsonl", suggested=True).id
    add_second_letter(project_file, tmp_path)
    with Project(project_file) as project:
        suggest_terms(project, [project.documents()[1].id], ["OJJDP"], "agency", "agencies.txt")
    window = open_window(qtbot, settings, project_file)
    tab_to_relation(qtbot, window, later)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Return)
    assert rows(project_file, f"select suggested from relations where id = {later}") == [(0,)]
    assert window.selection.annotation == AnnotationRef("relation", earlier), window.statusBar().currentMessage()
