"""COCO export, loaded with pycocotools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DPI, PAGE_SIZE, SIGNATURE_BOX, Letters
from PIL import Image

from annotations.exporters import ExportOptions, export
from annotations.store import Project

WIDTH, HEIGHT = round(PAGE_SIZE[0] * DPI / 72), round(PAGE_SIZE[1] * DPI / 72)


def test_regions_always_and_span_boxes_on_request(letters: Letters, tmp_path: Path) -> None:
    with Project(letters.path) as project:
        report = export(project, "coco", tmp_path / "regions.json")
        assert report.skipped == {"spans (--include-spans exports their word boxes)": 27}
        report = export(project, "coco", tmp_path / "all.json", options=ExportOptions(include_spans=True))
        assert not report.skipped
        spans = {s.id: project.document_text(s.document_id).resolve(s) for s in project.spans()}
    regions = json.loads((tmp_path / "regions.json").read_text())
    assert [c["name"] for c in regions["categories"]] == ["agency", "program", "figure", "signature"]
    assert len(regions["images"]) == 6 and len(regions["annotations"]) == 3
    x0, y0, x1, y1 = SIGNATURE_BOX
    first = regions["annotations"][0]
    assert first["bbox"] == [x0, y0, x1 - x0, y1 - y0]
    assert first["area"] == (x1 - x0) * (y1 - y0)
    assert (first["iscrowd"], first["category_id"], first["image_id"]) == (0, 4, 2)

    data = json.loads((tmp_path / "all.json").read_text())
    span_boxes = [a for a in data["annotations"] if a["source"] == "span"]
    # One box per line of a span: the multi-line agency span has two in each of the three letters.
    assert len(span_boxes) == 27 + 3
    for annotation in span_boxes:
        words = list(spans[annotation["span_id"]].words)
        x, y, w, h = annotation["bbox"]
        assert any(abs(word.box[0] - x) < 0.01 for word in words)
        assert all(word.box[1] >= y - 0.01 or word.box[3] <= y for word in words)
    for image in data["images"]:
        with Image.open(tmp_path / image["file_name"]) as img:
            assert img.size == (image["width"], image["height"]) == (WIDTH, HEIGHT)


def test_pycocotools_loads_the_export(letters: Letters, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    coco_module = pytest.importorskip("pycocotools.coco")
    with Project(letters.path) as project:
        export(project, "coco", tmp_path / "coco.json", options=ExportOptions(include_spans=True))
    coco = coco_module.COCO(str(tmp_path / "coco.json"))
    assert sorted(coco.getCatIds()) == [1, 2, 3, 4]
    assert len(coco.getImgIds()) == 6
    signature = coco.getCatIds(catNms=["signature"])
    regions = [a for a in coco.loadAnns(coco.getAnnIds(catIds=signature)) if a["source"] == "region"]
    assert len(regions) == 3
    page2 = coco.loadImgs(regions[0]["image_id"])[0]
    assert (page2["page"], page2["width"], page2["height"]) == (2, WIDTH, HEIGHT)
    mask = coco.annToMask(regions[0])  # the rectangle polygon rasterises on the page
    x0, y0, x1, y1 = SIGNATURE_BOX
    assert mask.shape == (HEIGHT, WIDTH)
    assert abs(int(mask.sum()) - (x1 - x0) * (y1 - y0)) < 0.02 * (x1 - x0) * (y1 - y0)


def test_each_document_source_is_read_once_not_once_per_page(
    letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 200-page, 72 MB scan was copied out of SQLite 200 times (23 s); once per document is enough.
    reads: list[str] = []
    original = Project.source_data

    def counting(self: Project, sha256: str) -> bytes:
        reads.append(sha256)
        return original(self, sha256)

    monkeypatch.setattr(Project, "source_data", counting)
    with Project(letters.path) as project:
        report = export(project, "coco", tmp_path / "c.json")
        shas = [d.source_sha256 for d in project.documents()]
    assert report.images == 6
    assert reads == shas


def test_region_text_and_notes_travel_on_their_annotations(letters_copy: Path, tmp_path: Path) -> None:
    with Project(letters_copy) as project:
        region = project.regions()[0]
        project.update_region(region.id, note="signed in blue ink")
        span = project.spans()[2]  # "Office of Juvenile / Justice and Delinquency Prevention", over a line break
        report = export(project, "coco", tmp_path / "c.json", options=ExportOptions(include_spans=True))
    data = json.loads((tmp_path / "c.json").read_text())
    by_region = {a["region_id"]: a for a in data["annotations"] if a["source"] == "region"}
    assert (by_region[region.id]["text"], by_region[region.id]["note"]) == ("Keith M. Harper", "signed in blue ink")
    lines = [a for a in data["annotations"] if a.get("span_id") == span.id]
    assert [a["text"] for a in lines] == ["Office of Juvenile", "Justice and Delinquency Prevention"]
    assert {a["note"] for a in lines} == {"n0"}
    assert not report.skipped


def test_a_box_rounded_to_two_decimals_stays_on_its_page() -> None:
    from annotations.exporters.coco import coco_box
    from annotations.records import Page, Provenance

    page = Page(1, 1, 1, 500, 400, 300.0, 300.0, "", Provenance("tesseract", "5.3.0", "eng", 3, 300.0, False))
    # Found by the properties test: 0.635 rounds up to 0.64, and 399.365 up to 399.37, ending at 400.01.
    (x, y, w, h), clamped = coco_box((0.0, 0.635, 1.0, 400.0), page)
    assert (x, y) == (0.0, 0.64) and not clamped
    assert y + h <= 400 and 400 - (y + h) < 0.02
    assert x + w <= 500 and w == 1.0
