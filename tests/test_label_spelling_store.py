"""The store takes a label name written the other way ("é" as "e" and a combining accent) as the label
it stores, in every call that names one, and writes the name as stored."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from letter_project import add_letter

from annotations.records import Label
from annotations.store import Project

ETAT = "\u00e9tat"
OTHER_WAY = unicodedata.normalize("NFD", ETAT)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    store = Project(tmp_path / "p.scanspan")
    add_letter(store, "l.pdf", [["one two three four"]])
    store.add_label(Label(ETAT, "#123456"))
    store.add_label(Label("cite", "#654321", kind="relation"))
    assert OTHER_WAY != ETAT
    return store


def test_update_and_delete_label_by_the_name_written_the_other_way(project: Project) -> None:
    with project:
        project.update_label(OTHER_WAY, {"color": "#00ff00", "layer": "structure"})
        assert (project.label(ETAT).color, project.label(ETAT).layer) == ("#00ff00", "structure")
        project.delete_label(OTHER_WAY)
        assert ETAT not in [label.name for label in project.labels()]


def test_relation_label_ends_written_the_other_way_are_stored_as_the_label_is(project: Project) -> None:
    with project:
        project.add_label(Label("names", "#111111", kind="relation", from_labels=(OTHER_WAY,), to_labels=("agency",)))
        assert project.label("names").from_labels == (ETAT,)
        project.update_label("cite", {"to_labels": [OTHER_WAY]})
        assert project.label("cite").to_labels == (ETAT,)


def test_a_relation_of_a_label_written_the_other_way_carries_the_label_as_stored(project: Project) -> None:
    with project:
        doc = project.documents()[0].id
        words = project.words(project.pages(doc)[0].id)
        first = project.add_span(doc, ETAT, words[0].id, words[0].id)
        second = project.add_span(doc, ETAT, words[2].id, words[2].id)
        relation = project.add_relation("cite", ("span", first.id), ("span", second.id))
        project.add_label(Label("li\u00e9", "#222222", kind="relation"))
        changed = project.update_relation(relation.id, label=unicodedata.normalize("NFD", "li\u00e9"))
        assert changed.label == "li\u00e9"
        other = project.add_relation(unicodedata.normalize("NFD", "li\u00e9"), ("span", second.id), ("span", first.id))
        assert other.label == "li\u00e9"
