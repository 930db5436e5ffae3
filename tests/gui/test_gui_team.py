"""Working as a team in the real window: the analyst's name (asked once, recorded on every edit), the
annotations table by analyst, and adjudicating two analysts by keyboard.

Every check of what was stored reads the project file through a fresh connection, as another
program would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from gui_helpers import drag, open_window, rows, stored_span_texts, when_modal
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from annotations.importing.files import ImportOptions, import_into
from annotations.store import Project
from app.dialogs.adjudicate_dialog import PairDialog
from app.dialogs.analyst_dialog import AnalystDialog
from app.dialogs.export import ExportDialog
from app.editing.selection import AnnotationRef
from app.main_window import MainWindow
from app.project.session import default_annotator
from app.settings import Settings


def answer(qtbot: QtBot, name: str) -> list[str]:
    """Type `name` into the next analyst dialog and press Enter; returns what it offered first."""
    offered: list[str] = []

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, AnalystDialog)
        offered.append(dialog.name.text())
        qtbot.keyClicks(dialog.name, name)  # the offered name is selected: typing replaces it
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)

    when_modal(qtbot, AnalystDialog, act)
    return offered


def tag(qtbot: QtBot, window: MainWindow, phrase: str) -> None:
    assert window.select_text(phrase)
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)


def test_the_name_is_asked_once_remembered_and_stored_on_new_spans_and_regions(
    qtbot: QtBot, settings: Settings, project_file: Path
) -> None:
    settings.q.remove("analyst")  # a first run: nobody has chosen a name yet
    offered = answer(qtbot, "ann")
    window = open_window(qtbot, settings, project_file)
    qtbot.waitUntil(lambda: settings.analyst() == "ann")
    assert offered == [default_annotator()]  # the OS user is offered
    tag(qtbot, window, "Department of Justice")
    window.actions.region_tool.trigger()
    drag(qtbot, window, QRect(200, 300, 120, 60))
    assert rows(project_file, "select annotator from spans") == [("ann",)]
    assert rows(project_file, "select annotator from regions") == [("ann",)]
    window.close()

    # Remembered: the next window does not ask, and records the same name.
    again = open_window(qtbot, settings, project_file)
    assert not isinstance(QApplication.activeModalWidget(), AnalystDialog)
    assert again.session is not None and again.session.annotator == "ann"


def test_edit_analyst_name_changes_who_the_next_edits_are_recorded_as(
    qtbot: QtBot, window: MainWindow, settings: Settings, project_file: Path
) -> None:
    tag(qtbot, window, "Department of Justice")
    offered = answer(qtbot, "bob")
    window.actions.analyst.trigger()
    assert offered == ["tester"]
    assert settings.analyst() == "bob"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # back to the window: its keys work
    tag(qtbot, window, "UNITED STATES MISSION")
    assert sorted(rows(project_file, "select annotator from spans")) == [("bob",), ("tester",)]


def test_a_layer_name_cannot_be_an_analysts_name(qtbot: QtBot, window: MainWindow, settings: Settings) -> None:
    dialog = AnalystDialog("tester", window)
    qtbot.addWidget(dialog)
    dialog.name.setText("adjudicated")
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled() and "layer" in dialog.problem.text()
    dialog.name.setText("carol")
    assert ok.isEnabled()


def test_the_annotations_table_shows_and_filters_by_analyst(
    qtbot: QtBot, window: MainWindow, settings: Settings, project_file: Path
) -> None:
    tag(qtbot, window, "Department of Justice")
    answer(qtbot, "bob")
    window.actions.analyst.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    tag(qtbot, window, "UNITED STATES MISSION")
    panel = window.panel
    assert [panel.analysts.itemText(i) for i in range(panel.analysts.count())] == ["All analysts", "bob", "tester"]
    column = panel.model.headerData(5, Qt.Orientation.Horizontal)
    assert column == "Analyst"
    shown = {r[1]: panel.proxy.index(i, 5).data() for i, r in enumerate(window.annotation_rows())}
    assert shown == {"UNITED STATES MISSION": "bob", "Department of Justice": "tester"}
    ids = {text: span_id for span_id, (_, text) in stored_span_texts(project_file).items()}
    panel.filter_annotator("bob")
    assert [r[1] for r in window.annotation_rows()] == ["UNITED STATES MISSION"]
    # The scan and the text show what the table shows: bob's highlight, not tester's.
    assert window.highlight_items(ids["UNITED STATES MISSION"]) and not window.highlight_items(ids["Department of Justice"])
    assert set(window.text_view.highlighted()) == {ids["UNITED STATES MISSION"]}
    panel.filter_annotator(None)
    assert len(window.annotation_rows()) == 2
    assert window.highlight_items(ids["Department of Justice"])
    assert set(window.text_view.highlighted()) == set(ids.values())


LABELS = ("agency", "program")
ANN = [(0, 0, 0), (0, 2, 3), (1, 5, 5), (0, 8, 9)]
# Bob agrees on words 0 and 2-3; gives word 5 another label, shifts 8-9 to 9-10, and adds word 11 alone.
BOB = [(0, 0, 0), (0, 2, 3), (0, 5, 5), (0, 9, 10), (0, 11, 11)]


@pytest.fixture
def team_file(project_file: Path) -> Path:
    """The sample with two analysts' spans on its first words: 2 stretches alike, 3 disagreements."""
    with Project(project_file) as project:
        doc = project.documents()[0].id
        words = project.words(project.pages(doc)[0].id)
        for who, spans in (("ann", ANN), ("bob", BOB)):
            for label, first, last in spans:
                project.add_span(doc, LABELS[label], words[first].id, words[last].id, annotator=who)
    return project_file


