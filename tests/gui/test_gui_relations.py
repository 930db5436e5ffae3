"""Relations in the window: K, a click or Tab to the other end and a relation label's key link two
annotations; the arrow on the scan, the row in the table, undo and redo, deleting an end, and other
processes' relations, checked against the project file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_helpers import click, open_window, rows, when_modal
from helpers import run_scanspan
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from annotations.records import Label
from annotations.store import Project
from app.dialogs.label_dialog import LabelDialog
from app.editing.selection import AnnotationRef
from app.main_window import MainWindow
from app.settings import Settings

RELATIONS_SQL = "select label, from_kind, from_id, to_kind, to_id from relations order by id"


@pytest.fixture
def linked_file(tagged_file: Path, tmp_path: Path) -> Path:
    """The tagged sample with one relation label, "counts" on key 5."""
    path = tmp_path / "relations.scanspan"
    shutil.copy(tagged_file, path)
    with Project(path) as project:
        project.add_label(Label("counts", "#2ca02c", "5", kind="relation"))
    return path


@pytest.fixture
def linked_window(qtbot: QtBot, settings: Settings, linked_file: Path) -> Iterator[MainWindow]:
    yield open_window(qtbot, settings, linked_file)


def page_spans(window: MainWindow) -> list[int]:
    """The ids of the spans on the page shown, in reading order, that overlap no other span."""
    assert window.session is not None and window.page_view.page is not None
    parts = window.session.spans_on_page(window.page_view.page)
    return [p.span.id for p in parts
            if not any(o is not p and o.start < p.end and p.start < o.end for o in parts)]


def span_point(window: MainWindow, span_id: int) -> QPoint:
    """A viewport point on the span's first line (scrolled into view)."""
    (item,) = window.highlight_items(span_id)
    first = item.path().toSubpathPolygons()[0].boundingRect()
    window.page_view.ensureVisible(first, 40, 40)
    return window.page_view.mapFromScene(first.center())


def click_span(qtbot: QtBot, window: MainWindow, span_id: int) -> None:
    click(qtbot, window, span_point(window, span_id))
    assert window.selection.annotation == AnnotationRef("span", span_id)


def key(qtbot: QtBot, window: MainWindow, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.page_view, k, modifier)


def link_first_two(qtbot: QtBot, window: MainWindow) -> tuple[int, int]:
    """K on the page's first span, a click on its second, then 5: returns their ids."""
    a, b = page_spans(window)[:2]
    click_span(qtbot, window, a)
    key(qtbot, window, Qt.Key.Key_K)
    assert window.status_line.currentMessage().startswith("Link from ")
    click_span(qtbot, window, b)
    assert window.status_line.currentMessage().startswith("Link ")
    key(qtbot, window, Qt.Key.Key_5)
    return a, b


def arrow_tips(window: MainWindow) -> list[str]:
    return [arrow.toolTip() for arrow in window.arrow_items().values()]


def relation_rows(window: MainWindow) -> list[tuple[str, str]]:
    return [(label, text) for label, text, _page, _note in window.annotation_rows() if label == "counts"]


def test_k_a_click_and_a_relation_key_link_two_spans_drawn_listed_undone_and_redone(
        qtbot: QtBot, linked_window: MainWindow, linked_file: Path) -> None:
    window = linked_window
    a, b = link_first_two(qtbot, window)
    assert rows(linked_file, RELATIONS_SQL) == [("counts", "span", a, "span", b)]
    assert window.status_line.currentMessage().startswith("Linked ")
    session = window.session
    assert session is not None
    text_a, text_b = (session.span_text(session.find_span(i)) for i in (a, b))  # type: ignore[arg-type]
    (tip,) = arrow_tips(window)
    assert tip.startswith("counts: ") and text_a[:20] in tip and text_b[:20] in tip
    ((label, text),) = relation_rows(window)
    assert text.index(text_a[:20]) < text.index("→") < text.index(text_b[:20])

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(linked_file, RELATIONS_SQL) == []
    qtbot.waitUntil(lambda: not arrow_tips(window) and not relation_rows(window))

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert rows(linked_file, RELATIONS_SQL) == [("counts", "span", a, "span", b)]
    qtbot.waitUntil(lambda: len(arrow_tips(window)) == 1 and len(relation_rows(window)) == 1)


