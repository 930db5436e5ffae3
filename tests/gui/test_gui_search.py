"""Searching the whole project from the window (Ctrl+Shift+F) and going to a hit."""

from __future__ import annotations

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
