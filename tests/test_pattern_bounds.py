"""Hostile pattern files for `scanspan suggest --patterns`: refused before they run, or stopped per document by the budget."""

from __future__ import annotations

import json
import resource
import subprocess
import time
from pathlib import Path

import pytest
from helpers import SCANSPAN, Run, cli_env, draw_pdf
from letter_project import add_letter

from annotations.assist.patterns import (
    MAX_NESTING,
    MAX_OPEN_QUANTIFIERS,
    MAX_PATTERN_TOKENS,
    MAX_REGEX_CHARS,
    PATTERN_MEMORY,
    PATTERN_SECONDS,
)
from annotations.store import Project

CAP = 2 * 1024 * 1024 * 1024
"""The address space each `scanspan` here runs in: a regression fails instead of eating the machine."""

LETTER = ["The Department of Justice wrote to the", "Department of State about the fund."]
RUN_OF_AS = "a" * 40 + "b"
"""A word on which "(a+)+$" backtracks through 2^40 ways of splitting the a's."""


def capped_scanspan(args: list[object], tmp: Path, timeout: float = 60) -> Run:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))

    proc = subprocess.run([str(SCANSPAN), *map(str, args)], capture_output=True, text=True, env=cli_env(tmp),
                          cwd=tmp, timeout=timeout, preexec_fn=cap)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    with Project(path) as p:
        add_letter(p, "letter.pdf", [LETTER])
        add_letter(p, "long.pdf", [[f"{RUN_OF_AS} Justice and the {RUN_OF_AS}"] * 8])
    return path


def suggested(path: Path) -> list[tuple[str, str]]:
    with Project(path, read_only=True) as p:
        names = {d.id: d.name for d in p.documents()}
        return sorted((names[s.document_id], " ".join(p.document_text(s.document_id).resolve(s).text.split()))
                      for s in p.spans() if s.suggested)


def write_patterns(tmp: Path, *patterns: object) -> Path:
    path = tmp / "rules.jsonl"
    path.write_text("".join(json.dumps({"label": "agency", "pattern": p}) + "\n" for p in patterns), encoding="utf-8")
    return path


def test_thirty_stars_are_refused_in_one_line_before_running(project: Path, tmp_path: Path) -> None:
    rules = write_patterns(tmp_path, [{"OP": "*"}] * 30 + [{"LOWER": "justice"}])
    assert rules.stat().st_size < 450
    started = time.monotonic()
    run = capped_scanspan(["suggest", "-p", project, "--patterns", rules], tmp_path)
    assert run.code == 1
    assert run.err_lines == [f"error: {rules} line 1: more than {MAX_OPEN_QUANTIFIERS} tokens with OP \"*\", \"+\" "
                             "or {n,} in one pattern (each multiplies the matching work)"]
    assert time.monotonic() - started < 30  # refused while reading, spaCy never started
    assert suggested(project) == []


def test_a_pattern_nested_100000_deep_is_one_line(project: Path, tmp_path: Path) -> None:
    rules = tmp_path / "deep.jsonl"
    rules.write_text('{"label": "agency", "pattern": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    run = capped_scanspan(["suggest", "-p", project, "--patterns", rules], tmp_path)
    assert run.code == 1
    assert run.err_lines == [f"error: {rules} line 1: nested deeper than {MAX_NESTING} levels"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ([{"NOPE": 1}], "line 1: unknown token attribute 'NOPE'"),
        ([{"_": {"mine": True}}], "line 1: unknown token attribute '_'"),
        ([{"OP": "{1,1000}"}], "line 1: OP '{1,1000}' repeats more than 10 times"),
        ([{"OP": "++"}], "line 1: unknown OP '++'"),
        ([{"LOWER": "x"}] * (MAX_PATTERN_TOKENS + 1), f"line 1: more than {MAX_PATTERN_TOKENS} tokens"),
        ([{"OP": "{2,}"}, {"OP": "+"}, {"OP": "*"}], "tokens with OP"),
        ([{"TEXT": {"REGEX": "a" * (MAX_REGEX_CHARS + 1)}}], f"REGEX must be text of at most {MAX_REGEX_CHARS}"),
        ([{"TEXT": {"REGEX": "(unclosed"}}], "REGEX '(unclosed' does not compile"),
        ([[[[[[[["deep"]]]]]]]], f"nested deeper than {MAX_NESTING} levels"),
    ],
)
def test_patterns_beyond_the_limits_are_refused_before_running(
    project: Path, tmp_path: Path, pattern: object, message: str
) -> None:
    rules = write_patterns(tmp_path, "Department of State", pattern)
    run = capped_scanspan(["suggest", "-p", project, "--patterns", rules], tmp_path)
    assert run.code == 1
    assert len(run.err_lines) == 1 and message.replace("line 1", "line 2") in run.err, run.err
    assert suggested(project) == []


def test_a_backtracking_regex_is_stopped_on_its_document_and_the_rest_goes_on(project: Path, tmp_path: Path) -> None:
    rules = write_patterns(tmp_path, "Department of State", [{"TEXT": {"REGEX": "(a+)+$"}}])
    started = time.monotonic()
    run = capped_scanspan(["suggest", "-p", project, "--patterns", rules], tmp_path)
    assert run.code == 1
    assert run.err_lines == [f"pattern budget exceeded on long.pdf after {PATTERN_SECONDS:.0f} s; skipped"]
    assert "1 suggestion added from 'rules.jsonl'" in run.out
    assert suggested(project) == [("letter.pdf", "Department of State")]
    assert time.monotonic() - started < PATTERN_SECONDS + 40


def test_two_stars_over_a_long_document_are_stopped_by_the_budget(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Project(path) as p:
        add_letter(p, "short.pdf", [LETTER])
        add_letter(p, "long.pdf", [["word the and Justice of the Department"] * 30] * 5)
    rules = write_patterns(tmp_path, [{"IS_ALPHA": True, "OP": "*"}, {"OP": "*"}, {"LOWER": "justice"}])
    run = capped_scanspan(["suggest", "-p", path, "--patterns", rules], tmp_path)
    assert run.code == 1
    assert run.err_lines in (
        [f"pattern budget exceeded on long.pdf after {PATTERN_SECONDS:.0f} s; skipped"],
        [f"pattern budget exceeded on long.pdf over {PATTERN_MEMORY // (1024 * 1024)} MB of memory; skipped"],
    ), run.err
    assert suggested(path) == [("short.pdf", "The Department of Justice")]


def test_kept_patterns_on_import_skip_a_document_over_the_budget(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Project(path) as p:
        add_letter(p, "letter.pdf", [LETTER])
    rules = write_patterns(tmp_path, "Department of State", [{"TEXT": {"REGEX": "(a+)+$"}}])
    run = capped_scanspan(["suggest", "-p", path, "--patterns", rules, "--keep"], tmp_path)
    assert run.code == 0 and "kept 'rules.jsonl'" in run.out, run.err
    pdf = tmp_path / "later.pdf"
    pdf.write_bytes(draw_pdf([["The Department of State and", RUN_OF_AS]], size=(500, 200)).pdf)
    run = capped_scanspan(["import", pdf, "-p", path], tmp_path)
    assert run.code == 0  # the file is imported; only its suggestions are missing
    assert "later.pdf: imported as document 2" in run.out and "0 suggestions added from the kept term lists and patterns" in run.out, run.out
    assert run.err_lines == [f"pattern budget exceeded on later.pdf after {PATTERN_SECONDS:.0f} s; skipped"]
    assert suggested(path) == [("letter.pdf", "Department of State")]
