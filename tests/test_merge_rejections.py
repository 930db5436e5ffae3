"""Merging carries rejected span and region suggestions: one rejected on either side is not proposed again."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from helpers import run_scanspan
from letter_project import add_letter, tag_phrase

from annotations.records import Label
from annotations.store import Project

LETTER = [["The Department of Justice and the", "Bureau of Prisons wrote on March 3."]]
STAMP = [300.0, 200.0, 380.0, 260.0]


def _letter(path: Path, first: bool) -> None:
    with Project(path) as project:
        if not first:
            add_letter(project, "unrelated.pdf", [["so that the ids here differ"]])
        add_letter(project, "justice.pdf", LETTER)


def _suggest_span(path: Path, tmp_path: Path) -> None:
    terms = tmp_path / "agencies.txt"
    terms.write_text("Bureau of Prisons\n")
    run = run_scanspan(["suggest", "-p", path, "--terms", terms, "-l", "agency"], tmp_path)
    assert run.code == 0, run.err


def _suggest_region(path: Path, tmp_path: Path) -> None:
    record = {"name": "justice.pdf", "text": "\n".join(LETTER[0]),
              "regions": [{"id": 1, "page": 1, "box": STAMP, "label": "signature"}]}
    stamps = tmp_path / "stamps.jsonl"
    stamps.write_text(json.dumps(record) + "\n")
    run = run_scanspan(["import-annotations", stamps, "-p", path], tmp_path)
    assert run.code == 0, run.err


def _pending(path: Path, tmp_path: Path) -> list[str]:
    """The suggestions the analyst is asked about: the span's text or the region's label."""
    run = run_scanspan(["suggestions", "list", "-p", path, "--json"], tmp_path)
    assert run.code == 0, run.err
    return sorted(s.get("text") or s["label"] for s in json.loads(run.out))


def _reject_all(path: Path, tmp_path: Path) -> None:
    run = run_scanspan(["suggestions", "reject", "--all", "-p", path], tmp_path)
    assert run.code == 0, run.err


def _both_ways(tmp_path: Path, suggest: Callable[[Path, Path], None], expected: list[str]) -> None:
    """They rejected it (our copy goes, and suggesting again does not bring it back), then we rejected
    it (their copy does not come in)."""
    for case, rejecting in (("they", "theirs"), ("we", "ours")):
        folder = tmp_path / case
        folder.mkdir()
        ours, theirs = folder / "ours.db", folder / "theirs.db"
        _letter(ours, first=True)
        _letter(theirs, first=False)
        for path in (ours, theirs):
            suggest(path, folder)
        assert _pending(ours, folder) == expected
        _reject_all(theirs if rejecting == "theirs" else ours, folder)
        run = run_scanspan(["merge", theirs, "-p", ours], folder)
        assert run.code == 0, run.err
        if rejecting == "theirs":
            assert "; 1 rejected span or region suggestion taken" in run.out
        assert "not merged" not in run.err
        assert _pending(ours, folder) == [], case
        suggest(ours, folder)
        assert _pending(ours, folder) == [], case


def test_a_span_suggestion_rejected_on_either_side_is_not_proposed_again_after_merge(tmp_path: Path) -> None:
    _both_ways(tmp_path, _suggest_span, ["Bureau of Prisons"])


def test_a_region_suggestion_rejected_on_either_side_is_not_proposed_again_after_merge(tmp_path: Path) -> None:
    _both_ways(tmp_path, _suggest_region, ["signature"])


def test_a_rejection_that_does_not_fit_here_is_left_out_and_said(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    _letter(ours, first=True)
    _letter(theirs, first=False)
    with Project(theirs, read_only=True) as project:
        doc = project.document("justice.pdf").id
        page = project.pages(doc)[0]
        other = project.words(project.pages(project.document("unrelated.pdf").id)[0].id)[0].id
    conn = sqlite3.connect(theirs)
    with conn:
        for first, last in ((999_999, 999_999), (other, other)):  # no such word; a word of another document
            conn.execute("insert into span_rejections (document_id, label, first_word_id, last_word_id, head, tail) "
                         "values (?, 'agency', ?, ?, 0, 0)", [doc, first, last])
        conn.execute("insert into region_rejections (page_id, label, x0, y0, x1, y1) values (?, 'signature', 0, 0, ?, 5)",
                     [page.id, page.width + 1])  # off its page
    conn.close()
    run = run_scanspan(["merge", theirs, "-p", ours], tmp_path)
    assert run.code == 0, run.err
    assert "rejected span and region suggestions taken" not in run.out
    left_out = [line for line in run.err.splitlines() if line.startswith("not merged")]
    assert left_out == ["not merged: justice.pdf: a rejected 'agency' span suggestion that does not fit"] * 2 + [
        "not merged: justice.pdf: a rejected 'signature' region suggestion that does not fit"], run.err
    with Project(ours, read_only=True) as project:
        assert project.rejections() == []


def test_their_suggested_relation_on_a_suggestion_rejected_here_stays_out_unsaid(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    _letter(ours, first=True)
    _letter(theirs, first=False)
    for path in (ours, theirs):
        _suggest_span(path, tmp_path)
    _reject_all(ours, tmp_path)
    with Project(theirs) as project:
        doc = project.document("justice.pdf").id
        project.add_label(Label("oversees", "#123456", kind="relation"))
        department = tag_phrase(project, doc, "agency", "Department of Justice")
        (bureau,) = project.suggestions([doc])
        project.add_relation("oversees", ("span", department), ("span", bureau.id), source="agencies.txt",
                             suggested=True)
    run = run_scanspan(["merge", theirs, "-p", ours], tmp_path)
    assert run.code == 0, run.err
    assert "not merged" not in run.err
    assert _pending(ours, tmp_path) == []
    with Project(ours, read_only=True) as project:
        assert project.relations() == []