def adjudicated(path: Path) -> list[tuple[str, int, int, str]]:
    return sorted(rows(path, "select s.label, w1.idx, w2.idx, s.annotator from spans s join words w1 on "
                             "w1.id = s.first_word_id join words w2 on w2.id = s.last_word_id "
                             "where s.source = 'adjudicated'"))


def test_adjudication_by_keyboard_each_decision_undoable(
    qtbot: QtBot, settings: Settings, team_file: Path
) -> None:
    window = open_window(qtbot, settings, team_file)
    when_modal(qtbot, PairDialog, lambda dialog: dialog.accept())  # offered: ann as A, bob as B
    window.actions.adjudicate.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # back to the window: its keys work
    bar = window.adjudication_bar
    assert bar is not None and bar.isVisible()
    # What both marked alike is adjudicated at once.
    assert adjudicated(team_file) == [("agency", 0, 0, "tester"), ("agency", 2, 3, "tester")]
    title, a, b = bar.texts()
    assert title == "Adjudicating ann and bob: disagreement 1 of 3, another label"
    assert a.startswith("A · ann: program “") and b.startswith("B · bob: agency “")
    by_hand = rows(team_file, "select count(*) from spans where source = ''")

    press = lambda key: qtbot.keyClick(window.page_view, key)  # noqa: E731
    press(Qt.Key.Key_1)  # keep ann's: 1 is not a label key while adjudicating
    assert ("program", 5, 5, "tester") in adjudicated(team_file)
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 2, other boundaries"
    press(Qt.Key.Key_Tab)
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 2 of 2, only bob marked this"
    press(Qt.Key.Key_2)  # keep bob's
    assert ("agency", 11, 11, "tester") in adjudicated(team_file)
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 1, other boundaries"
    press(Qt.Key.Key_B)  # both versions
    assert {("agency", 8, 9, "tester"), ("agency", 9, 10, "tester")} <= set(adjudicated(team_file))
    assert bar.texts()[0] == "Adjudicating ann and bob: nothing left to settle in this document"
    assert rows(team_file, "select count(*) from spans where source = ''") == by_hand  # nothing tagged
    assert rows(team_file, "select decision from adjudications order by id") == [
        ("agreed",), ("agreed",), ("a",), ("b",), ("both",)]

    # Undo takes the last decision back and shows it again; redo decides it again.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 1, other boundaries"
    assert ("agency", 9, 10, "tester") not in adjudicated(team_file)
    assert window.statusBar().currentMessage().startswith("Undid “Keep both versions”")
    press(Qt.Key.Key_N)  # neither, this time
    assert rows(team_file, "select decision from adjudications order by id")[-1] == ("neither",)
    assert ("agency", 9, 10, "tester") not in adjudicated(team_file)
    press(Qt.Key.Key_Escape)
    assert not bar.isVisible()
    # The window's own keys are back: 1 tags the selection again.
    assert window.select_text("Department of Justice")
    qtbot.keyClick(window.text_view, Qt.Key.Key_1)
    assert rows(team_file, "select count(*) from spans where source = ''")[0][0] == by_hand[0][0] + 1


