"""ALTO, PAGE and hOCR exported by `scanspan export` and imported back by `scanspan import` into a new project:
the same words (corrected text and original OCR), boxes, spans and regions, the annotations accepted as "import"'s."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import run_scanspan
from test_export_archive import valid_files

from annotations.store import Project

CORRECTION = ("Juvenile", "JUVENILE")  # (what the engine read, the analyst's correction), inside an agency span
NOTE = "see p. 2: {the office}; 1998"  # the characters PAGE's custom attribute escapes
WIDENING = ("alto", "hocr")  # formats that tag whole words: a span ending inside a word comes back to its end


@pytest.fixture(scope="module")
def tagged_sample(sample_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample letter tagged (agencies over line breaks, the signature region on page 2), one word corrected."""
    path = tmp_path_factory.mktemp("round") / "sample.scanspan"
    shutil.copy(sample_project, path)
    with Project(path) as project:
        (doc,) = project.documents()
        word = next(w for page in project.pages(doc.id) for w in project.words(page.id) if w.text == CORRECTION[0])
        project.correct_word(word.id, CORRECTION[1])
        text = project.document_text(doc.id)
        office = next(s for s in project.spans(doc.id) if text.resolve(s).text.startswith("Office of"))
        project.update_span(office.id, note=NOTE)
    return path


@dataclass
class PageContents:
    words: list[tuple[str, str]]  # (text, ocr text)
    boxes: list[tuple[float, ...]]
    spans: list[tuple[str, str, str, str, bool]]  # (label, text, note, analyst, suggested)
    regions: list[tuple[str, tuple[float, ...], str, str, bool]]  # (label, box, text, analyst, suggested)


def contents(path: Path, widen: bool) -> list[PageContents]:
    """Each page's words, spans and regions in page order; with `widen`, spans over their whole words."""
    with Project(path, read_only=True) as project:
        pages = []
        for doc in project.documents():
            text = project.document_text(doc.id)
            spans = project.spans(doc.id)
            regions = project.regions(doc.id)
            for page in project.pages(doc.id):
                words = project.words(page.id)
                ids = {w.id for w in words}
                found = []
                for span in spans:
                    if span.first_word_id not in ids:
                        continue
                    assert span.last_word_id in ids, "a span across pages"
                    resolved = text.resolve(span)
                    shown = " ".join(w.text for w in resolved.words) if widen else resolved.text
                    found.append((span.label, " ".join(shown.split()), span.note, span.annotator, span.suggested))
                pages.append(PageContents(
                    [(w.text, w.ocr_text) for w in words], [w.box for w in words], sorted(found),
                    [(g.label, g.box, g.text, g.annotator, g.suggested) for g in regions if g.page_id == page.id]))
        return pages


def near(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(p - q) <= 1 for p, q in zip(a, b, strict=True))


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_an_export_imports_back_with_its_words_boxes_corrections_spans_and_regions(
        fmt: str, tagged_sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_scanspan(["export", "-p", tagged_sample, "-f", fmt, "-o", out, "--images"], tmp_path)
    assert run.code == 0, run.err
    files = valid_files(out, fmt)
    assert len(files) == 2
    back = tmp_path / "back.scanspan"
    run = run_scanspan(["import", *files, "-p", back], tmp_path)
    assert run.code == 0, run.err

    want = contents(tagged_sample, widen=fmt in WIDENING)
    got = contents(back, widen=False)
    assert len(got) == len(want) == 2
    for before, after in zip(want, got, strict=True):
        assert after.words == before.words
        assert all(near(a, b) for a, b in zip(before.boxes, after.boxes, strict=True))
        assert [s[:3] for s in after.spans] == [s[:3] for s in before.spans]
        # The analyst's tags come in as annotations recorded as the import's, not as suggestions to review.
        assert {s[3:] for s in after.spans} == {("import", False)}
        assert [(g[0], g[2]) for g in after.regions] == [(g[0], g[2]) for g in before.regions]
        assert all(near(a[1], b[1]) for a, b in zip(before.regions, after.regions, strict=True))
        assert {g[3:] for g in after.regions} <= {("import", False)}
    assert (CORRECTION[1], CORRECTION[0]) in got[0].words
    assert ("agency", f"Office of {CORRECTION[1]} Justice and Delinquency Prevention"
            + ("'s" if fmt in WIDENING else ""), NOTE, "import", False) in got[0].spans
    assert [g[0] for g in got[1].regions] == ["signature"]


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_an_exported_folder_imports_each_page_once_with_its_words_file_and_no_ocr(
        fmt: str, tagged_sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_scanspan(["export", "-p", tagged_sample, "-f", fmt, "-o", out, "--images"], tmp_path)
    assert run.code == 0, run.err
    (out / "notes.xml").write_text("<notes>not a page's words</notes>", encoding="utf-8")
    (tmp_path / "bin").mkdir()
    back = tmp_path / "back.scanspan"
    # No tesseract on the PATH: a page OCRed instead of taking its file's words would fail.
    run = run_scanspan(["import", out, "-p", back], tmp_path, path=str(tmp_path / "bin"))
    assert run.code == 0, run.err
    assert "2 files: 2 imported, 0 already in the project, 0 failed; 1 other file" in run.out
    want = contents(tagged_sample, widen=fmt in WIDENING)
    got = contents(back, widen=False)
    assert [p.words for p in got] == [p.words for p in want]
    assert [[s[:3] for s in p.spans] for p in got] == [[s[:3] for s in p.spans] for p in want]
    assert [[g[0] for g in p.regions] for p in got] == [[], ["signature"]]
    with Project(back, read_only=True) as project:
        assert [d.name for d in project.documents()] == [f.name for f in sorted(out.glob("*.png"))]
