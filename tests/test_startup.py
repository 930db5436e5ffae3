"""Commands that neither render nor OCR start without PyMuPDF, Pillow, pandas or numpy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli_env, draw_pdf

from annotations.importing.files import import_into
from annotations.store import Project

HEAVY = ("pymupdf", "fitz", "PIL", "pandas", "numpy")

# Runs the real entry point of the `scanspan` console script, then reports what it imported.
PROBE = """
import json, sys
from app.entry import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)}))
""".replace("HEAVY", repr(HEAVY))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("startup")
    (tmp / "a.pdf").write_bytes(draw_pdf([["The Department of Justice wrote"]]).pdf)
    path = tmp / "p.db"
    with Project(path) as p:
        (outcome,) = import_into(p, [tmp / "a.pdf"])
        assert outcome.status == "imported"
    return path


@pytest.mark.parametrize("args", [
    ["list"],
    ["annotate", "-d", "1", "-l", "agency", "--text", "Department of Justice"],
    ["search", "Justice"],
    ["search", "Justice", "--json"],
    ["export", "-f", "jsonl", "-o", "out.jsonl"],
    ["labels"],
])
def test_commands_that_neither_render_nor_ocr_import_nothing_heavy(project: Path, tmp_path: Path, args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "-p", str(project)],
        capture_output=True, text=True, env=cli_env(tmp_path), cwd=tmp_path, timeout=60,
    )
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    assert report["modules"] == []


def test_an_import_still_loads_what_it_needs(project: Path, tmp_path: Path) -> None:
    (tmp_path / "b.pdf").write_bytes(draw_pdf([["Minutes of the meeting"]]).pdf)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "import", str(tmp_path / "b.pdf"), "-p", str(tmp_path / "q.db")],
        capture_output=True, text=True, env=cli_env(tmp_path), cwd=tmp_path, timeout=60,
    )
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    assert "pymupdf" in report["modules"]
