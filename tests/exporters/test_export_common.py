"""What every format shares: filters, the split by document, atomic files, suggestions, the CLI summary."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import LETTER, LETTER_SPANS, Letters, add_letter, tag

from annotations.errors import ProjectError
from annotations.exporters import FORMATS, ExportOptions, Format, export
from annotations.exporters.output import Target
from annotations.exporters.select import assign_splits, parse_split
from annotations.records import Document
from annotations.store import Project


def jsonl_ids(path: Path) -> list[int]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_filters_by_document_status_and_label(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with Project(letters.path) as project:
        report = export(project, "jsonl", out, options=ExportOptions(statuses=["done"], labels=["figure", "signature"]))
        assert jsonl_ids(out) == letters.ids[:2]
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert {s["label"] for r in records for s in r["spans"]} == {"figure", "signature"}
        assert all(len(r["regions"]) == 1 for r in records)
        assert (report.documents, report.spans, report.regions) == (2, 6, 2)

        export(project, "jsonl", out, options=ExportOptions(documents=["letter-3.pdf", str(letters.ids[0])]))
        assert jsonl_ids(out) == [letters.ids[2], letters.ids[0]]

        with pytest.raises(ProjectError, match="no label 'agnecy'"):
            export(project, "jsonl", out, options=ExportOptions(labels=["agnecy"]))
        with pytest.raises(ProjectError, match="no document"):
            export(project, "jsonl", out, options=ExportOptions(documents=["nope.pdf"]))


def test_split_is_by_document_deterministic_and_exact() -> None:
    docs = [Document(i, f"d{i}", f"{i:064x}", 1, "new", "") for i in range(1, 11)]
    split = parse_split("train=0.8,dev=0.1,test=0.1")
    first = assign_splits(docs, split, seed=7)
    assert {k: len(v) for k, v in first.items()} == {"train": 8, "dev": 1, "test": 1}
    assert sorted(i for ids in first.values() for i in ids) == list(range(1, 11))
    assert assign_splits(list(reversed(docs)), split, seed=7) == first
    assert any(assign_splits(docs, split, seed=s) != first for s in range(1, 6))
    # The place depends on the file's content, not its id in this project.
    renumbered = [Document(d.id + 100, d.name, d.source_sha256, 1, "new", "") for d in docs]
    again = assign_splits(renumbered, split, seed=7)
    assert {k: [i - 100 for i in v] for k, v in again.items()} == first


@pytest.mark.parametrize("bad", ["train=0.8,dev=0.1", "train=0.5,train=0.5", "train", "train=x,dev=1", "=1"])
def test_split_rejects_malformed_parts(bad: str) -> None:
    with pytest.raises(ProjectError, match="split"):
        parse_split(bad)


def test_split_writes_one_file_per_part(letters: Letters, tmp_path: Path) -> None:
    with Project(letters.path) as project:
        report = export(project, "jsonl", tmp_path / "data.jsonl", options=ExportOptions(split="a=0.34,b=0.33,c=0.33", seed=3))
    files = {p.name: jsonl_ids(p) for p in tmp_path.glob("data-*.jsonl")}
    assert set(files) == {"data-a.jsonl", "data-b.jsonl", "data-c.jsonl"}
    assert sorted(i for ids in files.values() for i in ids) == sorted(letters.ids)
    assert report.splits == {"a": 1, "b": 1, "c": 1}
    assert not (tmp_path / "data.jsonl").exists()


def test_a_failed_export_leaves_no_file(letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.conll"
    out.write_text("previous\n")

    def broken(docs, target) -> None:  # type: ignore[no-untyped-def]
        target.stream.write("half")
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(FORMATS, "conll", FORMATS["conll"].__class__(broken, ".conll", "broken"))
    with Project(letters.path) as project, pytest.raises(RuntimeError):
        export(project, "conll", out)
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.conll"]


def test_export_files_get_ordinary_permissions(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with Project(letters.path) as project:
        export(project, "csv", out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_suggestions_stay_out_of_training_formats_unless_asked(letters_copy: Path, tmp_path: Path) -> None:
    with Project(letters_copy) as project:
        doc_id = add_letter(project, "suggested.pdf", LETTER)
        tag(project, doc_id, LETTER_SPANS[:3], source="model-x", suggested=True)
        only = ExportOptions(documents=[doc_id])
        report = export(project, "conll", tmp_path / "a.conll", options=only)
        assert report.spans == 0
        assert report.skipped == {"suggested spans not yet accepted (--suggestions include exports them)": 3}
        included = ExportOptions(documents=[doc_id], suggestions="include")
        assert export(project, "conll", tmp_path / "b.conll", options=included).spans == 2  # one overlap set aside

        report = export(project, "jsonl", tmp_path / "c.jsonl", options=only)
        spans = json.loads((tmp_path / "c.jsonl").read_text())["spans"]
        assert [(s["source"], s["suggested"]) for s in spans] == [("model-x", True)] * 3

        accepted = project.accept_span(project.spans(doc_id)[0].id)
        assert (accepted.suggested, accepted.source) == (False, "model-x")
        assert export(project, "conll", tmp_path / "d.conll", options=only).spans == 1
        assert export(project, "jsonl", tmp_path / "e.jsonl", options=ExportOptions(documents=[doc_id], suggestions="only")).spans == 2


def test_cli_export_reports_files_counts_and_omissions(letters: Letters, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "corpus.conll"
    code, stdout, stderr = run_cli(
        "export", "-p", letters.path, "-f", "conll", "-o", out, "--status", "done", "--labels", "agency,signature",
        "--split", "train=0.5,dev=0.5", "--seed", "1", "--scheme", "bilou",
    )
    assert code == 0, stderr
    assert f"{tmp_path / 'corpus-train.conll'}" in stdout and f"{tmp_path / 'corpus-dev.conll'}" in stdout
    assert "2 documents, 8 spans, 0 regions" in stdout
    assert "split: train 1 document, dev 1 document" in stdout
    assert "not exported: 2 overlapping spans set aside (the longest one kept)" in stderr
    assert "not exported: 2 regions (CoNLL holds text only" in stderr
    tags = {line.split("\t")[1] for p in tmp_path.glob("corpus-*.conll") for line in p.read_text().splitlines() if "\t" in line}
    assert tags == {"O", "B-agency", "I-agency", "L-agency", "U-agency", "B-signature", "I-signature", "L-signature"}


def test_cli_export_errors_are_one_line(letters: Letters, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    code, _, stderr = run_cli("export", "-p", letters.path, "-f", "jsonl", "-o", tmp_path / "x.jsonl", "--split", "a=0.5")
    assert code == 1
    assert stderr.strip().count("\n") == 0 and "add up to 0.5" in stderr
    code, _, stderr = run_cli("export", "-p", letters.path, "-f", "coco", "-o", tmp_path / "missing" / "x.json")
    assert code == 1 and "does not exist" in stderr


def test_suggested_regions_are_treated_like_suggested_spans(letters_copy: Path, tmp_path: Path) -> None:
    with Project(letters_copy) as project:
        doc_id = project.documents()[0].id
        page1 = project.page_by_number(doc_id, 1)
        project.add_region(page1.id, "figure", (10, 10, 100, 50), text="300,000", source="layout-v1", suggested=True)
        one = ExportOptions(documents=[doc_id])
        report = export(project, "coco", tmp_path / "a.json", options=one)
        assert report.regions == 1
        assert report.skipped["suggested regions not yet accepted (--suggestions include exports them)"] == 1
        included = ExportOptions(documents=[doc_id], suggestions="include")
        assert export(project, "coco", tmp_path / "b.json", options=included).regions == 2
        only = ExportOptions(documents=[doc_id], suggestions="only")
        report = export(project, "jsonl", tmp_path / "c.jsonl", options=only)
        record = json.loads((tmp_path / "c.jsonl").read_text())
        assert (report.spans, [(g["label"], g["source"], g["suggested"]) for g in record["regions"]]) == (
            0, [("figure", "layout-v1", True)]
        )
        # Label Studio reviews suggestions as predictions: the region, its transcription, from its model.
        export(project, "labelstudio", tmp_path / "t.json", options=one)
    first = json.loads((tmp_path / "t.json").read_text())[0]
    (prediction,) = first["predictions"]
    assert prediction["model_version"] == "layout-v1"
    assert [(r["type"], r["from_name"]) for r in prediction["result"]] == [("rectanglelabels", "box"), ("textarea", "transcription")]
    assert all(r["from_name"] != "box" for a in first["annotations"] for r in a["result"])


def _failing(fmt: str, when: Callable[[Target], bool]) -> Format:
    """The format `fmt`, failing at the end of a file when `when(target)` (after its page images are written)."""
    spec = FORMATS[fmt]

    def write(docs, target: Target) -> None:  # type: ignore[no-untyped-def]
        spec.write(docs, target)
        if when(target):
            raise RuntimeError("disk on fire")

    return replace(spec, write=write)


def test_a_failed_image_export_leaves_no_images(letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "coco", _failing("coco", lambda target: True))
    with Project(letters.path) as project, pytest.raises(RuntimeError):
        export(project, "coco", tmp_path / "out.json")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_split_leaves_no_split_behind(letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATS, "labelstudio", _failing("labelstudio", lambda target: target.path.stem.endswith("-c")))
    with Project(letters.path) as project, pytest.raises(RuntimeError):
        export(project, "labelstudio", tmp_path / "data.json", options=ExportOptions(split="a=0.34,b=0.33,c=0.33"))
    assert list(tmp_path.iterdir()) == []


def test_images_change_only_when_an_export_succeeds(letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Project(letters.path) as project:
        export(project, "coco", tmp_path / "out.json")
        images = sorted((tmp_path / "out-images").iterdir())
        assert len(images) == 6
        for image in images:
            image.write_bytes(b"from an earlier export")
        with monkeypatch.context() as patched:
            patched.setitem(FORMATS, "coco", _failing("coco", lambda target: True))
            with pytest.raises(RuntimeError):
                export(project, "coco", tmp_path / "out.json")
        assert {p.read_bytes() for p in images} == {b"from an earlier export"}
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out-images", "out.json"]
        export(project, "coco", tmp_path / "out.json")
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in images)
    assert sorted((tmp_path / "out-images").iterdir()) == images


def test_an_output_that_cannot_be_written_is_a_one_line_error(letters: Letters, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    code, _, stderr = run_cli("export", "-p", letters.path, "-f", "jsonl", "-o", "/proc/x.jsonl")
    assert code == 1, stderr
    assert stderr.startswith("error: /proc/x.jsonl: cannot write (") and stderr.count("\n") == 1
    blocked = tmp_path / "out-images"
    blocked.write_text("a file where the image folder goes")
    with Project(letters.path) as project, pytest.raises(ProjectError, match=r"out-images: cannot write \(File exists\)"):
        export(project, "coco", tmp_path / "out.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-images"]


def test_export_never_touches_the_process_umask(letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading the umask means setting it; with the GUI exporting on a worker thread, every file another
    # thread made in that instant got mode 0o666. The kernel applies it when the file is created instead.
    def forbidden(mask: int) -> int:
        raise AssertionError("os.umask called during an export")

    with Project(letters.path) as project:
        monkeypatch.setattr(os, "umask", forbidden)
        export(project, "csv", tmp_path / "out.csv")
        export(project, "labelstudio", tmp_path / "out.json")
        monkeypatch.undo()
    umask = os.umask(0)
    os.umask(umask)
    for path in [tmp_path / "out.csv", tmp_path / "out.json", tmp_path / "out-config.xml", *tmp_path.glob("out-images/*")]:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path
