"""`scanspan doctor` against this machine's real tesseract, and the SCANSPAN_TESSERACT setting."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pymupdf
from helpers import SCANSPAN, Run, cli_env, document_names, draw_pdf, png_bytes, render

TESSERACT = shutil.which("tesseract")
assert TESSERACT is not None, "the tests need tesseract (./bootstrap installs it)"


def scanspan(args: list[object], tmp: Path, path: str | None = None, **env: str) -> Run:
    proc = subprocess.run([str(SCANSPAN), *map(str, args)], capture_output=True, text=True, cwd=tmp, timeout=120,
                          env={**cli_env(tmp, path), **env})
    return Run(proc.returncode, proc.stdout, proc.stderr)


def line(report: str, name: str) -> str:
    return next(row for row in report.splitlines() if row.startswith(name + " "))


def no_tesseract_path(tmp: Path) -> str:
    """A PATH with nothing on it: the console script runs by its absolute path, tesseract is not found."""
    empty = tmp / "bin"
    empty.mkdir(exist_ok=True)
    return str(empty)


def test_doctor_reports_the_versions_in_use_and_exits_0(tmp_path: Path) -> None:
    result = scanspan(["doctor"], tmp_path)
    assert result.code == 0, result.out + result.err
    version = subprocess.run([TESSERACT, "--version"], capture_output=True, text=True).stdout.split()[1].lstrip("v")
    assert line(result.out, "tesseract").split()[1] == version
    assert f"at {TESSERACT}" in line(result.out, "tesseract")
    assert "eng" in line(result.out, "languages").replace(",", " ").split()
    assert line(result.out, "SQLite").split()[1] == sqlite3.sqlite_version
    assert line(result.out, "PyMuPDF").split()[1] == pymupdf.__version__
    assert re.match(r"Python +3\.\d+\.\d+ ", line(result.out, "Python"))
    assert "PySide6 6." in line(result.out, "Qt")
    # No display in the test's environment: said, with the fix, but the commands need none.
    assert "[note]" in line(result.out, "display")
    assert result.out.rstrip().endswith("Everything Scanspan needs is here.")


def test_no_tesseract_is_a_problem_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    result = scanspan(["doctor"], tmp_path, path=no_tesseract_path(tmp_path))
    assert result.code == 1
    report = result.out.splitlines()
    row = report.index(line(result.out, "tesseract"))
    assert "not found" in report[row] and "[problem]" in report[row]
    assert report[row + 1].split("fix: ")[1] == "sudo apt-get install tesseract-ocr tesseract-ocr-eng"
    assert report[-1] == "Missing: tesseract."


def test_missing_english_data_is_a_problem(tmp_path: Path) -> None:
    # A real tesseract whose data folder has only the orientation model, no English.
    data = tmp_path / "tessdata"
    data.mkdir()
    listing = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, text=True).stdout
    source = Path(re.search(r'"(.+?)"', listing).group(1))  # type: ignore[union-attr]
    shutil.copy(source / "osd.traineddata", data)
    wrapper = tmp_path / "tesseract-osd-only"
    wrapper.write_text(f'#!/bin/sh\nexec {TESSERACT} --tessdata-dir {data} "$@"\n')
    wrapper.chmod(0o755)
    result = scanspan(["doctor"], tmp_path, SCANSPAN_TESSERACT=str(wrapper))
    assert result.code == 1
    assert "no eng" in line(result.out, "languages")
    assert "fix: sudo apt-get install tesseract-ocr-eng" in result.out
    assert result.out.splitlines()[-1] == "Missing: languages."


def test_scanspan_tesseract_is_used_by_doctor_and_import(tmp_path: Path) -> None:
    # A tesseract off PATH, as on a Mac whose app was opened from the Finder.
    elsewhere = tmp_path / "opt" / "tesseract"
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(TESSERACT)
    path = no_tesseract_path(tmp_path)
    doctor = scanspan(["doctor"], tmp_path, path=path, SCANSPAN_TESSERACT=str(elsewhere))
    assert doctor.code == 0, doctor.out
    assert f"at {elsewhere} (from SCANSPAN_TESSERACT=" in line(doctor.out, "tesseract")

    image = render(draw_pdf([["Scanned with the tesseract", "named in SCANSPAN_TESSERACT"]]), 1, 300)
    (tmp_path / "letter.png").write_bytes(png_bytes(image, (300, 300)))
    imported = scanspan(["import", "letter.png", "--project", "p.db"], tmp_path, path=path,
                        SCANSPAN_TESSERACT=str(elsewhere))
    assert imported.code == 0, imported.err
    assert document_names(tmp_path / "p.db") == ["letter.png"]
    listed = scanspan(["export", "--project", "p.db", "--format", "jsonl", "-o", "out.jsonl"], tmp_path)
    assert listed.code == 0 and "Scanned with the tesseract" in (tmp_path / "out.jsonl").read_text()


def test_a_scanspan_tesseract_that_is_not_there_is_named_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "letter.png").write_bytes(png_bytes(render(draw_pdf([["A letter"]]), 1, 300), (300, 300)))
    missing = tmp_path / "no-such-tesseract"
    result = scanspan(["import", "letter.png", "--project", "p.db"], tmp_path, SCANSPAN_TESSERACT=str(missing))
    assert result.code == 1
    assert len(result.err_lines) == 1
    assert result.err_lines[0].endswith(f"SCANSPAN_TESSERACT={missing}: no such executable")
    doctor = scanspan(["doctor"], tmp_path, SCANSPAN_TESSERACT=str(missing))
    assert doctor.code == 1 and "fix: set SCANSPAN_TESSERACT to a tesseract executable, or unset it" in doctor.out
