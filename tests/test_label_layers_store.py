"""A label's layer (entity or structure) in the project file: migrated, merged, refused when unknown."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_scanspan

from annotations.errors import ProjectError
from annotations.records import Label
from annotations.store import Project


def _layers(listing: str) -> dict[str, str]:
    """name -> layer from `scanspan labels` (key, layer, colour, name)."""
    return {line.split()[-1]: line.split()[-3] for line in listing.splitlines()}


def test_a_project_from_before_layers_gets_structure_for_the_letter_set_only(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from annotations.store.schema import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="0015_label_layers")  # as the release before layers left it
    names = ["agency", "signature", "letterhead", "date", "body", "signature_block", "cc", "stamp"]
    for position, name in enumerate(names):
        old["labels"].insert({"name": name, "color": "#8c564b", "shortcut": None, "description": "", "position": position})
    old.conn.close()
    run = run_scanspan(["labels", "-p", path], tmp_path)
    assert run.code == 0, run.err
    assert _layers(run.out) == {
        "agency": "entity", "signature": "entity", "stamp": "entity",
        "letterhead": "structure", "date": "structure", "body": "structure", "signature_block": "structure",
        "cc": "structure",
    }


def test_merge_brings_a_new_label_with_its_layer(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    Project(ours).close()
    with Project(theirs) as project:
        project.add_label(Label("stamp", "#123456", None, "an office stamp", "structure"))
    run = run_scanspan(["merge", theirs, "-p", ours], tmp_path)
    assert run.code == 0, run.err
    assert _layers(run_scanspan(["labels", "-p", ours], tmp_path).out)["stamp"] == "structure"


def test_a_label_layer_is_entity_or_structure(tmp_path: Path) -> None:
    with Project(tmp_path / "p.db") as project:
        with pytest.raises(ProjectError, match="layers are entity, structure"):
            project.add_label(Label("stamp", "#123456", None, "", "layout"))
        with pytest.raises(ProjectError, match="layers are entity, structure"):
            project.update_label("agency", {"layer": "ENTITY"})
        assert project.update_label("agency", {"layer": "structure"}).layer == "structure"
        renamed = project.update_label("agency", {"name": "office"})
        assert (renamed.layer, project.label("office").layer) == ("structure", "structure")
    refused = run_scanspan(["labels", "-p", tmp_path / "p.db", "--add", "seal", "--layer", "layout"], tmp_path)
    assert refused.code == 2 and "'layout' is not one of 'entity', 'structure'" in refused.err


def test_the_letter_set_adds_its_parts_as_structure_and_a_missing_signature_as_an_entity(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Project(path) as project:
        project.delete_label("signature")
    run = run_scanspan(["labels", "-p", path, "--add-set", "letter"], tmp_path)
    assert run.code == 0, run.err
    layers = _layers("\n".join(run.out.splitlines()[1:]))
    assert layers.pop("signature") == "entity"
    assert {name: layer for name, layer in layers.items() if name not in ("agency", "program", "figure")} == dict.fromkeys(
        ["letterhead", "date", "recipient", "subject", "salutation", "body", "closing", "signature_block", "enclosure",
         "cc"], "structure")
