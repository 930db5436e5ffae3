"""Suggested relations: between two suggestions a relation is one too, accepted with both its ends and
removed with either; pre-annotation files bring relations in between the suggestions they bring."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_scanspan
from letter_project import add_letter, tag_phrase

from annotations.records import Label
from annotations.store import Project

LETTER = [["The Department of Justice and the", "Bureau of Prisons counted 40 inmates."]]


def _labels(project: Project) -> None:
    project.add_label(Label("oversees", "#123456", kind="relation", from_labels=("agency",), to_labels=("agency",)))
    project.add_label(Label("signs", "#654321", kind="relation", directed=False))


def _exported(tmp_path: Path) -> Path:
    """A JSONL export of Ann's letter: two agencies, "oversees" between them, and a stamp that "signs" the second."""
    ann, out = tmp_path / "ann.db", tmp_path / "ann.jsonl"
    if out.exists():
        return out
    with Project(ann) as project:
        doc = add_letter(project, "justice.pdf", LETTER)
        _labels(project)
        department = tag_phrase(project, doc, "agency", "Department of Justice")
        bureau = tag_phrase(project, doc, "agency", "Bureau of Prisons")
        stamp = project.add_region(project.pages(doc)[0].id, "signature", (300, 200, 380, 260), annotator="ann").id
        project.add_relation("oversees", ("span", department), ("span", bureau), note="since 1930", annotator="ann")
        project.add_relation("signs", ("region", stamp), ("span", bureau), annotator="ann")
    run = run_scanspan(["export", "-p", ann, "-f", "jsonl", "-o", out], tmp_path)
    assert run.code == 0, run.err
    return out


def _target(tmp_path: Path, labels: bool = True) -> Path:
    path = tmp_path / "bob.db"
    with Project(path) as project:
        add_letter(project, "unrelated.pdf", [["so that the ids here differ from the file's"]])
        add_letter(project, "justice.pdf", LETTER)
        if labels:
            _labels(project)
    return path


def _relations(path: Path) -> list[tuple[str, str, str, bool, str]]:
    """(label, from end's text or label, to end's, suggested, source) of each relation the file holds."""
    with Project(path, read_only=True) as project:
        found = []
        for r in project.relations():
            names = []
            for kind, ident in (r.from_end, r.to_end):
                if kind == "span":
                    span = project.span(ident)
                    names.append(project.document_text(span.document_id).resolve(span).text)
                else:
                    names.append(project.region(ident).label)
            found.append((r.label, names[0], names[1], r.suggested, r.source))
        return sorted(found)


def test_an_exported_files_relations_come_in_as_suggestions_between_its_suggestions(tmp_path: Path) -> None:
    jsonl = _exported(tmp_path)
    bob = _target(tmp_path)
    run = run_scanspan(["import-annotations", jsonl, "-p", bob], tmp_path)
    assert run.code == 0, run.err
    assert "relations: 2 added, 0 already there" in run.out
    assert "2 spans and 1 region added as suggestions from 'ann.jsonl', 0 already there; 2 relations between them" in run.out
    assert _relations(bob) == [
        ("oversees", "Department of Justice", "Bureau of Prisons", True, "ann.jsonl"),
        ("signs", "signature", "Bureau of Prisons", True, "ann.jsonl"),
    ]
    with Project(bob, read_only=True) as project:
        (oversees,) = [r for r in project.relations() if r.label == "oversees"]
        assert (oversees.note, oversees.annotator) == ("since 1930", "ann")
    # The same file again adds nothing twice.
    again = run_scanspan(["import-annotations", jsonl, "-p", bob], tmp_path)
    assert again.code == 0, again.err
    assert "relations: 0 added, 2 already there" in again.out
    assert len(_relations(bob)) == 2


