"""Launching: the `scanspan` entry point, the screenshot mode, settings, and the crash handler."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gui_helpers import open_window
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.crash import CrashHandler
from app.main_window import MainWindow
from app.settings import Settings


def run_scanspan(*args: object, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.entry", *map(str, args)], capture_output=True, text=True, timeout=300,
        env=env, cwd=cwd,
    )


def headless_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env["SCANSPAN_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_the_command_line_never_imports_qt() -> None:
    code = "import sys, app.entry; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_screenshot_mode_writes_the_window_and_exits(tagged_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    result = run_scanspan("open", tagged_file, "--screenshot", out, "--size", "1000x700", env=headless_env(tmp_path))
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 700)
    assert f"wrote {out}" in result.stdout


def test_screenshot_of_a_project_that_cannot_be_opened_fails_in_one_line(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    other.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    out = tmp_path / "shot.png"
    result = run_scanspan("open", other, "--screenshot", out, env=headless_env(tmp_path))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip() and "propagateSizeHints" not in line]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "other.db" in lines[0], result.stderr
    assert not out.exists()


def test_open_without_a_display_says_so_in_one_line(tagged_file: Path, tmp_path: Path) -> None:
    result = run_scanspan("open", tagged_file, env=headless_env(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no display" in result.stderr


def test_demo_without_a_display_runs_the_headless_part(sample_template: Path, tmp_path: Path) -> None:
    project = tmp_path / "demo.scanspan"
    project.write_bytes(sample_template.read_bytes())  # already OCRed: the demo finds it and only tags
    result = run_scanspan("demo", "--project", project, "--output", tmp_path / "demo.jsonl", env=headless_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo.jsonl").exists()
    lines = [line for line in result.stdout.splitlines() if "window" in line]
    assert len(lines) == 1 and lines[0].startswith("not opening the window: no display")


def test_recent_projects_and_geometry_are_remembered(qtbot: QtBot, settings: Settings, project_file: Path) -> None:
    window = open_window(qtbot, settings, project_file)
    window.resize(760, 560)  # within the offscreen platform's 800x600 screen, which restoring clamps to
    window.close()
    settings.sync()
    assert settings.recent_projects() == [project_file.resolve()]
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (760, 560)
    assert settings.q.fileName().startswith(str(project_file.parent))  # the test's own settings file


def test_an_unexpected_error_is_logged_and_shown(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    handler = CrashHandler(window, folder=tmp_path / "data")
    try:
        raise RuntimeError("a bug in a slot")
    except RuntimeError as exc:
        handler.handle(type(exc), exc, exc.__traceback__)
    log = (tmp_path / "data" / "crash.log").read_text()
    assert "RuntimeError: a bug in a slot" in log and "Traceback" in log
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1 and "RuntimeError: a bug in a slot" in boxes[0].informativeText()
    boxes[0].accept()


@pytest.mark.parametrize("args", [["open", "--size", "12x9", "--screenshot", "x.png"], ["open", "missing.pdf"]])
def test_bad_arguments_are_one_line_errors(args: list[str], tmp_path: Path) -> None:
    result = run_scanspan(*args, env=headless_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
