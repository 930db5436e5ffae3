"""Renaming, recolouring and deleting labels in the store: annotations follow a rename, a used label stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import copy_project

from annotations.errors import ProjectError
from annotations.records import Label
from annotations.store import Project


def _tagged(born_project: Path, tmp_path: Path) -> Project:
    project = Project(copy_project(born_project, tmp_path / "p.scanspan"))
    doc = project.documents()[0]
    project.add_span_chars(doc.id, "agency", 0, 5)
    project.add_region(project.pages(doc.id)[0].id, "agency", (10, 10, 50, 50))
    return project


def test_a_rename_moves_spans_and_regions_with_it_in_one_change(born_project: Path, tmp_path: Path) -> None:
    with _tagged(born_project, tmp_path) as project:
        seen = project.last_change()
        renamed = project.update_label("agency", {"name": "office", "color": "#123456", "shortcut": "7"})
        assert renamed == Label("office", "#123456", "7", "A government agency or office")
        assert [label.name for label in project.labels()] == ["office", "program", "figure", "signature"]
        assert {s.label for s in project.spans()} == {"office"}
        assert {r.label for r in project.regions(project.documents()[0].id)} == {"office"}
        kinds = {(c.kind, c.op) for c in project.changes_since(seen).changes}
        assert {("label", "insert"), ("label", "delete"), ("span", "update"), ("region", "update")} <= kinds
        conn = sqlite3.connect(project.path)
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        conn.close()


def test_a_label_change_that_clashes_changes_nothing(born_project: Path, tmp_path: Path) -> None:
    with _tagged(born_project, tmp_path) as project:
        before = project.labels()
        for changes, message in (
            ({"name": "program"}, "already exists"),
            ({"shortcut": "2"}, "already used by 'program'"),
            ({"name": "B-agency"}, "tag prefix"),
            ({"color": "blue"}, "#rrggbb"),
        ):
            with pytest.raises(ProjectError, match=message):
                project.update_label("agency", changes)
        assert project.labels() == before
        assert {s.label for s in project.spans()} == {"agency"}


def test_only_an_unused_label_is_deleted_and_it_comes_back_in_its_place(born_project: Path, tmp_path: Path) -> None:
    with _tagged(born_project, tmp_path) as project:
        assert project.label_usage() == {"agency": 2, "program": 0, "figure": 0, "signature": 0}
        with pytest.raises(ProjectError, match="used by 1 span and 1 region"):
            project.delete_label("agency")
        label, position = project.delete_label("program")
        assert [label.name for label in project.labels()] == ["agency", "figure", "signature"]
        project.add_label(label, position)
        assert [label.name for label in project.labels()] == ["agency", "program", "figure", "signature"]