def test_suggestions_list_shows_the_suggested_relations(tmp_path: Path) -> None:
    bob = _target(tmp_path)
    assert run_scanspan(["import-annotations", _exported(tmp_path), "-p", bob], tmp_path).code == 0
    run = run_scanspan(["suggestions", "list", "-p", bob], tmp_path)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert "3 suggestions (1 region)" in lines
    relation_lines = [line for line in lines if line.strip().startswith("rel")]
    assert len(relation_lines) == 2
    assert any("oversees" in line and "agency 'Department of Justice' -> " in line and "agency 'Bureau of Prisons'" in line
               for line in relation_lines), relation_lines
    assert lines[-1] == "2 suggested relations (accepted with both their ends, removed with either; or by id, rel4)"
    listed = json.loads(run_scanspan(["suggestions", "list", "-p", bob, "--json"], tmp_path).out)
    relations = [row for row in listed if row["kind"] == "relation"]
    assert sorted(r["label"] for r in relations) == ["oversees", "signs"]
    signs = next(r for r in relations if r["label"] == "signs")
    assert (signs["from"]["kind"], signs["from"]["label"], signs["to"]["text"]) == ("region", "signature",
                                                                                      "Bureau of Prisons")
    # Filtered to the signature, the relation at it is still shown; the one between the agencies is not.
    only = run_scanspan(["suggestions", "list", "-p", bob, "--label", "signature"], tmp_path)
    assert [line for line in only.out.splitlines() if line.strip().startswith("rel")] == [
        line for line in relation_lines if "signs" in line]


def test_accepting_both_ends_accepts_a_relation_and_rejecting_one_removes_it(tmp_path: Path) -> None:
    bob = _target(tmp_path)
    assert run_scanspan(["import-annotations", _exported(tmp_path), "-p", bob], tmp_path).code == 0
    with Project(bob, read_only=True) as project:
        ids = {project.document_text(s.document_id).resolve(s).text: s.id for s in project.suggestions()}
        (stamp,) = [g.id for g, _, _ in project.region_suggestions()]
    # One end accepted: the relation waits for the other.
    run = run_scanspan(["suggestions", "accept", "-p", bob, str(ids["Department of Justice"])], tmp_path)
    assert run.code == 0, run.err
    assert [r[3] for r in _relations(bob)] == [True, True]
    run = run_scanspan(["suggestions", "accept", "-p", bob, str(ids["Bureau of Prisons"])], tmp_path)
    assert run.code == 0, run.err
    assert run.out.strip() == "accepted 1 suggestion; 1 suggested relation accepted"
    assert [(r[0], r[3]) for r in _relations(bob)] == [("oversees", False), ("signs", True)]
    listed = run_scanspan(["relations", "list", "-p", bob, "--json"], tmp_path)
    assert [(r["label"], r["suggested"]) for r in json.loads(listed.out)] == [("oversees", False), ("signs", True)]
    # Rejecting the stamp takes its relation with it, and the stamp is not proposed again: nor is the relation.
    run = run_scanspan(["suggestions", "reject", "-p", bob, f"r{stamp}"], tmp_path)
    assert run.code == 0, run.err
    assert run.out.strip() == "rejected 1 suggestion (1 region); 1 suggested relation removed"
    assert [r[0] for r in _relations(bob)] == ["oversees"]
    again = run_scanspan(["import-annotations", _exported(tmp_path), "-p", bob], tmp_path)
    assert again.code == 0, again.err
    assert "relations: 0 added, 1 already there" in again.out
    assert "not imported: 1 relation whose ends did not come in" in again.err
    assert [r[0] for r in _relations(bob)] == ["oversees"]


def test_a_relation_made_between_suggestions_is_suggested_until_they_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Project(path) as project:
        doc = add_letter(project, "justice.pdf", LETTER)
        _labels(project)
        spans = [tag_phrase(project, doc, "agency", phrase) for phrase in ("Department of Justice", "Bureau of Prisons")]
        project.unaccept(spans[0])  # as a term list or a model would have proposed it
    run = run_scanspan(["relations", "add", "-p", path, str(spans[0]), str(spans[1]), "--label", "oversees",
                        "--annotator", "ann"], tmp_path)
    assert run.code == 0, run.err
    assert [r[3] for r in _relations(path)] == [True]
    run = run_scanspan(["suggestions", "accept", "-p", path, "--all"], tmp_path)
    assert run.code == 0, run.err
    assert [r[3] for r in _relations(path)] == [False]
    # Undoing the acceptance (the window's undo) makes the relation a suggestion again; accepting it again does not.
    with Project(path) as project:
        project.unaccept(spans[0])
        assert [r.suggested for r in project.relations()] == [True]
        project.accept_span(spans[0])
        assert [r.suggested for r in project.relations()] == [False]


def test_undoing_a_rejection_brings_its_relations_back(tmp_path: Path) -> None:
    bob = _target(tmp_path)
    assert run_scanspan(["import-annotations", _exported(tmp_path), "-p", bob], tmp_path).code == 0
    with Project(bob) as project:
        (region,) = project.reject_region_suggestions([g.id for g, _, _ in project.region_suggestions()])
        (span,) = project.reject_suggestions([s.id for s in project.suggestions()
                                              if project.document_text(s.document_id).resolve(s).text == "Bureau of Prisons"])
        assert project.relations() == []
        project.restore_rejected(span)
        project.restore_rejected_region(region)
    assert _relations(bob) == [
        ("oversees", "Department of Justice", "Bureau of Prisons", True, "ann.jsonl"),
        ("signs", "signature", "Bureau of Prisons", True, "ann.jsonl"),
    ]


