"""Adjudicating two analysts' relations in the real window: walked after their spans, each decision undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import open_window, rows, when_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotations.records import Label
from annotations.store import Project
from app.dialogs.adjudicate_dialog import PairDialog
from app.settings import Settings

# Word positions on the sample's first page: both analysts tag the same three spans.
SPANS = [("agency", 0, 0), ("agency", 2, 3), ("program", 5, 5)]


@pytest.fixture
def linked_file(project_file: Path) -> Path:
    """Ann and Bob tag alike and both say word 0 oversees words 2-3; Ann says word 0 runs word 5, Bob
    that it funds it (another label); only Bob links words 2-3 to word 5."""
    with Project(project_file) as project:
        for name in ("oversees", "runs", "funds", "names"):
            project.add_label(Label(name, "#336699", kind="relation"))
        doc = project.documents()[0].id
        words = project.words(project.pages(doc)[0].id)
        for who in ("ann", "bob"):
            ids = [project.add_span(doc, label, words[first].id, words[last].id, annotator=who).id
                   for label, first, last in SPANS]
            project.add_relation("oversees", ("span", ids[0]), ("span", ids[1]), annotator=who)
            project.add_relation("runs" if who == "ann" else "funds", ("span", ids[0]), ("span", ids[2]), annotator=who)
            if who == "bob":
                project.add_relation("names", ("span", ids[1]), ("span", ids[2]), annotator=who)
    return project_file


def adjudicated_links(path: Path) -> list[tuple[str, str]]:
    """(relation label, decision-free) of each adjudicated relation, checked to link adjudicated spans."""
    found = rows(path, "select r.label, f.source, t.source, r.annotator from relations r "
                       "join spans f on f.id = r.from_id join spans t on t.id = r.to_id where r.source = 'adjudicated'")
    assert all(row[1:] == ("adjudicated", "adjudicated", "tester") for row in found), found
    return sorted((row[0], row[3]) for row in found)


def test_relation_disagreements_are_walked_after_the_spans_by_keyboard(
    qtbot: QtBot, settings: Settings, linked_file: Path
) -> None:
    window = open_window(qtbot, settings, linked_file)
    when_modal(qtbot, PairDialog, lambda dialog: dialog.accept())  # ann as A, bob as B
    window.actions.adjudicate.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    bar = window.adjudication_bar
    assert bar is not None and bar.isVisible()
    # The spans and the link both made are adjudicated at once; two links are left.
    assert adjudicated_links(linked_file) == [("oversees", "tester")]
    title, a, b = bar.texts()
    assert title == "Adjudicating ann and bob: disagreement 1 of 2, the same link under another label"
    assert a.startswith("A · ann: runs: agency “") and " → program “" in a
    assert b.startswith("B · bob: funds: agency “")

    press = lambda key: qtbot.keyClick(window.page_view, key)  # noqa: E731
    press(Qt.Key.Key_2)  # bob's label
    assert adjudicated_links(linked_file) == [("funds", "tester"), ("oversees", "tester")]
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 1, only bob linked these"
    assert bar.texts()[1] == "A · ann: nothing"
    press(Qt.Key.Key_N)
    assert bar.texts()[0] == "Adjudicating ann and bob: nothing left to settle in this document"
    assert rows(linked_file, "select decision from relation_adjudications order by id") == [
        ("agreed",), ("b",), ("neither",)]

    # Undo brings the last one back; undo again takes bob's label out of the adjudicated layer.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 1, only bob linked these"
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 2, the same link under another label"
    assert rows(linked_file, "select decision from relation_adjudications order by id") == [("agreed",)]
    assert adjudicated_links(linked_file) == [("oversees", "tester")]
    press(Qt.Key.Key_B)  # both this time
    assert adjudicated_links(linked_file) == [("funds", "tester"), ("oversees", "tester"), ("runs", "tester")]


def test_keeping_a_link_whose_end_was_settled_away_says_which_end_and_what_to_press(
    qtbot: QtBot, settings: Settings, project_file: Path
) -> None:
    with Project(project_file) as project:
        project.add_label(Label("runs", "#336699", kind="relation"))
        doc = project.documents()[0].id
        words = project.words(project.pages(doc)[0].id)
        ann = [project.add_span(doc, label, words[first].id, words[last].id, annotator="ann").id
               for label, first, last in (("agency", 0, 0), ("program", 5, 5))]
        project.add_span(doc, "agency", words[0].id, words[0].id, annotator="bob")
        project.add_span(doc, "program", words[4].id, words[5].id, annotator="bob")  # other boundaries
        project.add_relation("runs", ("span", ann[0]), ("span", ann[1]), annotator="ann")
        program = words[5].text
    window = open_window(qtbot, settings, project_file)
    when_modal(qtbot, PairDialog, lambda dialog: dialog.accept())
    window.actions.adjudicate.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    bar = window.adjudication_bar
    assert bar is not None
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 2, other boundaries"
    qtbot.keyClick(window.page_view, Qt.Key.Key_N)  # neither program span: ann's link loses its end
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 1, only ann linked these"
    steps = window.undo_stack().count()
    qtbot.keyClick(window.page_view, Qt.Key.Key_1)
    said = window.last_message()
    assert said.startswith(f"Cannot keep ann's link: its end program “{program}” was settled without a copy"), said
    assert "Press N to keep neither link" in said and "span " not in said.replace("program “", "")
    assert window.undo_stack().count() == steps  # nothing to undo: nothing was done
    assert rows(project_file, "select count(*) from relations where source = 'adjudicated'") == [(0,)]
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 1, only ann linked these"
