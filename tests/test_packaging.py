"""What users install: the PyInstaller build (packaging/build.sh) and the wheel, each from a copy of the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from helpers import document_names, draw_pdf, png_bytes, render
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files git would commit (edits included), nothing built or installed: a clean checkout."""
    dest = tmp_path_factory.mktemp("checkout")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def user_env(tmp: Path) -> dict[str, str]:
    """A user's environment: none of the test run's Python settings, no display, state kept in `tmp`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "QT_", "PYTEST", "VIRTUAL_ENV")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["XDG_STATE_HOME"] = str(tmp / "state")
    env["SCANSPAN_DATA_DIR"] = str(tmp / "data")
    env["HOME"] = str(tmp / "home")
    return env


def run(args: list[object], cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def check_demo(command: list[object], tmp: Path) -> None:
    """`COMMAND demo --no-window` in an empty folder: the bundled sample imported, tagged, exported."""
    empty = tmp / "empty"
    empty.mkdir()
    result = run([*command, "demo", "--no-window"], empty, user_env(tmp))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert document_names(empty / "scanspan-demo.db") == ["geneva-letter-2015.pdf"]
    assert "wrote scanspan-demo.jsonl: 1 document, 17 spans, 1 region" in result.stdout


def test_the_wheel_installs_into_a_new_venv_and_runs_the_demo(checkout: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    env = user_env(tmp_path)
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "wheels", "."], checkout, env)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("scanspan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("annotations/resources/samples/geneva-letter-2015.pdf", "annotations/resources/labels.json",
                    "annotations/resources/icons/scanspan.svg"):
        assert shipped in names
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", venv], tmp_path, env).returncode == 0
    installed = run([venv / "bin" / "python", "-m", "pip", "install", "-q", f"{wheel}[gui]"], tmp_path, env)
    assert installed.returncode == 0, installed.stderr
    check_demo([venv / "bin" / "scanspan"], tmp_path)
    print(f"wheel: built, installed with [gui] into a new venv and ran the demo in {time.monotonic() - started:.0f} s")


def test_the_frozen_build_runs_the_demo_and_its_child_processes(checkout: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    env = user_env(tmp_path)
    dist = tmp_path / "dist"
    built = run(["bash", checkout / "packaging" / "build.sh"], checkout,
                {**env, "SCANSPAN_BUILD_DIR": str(tmp_path / "build"), "SCANSPAN_DIST": str(dist)}, timeout=1800)
    assert built.returncode == 0, built.stdout + built.stderr
    print(f"frozen build: packaging/build.sh took {time.monotonic() - started:.0f} s")
    app = dist / "scanspan" / "scanspan"
    data = dist / "scanspan" / "_internal" / "annotations" / "resources"
    assert (data / "samples" / "geneva-letter-2015.pdf").is_file() and (data / "labels.json").is_file()

    # The headless commands, from an empty folder, and the project's own process (the store child).
    check_demo([app], tmp_path)
    doctor = run([app, "doctor"], tmp_path, env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "PySide6 6." in doctor.stdout and "[problem]" not in doctor.stdout

    # The window under Xvfb: the demo project rendered by the render child.
    demo = tmp_path / "empty" / "scanspan-demo.db"
    shot = tmp_path / "demo.png"
    shown = run(["xvfb-run", "-a", app, "open", demo, "--screenshot", shot], tmp_path, env)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stdout + shown.stderr
    assert "pages rendered by the render process: " in shown.stdout, shown.stdout
    assert int(shown.stdout.rsplit(": ", 1)[1].rstrip(")\n")) >= 1
    with Image.open(shot) as image:
        assert image.size == (1400, 900)
        assert len(image.convert("L").getcolors(256) or []) > 20  # drawn, not a blank window

    # A scan opened with the window is imported in the background: the job child.
    (tmp_path / "letter.png").write_bytes(png_bytes(render(draw_pdf([["Imported by the frozen app"]]), 1, 300),
                                                    (300, 300)))
    project = tmp_path / "letters.scanspan"
    opened = run(["xvfb-run", "-a", app, "open", tmp_path / "letter.png", "-p", project, "--screenshot",
                  tmp_path / "import.png"], tmp_path, env)
    assert opened.returncode == 0 and "Traceback" not in opened.stderr, opened.stdout + opened.stderr
    assert document_names(project) == ["letter.png"]
    print(f"frozen build: built and checked in {time.monotonic() - started:.0f} s")