def test_add_labels_adds_a_files_relation_labels_as_relation_labels(tmp_path: Path) -> None:
    bob = _target(tmp_path, labels=False)
    jsonl = _exported(tmp_path)
    without = run_scanspan(["import-annotations", jsonl, "-p", bob], tmp_path)
    assert "not imported: 1 relation labelled 'oversees', not a project label (--add-labels adds it as a relation label)" in without.err
    run = run_scanspan(["import-annotations", jsonl, "-p", bob, "--add-labels"], tmp_path)
    assert run.code == 0, run.err
    assert "labels added: oversees, signs" in run.out
    with Project(bob, read_only=True) as project:
        assert project.label("oversees").is_relation and project.label("oversees").directed
        assert project.label("signs").is_relation and not project.label("signs").directed
    assert [r[0] for r in _relations(bob)] == ["oversees", "signs"]


def test_a_relation_naming_an_end_the_record_lacks_is_a_problem_of_its_line(tmp_path: Path) -> None:
    bob = _target(tmp_path)
    record = json.loads(_exported(tmp_path).read_text().splitlines()[0])
    record["relations"][0]["to"] = {"kind": "span", "id": 999}
    record["relations"].append({"label": "signs", "from": "r1"})
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(record) + "\n")
    run = run_scanspan(["import-annotations", broken, "-p", bob], tmp_path)
    assert run.code == 1
    assert "line 1: relation 1: to span 999: the record has no span of that id" in run.err
    assert "line 1: relation 3 is not an object with label, from and to" in run.err
    assert "relations: 1 added, 0 already there" in run.out
    assert [r[0] for r in _relations(bob)] == ["signs"]


def test_a_files_relation_between_annotations_already_accepted_is_reviewed_by_its_id(tmp_path: Path) -> None:
    bob = _target(tmp_path)
    jsonl = _exported(tmp_path)
    assert run_scanspan(["import-annotations", jsonl, "-p", bob], tmp_path).code == 0
    assert run_scanspan(["suggestions", "accept", "-p", bob, "--label", "agency", "--label", "signature"],
                        tmp_path).code == 0
    with Project(bob) as project:  # the analyst removes both relations; the file brings them again
        for r in project.relations():
            project.delete_relation(r.id)
    again = run_scanspan(["import-annotations", jsonl, "-p", bob], tmp_path)
    assert "relations: 2 added, 0 already there" in again.out
    # Their ends are accepted already: accepting an end cannot accept them, their ids can.
    listed = run_scanspan(["suggestions", "list", "-p", bob], tmp_path).out
    ids = {line.split()[3]: line.split()[0] for line in listed.splitlines() if line.strip().startswith("rel")}
    assert sorted(ids) == ["oversees", "signs"]
    run = run_scanspan(["suggestions", "accept", "-p", bob, ids["oversees"]], tmp_path)
    assert run.code == 0, run.err
    assert run.out.strip() == "accepted 0 suggestions; 1 suggested relation accepted"
    run = run_scanspan(["suggestions", "reject", "-p", bob, ids["signs"]], tmp_path)
    assert run.code == 0, run.err
    assert [(r[0], r[3]) for r in _relations(bob)] == [("oversees", False)]
    # A rejected relation is not proposed again.
    third = run_scanspan(["import-annotations", jsonl, "-p", bob], tmp_path)
    assert "not proposed again: 1 relation rejected before in this project" in third.out
    assert [r[0] for r in _relations(bob)] == ["oversees"]
    # A relation whose end is still a suggestion is accepted with it, not alone.
    with Project(bob) as project:
        program = project.add_span_chars(project.document("justice.pdf").id, "program", 0, 3)
        project.unaccept(program.id)
        department = next(s.id for s in project.spans() if s.label == "agency" and s.document_id == program.document_id)
        pending = project.add_relation("signs", ("span", department), ("span", program.id))
    refused = run_scanspan(["suggestions", "accept", "-p", bob, f"rel{pending.id}"], tmp_path)
    assert refused.code != 0
    assert f"relation {pending.id}: its span {program.id} is still a suggestion" in refused.err
