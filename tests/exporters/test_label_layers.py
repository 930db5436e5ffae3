"""Label layers in exports: a letter's parts (structure) no longer push its entities out of flat formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import tag
from helpers import run_scanspan

from annotations.cli.demo import sample_pdf

AGENCIES = ["UNITED STATES MISSION", "Office of the United Nations High Commissioner for Human Rights",
            "U.S. Department of Justice", "Department of Homeland Security"]


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample letter with its parts accepted and its agencies tagged inside them, as the issue did it."""
    tmp = tmp_path_factory.mktemp("layers")
    db = tmp / "p.db"
    for args in (["import", sample_pdf(), "-p", db], ["labels", "-p", db, "--add-set", "letter"],
                 ["suggest", "-p", db, "--letter-parts"], ["suggestions", "accept", "-p", db, "--all"]):
        run = run_scanspan(args, tmp)
        assert run.code == 0, (args, run.err)
    for phrase in AGENCIES:
        run = run_scanspan(["annotate", "-p", db, "-d", "1", "-l", "agency", "--text", phrase], tmp)
        assert run.code == 0, (phrase, run.err)
    return db


def _export(db: Path, tmp: Path, fmt: str, name: str, *extra: str) -> tuple[Path, list[str], str]:
    out = tmp / name
    run = run_scanspan(["export", "-p", db, "-f", fmt, "-o", out, *extra], tmp)
    assert run.code == 0, run.err
    return out, run.out.splitlines(), run.err


def _conll_rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("-DOCSTART-")]


def test_conll_keeps_the_agencies_inside_the_letter_parts(letter: Path, tmp_path: Path) -> None:
    out, lines, err = _export(letter, tmp_path, "conll", "ner.conll")
    rows = _conll_rows(out)
    assert all(len(row) == 2 for row in rows)
    assert sum(1 for _, tag in rows if tag == "B-agency") == len(AGENCIES)
    assert not any(tag.endswith(("-body", "-letterhead", "-recipient")) for _, tag in rows)
    assert "overlapping" not in err
    # The summary says what went where, and what was left out and how to get it.
    assert f"{len(AGENCIES)} entity spans as tags" in lines
    assert any(line.startswith("not exported: ") and "structure spans (--label-layer structure or all exports them)"
               in line for line in err.splitlines())


def test_conll_with_every_layer_tags_the_structure_in_a_column_of_its_own(letter: Path, tmp_path: Path) -> None:
    out, lines, err = _export(letter, tmp_path, "conll", "ner.conll", "--label-layer", "all")
    rows = _conll_rows(out)
    assert all(len(row) == 3 for row in rows)
    assert sum(1 for _, entity, _ in rows if entity == "B-agency") == len(AGENCIES)
    structure = [tag for _, _, tag in rows]
    assert structure.count("B-body") == 10 and structure.count("B-date") == 1
    # "UNITED" starts both the letterhead and the agency in it.
    assert ["UNITED", "B-agency", "B-letterhead"] in rows
    assert "overlapping" not in err
    assert any("entity spans as tags in column 2" in line and "structure spans as tags in column 3" in line
               for line in lines)


def test_spacy_has_the_agencies_as_entities_and_the_letter_parts_in_a_span_group(letter: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    out, lines, err = _export(letter, tmp_path, "spacy", "corpus.spacy")
    (doc,) = DocBin().from_disk(out).get_docs(spacy.blank("en").vocab)
    ents = [(e.label_, " ".join(e.text.split())) for e in doc.ents]
    assert sorted(ents) == sorted(("agency", a) for a in AGENCIES)
    assert [s.label_ for s in doc.spans["sc"]].count("agency") == len(AGENCIES)
    structure = [s.label_ for s in doc.spans["structure"]]
    assert structure.count("body") == 10 and "letterhead" in structure and "agency" not in structure
    assert any(f"{len(AGENCIES)} entity spans as entities" in line and "structure spans in doc.spans[\"structure\"]"
               in line for line in lines)
    assert not [line for line in err.splitlines() if "spans" in line]


def test_spacy_trains_on_the_structure_when_asked(letter: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    out, _, _ = _export(letter, tmp_path, "spacy", "corpus.spacy", "--label-layer", "structure")
    (doc,) = DocBin().from_disk(out).get_docs(spacy.blank("en").vocab)
    assert {e.label_ for e in doc.ents} >= {"letterhead", "date", "body", "closing"}
    assert [s.label_ for s in doc.spans["entity"]].count("agency") == len(AGENCIES)


def test_jsonl_and_csv_keep_both_layers_and_name_each_spans_layer(letter: Path, tmp_path: Path) -> None:
    import csv

    out, _, _ = _export(letter, tmp_path, "jsonl", "all.jsonl")
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    layers = {(s["label"], s["layer"]) for s in record["spans"]}
    assert ("agency", "entity") in layers and ("body", "structure") in layers
    regions = {(g["label"], g["layer"]) for g in record["regions"]}
    assert ("signature_block", "structure") in regions and regions <= {("signature_block", "structure"),
                                                                       ("signature", "entity")}
    out, _, _ = _export(letter, tmp_path, "csv", "all.csv")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["label"], r["layer"]) for r in rows} == layers | regions