def test_going_to_another_document_stops_adjudicating(
    qtbot: QtBot, settings: Settings, team_file: Path, tmp_path: Path
) -> None:
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "A second letter.", fontname="tiro", fontsize=12)
    pdf.save(tmp_path / "second.pdf")
    with Project(team_file) as project:
        (outcome,) = import_into(project, [tmp_path / "second.pdf"], ImportOptions())
        assert outcome.status == "imported", outcome.message
    window = open_window(qtbot, settings, team_file)
    when_modal(qtbot, PairDialog, lambda dialog: dialog.accept())
    window.actions.adjudicate.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    bar = window.adjudication_bar
    assert bar is not None and bar.isVisible()
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() == (2, 1)
    assert not bar.isVisible()
    assert window.statusBar().currentMessage() == "Adjudication stopped: another document is shown"


ANN_SIGNATURE = (100.0, 200.0, 300.0, 260.0)
BOB_SIGNATURE = (80.0, 180.0, 340.0, 300.0)  # a generous box around ann's tight one: the same signature


@pytest.fixture
def signatures_file(project_file: Path) -> Path:
    """The sample with ann's and bob's boxes around one signature on its second page, and nothing else."""
    with Project(project_file) as project:
        page = project.pages(project.documents()[0].id)[1]
        project.add_region(page.id, "signature", ANN_SIGNATURE, annotator="ann")
        project.add_region(page.id, "signature", BOB_SIGNATURE, annotator="bob")
    return project_file


