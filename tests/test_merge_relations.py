"""Merging brings a colleague's relations in, on the ids their ends get here, checked as their other values are."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from helpers import row_counts, run_scanspan
from letter_project import add_letter, tag_phrase

from annotations.records import Label
from annotations.store import Project
from annotations.team.relation_adjudication import keep_relations, open_relation_disagreements

SHARED = [["The Department of Justice and the", "Bureau of Prisons wrote on March 3."]]
BOB_ONLY = [["Bob alone read this one from the", "Forest Service."]]


def _projects(tmp_path: Path) -> tuple[Path, Path]:
    ann, bob = tmp_path / "ann.db", tmp_path / "bob.db"
    with Project(ann) as project:
        doc = add_letter(project, "justice.pdf", SHARED)
        tag_phrase(project, doc, "agency", "Department of Justice")
    with Project(bob) as project:
        add_letter(project, "unrelated.pdf", [["placeholder"]])  # so that bob's ids differ from ann's
        doc = add_letter(project, "justice.pdf", SHARED)
        department = tag_phrase(project, doc, "agency", "Department of Justice")
        bureau = tag_phrase(project, doc, "agency", "Bureau of Prisons")
        stamp = project.add_region(project.pages(doc)[0].id, "signature", (10, 10, 80, 40), annotator="bob").id
        project.add_label(Label("oversees", "#123456", kind="relation", from_labels=("agency",), to_labels=("agency",)))
        project.add_label(Label("stamped", "#654321", kind="relation", directed=False))
        project.add_relation("oversees", ("span", department), ("span", bureau), note="since 1930", annotator="bob")
        project.add_relation("stamped", ("region", stamp), ("span", bureau), annotator="bob")
        only = add_letter(project, "bob-only.pdf", BOB_ONLY)
        service = tag_phrase(project, only, "agency", "Forest Service")
        bob_span = tag_phrase(project, only, "program", "Bob")
        project.add_relation("stamped", ("span", bob_span), ("span", service), annotator="bob")
    return ann, bob


def test_relations_come_in_with_their_ends_and_only_once(tmp_path: Path) -> None:
    ann, bob = _projects(tmp_path)
    run = run_scanspan(["merge", bob, "-p", ann], tmp_path)
    assert run.code == 0, run.err
    assert "; 3 relations added" in run.out
    assert "labels added: oversees, stamped" in run.out
    with Project(ann, read_only=True) as project:
        assert project.label("oversees").from_labels == ("agency",) and not project.label("stamped").directed
        found = set()
        for doc in project.documents():
            text = project.document_text(doc.id)

            def name(kind: str, ident: int) -> str:
                if kind == "span":
                    return text.resolve(project.span(ident)).text  # noqa: B023 - used at once
                return project.region(ident).label

            for r in project.relations(doc.id):
                found.add((doc.name, r.label, name(*r.from_end), name(*r.to_end), r.note, r.annotator))
        assert found == {
            ("justice.pdf", "oversees", "Department of Justice", "Bureau of Prisons", "since 1930", "bob"),
            ("justice.pdf", "stamped", "signature", "Bureau of Prisons", "", "bob"),
            ("bob-only.pdf", "stamped", "Bob", "Forest Service", "", "bob"),
        }
    once = row_counts(ann)
    again = run_scanspan(["merge", bob, "-p", ann], tmp_path)
    assert again.code == 0, again.err
    assert "relations added" not in again.out
    assert row_counts(ann) == once


def test_a_relation_that_does_not_fit_here_is_left_out_and_said(tmp_path: Path) -> None:
    ann, bob = _projects(tmp_path)
    with Project(bob, read_only=True) as project:
        justice, only = project.document("justice.pdf").id, project.document("bob-only.pdf").id
        department, bureau = (s.id for s in project.spans(justice))
        (stamp,) = project.regions(justice)
        service = project.spans(only)[0].id
    conn = sqlite3.connect(bob)
    with conn:
        columns = "(document_id, label, from_kind, from_id, to_kind, to_id, annotator, created, updated)"
        for label, from_kind, from_id, to_kind, to_id in (
            ("stamped", "span", bureau, "span", service),  # an end in another document
            ("stamped", "span", 9999, "span", bureau),  # an end that does not exist
            ("oversees", "span", department, "region", stamp.id),  # an end the label does not allow
            ("stamped", "span", bureau, "span", bureau),  # one end twice
            ("agency", "span", department, "span", bureau),  # not a relation label
        ):
            conn.execute(f"insert into relations {columns} values (?, ?, ?, ?, ?, ?, 'eve', '', '')",
                         [justice, label, from_kind, from_id, to_kind, to_id])
    conn.close()
    run = run_scanspan(["merge", bob, "-p", ann], tmp_path)
    assert run.code == 0, run.err
    assert "; 3 relations added" in run.out
    left_out = [line for line in run.err.splitlines() if "relation of 'eve'" in line]
    assert len(left_out) == 5, run.err
    assert all("does not fit" in line for line in left_out)
    with Project(ann, read_only=True) as project:
        assert {r.annotator for r in project.relations()} == {"bob"}


TWELVE = [["w0 w1 w2 w3 w4 w5", "w6 w7 w8 w9 w10 w11"]]


def _words(project: Project, doc: int) -> list[int]:
    return [w.id for page in project.pages(doc) for w in project.words(page.id)]


def _settled_team(path: Path) -> None:
    """Ann and Bob linked w0 to w2-w3 under other labels, and only Ann said the stamp signs for w0; Carl
    settled both (keeping neither), so that neither is asked again."""
    with Project(path) as project:
        add_letter(project, "unrelated.pdf", [["so that the ids here differ"]])
        doc = add_letter(project, "shared.pdf", TWELVE)
        for name in ("oversees", "runs"):
            project.add_label(Label(name, "#123456", kind="relation"))
        project.add_label(Label("signs", "#654321", kind="relation", directed=False))
        words = _words(project, doc)
        page = project.pages(doc)[0].id
        for who, label in (("ann", "oversees"), ("bob", "runs")):
            w0 = project.add_span(doc, "agency", words[0], words[0], annotator=who).id
            w23 = project.add_span(doc, "agency", words[2], words[3], annotator=who).id
            stamp = project.add_region(page, "signature", (10, 10, 50, 50), annotator=who).id
            project.add_relation(label, ("span", w0), ("span", w23), annotator=who)
            if who == "ann":
                project.add_relation("signs", ("region", stamp), ("span", w0), annotator=who)
        groups = open_relation_disagreements(project, doc, "ann", "bob")
        assert len(groups) == 2
        for group in groups:
            keep_relations(project, group, "ann", "bob", "neither", "carl")


def test_relation_decisions_come_in_so_a_merged_project_does_not_ask_them_again(tmp_path: Path) -> None:
    ours, team = tmp_path / "ours.db", tmp_path / "team.db"
    with Project(ours) as project:
        add_letter(project, "shared.pdf", TWELVE)
    _settled_team(team)
    run = run_scanspan(["merge", team, "-p", ours], tmp_path)
    assert run.code == 0, run.err
    assert "; 2 adjudication decisions taken" in run.out
    with Project(ours, read_only=True) as project:
        doc = project.document("shared.pdf").id
        assert len(project.relations(doc)) == 3
        assert open_relation_disagreements(project, doc, "ann", "bob") == []
    once = row_counts(ours)
    again = run_scanspan(["merge", team, "-p", ours], tmp_path)
    assert again.code == 0, again.err
    assert "adjudication decisions taken" not in again.out
    assert row_counts(ours) == once


def test_a_relation_decision_that_does_not_fit_here_is_left_out_and_said(tmp_path: Path) -> None:
    ours, team = tmp_path / "ours.db", tmp_path / "team.db"
    with Project(ours) as project:
        add_letter(project, "shared.pdf", TWELVE)
    _settled_team(team)
    conn = sqlite3.connect(team)
    with conn:
        doc, kept = conn.execute("select document_id, ends from relation_adjudications order by id").fetchone()
        page = conn.execute("select id from pages where document_id = ?", [doc]).fetchone()[0]
        for ends in ("not json", "[]", "[" * 40_000 + "]" * 40_000, '[["span", "agency", 999999, 999999, 0, 0], ["span", "agency", 1, 1, 0, 0]]',
                     json.dumps([["region", page, "signature", [0, 0, 1e9, 5]], ["span", "x", 1, 1, 0, 0]]),
                     json.dumps([["region", page, "signature", [0, 0, 5, 5]], ["region", page, "x", [0, 0, 5, "5"]]]),
                     # A whole number too large for a float: checking it must not stop the merge.
                     f'[["region", {page}, "signature", [1{"0" * 400}, 0, 1, 1]], ["span", "agency", 1, 1, 0, 0]]'):
            conn.execute("insert into relation_adjudications (document_id, a, b, ends, decision, adjudicator) "
                         "values (?, 'ann', 'eve', ?, 'a', 'eve')", [doc, ends])
        conn.execute("insert into relation_adjudications (document_id, a, b, ends, decision, adjudicator) "
                     "values (?, 'ann', 'bob', ?, 'whatever', 'eve')", [doc, kept.replace('"agency"', '"figure"')])
    conn.close()
    run = run_scanspan(["merge", team, "-p", ours], tmp_path)
    assert run.code == 0, run.err
    assert "; 2 adjudication decisions taken" in run.out
    left_out = [line for line in run.err.splitlines() if "adjudication decision of 'eve'" in line]
    assert len(left_out) == 8, run.err
    with Project(ours, read_only=True) as project:
        assert project.settled_relations(project.document("shared.pdf").id, "ann", "eve") == set()


def _suggesting(path: Path, reject: bool) -> None:
    """The same pre-annotation file's relation between two agencies, suggested; rejected when `reject`."""
    with Project(path) as project:
        if reject:
            add_letter(project, "unrelated.pdf", [["so that the ids here differ"]])
        doc = add_letter(project, "justice.pdf", SHARED)
        project.add_label(Label("oversees", "#123456", kind="relation"))
        department = tag_phrase(project, doc, "agency", "Department of Justice")
        bureau = tag_phrase(project, doc, "agency", "Bureau of Prisons")
        relation = project.add_relation("oversees", ("span", department), ("span", bureau), annotator="ann",
                                        source="ann.jsonl", suggested=True)
        if reject:
            project.reject_relations([relation.id])