def test_coco_groups_categories_by_layer_and_takes_one_when_asked(letter: Path, tmp_path: Path) -> None:
    out, _, _ = _export(letter, tmp_path, "coco", "boxes.json")
    coco = json.loads(out.read_text(encoding="utf-8"))
    groups = {c["name"]: c["supercategory"] for c in coco["categories"]}
    assert groups["agency"] == "entity" and groups["signature_block"] == "structure"
    names = {c["id"]: c["name"] for c in coco["categories"]}
    boxes = [names[a["category_id"]] for a in coco["annotations"]]
    assert "signature_block" in boxes
    out, _, err = _export(letter, tmp_path, "coco", "entities.json", "--label-layer", "entity")
    coco = json.loads(out.read_text(encoding="utf-8"))
    assert {c["supercategory"] for c in coco["categories"]} == {"entity"}
    names = {c["id"]: c["name"] for c in coco["categories"]}
    assert sorted(names[a["category_id"]] for a in coco["annotations"]) == sorted(b for b in boxes if groups[b] == "entity")
    left_out = sum(1 for b in boxes if groups[b] == "structure")
    regions = "region" if left_out == 1 else "regions"
    assert f"not exported: {left_out} structure {regions} (--label-layer structure or all exports them)" in err


def test_layoutlm_tags_entities_and_funsd_takes_one_layer(letter: Path, tmp_path: Path) -> None:
    out, _, _ = _export(letter, tmp_path, "layoutlm", "layout.jsonl", "--label-layer", "all")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    tags = [t for r in records for t in r["ner_tags"]]
    structure = [t for r in records for t in r["structure_tags"]]
    assert tags.count("B-agency") == len(AGENCIES) and not any("body" in t for t in tags)
    assert structure.count("B-body") >= 10  # a paragraph over the page break is one entity on each page
    refused = run_scanspan(["export", "-p", letter, "-f", "funsd", "-o", tmp_path / "funsd", "--label-layer", "all"],
                           tmp_path)
    assert refused.code == 1 and refused.err.count("\n") == 1 and "--label-layer entity" in refused.err
    assert not (tmp_path / "funsd").exists()


def test_label_studio_names_the_structure_as_a_second_row_of_labels(letter: Path, tmp_path: Path) -> None:
    out, _, _ = _export(letter, tmp_path, "labelstudio", "tasks.json")
    results = [r for task in json.loads(out.read_text(encoding="utf-8")) for a in task["annotations"] for r in a["result"]
               if r["type"] == "labels"]
    by_control = {(r["from_name"], r["value"]["labels"][0]) for r in results}
    assert ("label", "agency") in by_control and ("structure", "body") in by_control
    assert ("label", "body") not in by_control
    config = (tmp_path / "tasks-config.xml").read_text(encoding="utf-8")
    assert '<Labels name="structure" toName="text">' in config


def test_labels_list_their_layer_and_a_new_label_takes_one(letter: Path, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    shutil.copy(letter, db)
    assert run_scanspan(["labels", "-p", db, "--add", "stamp", "--layer", "structure"], tmp_path).code == 0
    listing = run_scanspan(["labels", "-p", db], tmp_path).out
    layers = {line.split()[-1]: line.split()[-3] for line in listing.splitlines()}
    assert layers["agency"] == "entity" and layers["signature"] == "entity"
    assert layers["body"] == "structure" and layers["signature_block"] == "structure" and layers["stamp"] == "structure"
    # A label made before layers, or on the wrong one, is moved from the command line too.
    moved = run_scanspan(["labels", "-p", db, "--move", "stamp", "--move", "signature", "--layer", "entity"], tmp_path)
    assert moved.code == 0, moved.err
    layers = {line.split()[-1]: line.split()[-3] for line in moved.out.splitlines()}
    assert (layers["stamp"], layers["signature"], layers["body"]) == ("entity", "entity", "structure")
    refused = run_scanspan(["labels", "-p", db, "--move", "nosuch", "--layer", "entity"], tmp_path)
    assert refused.code == 1 and refused.err.startswith("error: no label 'nosuch'")


def test_import_annotations_adds_a_label_in_the_layer_the_jsonl_names(letters_copy: Path, tmp_path: Path) -> None:
    from test_preannotations import fresh_copy

    from annotations.records import Label
    from annotations.store import Project

    with Project(letters_copy) as project:
        project.add_label(Label("paragraph", "#123456", None, "", "structure"))
        project.add_label(Label("seal", "#654321", None, "", "structure"))
        tag(project, 1, [("paragraph", "The U.S. Department of Justice (DOJ) Office of Juvenile", 0)])
        project.add_region(project.page_by_number(1, 1).id, "seal", (10, 10, 60, 60))
    exported, fresh = tmp_path / "e.jsonl", tmp_path / "fresh.db"
    assert run_scanspan(["export", "-p", letters_copy, "-f", "jsonl", "-o", exported, "--documents", "1"], tmp_path).code == 0
    fresh_copy(letters_copy, fresh)
    run = run_scanspan(["import-annotations", exported, "-p", fresh, "--add-labels"], tmp_path)
    assert run.code == 0, run.err
    listing = run_scanspan(["labels", "-p", fresh], tmp_path).out
    layers = {line.split()[-1]: line.split()[-3] for line in listing.splitlines()}
    assert (layers["paragraph"], layers["seal"], layers["agency"]) == ("structure", "structure", "entity")
