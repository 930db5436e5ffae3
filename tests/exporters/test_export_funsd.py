"""FUNSD's folder (annotations/PAGE.json beside images/PAGE.png) as FUNSD loaders and `datasets` read it."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf
import pytest
from conftest import DPI, LETTER, LETTER_SPANS, PAGE_SIZE, Letters, add_letter, tag
from PIL import Image

from annotations.errors import ProjectError
from annotations.exporters import ExportOptions, export
from annotations.records import Label, Provenance, RawWord
from annotations.store import NewPage, Project

WIDTH, HEIGHT = round(PAGE_SIZE[0] * DPI / 72), round(PAGE_SIZE[1] * DPI / 72)


# -- FUNSD loaders, written as the common ones are --------------------------------------------------------


def normalize_bbox(bbox: list[int], size: tuple[int, int]) -> list[int]:
    return [
        int(1000 * bbox[0] / size[0]), int(1000 * bbox[1] / size[1]),
        int(1000 * bbox[2] / size[0]), int(1000 * bbox[3] / size[1]),
    ]


def funsd_examples(filepath: Path) -> Iterator[dict[str, Any]]:
    """HuggingFace's funsd.py `_generate_examples`, step by step (the loader LayoutLMv2/v3 examples use)."""
    ann_dir = os.path.join(filepath, "annotations")
    img_dir = os.path.join(filepath, "images")
    for guid, file in enumerate(sorted(os.listdir(ann_dir))):
        tokens, bboxes, ner_tags, boxes = [], [], [], []
        file_path = os.path.join(ann_dir, file)
        with open(file_path, encoding="utf8") as f:
            data = json.load(f)
        image_path = os.path.join(img_dir, file)
        image_path = image_path.replace("json", "png")
        image = Image.open(image_path).convert("RGB")
        size = image.size
        for item in data["form"]:
            words, label = item["words"], item["label"]
            words = [w for w in words if w["text"].strip() != ""]
            if len(words) == 0:
                continue
            for n, w in enumerate(words):
                tokens.append(w["text"])
                ner_tags.append("O" if label == "other" else ("B-" if n == 0 else "I-") + label.upper())
                bboxes.append(normalize_bbox(w["box"], size))
                boxes.append(w["box"])
        yield {"id": str(guid), "tokens": tokens, "bboxes": bboxes, "ner_tags": ner_tags, "image": image,
               "file": file, "boxes": boxes}


def layoutlm_preprocess(data_dir: Path) -> list[str]:
    """LayoutLM's FUNSD preprocess.py: `word\\tTAG` lines (S-, B-, I-, E-), the image found by replacing in the path."""
    lines = []
    for file in os.listdir(data_dir):
        file_path = os.path.join(data_dir, file)
        with open(file_path, encoding="utf8") as f:
            data = json.load(f)
        image_path = file_path.replace("annotations", "images")
        image_path = image_path.replace("json", "png")
        Image.open(image_path).close()
        for item in data["form"]:
            words, label = [w for w in item["words"] if w["text"].strip() != ""], item["label"]
            if not words:
                continue
            if label == "other":
                lines += [w["text"] + "\tO" for w in words]
            elif len(words) == 1:
                lines.append(words[0]["text"] + "\tS-" + label.upper())
            else:
                lines.append(words[0]["text"] + "\tB-" + label.upper())
                lines += [w["text"] + "\tI-" + label.upper() for w in words[1:-1]]
                lines.append(words[-1]["text"] + "\tE-" + label.upper())
    return lines


def entities(example: dict[str, Any]) -> list[tuple[str, str]]:
    """(LABEL, words) of each B-/I- run, in order."""
    found: list[tuple[str, list[str]]] = []
    for token, tag_ in zip(example["tokens"], example["ner_tags"]):
        if tag_.startswith("B-"):
            found.append((tag_[2:], [token]))
        elif tag_.startswith("I-"):
            assert found and found[-1][0] == tag_[2:], (token, tag_)
            found[-1][1].append(token)
    return [(label, " ".join(words)) for label, words in found]


