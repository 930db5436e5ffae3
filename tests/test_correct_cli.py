"""`scanspan correct`: one OCR word corrected from the shell with the window's rules."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest
from helpers import run_scanspan

from annotations.store import Project

LINES = ["The Departmnet of State wrote to", "the Departmnet of Justice on 4 May."]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A born-digital letter (no OCR needed) with an agency span over the first misspelt word."""
    pdf = pymupdf.open()
    page = pdf.new_page()
    for i, line in enumerate(LINES):
        page.insert_text((72, 72 + 20 * i), line, fontname="tiro", fontsize=12)
    pdf.save(tmp_path / "letter.pdf")
    assert run_scanspan(["import", "letter.pdf", "-p", "p.scanspan"], tmp_path).code == 0
    tagged = run_scanspan(["annotate", "-p", "p.scanspan", "-d", "1", "-l", "agency",
                           "--text", "Departmnet of State"], tmp_path)
    assert tagged.code == 0, tagged.err
    return tmp_path / "p.scanspan"


def words(path: Path) -> list[tuple[int, str, str, tuple[float, ...]]]:
    with Project(path) as store:
        (page,) = store.pages(1)
        return [(w.id, w.text, w.ocr_text, w.box) for w in store.words(page.id)]


def test_a_word_found_by_its_text_is_corrected_in_place_and_spans_follow(project: Path, tmp_path: Path) -> None:
    before = words(project)
    run = run_scanspan(["correct", "-p", project, "--document", "letter.pdf", "--find", "Departmnet",
                        "--occurrence", "1", "--text", "Department"], tmp_path)
    assert run.code == 0, run.err
    target = before[1]
    assert run.out == (f"corrected word {target[0]} on page 1 of document 1 (letter.pdf): 'Departmnet' -> "
                       "'Department' (OCR read 'Departmnet')\n")
    after = words(project)
    # Only that word changed; its box and the OCR's reading are kept.
    assert after[1] == (target[0], "Department", "Departmnet", target[3])
    assert [w for i, w in enumerate(after) if i != 1] == [w for i, w in enumerate(before) if i != 1]
    with Project(project) as store:
        text = store.document_text(1)
        assert [text.resolve(s).text for s in store.spans(1)] == ["Department of State"]
        assert "the Departmnet of Justice" in text.text


def test_a_word_by_id_and_what_is_refused(project: Path, tmp_path: Path) -> None:
    before = words(project)
    second = before[7]
    assert second[1] == "Departmnet"
    ambiguous = run_scanspan(["correct", "-p", project, "-d", "1", "--find", "Departmnet", "--text", "Department"],
                             tmp_path)
    assert ambiguous.code == 1
    assert ambiguous.err_lines == [
        f"error: 'Departmnet' occurs 2 times in document 1 (letter.pdf): page 1 (word {before[1][0]}), "
        f"page 1 (word {second[0]}); say which with --occurrence N (1-2) or --word ID"]
    spaced = run_scanspan(["correct", "-p", project, "-d", "1", "--word", second[0], "--text", "Dept ment"], tmp_path)
    assert spaced.err_lines == ["error: a corrected word must be one non-empty word without spaces"]
    missing = run_scanspan(["correct", "-p", project, "-d", "1", "--find", "departmnet", "--text", "x"], tmp_path)
    assert missing.err_lines == [f"error: no word of document 1 (letter.pdf) reads exactly 'departmnet'; words "
                                 f"containing it: 'Departmnet' (word {before[1][0]}, page 1), "
                                 f"'Departmnet' (word {second[0]}, page 1)"]
    assert words(project) == before
    by_id = run_scanspan(["correct", "-p", project, "-d", "1", "--word", second[0], "--text", "Department"], tmp_path)
    assert by_id.code == 0, by_id.err
    assert words(project)[7] == (second[0], "Department", "Departmnet", second[3])
    back = run_scanspan(["correct", "-p", project, "-d", "1", "--word", second[0], "--text", "Departmnet"], tmp_path)
    assert back.out.endswith("'Department' -> 'Departmnet' (the OCR's own reading again)\n")
    assert words(project) == before