def test_tab_picks_the_other_end_and_esc_cancels(qtbot: QtBot, linked_window: MainWindow, linked_file: Path) -> None:
    window = linked_window
    a = page_spans(window)[1]  # not the page's first: Tab goes on from it, not from the top
    click_span(qtbot, window, a)
    key(qtbot, window, Qt.Key.Key_K)
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.status_line.currentMessage() == "Linking cancelled"
    key(qtbot, window, Qt.Key.Key_5)  # no longer linking: a relation key tags nothing and links nothing
    assert rows(linked_file, RELATIONS_SQL) == []
    assert "links two annotations" in window.status_line.currentMessage()

    assert window.session is not None and window.page_view.page is not None
    order = [p.span.id for p in window.session.spans_on_page(window.page_view.page)]
    after = order[order.index(a) + 1]
    key(qtbot, window, Qt.Key.Key_K)
    key(qtbot, window, Qt.Key.Key_Tab)  # the annotation after the first end, in reading order
    assert window.selection.annotation == AnnotationRef("span", after)
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # back to it
    key(qtbot, window, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # skips the first end, round to the last
    assert window.selection.annotation not in (AnnotationRef("span", a), AnnotationRef("span", after))
    key(qtbot, window, Qt.Key.Key_Tab)
    assert window.selection.annotation == AnnotationRef("span", after)
    key(qtbot, window, Qt.Key.Key_5)
    assert rows(linked_file, RELATIONS_SQL) == [("counts", "span", a, "span", after)]


def test_deleting_an_end_deletes_its_relation_and_undo_brings_both_back(
        qtbot: QtBot, linked_window: MainWindow, linked_file: Path) -> None:
    window = linked_window
    a, b = link_first_two(qtbot, window)
    click_span(qtbot, window, b)
    key(qtbot, window, Qt.Key.Key_Delete)
    assert rows(linked_file, f"select id from spans where id = {b}") == []
    assert rows(linked_file, RELATIONS_SQL) == []
    assert window.statusBar().currentMessage().endswith(", and its 1 link")  # it went too, and the analyst is told
    qtbot.waitUntil(lambda: not arrow_tips(window) and not relation_rows(window))

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step: the span and its relation
    assert rows(linked_file, RELATIONS_SQL) == [("counts", "span", a, "span", b)]
    qtbot.waitUntil(lambda: len(arrow_tips(window)) == 1 and len(relation_rows(window)) == 1)


def test_a_relation_row_selected_takes_a_note_and_delete_removes_it_undoably(
        qtbot: QtBot, linked_window: MainWindow, linked_file: Path) -> None:
    window = linked_window
    link_first_two(qtbot, window)
    (relation_id,) = (r[0] for r in rows(linked_file, "select id from relations"))
    panel = window.panel
    row = panel.model.row_of(AnnotationRef("relation", relation_id))
    assert row is not None
    index = panel.proxy.mapFromSource(panel.model.index(row, 1))
    panel.table.scrollTo(index)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=panel.table.visualRect(index).center())
    assert window.selection.annotation == AnnotationRef("relation", relation_id)
    qtbot.keyClick(panel.table, Qt.Key.Key_N)  # its note, edited in its row
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "the 2014 figure")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: rows(linked_file, "select note from relations") == [("the 2014 figure",)])
    qtbot.waitUntil(lambda: arrow_tips(window)[0].endswith("the 2014 figure"))
    panel.table.setFocus()
    assert window.selection.annotation == AnnotationRef("relation", relation_id)
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert rows(linked_file, RELATIONS_SQL) == []
    qtbot.waitUntil(lambda: not arrow_tips(window) and not relation_rows(window))
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(linked_file, "select id, note from relations") == [(relation_id, "the 2014 figure")]
    qtbot.waitUntil(lambda: len(arrow_tips(window)) == 1 and len(relation_rows(window)) == 1)


