"""LayoutLM and FUNSD exports: records per page, 0-1000 boxes on the right words, page images, `datasets` loading.

FUNSD's folder as its loaders read it: test_export_funsd.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DPI, LETTER, PAGE_SIZE, SIGNATURE_BOX, Letters
from PIL import Image

from annotations.exporters import export
from annotations.store import Project

WIDTH, HEIGHT = round(PAGE_SIZE[0] * DPI / 72), round(PAGE_SIZE[1] * DPI / 72)


def records(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_layoutlm_records_per_page(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "layout.jsonl"
    with Project(letters.path) as project:
        report = export(project, "layoutlm", out)
        words = [project.words(p.id) for p in project.pages(letters.ids[0])]
    recs = records(out)
    assert [r["id"] for r in recs] == [f"{i}-{n}" for i in letters.ids for n in (1, 2)]
    first = recs[0]
    assert (first["width"], first["height"], first["page"]) == (WIDTH, HEIGHT, 1)
    assert first["words"] == [w.text for w in words[0]]
    assert first["words"] == " ".join(LETTER[0]).split()
    for word, box in zip(words[0], first["bboxes"]):
        x0, y0, x1, y1 = word.box
        assert box == [int(1000 * x0 / WIDTH), int(1000 * y0 / HEIGHT), int(1000 * x1 / WIDTH), int(1000 * y1 / HEIGHT)]
    tagged = [(w, t) for w, t in zip(first["words"], first["ner_tags"]) if t != "O"]
    assert tagged[:6] == [
        ("U.S.", "B-agency"), ("Department", "I-agency"), ("of", "I-agency"), ("Justice", "I-agency"),
        ("(DOJ)", "I-agency"), ("Office", "B-agency"),
    ]
    # "Prevention" in "Prevention's" and "OJJDP" in "(OJJDP)" tag whole OCR words; each widening is counted.
    assert ("Prevention's", "I-agency") in tagged and ("(OJJDP)", "B-agency") in tagged
    assert report.adjusted == {"spans widened to whole words (an edge fell inside a word)": 2 * 3}
    assert report.skipped == {
        "overlapping spans set aside (the longest one kept)": 3,
        "regions (layoutlm tags words; coco or labelstudio export regions)": 3,
    }
    image = tmp_path / first["image"]
    assert first["image"] == f"layout-images/{letters.ids[0]}-letter-1-p1.png"
    with Image.open(image) as img:
        assert img.size == (WIDTH, HEIGHT)
    assert report.images == 6


def test_span_over_a_page_break_is_one_entity_per_page(letters_copy: Path, tmp_path: Path) -> None:
    with Project(letters_copy) as project:
        doc_id = project.documents()[0].id
        for span in project.spans(doc_id):
            project.delete_span(span.id)
        text = project.document_text(doc_id)
        start = text.text.index("2015.")
        project.add_span_chars(doc_id, "figure", start, text.text.index("CyberTipline") + len("CyberTipline"))
        report = export(project, "layoutlm", tmp_path / "x.jsonl", documents=[doc_id])
    one, two = records(tmp_path / "x.jsonl")
    assert [t for t in one["ner_tags"] if t != "O"] == ["B-figure"]
    assert [t for t in two["ner_tags"] if t != "O"] == ["B-figure", "I-figure"]
    assert report.adjusted == {"spans split at a page break (one entity per page)": 1}


def test_funsd_form_puts_every_word_in_one_entity(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "funsd"
    with Project(letters.path) as project:
        report = export(project, "funsd", out, documents=letters.ids[:1])
    page1, page2 = (json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "annotations").iterdir()))
    for rec, lines in zip((page1, page2), LETTER):
        form = rec["form"]
        assert [e["id"] for e in form] == list(range(len(form)))
        assert [w["text"] for e in form for w in e["words"]] == " ".join(lines).split()
        for entity in form:
            assert set(entity) == {"id", "text", "box", "label", "words", "linking"}
            if entity["words"]:
                boxes = [w["box"] for w in entity["words"]]
                assert entity["box"] == [min(b[0] for b in boxes), min(b[1] for b in boxes),
                                         max(b[2] for b in boxes), max(b[3] for b in boxes)]
    labelled = [(e["label"], e["text"]) for e in page1["form"] if e["label"] != "other"]
    assert labelled == [
        ("agency", "U.S. Department of Justice (DOJ)"),
        ("agency", "Office of Juvenile Justice and Delinquency Prevention's"),
        ("agency", "(OJJDP)"),
        ("figure", "300,000 investigations"),
    ]
    assert page2["form"][-1] == {
        "id": len(page2["form"]) - 1, "text": "Keith M. Harper", "box": [round(v) for v in SIGNATURE_BOX],
        "label": "signature", "words": [], "linking": [],
    }
    assert report.regions == 1


def test_datasets_loads_the_layoutlm_export(letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with Project(letters.path) as project:
        export(project, "layoutlm", tmp_path / "layout.jsonl")
    ds = datasets.load_dataset("json", data_files=str(tmp_path / "layout.jsonl"), split="train", cache_dir=str(tmp_path / "hf"))
    assert ds.num_rows == 6
    assert set(ds.column_names) >= {"id", "image", "width", "height", "words", "bboxes", "ner_tags"}
    for row in ds:
        assert len(row["words"]) == len(row["bboxes"]) == len(row["ner_tags"])
        assert all(0 <= v <= 1000 for box in row["bboxes"] for v in box)
        assert (tmp_path / row["image"]).is_file()


def test_part_of_a_span_lost_to_an_overlap_on_one_page_is_counted(letters_copy: Path, tmp_path: Path) -> None:
    with Project(letters_copy) as project:
        doc_id = project.documents()[0].id
        for span in project.spans(doc_id):
            project.delete_span(span.id)
        text = project.document_text(doc_id).text
        # "2015." ends page 1, "The CyberTipline" starts page 2; a longer span there wins page 2.
        project.add_span_chars(doc_id, "figure", text.index("2015."), text.index("CyberTipline") + len("CyberTipline"))
        start = text.index("CyberTipline")
        project.add_span_chars(doc_id, "program", start, text.index("6.5") + 3)
        report = export(project, "layoutlm", tmp_path / "x.jsonl", documents=[doc_id])
    one, two = records(tmp_path / "x.jsonl")
    assert [t for t in one["ner_tags"] if t != "O"] == ["B-figure"]
    assert [t for t in two["ner_tags"] if t != "O"] == ["B-program", "I-program", "I-program"]
    assert report.spans == 2
    assert report.skipped == {
        "parts of spans over a page break set aside by a longer overlap on their page (the other parts are exported)": 1,
        "regions (layoutlm tags words; coco or labelstudio export regions)": 1,
    }


def test_funsd_counts_the_region_notes_it_has_no_place_for(letters_copy: Path, tmp_path: Path) -> None:
    with Project(letters_copy) as project:
        region = project.regions()[0]
        project.update_region(region.id, note="signed in blue ink")
        report = export(project, "funsd", tmp_path / "funsd")
    assert report.skipped == {
        "overlapping spans set aside (the longest one kept)": 3,
        "region notes (a FUNSD entity has no place for one; jsonl, coco and labelstudio carry them)": 1,
    }
