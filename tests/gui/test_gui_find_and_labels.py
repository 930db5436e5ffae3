"""Find in the document (Ctrl+F, F3), moving between documents, and label names on spans."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import open_window, stored_span_texts
from helpers import run_scanspan
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from app.main_window import MainWindow
from app.scene.page_items import RegionTag
from app.settings import Settings


def find(qtbot: QtBot, window: MainWindow, phrase: str) -> None:
    qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible() and window.find_bar.edit.hasFocus()
    qtbot.keyClicks(window.find_bar.edit, phrase)
    qtbot.waitUntil(lambda: window.find_bar.count.text() != "")


def test_ctrl_f_finds_across_pages_f3_walks_the_hits_and_a_key_tags_one(
    qtbot: QtBot, window: MainWindow, project_file: Path
) -> None:
    text = " ".join(window.session.page_text(p).text for p in window.session.pages(1)).lower()
    expected = text.count("icac")
    assert expected >= 2
    find(qtbot, window, "ICAC")
    assert window.find_bar.count.text() == f"{expected} hits"
    pages = [h.page for h in window.find_bar.hits]
    assert pages == sorted(pages)

    seen = []
    for _ in range(expected):
        qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_F3)
        seen.append(window.current_page())
        assert window.selected_text().lower().strip("()") == "icac"
        # The hits on this page are marked on both sides (once a page not read yet is drawn: a busy
        # machine may not have read it ahead).
        qtbot.waitUntil(lambda: bool(window.text_view.extraSelections()) and window.page_view._find_item is not None)
    assert window.find_bar.count.text() == f"{expected} of {expected}"
    assert sorted(set(seen)) == sorted({(1, p) for p in pages})
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert window.find_bar.count.text() == f"{expected - 1} of {expected}"

    # Search and tag: the hit is the selection.
    qtbot.keyClick(window.page_view, Qt.Key.Key_2)
    assert [label for label, _ in stored_span_texts(project_file).values()] == ["program"]


def test_find_folds_dashes_quotes_and_case_and_says_when_nothing_is_found(qtbot: QtBot, window: MainWindow) -> None:
    find(qtbot, window, "guerras-delgado")  # the OCR reads "Guerras—Delgado"
    hits = window.find_bar.hits
    assert hits and window.find_bar.count.text() == f"{len(hits)} hit{'s' if len(hits) > 1 else ''}"
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    assert "Delgado" in window.selected_text()
    window.find_bar.edit.clear()
    qtbot.keyClicks(window.find_bar.edit, "(\"unbalanced [")
    qtbot.waitUntil(lambda: window.find_bar.count.text() == "No hits")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.text_view.extraSelections() == []


def test_alt_page_down_goes_to_the_next_document(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path, sample_template: Path
) -> None:
    run = run_scanspan(["import", sample_template.parent / "letters.scanspan", "-p", project_file], tmp_path)
    from annotations.store import Project
    with Project(project_file) as project:
        names = [d.name for d in project.documents()]
    if len(names) < 2:
        import pymupdf
        doc = pymupdf.open()
        doc.new_page().insert_text((72, 72), "A second letter.", fontname="tiro", fontsize=12)
        doc.save(tmp_path / "second.pdf")
        run = run_scanspan(["import", tmp_path / "second.pdf", "-p", project_file], tmp_path)
        assert run.code == 0, run.err
    window = open_window(qtbot, settings, project_file)
    assert window.current_page()[0] == 1
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() == (2, 1)
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert window.statusBar().currentMessage() == "No next document"
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageUp, Qt.KeyboardModifier.AltModifier)
    assert window.current_page()[0] == 1


def test_hovering_a_span_names_its_label_and_label_names_can_be_shown(
    qtbot: QtBot, tagged_window: MainWindow
) -> None:
    window = tagged_window
    (span_id, item), *_ = window.page_view.highlight_items().items()
    span = window.session.find_span(span_id)
    assert item.toolTip() == span.label
    # In the text too.
    part = next(p for p in window.session.spans_on_page(window.page_view.page) if p.span.id == span_id)
    cursor = window.text_view._cursor(part.start + 1, part.start + 1)
    window.text_view.ensureCursorVisible()
    pos = window.text_view.cursorRect(cursor).center()
    assert span.label in window.text_view.labels_at(pos).split(", ")

    assert not any(isinstance(i, RegionTag) and i.parentItem() in window.page_view.highlight_items().values()
                   for i in window.page_view.scene().items())
    qtbot.keyClick(window.page_view, Qt.Key.Key_L)
    tags = [i for i in window.page_view.scene().items() if isinstance(i, RegionTag)
            and i.parentItem() in window.page_view.highlight_items().values()]
    assert sorted(t.text for t in tags) == sorted(
        s.span.label for s in window.session.spans_on_page(window.page_view.page))


def test_the_selection_colour_is_no_label_colour(window: MainWindow) -> None:
    # A neutral dark grey selection beside labels in saturated colours.
    assert window.text_view.palette().highlight().color().hsvSaturation() < 20
    for label in window.session.labels():
        assert QColor(label.color).hsvSaturation() > 100, label.name


def test_find_folds_accents_both_ways_on_a_french_and_turkish_page(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    import pymupdf

    from annotations.importing.files import ImportOptions, import_into
    from annotations.store import Project

    pdf = pymupdf.open()
    pdf.new_page().insert_htmlbox(pymupdf.Rect(72, 72, 500, 200),
                                  "Le secrétaire général de la préfecture. SAĞLIK BAKANLIĞI, Baskanligi")
    pdf.save(tmp_path / "accents.pdf")
    with Project(project_file) as project:
        (outcome,) = import_into(project, [tmp_path / "accents.pdf"], ImportOptions())
        assert outcome.status == "imported", outcome.message
    window = open_window(qtbot, settings, project_file)
    qtbot.keyClick(window.page_view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() == (2, 1)
    # Typed without the accents the page has, or with accents the OCR dropped: found all the same.
    for typed, found in (("prefecture", "préfecture"), ("saglik bakanligi", "SAĞLIK BAKANLIĞI"),
                         ("Başkanlığı", "Baskanligi"), ("SECRÉTAIRE GÉNÉRAL", "secrétaire général")):
        qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        window.find_bar.edit.clear()
        if typed.isascii():
            qtbot.keyClicks(window.find_bar.edit, typed)
        else:  # QTest has no keys for "ş" or "É": pasted, as from another document
            window.find_bar.edit.insert(typed)
        qtbot.waitUntil(lambda: window.find_bar.count.text() in ("1 hit", "No hits"))
        assert window.find_bar.count.text() == "1 hit", typed
        qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
        assert window.selected_text() == found
        qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
