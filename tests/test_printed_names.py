"""What the real `scanspan` prints: names holding escape sequences and line breaks reach the
terminal escaped, and each command's help says whether it creates its project."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import Run, draw_pdf, run_scanspan

TITLE = "\x1b]0;pwned\x07"  # an xterm title change
NAME = f"letter{TITLE}\n   2  fake: imported as document 2\x9b2J.pdf"
"""A file name a terminal would act on: a title change, a line break faking a line of output, and
the 8-bit form of 'clear the screen'."""
SHOWN = r"letter\x1b]0;pwned\x07\n   2  fake: imported as document 2\x9b2J.pdf"


def assert_escaped(run: Run, lines: int, err_lines: int = 0) -> None:
    for text in (run.out, run.err):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)
    assert len(run.out.splitlines()) == lines, run.out
    assert len(run.err.splitlines()) == err_lines, run.err


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    root = tmp_path_factory.mktemp("names")
    (root / NAME).write_bytes(draw_pdf([["Department of Justice", "Civil Rights Division"]]).pdf)
    (root / f"notes{TITLE}.pdf").write_text("not a letter\n")
    run = run_scanspan(["import", NAME, f"notes{TITLE}.pdf", "-p", "p.db"], root)
    return root, run


def test_import_prints_names_escaped(project: tuple[Path, Run]) -> None:
    _, run = project
    assert run.code == 1
    assert_escaped(run, lines=1, err_lines=1)
    assert run.out.startswith(f"{SHOWN}: imported as document 1")
    assert run.err.startswith(r"error: notes\x1b]0;pwned\x07.pdf: not a PDF")


def test_list_and_search_print_names_escaped(project: tuple[Path, Run]) -> None:
    root, _ = project
    listed = run_scanspan(["list", "-p", "p.db"], root)
    assert listed.code == 0, listed.err
    assert_escaped(listed, lines=2)
    assert listed.out.splitlines()[1].endswith(f"  {SHOWN}")
    found = run_scanspan(["search", "Civil Rights", "-p", "p.db"], root)
    assert found.code == 0, found.err
    assert_escaped(found, lines=1)
    assert found.out.rstrip("\n").endswith(f"[{SHOWN}]")
    by_document = run_scanspan(["search", "Civil Rights", "--documents", "-p", "p.db"], root)
    assert_escaped(by_document, lines=1)


@pytest.mark.parametrize("args", [["list", "--json"], ["search", "Justice", "--json"]])
def test_json_output_holds_the_name_exactly_and_nothing_a_terminal_acts_on(
    project: tuple[Path, Run], args: list[str]
) -> None:
    root, _ = project
    run = run_scanspan([*args, "-p", "p.db"], root)
    assert run.code == 0, run.err
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", run.out), run.out
    (row,) = json.loads(run.out)
    assert row["name"] == NAME


def test_each_commands_help_says_whether_it_creates_its_project(tmp_path: Path) -> None:
    listing = run_scanspan(["--help"], tmp_path).out
    commands = re.findall(r"^  ([a-z][a-z-]+)  ", listing.split("Commands:")[1], re.MULTILINE)
    assert {"import", "merge", "labels", "list", "export"} <= set(commands)
    with_project = 0
    for command in [*commands, "suggestions list", "suggestions accept", "suggestions kept"]:
        text = " ".join(run_scanspan([*command.split(), "--help"], tmp_path).out.split())
        if "--project FILE The project file" not in text:
            continue
        with_project += 1
        if command == "import":
            assert "created when the first file is stored" in text
        else:
            assert "created when missing" not in text, command
            assert "it must exist (scanspan import creates one)" in text, command
    assert with_project >= 15
    for args in (["merge", "other.db"], ["labels"]):
        run = run_scanspan([*args, "-p", "missing.db"], tmp_path)
        assert run.code == 1
        assert run.err.startswith("error: missing.db: no such project (create one with: scanspan import FILE")
        assert not (tmp_path / "missing.db").exists()