# -- what a user reads back --------------------------------------------------------------------------------


def test_a_funsd_loader_reads_the_export_as_it_is(letters: Letters, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "funsd"
    code, stdout, _ = run_cli("export", "-p", letters.path, "-f", "funsd", "-o", out)
    assert code == 0
    assert stdout.startswith(f"wrote {out / 'annotations'} and 6 page images in {out / 'images'}\n")
    stems = [f"{i}-letter-{n + 1}-p{p}" for n, i in enumerate(letters.ids) for p in (1, 2)]
    assert sorted(os.listdir(out)) == ["annotations", "images"]
    assert sorted(os.listdir(out / "annotations")) == sorted(f"{s}.json" for s in stems)
    assert sorted(os.listdir(out / "images")) == sorted(f"{s}.png" for s in stems)

    examples = list(funsd_examples(out))
    assert len(examples) == 6
    with Project(letters.path) as project:
        pages = [project.document_text(i).pages for i in letters.ids]
    first = examples[0]
    assert first["file"] == f"{stems[0]}.json" and first["image"].size == (WIDTH, HEIGHT)
    # Every word of the page, in the page's reading order (the order of the project's text).
    assert first["tokens"] == [w.text for w in pages[0][0].words]
    assert entities(first) == [
        ("AGENCY", "U.S. Department of Justice (DOJ)"),  # "Department of Justice" inside it is set aside
        ("AGENCY", "Office of Juvenile Justice and Delinquency Prevention's"),  # widened to the whole word
        ("AGENCY", "(OJJDP)"),
        ("FIGURE", "300,000 investigations"),
    ]
    assert entities(examples[1]) == [
        ("PROGRAM", "CyberTipline"), ("FIGURE", "6.5 million reports"), ("PROGRAM", "Project iGuardian"),
        ("SIGNATURE", "Keith M. Harper"),
    ]
    for example in examples:
        width, height = example["image"].size
        assert all(0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height for x0, y0, x1, y1 in example["boxes"])
        assert all(0 <= v <= 1000 for box in example["bboxes"] for v in box)
    # The words' boxes are where the words are: the stored boxes, rounded to whole pixels.
    assert first["boxes"] == [[round(v) for v in w.box] for w in pages[0][0].words]

    lines = layoutlm_preprocess(out / "annotations")
    assert len(lines) == sum(len(e["tokens"]) for e in examples)
    assert "U.S.\tB-AGENCY" in lines and "(DOJ)\tE-AGENCY" in lines and "CyberTipline\tS-PROGRAM" in lines


def test_each_page_says_where_it_comes_from_where_loaders_do_not_look(letters: Letters, tmp_path: Path) -> None:
    with Project(letters.path) as project:
        export(project, "funsd", tmp_path / "funsd", documents=letters.ids[:1])
    record = json.loads((tmp_path / "funsd" / "annotations" / f"{letters.ids[0]}-letter-1-p2.json").read_text())
    assert set(record) == {"form", "scanspan"}
    assert record["scanspan"] == {
        "document": "letter-1.pdf", "document_id": letters.ids[0], "page": 2, "width": WIDTH, "height": HEIGHT,
        "dpi": [DPI, DPI], "coordinates": "page pixels of the image, [x0, y0, x1, y1], origin top-left",
        "reading_order": "engine",
    }
    # The signature region is an item without words, which loaders skip; its box is on the page.
    (region,) = [item for item in record["form"] if not item["words"]]
    assert (region["label"], region["text"], region["linking"]) == ("signature", "Keith M. Harper", [])


def _two_columns(project: Project) -> int:
    """A page whose reading order is not top to bottom: a column of names, then the body beside it."""
    names, body = ["Alice Archer", "Bob Baker"], ["Dear Sir, we write", "about the grant."]
    doc = pymupdf.open()
    page = doc.new_page(width=PAGE_SIZE[0], height=PAGE_SIZE[1])
    font = pymupdf.Font("helv")
    words: list[RawWord] = []
    for block, (x, lines) in enumerate(((18.0, names), (140.0, body))):
        for n, line in enumerate(lines):
            y = 40.0 + 16 * n
            page.insert_text((x, y), line, fontname="helv", fontsize=10)
            left = x
            for token in line.split():
                width = font.text_length(token, fontsize=10)
                box = (left * DPI / 72, (y - 9) * DPI / 72, (left + width) * DPI / 72, (y + 2) * DPI / 72)
                words.append(RawWord(token, box, 96.0, block, 0, n))
                left += width + font.text_length(" ", fontsize=10)
    data = doc.tobytes(no_new_id=True)
    sha = hashlib.sha256(data).hexdigest()
    prov = Provenance("pymupdf", pymupdf.VersionBind, "eng", None, DPI, True, reading_order="xycut-1")
    return project.add_document("two columns.pdf", data, sha, [NewPage(1, WIDTH, HEIGHT, DPI, DPI, sha, prov, words)]).id


def test_words_keep_the_page_reading_order_not_top_to_bottom(tmp_path: Path) -> None:
    path = tmp_path / "columns.scanspan"
    with Project(path) as project:
        doc_id = _two_columns(project)
        tag(project, doc_id, [("program", "Dear Sir, we write about the grant.", 0), ("agency", "Bob Baker", 0)])
        export(project, "funsd", tmp_path / "out")
    (example,) = funsd_examples(tmp_path / "out")
    assert example["file"] == f"{doc_id}-two-columns-p1.json"
    assert example["tokens"] == "Alice Archer Bob Baker Dear Sir, we write about the grant.".split()
    assert entities(example) == [("AGENCY", "Bob Baker"), ("PROGRAM", "Dear Sir, we write about the grant.")]
    record = json.loads(next((tmp_path / "out" / "annotations").iterdir()).read_text())
    assert record["scanspan"]["reading_order"] == "xycut-1"
    # Top to bottom would have interleaved the columns: "Alice Archer Dear Sir, ...".
    tops = sorted(zip(example["boxes"], example["tokens"]), key=lambda bt: (bt[0][1], bt[0][0]))
    assert [t for _, t in tops][:3] == ["Alice", "Archer", "Dear"]


def test_a_split_gives_funsd_training_and_testing_folders(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "funsd"
    with Project(letters.path) as project:
        report = export(project, "funsd", out, options=ExportOptions(split="train=0.67,test=0.33"))
    assert report.splits == {"train": 2, "test": 1}
    assert sorted(os.listdir(out)) == ["testing_data", "training_data"]
    assert [len(list(funsd_examples(out / part))) for part in ("training_data", "testing_data")] == [4, 2]
    assert report.files == [str(out / "training_data" / "annotations"), str(out / "testing_data" / "annotations")]
    with Project(letters.path) as project:
        report = export(project, "funsd", tmp_path / "three", options=ExportOptions(split="train=0.5,dev=0.25,test=0.25"))
    assert sorted(os.listdir(tmp_path / "three")) == ["dev_data", "testing_data", "training_data"]
    with Project(letters.path) as project, pytest.raises(ProjectError, match="two parts would share a folder"):
        export(project, "funsd", tmp_path / "twice", options=ExportOptions(split="train=0.5,training=0.5"))
    assert not (tmp_path / "twice").exists()


def test_datasets_builds_a_layoutlm_training_set_from_it(letters: Letters, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "funsd"
    with Project(letters.path) as project:
        export(project, "funsd", out, options=ExportOptions(split="train=0.67,test=0.33"))
    folders = {"train": out / "training_data", "test": out / "testing_data"}
    # As run_funsd_cord.py does without a ClassLabel: the label list is the sorted tags the data has.
    label_list = sorted({t for folder in folders.values() for e in funsd_examples(folder) for t in e["ner_tags"]})
    features = datasets.Features({
        "id": datasets.Value("string"),
        "tokens": datasets.Sequence(datasets.Value("string")),
        "bboxes": datasets.Sequence(datasets.Sequence(datasets.Value("int64"))),
        "ner_tags": datasets.Sequence(datasets.ClassLabel(names=label_list)),
        "image": datasets.Image(),
    })

    def generate(folder: Path) -> Iterator[dict[str, Any]]:
        for e in funsd_examples(folder):
            yield {key: e[key] for key in features}

    ds = datasets.DatasetDict({
        split: datasets.Dataset.from_generator(generate, features=features, gen_kwargs={"folder": folder},
                                               cache_dir=str(tmp_path / "hf"))
        for split, folder in folders.items()
    })
    assert (ds["train"].num_rows, ds["test"].num_rows) == (4, 2)
    names = ds["train"].features["ner_tags"].feature.names
    assert names == ["B-AGENCY", "B-FIGURE", "B-PROGRAM", "B-SIGNATURE", "I-AGENCY", "I-FIGURE", "I-PROGRAM",
                     "I-SIGNATURE", "O"]
    row = ds["train"][0]
    assert len(row["tokens"]) == len(row["bboxes"]) == len(row["ner_tags"])
    assert row["image"].size == (WIDTH, HEIGHT)
    tags = [names[i] for i in row["ner_tags"]]
    tagged = [(token, t) for token, t in zip(row["tokens"], tags) if t != "O"]
    assert tagged[:3] == [("U.S.", "B-AGENCY"), ("Department", "I-AGENCY"), ("of", "I-AGENCY")]
    assert all(0 <= v <= 1000 for box in row["bboxes"] for v in box)


# -- bad input ---------------------------------------------------------------------------------------------


def test_an_output_that_is_a_file_is_a_one_line_error(letters: Letters, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "funsd.txt"
    target.write_text("keep me")
    code, _, err = run_cli("export", "-p", letters.path, "-f", "funsd", "-o", target)
    assert (code, err) == (1, f"error: {target}: is a file; funsd writes a folder (annotations/ and images/ inside it)\n")
    assert target.read_text() == "keep me" and set(os.listdir(tmp_path)) - {"state"} == {"funsd.txt"}
    code, _, err = run_cli("export", "-p", letters.path, "-f", "jsonl", "-o", tmp_path)
    assert (code, err) == (1, f"error: {tmp_path}: is a folder; jsonl writes a file\n")


def test_a_folder_that_cannot_be_written_is_a_one_line_error(letters: Letters, run_cli) -> None:  # type: ignore[no-untyped-def]
    # /sys refuses new folders even to root, who may write anywhere a permission bit forbids.
    for out in (Path("/sys"), Path("/sys/funsd")):
        code, _, err = run_cli("export", "-p", letters.path, "-f", "funsd", "-o", out)
        assert code == 1 and err.startswith(f"error: {out}") and ": cannot write (" in err and err.count("\n") == 1
        assert not out.exists() or out == Path("/sys")


def test_an_earlier_export_is_replaced_only_with_force_and_nothing_else_is_touched(
    letters: Letters, tmp_path: Path, run_cli  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "data"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "readme.txt").write_text("mine")
    assert run_cli("export", "-p", letters.path, "-f", "funsd", "-o", out)[0] == 0
    assert sorted(os.listdir(out)) == ["annotations", "images", "notes"]
    before = sorted(os.listdir(out / "annotations"))

    first = letters.ids[0]
    code, _, err = run_cli("export", "-p", letters.path, "-f", "funsd", "-o", out, "--documents", first)
    assert (code, err) == (1, f"error: {out}: already holds annotations/ (an earlier export?); --force replaces it\n")
    assert sorted(os.listdir(out / "annotations")) == before

    assert run_cli("export", "-p", letters.path, "-f", "funsd", "-o", out, "--documents", first, "--force")[0] == 0
    # Replaced, not merged: no page of the earlier export is left over.
    assert sorted(os.listdir(out / "annotations")) == [f"{first}-letter-1-p1.json", f"{first}-letter-1-p2.json"]
    assert sorted(os.listdir(out / "images")) == [f"{first}-letter-1-p1.png", f"{first}-letter-1-p2.png"]
    assert sorted(os.listdir(out)) == ["annotations", "images", "notes"]
    assert (out / "notes" / "readme.txt").read_text() == "mine"


def test_a_failed_export_leaves_nothing_half_written(letters_copy: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    with Project(letters_copy) as project:
        # The last document has a label FUNSD cannot carry: the export fails after the others are written.
        project.add_label(Label("other", "#000000"))
        last = project.documents()[-1].id
        tag(project, last, [("other", "Sincerely,", 0)])
    code, _, err = run_cli("export", "-p", letters_copy, "-f", "funsd", "-o", tmp_path / "new")
    assert code == 1 and "label 'other'" in err
    assert set(os.listdir(tmp_path)) - {"state"} == {"letters.scanspan"}  # no folder, no temporary one

    out = tmp_path / "old"
    assert run_cli("export", "-p", letters_copy, "-f", "funsd", "-o", out, "--labels", "agency")[0] == 0
    def contents() -> dict[Path, bytes | None]:
        return {p: p.read_bytes() if p.is_file() else None for p in out.rglob("*")}

    earlier = contents()
    assert len(earlier) == 2 + 3 * 2 * 2
    code, _, err = run_cli("export", "-p", letters_copy, "-f", "funsd", "-o", out, "--force")
    assert code == 1 and "label 'other'" in err
    assert contents() == earlier  # the earlier export as it was, and no temporary folder left in it


def test_pages_of_documents_with_loader_hostile_names_still_find_their_images(tmp_path: Path) -> None:
    path = tmp_path / "names.scanspan"
    with Project(path) as project:
        ids = [add_letter(project, name, LETTER) for name in ("json annotations.pdf", "json-annotations.pdf")]
        tag(project, ids[0], LETTER_SPANS[:1])
        export(project, "funsd", tmp_path / "out")
    files = sorted(os.listdir(tmp_path / "out" / "annotations"))
    # Two names of one slug stay apart; the loaders' path replacements cannot reach into a name.
    assert files == [f"{i}-JSON-ANNOTATIONS-p{p}.json" for i in ids for p in (1, 2)]
    assert len(list(funsd_examples(tmp_path / "out"))) == 4
    assert len(layoutlm_preprocess(tmp_path / "out" / "annotations")) > 0


def test_folders_go_in_place_all_or_nothing(tmp_path: Path) -> None:
    from annotations.exporters.output import Staging

    out = tmp_path / "out"
    (out / "annotations").mkdir(parents=True)
    (out / "annotations" / "old.json").write_text("earlier")
    staging = Staging()
    scratch = staging.folder(out / "export", out)
    for child in ("annotations", "images"):
        (scratch / child).mkdir()
        (scratch / child / "new").write_text("new")
    staging.move(scratch / "annotations", out / "annotations", replace=True)
    staging.move(scratch / "images", out / "images", replace=False)
    (out / "images").mkdir()  # another export wrote it while this one was rendering
    with pytest.raises(ProjectError, match=r"^.*/out/images: cannot write \(it appeared while exporting\)$"):
        staging.commit()
    # The folder already moved into place is taken back and the one it replaced restored.
    assert sorted(os.listdir(out)) == ["annotations", "images"]
    assert os.listdir(out / "annotations") == ["old.json"] and os.listdir(out / "images") == []
    assert (out / "annotations" / "old.json").read_text() == "earlier"


def test_the_help_and_the_readme_say_what_funsd_writes(run_cli) -> None:  # type: ignore[no-untyped-def]
    code, stdout, _ = run_cli("export", "--help")
    shown = " ".join(stdout.split())
    assert code == 0
    assert 'funsd writes the folder OUTPUT as the FUNSD dataset ships: annotations/PAGE.json (a "form" per page) beside images/PAGE.png' in shown
    assert "training_data/, testing_data/" in shown and "--force" in shown
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert "`-f funsd -o DIR` writes the folder DIR as the FUNSD dataset ships" in readme
    assert "`DIR/annotations/PAGE.json` beside `DIR/images/PAGE.png`" in readme
