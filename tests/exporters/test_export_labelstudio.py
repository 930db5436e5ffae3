"""Label Studio export, checked against its documented task format and the labelling config it comes with."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import DPI, LETTER, LETTER_SPANS, PAGE_SIZE, SIGNATURE_BOX, Letters, add_letter, tag

from annotations.exporters import ExportOptions, export
from annotations.store import Project

WIDTH, HEIGHT = round(PAGE_SIZE[0] * DPI / 72), round(PAGE_SIZE[1] * DPI / 72)


def config_controls(xml: str) -> dict[str, tuple[str, str, list[str]]]:
    """Control name -> (tag, toName, label values), and a check that every toName names an object tag."""
    view = ET.fromstring(xml)
    assert view.tag == "View"
    objects = {el.get("name"): el for el in view if el.tag in ("Image", "Text")}
    assert {name: el.get("value") for name, el in objects.items()} == {"image": "$image", "text": "$text"}
    controls = {}
    for el in view:
        if el.tag in ("Labels", "RectangleLabels", "TextArea"):
            assert el.get("toName") in objects
            controls[el.get("name")] = (el.tag, el.get("toName"), [lab.get("value") for lab in el])
        if el.tag == "TextArea":  # per region, as in Label Studio's OCR template
            assert el.get("perRegion") == "true"
    return controls


def check_result(result: dict, task: dict, controls: dict, results: list | None = None) -> None:  # type: ignore[type-arg]
    """One result entry as Label Studio documents it for its type."""
    tag_, to_name, values = controls[result["from_name"]]
    assert result["type"] == tag_.lower() and result["to_name"] == to_name
    value = result["value"]
    if result["type"] == "textarea":
        # A per-region text: the same id and position as the labelled region it belongs to.
        (owner,) = [r for r in results or [] if r["id"] == result["id"] and r["type"] != "textarea"]
        assert owner["to_name"] == result["to_name"]
        assert {k: v for k, v in owner["value"].items() if k not in ("labels", "rectanglelabels", "text")} == {
            k: v for k, v in value.items() if k != "text"
        }
        assert isinstance(value["text"], list) and all(isinstance(t, str) and t for t in value["text"])
    elif result["type"] == "labels":
        assert set(value) == {"start", "end", "text", "labels"}
        assert task["data"]["text"][value["start"] : value["end"]] == value["text"]
        assert value["labels"][0] in values
    else:
        assert result["original_width"] > 0 and result["original_height"] > 0 and result["image_rotation"] == 0
        assert set(value) == {"x", "y", "width", "height", "rotation", "rectanglelabels"}
        assert 0 <= value["x"] and value["x"] + value["width"] <= 100 + 1e-9
        assert 0 <= value["y"] and value["y"] + value["height"] <= 100 + 1e-9
        assert value["rectanglelabels"][0] in values


def test_tasks_follow_the_documented_format(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "tasks.json"
    with Project(letters.path) as project:
        report = export(project, "labelstudio", out, options=ExportOptions(image_url="/data/local-files/?d="))
        page_texts = [page.text for page in project.document_text(letters.ids[0]).pages]
    tasks = json.loads(out.read_text(encoding="utf-8"))
    controls = config_controls((tmp_path / "tasks-config.xml").read_text(encoding="utf-8"))
    assert controls == {
        "box": ("RectangleLabels", "image", ["agency", "program", "figure", "signature"]),
        "label": ("Labels", "text", ["agency", "program", "figure", "signature"]),
        "transcription": ("TextArea", "image", []),
        "box_note": ("TextArea", "image", []),
        "label_note": ("TextArea", "text", []),
    }
    assert len(tasks) == 6
    assert [t["data"]["text"] for t in tasks[:2]] == page_texts
    for task in tasks:
        assert task["data"]["image"].startswith("/data/local-files/?d=tasks-images/")
        assert (tmp_path / task["data"]["image"].removeprefix("/data/local-files/?d=")).is_file()
        assert task["predictions"] == []
        for annotation in task["annotations"]:
            for result in annotation["result"]:
                check_result(result, task, controls, annotation["result"])
    page2 = tasks[1]["annotations"][0]["result"]
    (rect,) = [r for r in page2 if r["type"] == "rectanglelabels"]
    x0, y0, x1, y1 = SIGNATURE_BOX
    assert (rect["original_width"], rect["original_height"]) == (WIDTH, HEIGHT)
    assert rect["value"]["x"] == pytest.approx(100 * x0 / WIDTH)
    assert rect["value"]["height"] == pytest.approx(100 * (y1 - y0) / HEIGHT)
    # The region's transcription travels with it (Label Studio's OCR template), each span's note with the span.
    (transcription,) = [r for r in page2 if r["type"] == "textarea" and r["to_name"] == "image"]
    assert (transcription["id"], transcription["value"]["text"]) == (rect["id"], ["Keith M. Harper"])
    notes = [r["value"]["text"] for r in page2 if r["from_name"] == "label_note"]
    assert notes == [["n0"]] * 4
    texts = [r["value"]["text"] for t in tasks[:2] for r in t["annotations"][0]["result"] if r["type"] == "labels"]
    assert texts[2] == "Office of Juvenile\nJustice and Delinquency Prevention"
    assert len(texts) == len(LETTER_SPANS)
    assert (report.spans, report.regions, report.images) == (27, 3, 6)


def test_suggestions_travel_as_predictions(tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "s.pdf", LETTER)
        tag(project, doc_id, LETTER_SPANS[:2])
        tag(project, doc_id, LETTER_SPANS[5:6], source="ner-v2", suggested=True)
        export(project, "labelstudio", tmp_path / "t.json")  # by default: suggestions are for review there
    first, second = json.loads((tmp_path / "t.json").read_text())
    assert len(first["annotations"][0]["result"]) == 2 and first["predictions"] == []
    assert second["annotations"] == []
    (prediction,) = second["predictions"]
    assert prediction["model_version"] == "ner-v2"
    assert prediction["result"][0]["value"]["text"] == "CyberTipline"


def test_offsets_count_utf16_units_as_label_studio_does(tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "u.pdf", [["Note \U0001d4d0\U0001d4d1 from OJJDP"]])
        tag(project, doc_id, [("agency", "OJJDP", 0)])
        export(project, "labelstudio", tmp_path / "t.json")
    (task,) = json.loads((tmp_path / "t.json").read_text())
    value = task["annotations"][0]["result"][0]["value"]
    text16 = task["data"]["text"].encode("utf-16-le")
    assert text16[2 * value["start"] : 2 * value["end"]].decode("utf-16-le") == "OJJDP"

