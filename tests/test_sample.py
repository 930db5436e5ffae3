"""The bundled sample letter OCRs to its true text within a 2% character error rate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from annotations.cli.demo import apply_sample_tags, sample_pdf, sample_truth
from annotations.importing.files import import_into
from annotations.store import Project


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    with Project(path) as project:
        [outcome] = import_into(project, [sample_pdf()])
        assert outcome.status == "imported", outcome.message
    return path


def test_sample_ocr_character_error_rate(sample_project: Path) -> None:
    with Project(sample_project) as project:
        [doc] = project.documents()
        ocr_text = normalise(project.document_text(doc.id).text)
    truth = normalise(sample_truth())
    cer = Levenshtein.distance(truth, ocr_text) / len(truth)
    assert cer <= 0.02, f"CER {cer:.2%}"


def test_sample_pages_are_300_dpi_scans(sample_project: Path) -> None:
    with Project(sample_project) as project:
        [doc] = project.documents()
        pages = project.pages(doc.id)
    assert [(p.width, p.height, p.dpi_x) for p in pages] == [(2550, 3300, 300.0)] * 2
    assert all(not p.provenance.text_layer and p.provenance.engine == "tesseract" for p in pages)


def test_sample_tags_land_on_their_phrases(sample_project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tagged.db"
    copy.write_bytes(sample_project.read_bytes())
    with Project(copy) as project:
        [doc] = project.documents()
        result = apply_sample_tags(project, doc)
        text = project.document_text(doc.id)
        spans = {(s.label, normalise(text.resolve(s).text)) for s in project.spans(doc.id)}
        [region] = project.regions(doc.id)
    assert result.missing == []
    assert ("agency", "OJJDP") in spans
    assert ("program", "CyberTipline") in spans
    assert ("figure", "6.5 million reports") in spans
    # The drawn signature sits between "Sincerely," and the typed name on page 2.
    sincerely = next(w for w in text.words if w.text.startswith("Sincerely"))
    typed = next(w for w in text.words if w.text == "Keith")
    assert sincerely.box[3] <= region.box[1] + 40 and region.box[3] <= typed.box[1] + 40
