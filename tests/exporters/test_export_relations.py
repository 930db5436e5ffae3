"""Relations in every export: where a format holds them, as its readers expect them; where not, counted."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from conftest import LETTER_SPANS
from helpers import shared

from annotations.exporters import ExportOptions, export
from annotations.exporters.funsd import RELATIONS_OUT as FUNSD_OUT
from annotations.exporters.labelstudio import RELATIONS_OUT as LABEL_STUDIO_OUT
from annotations.exporters.layoutlm import RELATIONS_OUT as LAYOUTLM_OUT
from annotations.records import Label
from annotations.store import Project

PAGE = "{http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15}"
SPAN = {phrase: n for n, (_, phrase, _) in enumerate(LETTER_SPANS)}


def _related(path: Path) -> dict[str, int]:
    """Relations in the first letter: two on page 2 between spans, a span to a region and a region to a
    region there, and one from page 1 to page 2. Returns their ids by name."""
    with Project(path) as project:
        doc_id = project.documents()[0].id
        spans = project.spans(doc_id)
        span = {phrase: ("span", spans[n].id) for phrase, n in SPAN.items()}
        (signature,) = project.regions(doc_id)
        stamp = project.add_region(signature.page_id, "agency", (320, 300, 480, 390), text="Received").id
        project.add_label(Label("counts", "#123456", kind="relation", from_labels=("figure",), to_labels=("program",)))
        project.add_label(Label("signs", "#654321", kind="relation", directed=False))
        add = project.add_relation
        return {
            "counts": add("counts", span["6.5 million reports"], span["CyberTipline"]).id,
            "signed": add("signs", span["Keith M. Harper"], ("region", signature.id)).id,
            "stamped": add("signs", ("region", stamp), ("region", signature.id), note="same day").id,
            "across": add("counts", span["300,000 investigations"], span["Project iGuardian"]).id,
        }


def test_jsonl_holds_each_documents_relations_with_both_ends(letters_copy: Path, tmp_path: Path) -> None:
    ids = _related(letters_copy)
    with Project(letters_copy) as project:
        report = export(project, "jsonl", tmp_path / "out.jsonl")
    first, *others = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(doc["relations"] == [] for doc in others)
    spans = {s["id"]: s["text"] for s in first["spans"]}
    regions = {g["id"]: g["text"] for g in first["regions"]}
    ends = {"span": spans, "region": regions}
    got = {(r["label"], r["directed"], ends[r["from"]["kind"]][r["from"]["id"]], ends[r["to"]["kind"]][r["to"]["id"]])
           for r in first["relations"]}
    assert got == {("counts", True, "6.5 million reports", "CyberTipline"),
                   ("signs", False, "Keith M. Harper", "Keith M. Harper"), ("signs", False, "Received", "Keith M. Harper"),
                   ("counts", True, "300,000 investigations", "Project iGuardian")}
    assert sorted(r["id"] for r in first["relations"]) == sorted(ids.values())
    assert report.relations == 4 and "4 relations" in report.summary()[0]


def xfund_relations(folder: Path) -> dict[str, set[frozenset[tuple[str, str]]]]:
    """The relations of each page as LayoutXLM's XFUND/FUNSD relation-extraction loader reads `linking`
    (unilm layoutlmft/data/datasets/xfun.py): pairs sorted and deduplicated, entities without text
    dropped, ids mapped to entities. Returns the (label, text) of both ends per page file (the loader keeps
    no direction)."""
    pages = {}
    for file in sorted(os.listdir(folder / "annotations")):
        with open(folder / "annotations" / file, encoding="utf8") as f:
            document = json.load(f)["form"]
        relations: list[tuple[int, int]] = []
        id2entity: dict[int, dict[str, Any]] = {}
        empty_entity = set()
        for line in document:
            if len(line["text"]) == 0:
                empty_entity.add(line["id"])
                continue
            id2entity[line["id"]] = line
            relations.extend([tuple(sorted(pair)) for pair in line["linking"]])  # type: ignore[misc]
        relations = [rel for rel in set(relations) if rel[0] not in empty_entity and rel[1] not in empty_entity]
        pages[file] = {frozenset({(id2entity[a]["label"], id2entity[a]["text"]),
                                  (id2entity[b]["label"], id2entity[b]["text"])}) for a, b in relations}
    return pages


def test_funsd_links_entities_on_both_sides_with_ids_of_the_file(letters_copy: Path, tmp_path: Path) -> None:
    _related(letters_copy)
    with Project(letters_copy) as project:
        doc = project.documents()[0]
        report = export(project, "funsd", tmp_path / "funsd", documents=[doc.id])
    page1, page2 = sorted((tmp_path / "funsd" / "annotations").iterdir())
    assert xfund_relations(tmp_path / "funsd") == {
        page1.name: set(),
        page2.name: {frozenset({("agency", "Received"), ("signature", "Keith M. Harper")}),
                     frozenset({("figure", "6.5 million reports"), ("program", "CyberTipline")}),
                     frozenset({("signature", "Keith M. Harper")})},  # the span and the region of one text
    }
    form = json.loads(page2.read_text(encoding="utf-8"))["form"]
    assert [item["id"] for item in form] == list(range(len(form)))
    by_text = {item["text"]: item for item in form}
    figure, program = by_text["6.5 million reports"], by_text["CyberTipline"]
    # FUNSD's own files list the pair, from then to, on both entities.
    assert figure["linking"] == program["linking"] == [[figure["id"], program["id"]]]
    assert report.relations == 3 and report.skipped[FUNSD_OUT] == 1


def test_label_studio_relations_link_the_exported_results_and_the_config_declares_them(
        letters_copy: Path, tmp_path: Path) -> None:
    _related(letters_copy)
    with Project(letters_copy) as project:
        doc = project.documents()[0]
        report = export(project, "labelstudio", tmp_path / "tasks.json", documents=[doc.id])
    view = ET.fromstring((tmp_path / "tasks-config.xml").read_text(encoding="utf-8"))
    (relations,) = view.findall("Relations")
    assert [r.get("value") for r in relations.findall("Relation")] == ["counts", "signs"]
    for control in ("Labels", "RectangleLabels"):  # relation labels tag nothing
        assert [lab.get("value") for lab in view.find(control) or []] == ["agency", "program", "figure", "signature"]
    page1, page2 = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert not [r for r in page1["annotations"][0]["result"] if r["type"] == "relation"]
    results = page2["annotations"][0]["result"]
    by_id = {r["id"]: r for r in results if r["type"] in ("labels", "rectanglelabels")}
    found = set()
    for r in results:
        if r["type"] != "relation":
            continue
        assert set(r) == {"from_id", "to_id", "type", "direction", "labels"}
        ends = [by_id[r["from_id"]], by_id[r["to_id"]]]  # ids of results of the same annotation
        texts = [e["value"].get("text") or e["value"]["rectanglelabels"][0] for e in ends]
        found.add((r["labels"][0], r["direction"], *texts))
    assert found == {("counts", "right", "6.5 million reports", "CyberTipline"),
                     ("signs", "bi", "Keith M. Harper", "signature"), ("signs", "bi", "agency", "signature")}
    assert report.relations == 3 and report.skipped[LABEL_STUDIO_OUT] == 1
    # Label Studio's own SDK reads the written config and takes every exported annotation, relations
    # and all; a relation to a result that is not there is refused (so it looks at them).
    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface((tmp_path / "tasks-config.xml").read_text(encoding="utf-8"))
    for task in (page1, page2):
        assert interface.validate_annotation(task["annotations"][0])
    broken = json.loads(json.dumps(page2["annotations"][0]))
    next(r for r in broken["result"] if r["type"] == "relation")["to_id"] = "nosuch"
    assert not interface.validate_annotation(broken)


def test_layoutlm_has_a_relations_column_that_datasets_reads(letters_copy: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _related(letters_copy)
    with Project(letters_copy) as project:
        report = export(project, "layoutlm", tmp_path / "layout.jsonl")
    ds = datasets.load_dataset("json", data_files=str(tmp_path / "layout.jsonl"), split="train",
                               cache_dir=str(tmp_path / "hf"))
    assert "relations" in ds.column_names
    page2 = ds[1]
    (relation,) = page2["relations"]
    words = page2["words"]
    head, tail = relation["head"], relation["tail"]
    assert (relation["label"], relation["directed"]) == ("counts", True)
    assert (" ".join(words[head[0]:head[1]]), relation["head_label"]) == ("6.5 million reports", "figure")
    assert (" ".join(words[tail[0]:tail[1]]), relation["tail_label"]) == ("CyberTipline", "program")
    assert all(row["relations"] == [] for n, row in enumerate(ds) if n != 1)
    # Regions are not in a layoutlm record, nor is a link between two of its pages.
    assert report.relations == 1 and report.skipped[LAYOUTLM_OUT] == 3


def test_page_links_two_regions_and_the_file_stays_valid(letters_copy: Path, tmp_path: Path) -> None:
    ids = _related(letters_copy)
    with Project(letters_copy) as project:
        doc = project.documents()[0]
        regions = {g.text: g.id for g in project.regions(doc.id)}
        report = export(project, "page", tmp_path / "page", documents=[doc.id])
    schema = xmlschema.XMLSchema(str(shared() / "schemas" / "pagecontent-2019-07-15.xsd"))
    files = sorted((tmp_path / "page").glob("*.xml"))
    for file in files:
        schema.validate(str(file))
    root = ET.parse(files[1]).getroot()
    (relation,) = root.iter(f"{PAGE}Relation")
    assert (relation.get("id"), relation.get("type"), relation.get("comments")) == (
        f"relation{ids['stamped']}", "link", "same day")
    assert "signs" in (relation.get("custom") or "")
    assert relation.find(f"{PAGE}SourceRegionRef").get("regionRef") == f"region{regions['Received']}"  # type: ignore[union-attr]
    assert relation.find(f"{PAGE}TargetRegionRef").get("regionRef") == f"region{regions['Keith M. Harper']}"  # type: ignore[union-attr]
    assert report.relations == 1
    assert report.skipped == {"relations not between two regions of one page (PAGE links regions)": 3}


@pytest.mark.parametrize(("fmt", "name"), [("conll", "CoNLL"), ("spacy", "spaCy"), ("coco", "COCO"), ("csv", "CSV"),
                                           ("alto", "ALTO"), ("hocr", "hOCR")])
def test_a_format_without_relations_says_how_many_it_left_out(letters_copy: Path, tmp_path: Path, fmt: str,
                                                              name: str) -> None:
    _related(letters_copy)
    with Project(letters_copy) as project:
        report = export(project, fmt, tmp_path / f"out.{fmt}", options=ExportOptions(labels=None))
        categories = json.loads((tmp_path / "out.coco").read_text())["categories"] if fmt == "coco" else []
    assert f"not exported: 4 relations ({name} has no place for them)" in report.summary()
    assert report.relations == 0
    assert "counts" not in {c["name"] for c in categories}


def test_relations_follow_the_filters_of_their_ends(letters_copy: Path, tmp_path: Path) -> None:
    _related(letters_copy)
    with Project(letters_copy) as project:
        report = export(project, "jsonl", tmp_path / "out.jsonl", options=ExportOptions(labels=["figure", "program"]))
        only_counts = export(project, "jsonl", tmp_path / "counts.jsonl",
                             options=ExportOptions(labels=["figure", "program", "signature", "counts"]))
        ls_options = ExportOptions(labels=["figure", "program"])
        export(project, "labelstudio", tmp_path / "tasks.json", options=ls_options)
    assert report.relations == 2
    assert report.skipped["relations with an end not exported (label, layer or suggestion filters)"] == 2
    assert only_counts.relations == 2  # naming a relation label keeps only its relations
    # The config declares the relation labels of the relations written, even when --labels names none.
    view = ET.fromstring((tmp_path / "tasks-config.xml").read_text(encoding="utf-8"))
    assert [r.get("value") for r in view.iter("Relation")] == ["counts", "signs"]
