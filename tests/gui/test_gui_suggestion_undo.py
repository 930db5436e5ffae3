"""Undoing the deletion of a suggestion gives it back whole: how sure its source was, and why it was proposed."""

from __future__ import annotations

from pathlib import Path

from gui_helpers import open_window, rows
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from annotations.assist.suggest import suggest_terms
from annotations.store import Project
from app.settings import Settings

SUGGESTION_SQL = "select id, label, source, suggested, score, reason from spans where suggested = 1 order by id"


def test_delete_then_undo_keeps_a_suggestions_score_and_reason(
        qtbot: QtBot, settings: Settings, project_file: Path) -> None:
    with Project(project_file) as project:
        (doc,) = project.documents()
        suggest_terms(project, [doc.id], ["OJJDP"], "agency", "agencies.txt", fuzzy=True)
    before = rows(project_file, SUGGESTION_SQL)
    assert before and all(score is not None and reason for *_, score, reason in before)
    window = open_window(qtbot, settings, project_file)
    qtbot.keyClick(window.page_view, Qt.Key.Key_Tab)  # the first suggestion
    assert window.selection.annotation is not None and window.selection.annotation.id == before[0][0]
    qtbot.keyClick(window.page_view, Qt.Key.Key_Delete)
    assert rows(project_file, SUGGESTION_SQL) == before[1:]
    qtbot.keyClick(window.page_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(project_file, SUGGESTION_SQL) == before
    # The table says so too: its State shows the source's score and reason again.
    shown = f"{before[0][4]:.2f} ({before[0][5]})"
    qtbot.waitUntil(lambda: all(shown in state for state in window.annotation_states() if state.startswith("suggested")))
