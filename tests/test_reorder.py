"""`scanspan reorder`: an existing project's OCR pages put in reading order, spans kept on their words."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pymupdf
from helpers import run_scanspan

from annotations.ingest.reading_order import METHOD
from annotations.records import Provenance, RawWord
from annotations.store import NewPage, Project


def _line(text: str, x: float, y: float, block: int, line: int = 0) -> list[RawWord]:
    return [RawWord(t, (x + k * 150, y, x + k * 150 + 120, y + 40), 95.0, block, 0, line) for k, t in enumerate(text.split())]


# As tesseract ordered the 1997 fax: the body's first line, the column of partner names, the rest.
BODY_TOP = _line("I am enclosing the answers to the written questions", 800, 600, block=1)
NAMES = [w for k in range(6) for w in _line(f"Partner{k} Name{k}", 100, 500 + k * 60, block=2, line=k)]
BODY_REST = _line("posed to me by Senator Grassley.", 800, 660, block=3)
BODY = " ".join(w.text for w in BODY_TOP + BODY_REST)


def _project(path: Path) -> int:
    prov = Provenance("tesseract", "5.3.0", "eng", 3, 300.0, text_layer=False)  # stored before reading order
    page = NewPage(1, 2550, 3300, 300.0, 300.0, "x", prov, BODY_TOP + NAMES + BODY_REST)
    pdf = pymupdf.open()
    pdf.new_page(width=612, height=792)
    data = pdf.tobytes()
    with Project(path) as project:
        doc_id = project.add_document("fax.pdf", data, hashlib.sha256(data).hexdigest(), [page]).id
        text = project.document_text(doc_id)
        assert BODY not in " ".join(text.text.split())
        return doc_id


def _span(project: Project, doc_id: int, label: str, first: str, last: str, head: int = 0, tail: int = 0) -> int:
    words = {w.text: w.id for w in project.document_text(doc_id).words}
    return project.add_span(doc_id, label, words[first], words[last], head=head, tail=tail).id


def _words(project: Project, span_id: int) -> set[str]:
    span = project.span(span_id)
    text = project.document_text(span.document_id)
    ids = [w.id for w in text.words]
    return {w.text for w in text.words[ids.index(span.first_word_id): ids.index(span.last_word_id) + 1]}


def test_reorder_puts_the_body_in_one_piece_and_keeps_spans_on_their_words(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    doc_id = _project(db)
    with Project(db) as project:
        inside = _span(project, doc_id, "program", "Senator", "Grassley.", tail=1)  # "Senator Grassley"
        # Body's first line and the names: consecutive before and after, but with other end words.
        moved = _span(project, doc_id, "agency", "I", "Name5")
        before = {s: _words(project, s) for s in (inside, moved)}
        inside_text = project.document_text(doc_id).resolve(project.span(inside)).text
    run = run_scanspan(["reorder", "-p", db], tmp_path)
    assert run.code == 0, run.err
    assert "1 page reordered" in run.out and "1 span re-anchored" in run.out
    with Project(db) as project:
        text = project.document_text(doc_id)
        assert BODY in " ".join(text.text.split())
        assert {s: _words(project, s) for s in (inside, moved)} == before
        assert text.resolve(project.span(inside)).text == inside_text == "Senator Grassley"
        assert project.pages(doc_id)[0].provenance.reading_order == METHOD
    out = tmp_path / "out.jsonl"
    assert run_scanspan(["export", "-p", db, "-f", "jsonl", "-o", out], tmp_path).code == 0
    [line] = out.read_text().splitlines()
    assert json.loads(line)["pages"][0]["ocr"]["reading_order"] == METHOD
    layout = tmp_path / "layout.jsonl"
    assert run_scanspan(["export", "-p", db, "-f", "layoutlm", "-o", layout], tmp_path).code == 0
    [record] = [json.loads(line) for line in layout.read_text().splitlines()]
    assert BODY in " ".join(record["words"])
    # Run again: nothing left to do.
    again = run_scanspan(["reorder", "-p", db], tmp_path)
    assert "0 pages reordered, 1 already in reading order" in again.out


def test_a_span_the_new_order_would_scatter_keeps_its_page_in_order_unless_split(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    doc_id = _project(db)
    with Project(db) as project:
        # "questions" then the names then "posed": in reading order the names come first, apart.
        scattered = _span(project, doc_id, "agency", "questions", "posed")
        words = _words(project, scattered)
        old_text = project.document_text(doc_id).text
    run = run_scanspan(["reorder", "-p", db], tmp_path)
    assert run.code == 0, run.err
    assert f"page 1 kept its order: span {scattered} would no longer be consecutive" in run.out
    with Project(db) as project:
        assert project.document_text(doc_id).text == old_text
        assert project.pages(doc_id)[0].provenance.reading_order == ""
        assert _words(project, scattered) == words

    run = run_scanspan(["reorder", "-p", db, "--split"], tmp_path)
    assert run.code == 0, run.err
    assert "1 split into 2" in run.out
    with Project(db) as project:
        assert BODY in " ".join(project.document_text(doc_id).text.split())
        spans = project.spans(doc_id)
        assert len(spans) == 2 and {s.label for s in spans} == {"agency"}
        pieces = [_words(project, s.id) for s in spans]
        assert set().union(*pieces) == words and sum(len(p) for p in pieces) == len(words)


def test_reorder_dry_run_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    doc_id = _project(db)
    with Project(db) as project:
        old_text = project.document_text(doc_id).text
    run = run_scanspan(["reorder", "-p", db, "--dry-run"], tmp_path)
    assert run.code == 0, run.err and "1 page would be reordered" in run.out
    with Project(db) as project:
        assert project.document_text(doc_id).text == old_text
