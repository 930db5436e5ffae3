"""Searching the whole project from the window (Ctrl+Shift+F) and going to a hit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pymupdf
from gui_helpers import open_window, rows
from helpers import run_scanspan
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.settings import Settings


def test_ctrl_shift_f_searches_every_document_and_a_hit_is_selected_for_tagging(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "The Department of Justice wrote back.", fontname="tiro", fontsize=12)
    page.insert_text((72, 100), "Quotes \"and\" (brackets) - NEAR OR AND * are plain text here.", fontname="tiro", fontsize=12)
    doc.save(tmp_path / "reply.pdf")
    run = run_scanspan(["import", tmp_path / "reply.pdf", "-p", project_file], tmp_path)
    assert run.code == 0, run.err
    window = open_window(qtbot, settings, project_file)

    qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.search_panel
    assert window.docks["search"].isVisible() and panel.edit.hasFocus()
    qtbot.keyClicks(panel.edit, "Department of Justice")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert {h.document_name for h in panel.hits} == {"geneva-letter-2015.pdf", "reply.pdf"}
    assert panel.summary.text() == f"{len(panel.hits)} hits in 2 documents"

    row = next(i for i, h in enumerate(panel.hits) if h.document_name == "reply.pdf")
    panel.list.setCurrentRow(row)
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    reply = panel.hits[row]
    assert window.current_page() == (reply.document_id, 1)
    assert window.selected_text() == "Department of Justice"

    # By keyboard alone: Enter searches, Enter again goes to the current hit, a label key tags it.
    panel.edit.setFocus()
    panel.edit.clear()
    qtbot.keyClicks(panel.edit, "wrote back")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert [h.document_name for h in panel.hits] == ["reply.pdf"]
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert window.selected_text() == "wrote back"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)
    assert rows(project_file, "select label, annotator from spans") == [("program", "tester")]

    # The user's text is searched for as it is: quotes, operators and brackets are never a syntax error.
    panel.edit.setFocus()
    panel.edit.clear()
    qtbot.keyClicks(panel.edit, "\"and\" (brackets) - NEAR OR AND *")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert [h.document_name for h in panel.hits] == ["reply.pdf"]
    panel.edit.clear()
    qtbot.keyClicks(panel.edit, "zzqx\" OR \"")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert panel.summary.text() == "No hits"


def test_a_pasted_query_beyond_the_limit_is_refused_in_one_line(
    qtbot: QtBot, settings: Settings, project_file: Path
) -> None:
    window = open_window(qtbot, settings, project_file)
    qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.search_panel
    QApplication.clipboard().setText("Department of Justice " * 100)  # 2,200 characters
    qtbot.keyClick(panel.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert panel.summary.text() == "a query of 2,200 characters is too long to search for (at most 1,000)"
    assert panel.hits == [] and panel.list.count() == 0

    # At the limit it is searched as any query is.
    panel.edit.clear()
    QApplication.clipboard().setText(("Department of Justice " * 50)[:1000])
    qtbot.keyClick(panel.edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert panel.summary.text() == "No hits"


def test_the_search_dock_finds_words_typed_without_their_accents_in_an_older_project(
    qtbot: QtBot, settings: Settings, project_file: Path, tmp_path: Path
) -> None:
    doc = pymupdf.open()
    # insert_htmlbox embeds a font with ğ, ş and ı, which the base-14 fonts lack.
    doc.new_page().insert_htmlbox(pymupdf.Rect(72, 72, 520, 300),
                                  "Genel Müdürlüğü ile Başbakanlık arasında, le décret du préfet.")
    doc.save(tmp_path / "accents.pdf")
    run = run_scanspan(["import", tmp_path / "accents.pdf", "-p", project_file], tmp_path)
    assert run.code == 0, run.err
    # As an older Scanspan indexed the page: with its accents.
    (page_id,) = rows(project_file, "select p.id from pages p join documents d on d.id = p.document_id "
                                    "where d.name = 'accents.pdf'")[0]
    with sqlite3.connect(project_file) as conn:
        conn.execute("update page_search set text = 'genelmüdürlüğüilebaşbakanlıkarasında,ledécretdupréfet.' "
                     "where rowid = ?", [page_id])
        conn.execute("delete from _sqlite_migrations where name = '0021_search_folds_accents'")
    conn.close()
    window = open_window(qtbot, settings, project_file)
    qtbot.keyClick(window.page_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    panel = window.search_panel

    # Typed on an English keyboard, the hit shows and selects the page's own accented words.
    # (The selection leaves edge punctuation out, as every selection does.)
    for typed, found in (("Mudurlugu", "Müdürlüğü"), ("decret du prefet", "décret du préfet"),
                         ("basbakanlik arasinda", "Başbakanlık arasında")):
        panel.edit.setFocus()
        panel.edit.clear()
        qtbot.keyClicks(panel.edit, typed)
        qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
        assert panel.summary.text() == "1 hit in 1 document", typed
        assert found in panel.list.item(0).text() and panel.list.item(0).text().startswith("accents.pdf, p. 1: ")
        qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
        assert window.current_page() == (panel.hits[0].document_id, 1)
        assert window.selected_text() == found

    # Typed with the accents (pasted: QTest has no key for "ğ"), the same word.
    panel.edit.setFocus()
    panel.edit.clear()
    panel.edit.insert("MÜDÜRLÜĞÜ")
    qtbot.keyClick(panel.edit, Qt.Key.Key_Return)
    assert [h.text for h in panel.hits] == ["Müdürlüğü"]
