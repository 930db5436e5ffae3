"""Letters with a letterhead in columns, OCRed by tesseract and imported: the body reads in one piece."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from letterheads import LETTERS, write_letter
from rapidfuzz import fuzz

from annotations.importer import import_into
from annotations.reading_order import METHOD
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
