"""Counts in what the commands print read right for one: "1 page", "1 document, 1 span, 1 region"."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import draw_pdf, run_scanspan

from annotations.store import Project

LINES = ["Department of Justice grants", "for the youth program"]


def _run(args: list[object], tmp: Path) -> str:
    run = run_scanspan([str(a) for a in args], tmp)
    assert run.code == 0, run.err
    return run.out


def _one_of_each(tmp: Path, name: str = "letter.pdf") -> Path:
    """A project of one born-digital page with one span and one region, made by the commands."""
    project = tmp / f"{Path(name).stem}.db"
    (tmp / name).write_bytes(draw_pdf([LINES]).pdf)
    _run(["import", tmp / name, "-p", project], tmp)
    _run(["annotate", "-d", name, "-l", "agency", "--text", "Department of Justice", "-p", project], tmp)
    _run(["annotate", "-d", name, "-l", "agency", "--page", "1", "--box", "10,10,60,40", "-p", project], tmp)
    return project


def test_import_of_a_one_page_file_says_one_page(tmp_path: Path) -> None:
    (tmp_path / "letter.pdf").write_bytes(draw_pdf([LINES]).pdf)
    out = _run(["import", tmp_path / "letter.pdf", "-p", tmp_path / "p.db"], tmp_path)
    assert out.startswith(f"{tmp_path / 'letter.pdf'}: imported as document 1, 1 page ("), out


def test_export_and_backup_of_one_document_count_in_the_singular(tmp_path: Path) -> None:
    project = _one_of_each(tmp_path)
    out = _run(["export", "-f", "jsonl", "-o", tmp_path / "out.jsonl", "-p", project], tmp_path)
    assert out.splitlines()[1] == "1 document, 1 span, 1 region", out
    out = _run(["backup", tmp_path / "copy.db", "-p", project], tmp_path)
    assert out.splitlines() == [f"wrote {tmp_path / 'copy.db'}: 1 document, 1 span, 1 region"]


def test_export_says_what_it_left_out_in_the_number_it_takes(tmp_path: Path) -> None:
    project = _one_of_each(tmp_path)
    _run(["suggest", "--terms", _terms(tmp_path), "--label", "agency", "-p", project], tmp_path)
    run = run_scanspan(["export", "-f", "conll", "-o", tmp_path / "out.conll", "-p", project], tmp_path)
    assert run.code == 0, run.err
    assert "not exported: 1 suggested span not yet accepted (--suggestions include exports them)" in run.err_lines
    assert "not exported: 1 region (CoNLL holds text only; coco or labelstudio export them)" in run.err_lines


def _terms(tmp: Path) -> Path:
    path = tmp / "terms.txt"
    path.write_text("youth program\n", encoding="utf-8")
    return path


def test_merge_of_one_document_counts_in_the_singular(tmp_path: Path) -> None:
    theirs = _one_of_each(tmp_path, "theirs.pdf")
    ours = tmp_path / "ours.db"
    (tmp_path / "ours.pdf").write_bytes(draw_pdf([["A different letter", "about nothing"]]).pdf)
    _run(["import", tmp_path / "ours.pdf", "-p", ours], tmp_path)
    out = _run(["merge", theirs, "-p", ours], tmp_path)
    assert out.startswith(f"merged {theirs}: 1 document added, 0 matched; 1 span and 1 region added "
                          "(0 already here); 0 corrections taken"), out


def test_import_annotations_of_one_record_counts_in_the_singular(tmp_path: Path) -> None:
    project = _one_of_each(tmp_path)
    with Project(project, read_only=True) as store:
        text = store.document_text(1).text
    start = text.index("youth program")
    record = {"name": "letter.pdf", "text": text, "spans": [{"start": start, "end": start + 13, "label": "agency"}]}
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = _run(["import-annotations", tmp_path / "one.jsonl", "-p", project], tmp_path)
    assert "document 1 (letter.pdf): 1 record, 1 placed" in out, out
    assert "1 line read, 1 record for 1 document: 1 span and 0 regions added as suggestions" in out, out
