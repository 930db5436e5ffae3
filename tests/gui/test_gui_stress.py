"""The window's edit path and two command-line writers on one project for a bounded time: every
edit acknowledged to anyone is in the file, the window ends up showing exactly what the file
holds, nothing failed, and the file is sound."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from gui_helpers import rows
from helpers import Run, run_scanspan
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from app.main_window import MainWindow

DURATION = 25.0  # seconds of all three writing at once
PHRASES = [("Department of Justice", "1"), ("Task Force Program", "2"), ("300,000", "3"), ("OJJDP", "1")]


@pytest.mark.slow
def test_the_window_and_two_command_line_writers_lose_nothing(qtbot: QtBot, window: MainWindow,
                                                              project_file: Path, tmp_path: Path) -> None:
    deadline = time.monotonic() + DURATION
    cli_runs: list[Run] = []
    cli_spans: list[int] = []
    cli_regions: list[int] = []

    def spans_loop() -> None:
        while time.monotonic() < deadline:
            run = run_scanspan(["annotate", "-p", project_file, "-d", "1", "-l", "figure", "--text", "58,000"], tmp_path)
            cli_runs.append(run)
            if run.code == 0:
                cli_spans.append(int(run.out.split()[1].rstrip(":")))

    def regions_loop() -> None:
        n = 0
        while time.monotonic() < deadline:
            n += 1
            box = f"{10 + n},{10 + n},{200 + n},{100 + n}"
            run = run_scanspan(["annotate", "-p", project_file, "-d", "1", "-l", "signature", "--page", "1",
                                "--box", box], tmp_path)
            cli_runs.append(run)
            if run.code == 0:
                cli_regions.append(int(run.out.split()[1].rstrip(":")))

    writers = [threading.Thread(target=spans_loop), threading.Thread(target=regions_loop)]
    for writer in writers:
        writer.start()
    edits = undos = 0
    try:
        while time.monotonic() < deadline:
            phrase, key = PHRASES[edits % len(PHRASES)]
            assert window.select_text(phrase)
            qtbot.keyClick(window.text_view, key)
            edits += 1
            if edits % 3 == 0:  # undo, and sometimes redo, what was just done
                window.undo_stack().undo()
                undos += 1
                if edits % 6 == 0:
                    window.undo_stack().redo()
                    undos -= 1
            window.changes.follow()  # as the window's timer does
            QApplication.processEvents()
    finally:
        for writer in writers:
            writer.join()
    qtbot.waitUntil(lambda: window.session.writes.pending() == 0, timeout=30_000)  # type: ignore[union-attr]

    failed = [r for r in cli_runs if r.code != 0]
    assert not failed, [r.err for r in failed][:3]
    assert len(cli_runs) >= 10 and edits >= 20
    in_file = {r[0] for r in rows(project_file, "select id from spans")}
    assert set(cli_spans) <= in_file
    assert {r[0] for r in rows(project_file, "select id from regions")} >= set(cli_regions)
    # What the window shows is what the file holds: its own edits (less its undos) and the others'.
    # A poll that finds the project's process slow to answer gives up until the next tick, so the
    # window gets there within a few polls, not necessarily at the first.
    def caught_up() -> bool:
        window.changes.follow()
        return set(window.session.spans(1)) == in_file  # type: ignore[union-attr]

    try:
        qtbot.waitUntil(caught_up, timeout=10_000)
    except TimeoutError:
        shown = set(window.session.spans(1))  # type: ignore[union-attr]
        changes = rows(project_file, "select seq, op, row_id from changes where kind = 'span' and row_id in "
                       f"({','.join(str(i) for i in (shown ^ in_file) or {0})}) order by seq")
        pytest.fail(f"only in the window: {sorted(shown - in_file)}, only in the file: {sorted(in_file - shown)}; "
                    f"their changes: {changes}")
    assert len(in_file) == len(cli_spans) + edits - undos
    assert rows(project_file, "pragma integrity_check") == [("ok",)]