def test_another_process_s_relation_appears_and_goes(qtbot: QtBot, linked_window: MainWindow, linked_file: Path) -> None:
    window = linked_window
    a, b = page_spans(window)[:2]
    with Project(linked_file) as other:
        relation = other.add_relation("counts", ("span", a), ("span", b), note="from the CLI", annotator="cli")
    qtbot.waitUntil(lambda: len(arrow_tips(window)) == 1 and len(relation_rows(window)) == 1, timeout=5_000)
    assert arrow_tips(window)[0].endswith("from the CLI")
    with Project(linked_file) as other:
        other.delete_relation(relation.id)
    qtbot.waitUntil(lambda: not arrow_tips(window) and not relation_rows(window), timeout=5_000)


def test_the_label_dialog_adds_a_relation_label_whose_key_then_links(
        qtbot: QtBot, tagged_window: MainWindow, tagged_file: Path) -> None:
    window = tagged_window

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelDialog)
        try:
            qtbot.keyClicks(dialog.name, "counts")
            dialog.shortcut.setCurrentIndex(dialog.shortcut.findData("7"))
            dialog.kind.setCurrentIndex(dialog.kind.findData("relation"))
        finally:  # closed whatever happens, or exec() would wait for ever
            dialog.accept()

    when_modal(qtbot, LabelDialog, fill)
    window.label_keys.add_dialog()
    assert rows(tagged_file, "select kind, shortcut from labels where name = 'counts'") == [("relation", "7")]
    qtbot.waitUntil(lambda: any("counts" in name and "links" in name for name in window.palette.names()))
    window.activateWindow()  # the dialog had the keys
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    a, b = page_spans(window)[:2]
    click_span(qtbot, window, a)
    key(qtbot, window, Qt.Key.Key_K)
    click_span(qtbot, window, b)
    key(qtbot, window, Qt.Key.Key_7)
    assert rows(tagged_file, RELATIONS_SQL) == [("counts", "span", a, "span", b)]


def test_a_span_links_to_a_region_by_a_click_on_the_region_and_the_region_s_delete_is_undone_with_it(
        qtbot: QtBot, linked_window: MainWindow, linked_file: Path) -> None:
    window = linked_window
    key(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_page() is not None and window.current_page()[1] == 2)  # type: ignore[index]
    qtbot.waitUntil(window.is_settled)
    (region_id, region), = window.region_items().items()
    span = page_spans(window)[-1]
    click_span(qtbot, window, span)
    key(qtbot, window, Qt.Key.Key_K)
    box = region.sceneBoundingRect()
    window.page_view.ensureVisible(box, 20, 20)
    inside = window.page_view.mapFromScene(box.center())
    click(qtbot, window, inside)
    assert window.selection.annotation == AnnotationRef("region", region_id)
    key(qtbot, window, Qt.Key.Key_5)
    assert rows(linked_file, RELATIONS_SQL) == [("counts", "span", span, "region", region_id)]
    assert len(arrow_tips(window)) == 1

    key(qtbot, window, Qt.Key.Key_Delete)  # the region is selected still
    assert rows(linked_file, RELATIONS_SQL) == []
    assert rows(linked_file, f"select id from regions where id = {region_id}") == []
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(linked_file, RELATIONS_SQL) == [("counts", "span", span, "region", region_id)]
    qtbot.waitUntil(lambda: len(arrow_tips(window)) == 1 and len(relation_rows(window)) == 1)