def _oversees(path: Path) -> tuple[list[bool], bool]:
    """Whether each "oversees" relation is suggested, and whether the pair is remembered as rejected."""
    with Project(path, read_only=True) as project:
        relations = [r for r in project.relations() if r.label == "oversees"]
        doc = project.document("justice.pdf").id
        department, bureau = (s.id for s in project.spans(doc))
        return [r.suggested for r in relations], project.relation_rejected("oversees", ("span", department),
                                                                           ("span", bureau))


def test_a_rejected_relation_suggestion_stays_rejected_whichever_side_rejected_it(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    # They rejected it: it comes in as rejected, and our own copy of the suggestion goes.
    ours, theirs = tmp_path / "one" / "ours.db", tmp_path / "one" / "theirs.db"
    _suggesting(ours, reject=False)
    _suggesting(theirs, reject=True)
    assert _oversees(ours) == ([True], False)
    run = run_scanspan(["merge", theirs, "-p", ours], tmp_path)
    assert run.code == 0, run.err
    assert "; 1 rejected relation suggestion taken" in run.out
    assert _oversees(ours) == ([], True)
    listed = run_scanspan(["suggestions", "list", "-p", ours], tmp_path)
    assert not [line for line in listed.out.splitlines() if line.strip().startswith("rel")], listed.out
    # We rejected it: their copy of the suggestion does not bring it back.
    ours, theirs = tmp_path / "two" / "ours.db", tmp_path / "two" / "theirs.db"
    _suggesting(ours, reject=True)
    _suggesting(theirs, reject=False)
    run = run_scanspan(["merge", theirs, "-p", ours], tmp_path)
    assert run.code == 0, run.err
    assert _oversees(ours) == ([], True)


def test_a_relation_label_whose_ends_nest_too_deep_is_left_out_and_said(tmp_path: Path) -> None:
    ann, bob = _projects(tmp_path)
    conn = sqlite3.connect(bob)
    with conn:
        conn.execute("update labels set ends = ? where name = 'oversees'", ["[" * 40_000 + "]" * 40_000])
    conn.close()
    run = run_scanspan(["merge", bob, "-p", ann], tmp_path)
    assert run.code == 0, run.err
    assert "label 'oversees': its ends are not stored as Scanspan stores them; its relations were not merged" in run.err
