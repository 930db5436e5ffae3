"""A label typed on the command line with a combining accent ("e" + U+0301, as macOS terminals and
some copy-pastes give "é") is the project's label of that name, in every option that takes one."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from helpers import Run, draw_pdf, run_scanspan

from annotations.records import Label
from annotations.store import Project

ETAT = "\u00e9tat"  # as the project stores it (NFC)
TYPED = unicodedata.normalize("NFD", ETAT)  # as a decomposing terminal sends it
LIE = "li\u00e9"
LIE_TYPED = unicodedata.normalize("NFD", LIE)
LINES = ["Department of Justice grants", "for the youth program"]


def _run(args: list[object], tmp: Path) -> Run:
    return run_scanspan([str(a) for a in args], tmp)


def _ok(args: list[object], tmp: Path) -> str:
    run = _run(args, tmp)
    assert run.code == 0, run.err
    return run.out


def _project(tmp: Path) -> Path:
    """One page, the labels état and lié (a relation label) as the project stores them, and two état spans."""
    assert TYPED != ETAT and LIE_TYPED != LIE
    project = tmp / "p.db"
    (tmp / "letter.pdf").write_bytes(draw_pdf([LINES]).pdf)
    _ok(["import", tmp / "letter.pdf", "-p", project], tmp)
    _ok(["labels", "--add", ETAT, "-p", project], tmp)
    _ok(["labels", "--add", LIE, "--kind", "relation", "-p", project], tmp)
    _ok(["annotate", "-d", "1", "-l", ETAT, "--text", "Department of Justice", "-p", project], tmp)
    _ok(["annotate", "-d", "1", "-l", ETAT, "--text", "youth program", "-p", project], tmp)
    return project


def test_export_labels_typed_decomposed_exports_that_label(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = _ok(["export", "-f", "jsonl", "-o", tmp_path / "out.jsonl", "--labels", f"{TYPED},agency", "-p", project],
              tmp_path)
    assert out.splitlines()[1] == "1 document, 2 spans, 0 regions", out
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s["label"] for s in record["spans"]] == [ETAT, ETAT]


def test_relations_add_with_a_label_typed_decomposed_stores_the_projects_label(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = _ok(["relations", "add", "1", "2", "--label", LIE_TYPED, "-p", project], tmp_path)
    assert out.startswith(f"relation 1: {LIE}: 1 {ETAT} 'Department of Justice' -> 2 {ETAT} 'youth program'"), out
    with Project(project, read_only=True) as store:
        assert [r.label for r in store.relations()] == [LIE]


def _terms(tmp: Path) -> Path:
    terms = tmp / "terms.txt"
    terms.write_text("grants\n", encoding="utf-8")
    return terms


def test_suggest_terms_with_a_label_typed_decomposed_suggests_the_projects_label(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out = _ok(["suggest", "--terms", _terms(tmp_path), "--label", TYPED, "-p", project], tmp_path)
    assert out.startswith("1 suggestion added from 'terms.txt'"), out
    with Project(project, read_only=True) as store:
        assert [(s.label, s.suggested) for s in store.suggestions()] == [(ETAT, True)]


def test_suggestion_review_by_a_label_typed_decomposed_takes_that_labels_suggestions(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _ok(["suggest", "--terms", _terms(tmp_path), "--label", ETAT, "-p", project], tmp_path)
    listed = json.loads(_ok(["suggestions", "list", "--label", TYPED, "--json", "-p", project], tmp_path))
    assert [(row["label"], row["text"]) for row in listed] == [(ETAT, "grants")]
    out = _ok(["suggestions", "accept", "--label", TYPED, "-p", project], tmp_path)
    assert out.splitlines() == ["accepted 1 suggestion"]
    with Project(project, read_only=True) as store:
        assert [(s.label, s.suggested) for s in store.spans()] == [(ETAT, False)] * 3


def test_labels_move_takes_a_label_typed_decomposed(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _ok(["labels", "--move", TYPED, "--layer", "structure", "-p", project], tmp_path)
    with Project(project, read_only=True) as store:
        assert store.label(ETAT).layer == "structure"


def test_relation_label_ends_take_a_label_typed_decomposed(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _ok(["labels", "--add", "cite", "--kind", "relation", "--from-labels", TYPED, "--to-labels", f"agency,{TYPED}",
         "-p", project], tmp_path)
    with Project(project, read_only=True) as store:
        cite = store.label("cite")
        assert (cite.from_labels, cite.to_labels) == ((ETAT,), ("agency", ETAT))


def test_import_annotations_takes_labels_written_decomposed_as_the_projects_labels(tmp_path: Path) -> None:
    source = _project(tmp_path)
    _ok(["annotate", "-d", "1", "-l", ETAT, "--page", "1", "--box", "10,10,60,40", "-p", source], tmp_path)
    _ok(["relations", "add", "1", "2", "--label", LIE, "-p", source], tmp_path)
    _ok(["export", "-f", "jsonl", "-o", tmp_path / "out.jsonl", "-p", source], tmp_path)
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    # Another tool (or a file saved on macOS) writes the same labels decomposed.
    for item in record["spans"] + record["regions"] + record["relations"]:
        item["label"] = unicodedata.normalize("NFD", item["label"])
    (tmp_path / "decomposed.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    target = tmp_path / "target.db"
    _ok(["import", tmp_path / "letter.pdf", "-p", target], tmp_path)
    _ok(["labels", "--add", ETAT, "-p", target], tmp_path)
    _ok(["labels", "--add", LIE, "--kind", "relation", "-p", target], tmp_path)
    for flags in ([], ["--add-labels"]):
        run = _run(["import-annotations", tmp_path / "decomposed.jsonl", "-p", target, *flags], tmp_path)
        assert run.code == 0 and "not a project label" not in run.err, run.err
    with Project(target, read_only=True) as store:
        assert sorted(s.label for s in store.spans()) == [ETAT, ETAT]
        assert [g.label for g in store.regions()] == [ETAT]
        assert [r.label for r in store.relations()] == [LIE]
        assert [label.name for label in store.labels()].count(ETAT) == 1
        assert len(store.labels()) == len({unicodedata.normalize("NFC", label.name) for label in store.labels()})


def test_merge_brings_a_colleagues_labels_written_decomposed_in_under_this_projects_labels(tmp_path: Path) -> None:
    ours = _project(tmp_path)  # état and lié, as this project stores them
    theirs = tmp_path / "bob.db"
    _ok(["import", tmp_path / "letter.pdf", "-p", theirs], tmp_path)
    with Project(theirs) as store:  # a colleague whose terminal wrote the names decomposed
        store.add_label(Label(TYPED, "#8c564b"))
        store.add_label(Label(LIE_TYPED, "#17becf", kind="relation"))
        assert [label.name for label in store.labels()][-2:] == [TYPED, LIE_TYPED]
    _ok(["annotate", "-d", "1", "-l", TYPED, "--text", "Department of Justice", "--annotator", "bob", "-p", theirs],
        tmp_path)
    _ok(["annotate", "-d", "1", "-l", TYPED, "--text", "youth program", "--annotator", "bob", "-p", theirs], tmp_path)
    _ok(["annotate", "-d", "1", "-l", TYPED, "--page", "1", "--box", "10,10,60,40", "--annotator", "bob", "-p", theirs],
        tmp_path)
    _ok(["relations", "add", "1", "2", "--label", LIE_TYPED, "-p", theirs], tmp_path)
    run = _run(["merge", theirs, "-p", ours], tmp_path)
    assert run.code == 0 and "not merged" not in run.err, run.err
    assert "2 spans and 1 region added" in run.out, run.out
    with Project(ours, read_only=True) as store:
        assert sorted((s.annotator, s.label) for s in store.spans()) == [("", ETAT)] * 2 + [("bob", ETAT)] * 2
        assert [g.label for g in store.regions()] == [ETAT]
        assert [r.label for r in store.relations()] == [LIE]
        assert [label.name for label in store.labels()].count(ETAT) == 1
        assert TYPED not in [label.name for label in store.labels()]