def test_a_relation_made_in_the_window_is_in_the_jsonl_export(
        qtbot: QtBot, linked_window: MainWindow, linked_file: Path, tmp_path: Path) -> None:
    a, b = link_first_two(qtbot, linked_window)
    out = tmp_path / "letters.jsonl"
    run = run_scanspan(["export", "-p", linked_file, "-f", "jsonl", "-o", out], tmp_path)
    assert run.code == 0, run.err
    (document,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    (relation,) = document["relations"]
    assert (relation["label"], relation["from"], relation["to"], relation["annotator"]) == (
        "counts", {"kind": "span", "id": a}, {"kind": "span", "id": b}, "tester")
    assert {a, b} <= {span["id"] for span in document["spans"]}


def test_a_relation_label_without_a_key_is_named_with_its_menu_and_links_from_it(
        qtbot: QtBot, settings: Settings, tagged_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "keyless.scanspan"
    shutil.copy(tagged_file, path)
    assert run_scanspan(["labels", "-p", path, "--add", "counts", "--kind", "relation"], tmp_path).code == 0
    window = open_window(qtbot, settings, path)
    a, b = page_spans(window)[:2]
    click_span(qtbot, window, a)
    key(qtbot, window, Qt.Key.Key_K)
    click_span(qtbot, window, b)
    # No key to press: the message says where the label is instead.
    assert "Edit ▸ Label selection ▸ Link as" in window.status_line.currentMessage()
    menu = window.label_keys.link_menu
    assert menu is not None
    (action,) = [x for x in menu.actions() if x.text() == "counts"]
    action.trigger()
    assert rows(path, RELATIONS_SQL) == [("counts", "span", a, "span", b)]


def double_click(qtbot: QtBot, widget: QWidget, point: QPoint) -> None:
    """A double-click as the mouse makes it: a click, then the second press that makes it double."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=point)


def test_a_stub_from_an_annotation_at_the_page_s_foot_turns_sideways_and_shows(
        qtbot: QtBot, settings: Settings, linked_file: Path) -> None:
    with Project(linked_file) as project:
        doc = project.documents()[0].id
        (signature,) = [g for g in project.regions(doc) if g.label == "signature"]
        first = project.pages(doc)[0]
        foot = project.add_region(first.id, "figure", (100.0, first.height - 60.0, 300.0, first.height - 5.0),
                                  annotator="cli")
        relation = project.add_relation("counts", ("region", foot.id), ("region", signature.id), annotator="cli").id
    window = open_window(qtbot, settings, linked_file)
    qtbot.waitUntil(lambda: relation in window.arrow_items())
    stub, box = window.arrow_items()[relation].sceneBoundingRect(), window.region_items()[foot.id].sceneBoundingRect()
    # No room below the box for a stub toward page 2: it leaves the box's side, toward the wider margin.
    assert stub.right() > box.right() + 100
    assert box.top() < stub.center().y() < box.bottom()


def test_a_relation_across_pages_is_a_stub_on_each_end_s_page_and_its_row_s_double_click_goes_to_the_other(
        qtbot: QtBot, settings: Settings, linked_file: Path) -> None:
    with Project(linked_file) as project:
        doc = project.documents()[0].id
        (signature,) = [g for g in project.regions(doc) if g.label == "signature"]
        page_one = project.pages(doc)[0].id
        span = next(s for s in project.spans(doc) if project.word(s.first_word_id).page_id == page_one)
        assert project.region(signature.id).page_id != page_one
        relation = project.add_relation("counts", ("span", span.id), ("region", signature.id), annotator="cli").id
    window = open_window(qtbot, settings, linked_file)
    assert window.current_page() is not None and window.current_page()[1] == 1  # type: ignore[index]
    qtbot.waitUntil(lambda: relation in window.arrow_items())
    stub = window.arrow_items()[relation]
    assert stub.toolTip().startswith("counts: ")
    assert "Its other end is on page 2" in stub.toolTip()
    # Drawn from the span toward the page's foot, where page 2 follows.
    span_box = window.highlight_items(span.id)[0].sceneBoundingRect()
    assert stub.sceneBoundingRect().bottom() > span_box.bottom() + 100
    # The row: a double-click goes to the page of the other end, where the stub points back to page 1.
    window.docks["annotations"].show()
    panel = window.panel
    panel.ensure_loaded()
    index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(AnnotationRef("relation", relation)), 0))
    panel.table.scrollTo(index)
    where = panel.table.visualRect(index).center()
    double_click(qtbot, panel.table.viewport(), where)
    qtbot.waitUntil(lambda: window.current_page() == (doc, 2))
    assert window.selection.annotation == AnnotationRef("relation", relation)
    qtbot.waitUntil(lambda: relation in window.arrow_items())
    back = window.arrow_items()[relation]
    assert "Its other end is on page 1" in back.toolTip()
    region_box = window.region_items()[signature.id].sceneBoundingRect()
    assert back.sceneBoundingRect().top() < region_box.top() - 100
    index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(AnnotationRef("relation", relation)), 0))
    double_click(qtbot, panel.table.viewport(), panel.table.visualRect(index).center())
    qtbot.waitUntil(lambda: window.current_page() == (doc, 1))


def tags_cells(window: MainWindow) -> tuple[str, list[str]]:
    """The Documents list's Tags cell of the first document, and of its pages."""
    item = window.navigator.tree.topLevelItem(0)
    assert item is not None
    return item.text(2), [item.child(i).text(2) for i in range(item.childCount())]


def test_the_documents_list_counts_a_documents_relations_apart_from_its_tags(
        qtbot: QtBot, settings: Settings, linked_window: MainWindow, linked_file: Path) -> None:
    window = linked_window
    tags = rows(linked_file, "select count(*) from spans")[0][0] + rows(linked_file, "select count(*) from regions")[0][0]
    qtbot.waitUntil(lambda: tags_cells(window)[0] == str(tags))
    a, b = link_first_two(qtbot, window)
    qtbot.waitUntil(lambda: tags_cells(window)[0] == f"{tags}, 1 link")
    document, pages = tags_cells(window)
    assert pages[0].endswith(", 1 link") and not pages[1].endswith("link")
    assert "1 relation" in window.navigator.tree.topLevelItem(0).toolTip(2)  # type: ignore[union-attr]
    with Project(linked_file) as other:  # another program's relation is counted as it comes in
        other.add_relation("counts", ("span", b), ("span", a), annotator="cli")
    qtbot.waitUntil(lambda: tags_cells(window)[0] == f"{tags}, 2 links", timeout=5_000)
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tags_cells(window)[0] == f"{tags}, 1 link")
    # Opened again, the count comes from the project file.
    window.close()
    again = open_window(qtbot, settings, linked_file)
    assert tags_cells(again)[0] == f"{tags}, 1 link"


def three_pages(tmp_path: Path, from_end: tuple[str, str], to_end: tuple[str, str]) -> tuple[Path, int, int]:
    """A born-digital letter of three pages and a counts relation between two phrases of it:
    (its project, the document id, the relation id)."""
    from helpers import draw_pdf

    from annotations.importing.files import ImportOptions, import_into

    (tmp_path / "three.pdf").write_bytes(draw_pdf([["The Alpha program"], ["A middle page"], ["Gamma reports"]]).pdf)
    path = tmp_path / "three.scanspan"
    with Project(path) as project:
        (outcome,) = import_into(project, [tmp_path / "three.pdf"], ImportOptions())
        assert outcome.status == "imported", outcome.message
        doc = project.documents()[0].id
        text = project.document_text(doc).text
        project.add_label(Label("counts", "#123456", kind="relation"))
        # A phrase "first…last" runs from its first words to its last ones, over a page break too.
        ends = [project.add_span_chars(doc, label, text.index(phrase.split("…")[0]),
                                       text.index(phrase.split("…")[-1]) + len(phrase.split("…")[-1])).id
                for label, phrase in (from_end, to_end)]
        relation = project.add_relation("counts", ("span", ends[0]), ("span", ends[1]), annotator="cli").id
    return path, doc, relation


def test_a_relation_from_page_one_to_page_three_is_not_acted_on_from_page_two(
        qtbot: QtBot, settings: Settings, tmp_path: Path) -> None:
    # It is drawn on its ends' pages only (stubs): on the page between, nothing shows it, so no key
    # may reach it there.
    path, doc, relation = three_pages(tmp_path, ("figure", "Gamma reports"), ("program", "Alpha program"))
    window = open_window(qtbot, settings, path)
    window.navigation.go_to_annotation(AnnotationRef("relation", relation))
    assert window.selection.annotation == AnnotationRef("relation", relation)
    assert window.current_page() == (doc, 1)  # the page of its to end, with its stub
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_page() == (doc, 2))
    assert relation not in window.arrow_items()
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
    assert rows(path, "select id from relations") == [(relation,)]
    assert window.selection_status.text().startswith("Nothing selected")