def export_coco(qtbot: QtBot, window: MainWindow, out: Path) -> tuple[list[list[float]], str, QMessageBox.Icon]:
    """Export COCO through File ▸ Export; the signature boxes written, and what the window's message said (its icon)."""

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ExportDialog)
        dialog.format.setCurrentIndex(dialog.format.findData("coco"))
        dialog.output.setText(str(out))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_modal(qtbot, ExportDialog, fill)
    with qtbot.waitSignal(window.exportFinished, timeout=60_000) as done:
        qtbot.keyClick(window.page_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert not isinstance(done.args[0], str), done.args[0]
    (box,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    said, icon = box.informativeText(), box.icon()
    box.accept()
    window.activateWindow()  # back from the message: the window's keys work again
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    coco = json.loads(out.read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    return [a["bbox"] for a in coco["annotations"] if names[a["category_id"]] == "signature"], said, icon


def adjudicated_regions(path: Path) -> list[tuple[str, float, float, float, float, str]]:
    return rows(path, "select label, x0, y0, x1, y1, annotator from regions where source = 'adjudicated'")


def test_adjudication_walks_two_analysts_boxes_and_the_export_then_has_one_signature(
    qtbot: QtBot, settings: Settings, signatures_file: Path, tmp_path: Path
) -> None:
    window = open_window(qtbot, settings, signatures_file)
    # Before adjudicating, the export holds both boxes and the window says so.
    boxes, said, icon = export_coco(qtbot, window, tmp_path / "before.json")
    assert len(boxes) == 2 and icon == QMessageBox.Icon.Warning
    assert ('warning: 1 region of "signature" overlaps another analyst\'s region on the same page '
            "(documents: geneva-letter-2015.pdf); adjudicate them to keep one") in said.splitlines()

    when_modal(qtbot, PairDialog, lambda dialog: dialog.accept())  # offered: ann as A, bob as B
    window.actions.adjudicate.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    bar = window.adjudication_bar
    assert bar is not None and bar.isVisible()
    assert bar.texts() == ("Adjudicating ann and bob: disagreement 1 of 1, other boxes on page 2",
                           "A · ann: signature box 200 × 60 px at (100, 200)",
                           "B · bob: signature box 260 × 120 px at (80, 180)")
    # The scan goes to the boxes' page with ann's box selected and in sight.
    doc_id = window.navigation.doc_id
    assert window.current_page() == (doc_id, 2)
    (ann_id,) = rows(signatures_file, "select id from regions where annotator = 'ann'")[0]
    assert window.selection.annotation == AnnotationRef("region", ann_id)
    assert window.viewport_rect(ANN_SIGNATURE).intersects(window.page_view.viewport().rect())

    press = lambda key: qtbot.keyClick(window.page_view, key)  # noqa: E731
    press(Qt.Key.Key_1)  # keep ann's box
    assert adjudicated_regions(signatures_file) == [("signature", *ANN_SIGNATURE, "tester")]
    assert rows(signatures_file, "select decision from region_adjudications") == [("a",)]
    assert bar.texts()[0] == "Adjudicating ann and bob: nothing left to settle in this document"

    # Undo brings both boxes back into question; redo keeps ann's again.
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert adjudicated_regions(signatures_file) == []
    assert rows(signatures_file, "select count(*) from region_adjudications") == [(0,)]
    assert bar.texts()[0] == "Adjudicating ann and bob: disagreement 1 of 1, other boxes on page 2"
    assert window.statusBar().currentMessage().startswith("Undid “Keep ann's version”")
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert adjudicated_regions(signatures_file) == [("signature", *ANN_SIGNATURE, "tester")]
    assert rows(signatures_file, "select count(*) from regions where source = ''") == [(2,)]  # both drawings kept
    press(Qt.Key.Key_Escape)

    boxes, said, icon = export_coco(qtbot, window, tmp_path / "after.json")
    assert boxes == [[100, 200, 200, 60]]
    assert "warning" not in said and icon == QMessageBox.Icon.Information
    assert "not exported: 2 regions outside the adjudicated layer" in said  # the analysts' own boxes


def region_ids(path: Path) -> dict[str, int]:
    return {who: region_id for region_id, who in rows(path, "select id, annotator from regions")}


def test_filtering_by_analyst_drops_the_selection_it_hides_so_delete_removes_nothing_out_of_sight(
    qtbot: QtBot, settings: Settings, signatures_file: Path
) -> None:
    window = open_window(qtbot, settings, signatures_file)
    ids = region_ids(signatures_file)
    window.navigation.go_to_annotation(AnnotationRef("region", ids["ann"]))  # as a click on its row
    assert window.selection.annotation == AnnotationRef("region", ids["ann"])
    window.panel.filter_annotator("bob")  # ann's box leaves the scan and the table
    assert ids["ann"] not in window.region_items()
    assert window.selection.annotation is None
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
    assert sorted(rows(signatures_file, "select annotator from regions")) == [("ann",), ("bob",)]
    qtbot.keyClick(window.page_view, Qt.Key.Key_2)  # a label key relabels nothing either
    assert rows(signatures_file, "select distinct label from regions") == [("signature",)]


def test_a_region_brought_back_by_undo_is_drawn_only_when_the_analyst_filter_shows_it(
    qtbot: QtBot, settings: Settings, signatures_file: Path
) -> None:
    window = open_window(qtbot, settings, signatures_file)
    ids = region_ids(signatures_file)
    window.navigation.go_to_annotation(AnnotationRef("region", ids["ann"]))
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
    assert rows(signatures_file, "select annotator from regions") == [("bob",)]
    window.panel.filter_annotator("bob")
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sorted(rows(signatures_file, "select annotator from regions")) == [("ann",), ("bob",)]
    # Either the scan keeps to bob's boxes, or it shows everyone's again, table and scan alike:
    # never a box the table hides.
    shown = set(window.region_items())
    listed = {ref.id for ref in window.panel.visible_refs() if ref.kind == "region"}
    assert shown == listed
    selected = window.selection.annotation
    assert selected is None or selected.id in shown


def test_while_adjudicating_the_status_bar_does_not_offer_a_label_key_to_relabel(
    qtbot: QtBot, settings: Settings, team_file: Path
) -> None:
    window = open_window(qtbot, settings, team_file)
    when_modal(qtbot, PairDialog, lambda dialog: dialog.accept())
    window.actions.adjudicate.trigger()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    said = window.selection_status.text()
    assert said.startswith("Selected program span “") and "1, 2, B or N decides in the adjudication bar" in said
    assert "a label key relabels" not in said
    qtbot.keyClick(window.page_view, Qt.Key.Key_Escape)  # the walk stops: the keys are labels again
    window.navigation.go_to_annotation(window.selection.annotation or AnnotationRef("span", 1))
    assert "a label key relabels" in window.selection_status.text()
