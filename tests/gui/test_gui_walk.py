"""A seeded random walk through the real window: keys, clicks and drags, review, page, document and
project switches, undo and redo, and a command-line writer in between, with invariants checked
after every step.

After each step: nothing raised (the crash handler saw nothing) and no message box is open; every
span or region that changed in either project file since the step began is on the page that was
shown when it began (undo and redo: on the page they went to), unless the step announces a wider
reach (accept all of a label, other occurrences, the command line); the window's spans and regions
of the shown document equal the file's; the status bar's account of the selection matches it.

The short walk runs with the suite. A long one, or one seed again:
  SCANSPAN_WALK_STEPS=2000 SCANSPAN_WALK_SEEDS=20 .venv/bin/python -m pytest tests/gui/test_gui_walk.py -q
  SCANSPAN_WALK_SEED=7 SCANSPAN_WALK_STEPS=300 .venv/bin/python -m pytest tests/gui/test_gui_walk.py -q
A seed that ever failed goes into REGRESSION_SEEDS with its step count.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from gui_helpers import open_window
from PySide6.QtCore import QtMsgType
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from walk_driver import Walk, WalkFailed, read_file

from annotations.assist.suggest import suggest_terms
from annotations.cli.demo import apply_sample_tags
from annotations.importing.files import ImportOptions, import_into
from annotations.records import Label
from annotations.store import Project
from app.crash import CrashHandler
from app.settings import Settings

SHORT_SEEDS = [1, 2]
SHORT_STEPS = 120
REGRESSION_SEEDS: list[tuple[int, int]] = [
    (7, 20),  # a key relabelled the annotation selected in one document while another was shown
]
"""(seed, steps) of walks that once failed: each runs with the suite from then on. The short seeds
failed too: 1 (step 27: a selection after opening another project raised in the old text view) and
2 (step 40: a label key tagged the words selected on page 1 while page 2 was shown). A seed makes the
same steps only while the actions below stay as they are: after changing them, see that the seeds
kept still fail where the bugs are put back."""


def _walks() -> list[tuple[int, int]]:
    steps = int(os.environ.get("SCANSPAN_WALK_STEPS", SHORT_STEPS))
    if os.environ.get("SCANSPAN_WALK_SEED"):
        return [(int(os.environ["SCANSPAN_WALK_SEED"]), steps)]
    count = os.environ.get("SCANSPAN_WALK_SEEDS")
    seeds = list(range(1, int(count) + 1)) if count else SHORT_SEEDS
    return [(seed, steps) for seed in seeds] + [w for w in REGRESSION_SEEDS if w[0] not in seeds]


SECOND_LETTER = [
    ["Reports from the CyberTipline reach OJJDP every week.",
     "The Department of Justice funds the Task Force Program",
     "with 300,000 dollars for the year ahead."],
    ["OJJDP asks every office to file its numbers by June.",
     "Questions go to the CyberTipline desk in Alexandria.",
     "Signed for the Department of Justice, Office of Programs."],
]


@pytest.fixture(scope="session")
def walk_templates(sample_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two projects: the tagged sample plus a born-digital second letter, with suggestions in both
    documents; and the tagged sample alone with suggestions of its own, for switching projects."""
    folder = tmp_path_factory.mktemp("walk")
    pdf = pymupdf.open()
    for lines in SECOND_LETTER:
        page = pdf.new_page()
        for n, line in enumerate(lines):
            page.insert_text((72, 90 + 28 * n), line, fontname="tiro", fontsize=13)
    pdf.save(folder / "second.pdf")
    first, other = folder / "walk.scanspan", folder / "other.scanspan"
    for path in (first, other):
        shutil.copy(sample_template, path)
        with Project(path) as project:
            apply_sample_tags(project, project.documents()[0])
            if path == first:
                (outcome,) = import_into(project, [folder / "second.pdf"], ImportOptions())
                assert outcome.status == "imported", outcome.message
            ids = [d.id for d in project.documents()]
            project.add_label(Label("counts", "#8c564b", "5", kind="relation"))
            suggest_terms(project, ids, ["OJJDP", "DHS", "ICE"], "agency", "agencies.txt")
            suggest_terms(project, ids, ["CyberTipline", "Internet"], "program", "programs.txt")
            assert project.suggestions()
    return first, other


@pytest.mark.parametrize(("seed", "steps"), _walks(), ids=lambda v: str(v))
def test_a_random_walk_keeps_the_window_and_the_file_in_step(
    qtbot: QtBot, qtlog: Any, settings: Settings, walk_templates: tuple[Path, Path], tmp_path: Path, seed: int, steps: int
) -> None:
    files = [tmp_path / "walk.scanspan", tmp_path / "other.scanspan"]
    for template, path in zip(walk_templates, files):
        shutil.copy(template, path)
    files = [path.resolve() for path in files]
    crash = CrashHandler(folder=tmp_path / "data")
    walk_window = open_window(qtbot, settings, files[0], crash=crash)
    crash.parent_widget = walk_window
    walk = Walk(qtbot, walk_window, files, tmp_path, random.Random(seed))
    walk.qt_messages = lambda: [r.message for r in qtlog.records if r.type != QtMsgType.QtDebugMsg
                                and r.type != QtMsgType.QtInfoMsg and "propagateSizeHints" not in r.message]
    crash.crashed.connect(lambda summary, log: walk.crashes.append((summary, log)))
    crash.install()
    failure: WalkFailed | None = None
    try:
        walk.run(steps)
    except WalkFailed as failed:
        failure = failed
    finally:
        crash.uninstall()
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                box.done(0)
    if failure is not None:
        shown = walk.log[-60:]
        pytest.fail(f"seed {seed}, step {len(walk.log)}: {failure}\n"
                    f"replay: SCANSPAN_WALK_SEED={seed} SCANSPAN_WALK_STEPS={len(walk.log)} "
                    f".venv/bin/python -m pytest tests/gui/{Path(__file__).name}\n"
                    f"steps{' (the last 60)' if len(walk.log) > 60 else ''}:\n" + "\n".join(shown),
                    pytrace=False)
    links = sum(1 for line in walk.log if ": K, " in line and not line.endswith("Esc"))
    print(f"seed {seed}: {steps} steps, {walk.edits} of them changed a project file; {links} links tried, "
          f"{sum(1 for k in read_file(files[0]) if k[0] == 'relation')} relations in the first file at the end",
          file=sys.stderr)


# -- what the walk found ------------------------------------------------------------------------------


def test_the_next_page_read_on_idle_turns_stops_when_another_project_opens(
    qtbot: QtBot, settings: Settings, project_file: Path, tagged_file: Path, tmp_path: Path
) -> None:
    crash = CrashHandler(folder=tmp_path / "data")
    crashes: list[str] = []
    crash.crashed.connect(lambda summary, _log: crashes.append(summary))
    window = open_window(qtbot, settings, project_file, crash=crash)
    reading = window.page_view.prefetch  # page 2's words, read while page 1 is on screen
    assert reading.pending()
    crash.install()
    try:
        assert window.open_project(tagged_file)
        # The old page view goes on the event loop's next turn; its timers may fire in this one
        # (they did in a busy loop), and found the project it read closed.
        while reading.pending() and not crashes:
            QApplication.processEvents()
    finally:
        crash.uninstall()
    assert crashes == []
    qtbot.waitUntil(lambda: window.is_settled() and window.project_path() == tagged_file)
