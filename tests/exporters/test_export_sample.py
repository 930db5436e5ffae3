"""End to end on the bundled scan, OCRed by tesseract and tagged with the demo's agencies, programs,
figures and signature region: every format loads in its consumer and says the right thing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytesseract
import pytest
from PIL import Image
from test_export_conll import iob2_entities, parse
from test_export_funsd import entities, funsd_examples
from test_export_labelstudio import check_result, config_controls

from annotations.assist.preannotations import import_annotations
from annotations.exporters import ExportOptions, ExportReport, export
from annotations.store import Project

pytestmark = pytest.mark.slow

FORMATS = {"spacy": "s.spacy", "conll": "c.conll", "layoutlm": "l.jsonl", "funsd": "funsd", "labelstudio": "t.json",
           "coco": "k.json", "jsonl": "j.jsonl"}


@pytest.fixture(scope="module")
def exports(sample_project: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, ExportReport]]:
    folder = tmp_path_factory.mktemp("sample-exports")
    reports = {}
    with Project(sample_project) as project:
        for fmt, name in FORMATS.items():
            if fmt == "spacy":
                pytest.importorskip("spacy")
            reports[fmt] = export(project, fmt, folder / name, options=ExportOptions(include_spans=True))
    return folder, reports


def test_conll_is_valid_iob2_with_one_entity_per_span(sample_project: Path, exports) -> None:  # type: ignore[no-untyped-def]
    folder, reports = exports
    with Project(sample_project) as project:
        spans = len(project.spans())
    assert spans == 17
    entities = sum(iob2_entities([t for _, t in s]) for s in parse(folder / "c.conll"))
    assert entities == spans == reports["conll"].spans
    tokens = {tok for s in parse(folder / "c.conll") for tok, tag in s if tag != "O"}
    assert {"CyberTipline", "iGuardian", "OJJDP", "Harper"} <= tokens


def test_spacy_docbin_loads_and_trains(exports, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    folder, _ = exports
    (doc,) = DocBin().from_disk(folder / "s.spacy").get_docs(spacy.blank("en").vocab)
    assert len(doc.spans["sc"]) == len(doc.ents) == 17
    assert ("CyberTipline", "program") in [(e.text, e.label_) for e in doc.ents]
    config = tmp_path / "ner.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(config), "--lang", "en", "--pipeline", "ner"],
                   check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(config), "--output", str(tmp_path / "m"),
         "--paths.train", str(folder / "s.spacy"), "--paths.dev", str(folder / "s.spacy"),
         "--training.max_steps", "4", "--training.eval_frequency", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_layoutlm_boxes_sit_on_the_right_words(exports, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder, _ = exports
    ds = datasets.load_dataset("json", data_files=str(folder / "l.jsonl"), split="train", cache_dir=str(folder / "hf"))
    assert ds.num_rows == 2
    checked = 0
    for row in ds:
        assert all(0 <= v <= 1000 for box in row["bboxes"] for v in box)
        with Image.open(folder / row["image"]) as page:
            assert page.size == (row["width"], row["height"])
            for word, box, tag in zip(row["words"], row["bboxes"], row["ner_tags"]):
                if word not in ("CyberTipline", "iGuardian", "Harper") or tag == "O":
                    continue
                # Back from 0-1000 to pixels, a little margin, and let tesseract read what is there.
                x0, y0, x1, y1 = (box[0] * row["width"] / 1000 - 6, box[1] * row["height"] / 1000 - 6,
                                  box[2] * row["width"] / 1000 + 8, box[3] * row["height"] / 1000 + 8)
                crop = page.crop((round(x0), round(y0), round(x1), round(y1)))
                read = pytesseract.image_to_string(crop, config="--psm 7").strip()
                assert word in read, (word, read, box)
                checked += 1
    assert checked >= 3


def test_a_funsd_loader_gets_the_spans_tagged_on_the_scan(sample_project: Path, exports) -> None:  # type: ignore[no-untyped-def]
    folder, reports = exports
    examples = list(funsd_examples(folder / "funsd"))
    assert [e["file"] for e in examples] == ["1-geneva-letter-2015-p1.json", "1-geneva-letter-2015-p2.json"]
    with Project(sample_project) as project:
        (doc,) = project.documents()
        text = project.document_text(doc.id)
        tagged = sorted((s.label.upper(), " ".join(w.text for w in text.resolve(s).words)) for s in project.spans())
    assert sorted(e for example in examples for e in entities(example)) == tagged
    agencies = [words for example in examples for label, words in entities(example) if label == "AGENCY"]
    assert agencies[:3] == ["U.S. Department of Justice (DOJ)", "Office of Juvenile Justice and Delinquency Prevention's",
                            "(OJJDP)"]
    assert reports["funsd"].spans == 17
    for example, page_text in zip(examples, text.pages):
        assert example["tokens"] == [w.text for w in page_text.words]  # the page's reading order
        width, height = example["image"].size
        assert all(0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height for x0, y0, x1, y1 in example["boxes"])
    # The first agency's words, cut out of the written image by their boxes, read as those words.
    first = examples[0]
    start = first["ner_tags"].index("B-AGENCY")
    boxes = first["boxes"][start : start + 5]
    crop = first["image"].crop((min(b[0] for b in boxes) - 6, min(b[1] for b in boxes) - 6,
                                max(b[2] for b in boxes) + 8, max(b[3] for b in boxes) + 8))
    assert "Department of Justice" in pytesseract.image_to_string(crop, config="--psm 7")


def test_coco_loads_in_pycocotools(exports) -> None:  # type: ignore[no-untyped-def]
    coco_module = pytest.importorskip("pycocotools.coco")
    folder, _ = exports
    coco = coco_module.COCO(str(folder / "k.json"))
    (signature,) = coco.getCatIds(catNms=["signature"])
    regions = [a for a in coco.loadAnns(coco.getAnnIds(catIds=[signature])) if a["source"] == "region"]
    assert [a["bbox"] for a in regions] == [[280, 2530, 1250, 290]]
    assert coco.loadImgs(regions[0]["image_id"])[0]["page"] == 2
    assert len([a for a in coco.dataset["annotations"] if a["source"] == "span"]) >= 17


def test_label_studio_tasks_follow_the_schema(exports) -> None:  # type: ignore[no-untyped-def]
    folder, _ = exports
    controls = config_controls((folder / "t-config.xml").read_text())
    tasks = json.loads((folder / "t.json").read_text())
    results = [(r, t, a["result"]) for t in tasks for a in t["annotations"] for r in a["result"]]
    for result, task, siblings in results:
        check_result(result, task, controls, siblings)
    assert sorted(r["type"] for r, _, _ in results).count("labels") == 17
    assert [r["value"]["rectanglelabels"] for r, _, _ in results if r["type"] == "rectanglelabels"] == [["signature"]]


def test_jsonl_import_round_trip_is_lossless(sample_project: Path, exports, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, _ = exports
    copy = tmp_path / "again.scanspan"
    shutil.copy(sample_project, copy)
    with Project(copy) as project:
        for span in project.spans():
            project.delete_span(span.id)
        (result,) = import_annotations(project, folder / "j.jsonl")
        assert (result.placed, result.adjusted, result.unaligned) == (17, 0, [])
        export(project, "jsonl", tmp_path / "again.jsonl")
    keys = ("start", "end", "label", "text", "boxes", "note", "annotator")
    before = [{k: s[k] for k in keys} for s in json.loads((folder / "j.jsonl").read_text())["spans"]]
    after = [{k: s[k] for k in keys} for s in json.loads((tmp_path / "again.jsonl").read_text())["spans"]]
    assert after == before
