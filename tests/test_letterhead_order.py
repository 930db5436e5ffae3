"""Letters with a letterhead in columns, OCRed by tesseract and imported: the body reads in one piece."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from letterheads import LETTERS, write_letter
from rapidfuzz import fuzz

from annotations.importing.files import import_into
from annotations.ingest.reading_order import METHOD
from annotations.store import Project

pytestmark = pytest.mark.slow


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_the_body_of_a_letter_with_name_columns_comes_out_contiguous(name: str, tmp_path: Path) -> None:
    pdf, _ = write_letter(name, tmp_path)
    with Project(tmp_path / "p.db") as project:
        [outcome] = import_into(project, [pdf])
        assert outcome.status == "imported", outcome.message
        [doc] = project.documents()
        text = _normalise(project.document_text(doc.id).text)
        [page] = project.pages(doc.id)
    assert page.provenance.reading_order == METHOD
    letter = LETTERS[name]
    for paragraph in letter.body:
        # Contiguous: the whole paragraph lines up with one stretch of the page text (a few OCR slips allowed).
        assert fuzz.partial_ratio(paragraph, text) >= 97, (paragraph, text)
    # Each column of names reads in one piece too, after the firm's name and before the letter.
    body_start = text.find(letter.salutation)
    assert 0 <= text.find(letter.firm) < body_start
    for column in letter.columns:
        names = " ".join(entry for entry in column if entry)
        assert fuzz.partial_ratio(names, text[text.find(letter.firm):body_start]) >= 97, (names, text)


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_letter_parts_of_a_letter_with_name_columns(name: str, tmp_path: Path) -> None:
    from annotations.assist.letter_parts import add_label_set, suggest_letter_parts

    pdf, _ = write_letter(name, tmp_path)
    letter = LETTERS[name]
    with Project(tmp_path / "p.db") as project:
        import_into(project, [pdf])
        add_label_set(project, "letter")
        [doc] = project.documents()
        suggest_letter_parts(project, [doc.id])
        text = project.document_text(doc.id)
        spans = {s.label: _normalise(text.resolve(s).text) for s in project.spans(doc.id) if s.label != "body"}
        body = [_normalise(text.resolve(s).text) for s in sorted(project.spans(doc.id), key=lambda s: text.resolve(s).start)
                if s.label == "body"]
        [region] = project.regions(doc.id)
    # One span per paragraph, each the whole paragraph (e.g. "I am enclosing the answers ... October 22,
    # 1997." as one run) and nothing else: no partner's name, no stamp, no closing.
    assert len(body) == len(letter.body)
    for paragraph, span in zip(letter.body, body):
        assert fuzz.ratio(paragraph, span) >= 97, (paragraph, span)
    names = {n for column in letter.columns for n in column if n} | set(letter.stamp)
    assert not any(name in span for name in names for span in body)
    assert spans["date"] == letter.date
    assert spans["salutation"] == letter.salutation and spans["closing"] == letter.closing
    assert spans["recipient"].startswith(letter.address[0]) and spans["recipient"].endswith(letter.address[-1])
    assert spans["letterhead"].startswith(letter.header or letter.firm)
    signer = [w for w in text.words if w.text in " ".join([letter.closing, *letter.signer]).split() and w.box[1] > 1000]
    assert len(signer) == len(" ".join([letter.closing, *letter.signer]).split())
    x0, y0, x1, y1 = region.box
    assert all(x0 <= w.box[0] and y0 <= w.box[1] and w.box[2] <= x1 and w.box[3] <= y1 for w in signer)