def test_the_other_end_of_a_relation_whose_shown_end_runs_over_two_pages_is_its_other_end(
        qtbot: QtBot, settings: Settings, tmp_path: Path) -> None:
    # Its from end runs from page 1 onto page 2; from page 2 the other end is on page 3, not page 1.
    path, doc, relation = three_pages(tmp_path, ("program", "Alpha program…A middle"), ("figure", "Gamma reports"))
    window = open_window(qtbot, settings, path)
    window.navigation.show_page(doc, 2)
    window.navigation.go_to_other_end(AnnotationRef("relation", relation))
    assert window.current_page() == (doc, 3)
    window.navigation.go_to_other_end(AnnotationRef("relation", relation))
    assert window.current_page() == (doc, 1)


def test_a_click_on_nothing_while_linking_keeps_saying_that_linking_goes_on(
        qtbot: QtBot, linked_window: MainWindow, linked_file: Path) -> None:
    """A click beside every annotation leaves link mode on (the next click picks the other end), so
    the status bar must go on saying so rather than fall blank as if linking had stopped."""
    window = linked_window
    a, b = page_spans(window)[:2]
    window.page_view.ensureVisible(0, 0, 10, 10)
    blank = window.page_view.mapFromScene(4, 4)  # the page's top-left corner: no word, no highlight
    click_span(qtbot, window, a)
    key(qtbot, window, Qt.Key.Key_K)
    key(qtbot, window, Qt.Key.Key_Tab)  # an other end picked, then dropped by the click on nothing
    assert window.status_line.currentMessage().startswith("Link ")
    click(qtbot, window, blank)
    assert window.selection.annotation is None
    assert window.status_line.currentMessage().startswith("Link from ")
    key(qtbot, window, Qt.Key.Key_5)  # nothing picked yet: the key says so and links nothing
    assert rows(linked_file, RELATIONS_SQL) == []
    assert window.status_line.currentMessage().startswith("Pick the other end first")
    click_span(qtbot, window, b)
    key(qtbot, window, Qt.Key.Key_5)
    assert rows(linked_file, RELATIONS_SQL) == [("counts", "span", a, "span", b)]


def test_turning_the_page_while_linking_says_that_linking_stopped(qtbot: QtBot, linked_window: MainWindow) -> None:
    window = linked_window
    click_span(qtbot, window, page_spans(window)[0])
    key(qtbot, window, Qt.Key.Key_K)
    key(qtbot, window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_page() is not None and window.current_page()[1] == 2)  # type: ignore[index]
    assert window.scope is not None and not window.scope.linker.active
    assert window.status_line.currentMessage() == "Linking cancelled: its first end is not on this page"
