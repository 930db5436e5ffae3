"""Merging brings a colleague's relations in, on the ids their ends get here, checked as their other values are."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers import row_counts, run_scanspan
from letter_project import add_letter, tag_phrase

from annotations.model import Label
from annotations.store import Project

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
