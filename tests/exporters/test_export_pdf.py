"""`scanspan export -f pdf`: the pages' own images under an invisible layer of the corrected words, read back
with PyMuPDF: the text in reading order, each word at its box, the image as stored, highlights per span."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pymupdf
import pytest
from conftest import Letters
from helpers import run_scanspan
from PIL import Image

from annotations.records import Provenance, RawWord
from annotations.store import NewPage, Project


def export_pdf(project: Path, tmp_path: Path, *extra: str) -> pymupdf.Document:
    out = tmp_path / "out.pdf"
    run = run_scanspan(["export", "-p", project, "-f", "pdf", "-o", out, *extra], tmp_path)
    assert run.code == 0, run.err
    assert f"wrote {out}" in run.out
    return pymupdf.open(out)


def expected_pages(project: Path) -> list[tuple[str, list[tuple[str, tuple[float, ...], tuple[float, ...]]], tuple[float, float], str]]:
    """Per page in export order: its text, (word, box, line box) in points, its size in points, its source kind."""
    pages = []
    with Project(project, read_only=True) as p:
        for doc in p.documents():
            text = p.document_text(doc.id)
            for i, page in enumerate(p.pages(doc.id)):
                sx, sy = 72 / page.dpi_x, 72 / page.dpi_y
                words = text.pages[i].words
                lines: dict[tuple[int, int, int], list[tuple[float, ...]]] = {}
                for w in words:
                    lines.setdefault((w.block, w.par, w.line), []).append(w.box)
                line_box = {key: (min(b[1] for b in boxes), max(b[3] for b in boxes)) for key, boxes in lines.items()}
                placed = []
                for w in words:
                    top, bottom = line_box[(w.block, w.par, w.line)]
                    placed.append((w.text, (w.box[0] * sx, w.box[1] * sy, w.box[2] * sx, w.box[3] * sy),
                                   (top * sy, bottom * sy)))
                pages.append((text.pages[i].text, placed, (page.width * sx, page.height * sy), doc.name))
    return pages


def test_the_corrected_words_are_found_in_reading_order_each_at_its_box(scans: Path, tmp_path: Path) -> None:
    pdf = export_pdf(scans, tmp_path)
    expected = expected_pages(scans)
    assert pdf.page_count == len(expected) == 2
    for page, (text, words, size, _) in zip(pdf, expected):
        assert page.rect.width == pytest.approx(size[0], abs=0.01)
        assert page.rect.height == pytest.approx(size[1], abs=0.01)
        found = page.get_text("words", sort=False)
        assert [f[4] for f in found] == [w[0] for w in words]  # corrected words, in the page's reading order
        assert " ".join(page.get_text().split()) == " ".join(text.split())
        for f, (_, box, (top, bottom)) in zip(found, words):
            assert f[0] == pytest.approx(box[0], abs=0.5) and f[2] == pytest.approx(box[2], abs=0.5)
            assert f[1] == pytest.approx(top, abs=0.5) and f[3] == pytest.approx(bottom, abs=0.5)
        assert any(w[0].endswith("Q") for w in words)  # the correction is what is found
        assert not list(page.annots())  # no highlights unless asked


def test_the_page_images_are_the_scans_as_stored(scans: Path, tmp_path: Path) -> None:
    pdf = export_pdf(scans, tmp_path)
    folder = scans.parent
    fax, memo = (page.get_images(full=True) for page in pdf)
    (xref, _, width, height, bpc, *_), = fax
    with Image.open(folder / "fax.tif") as tif:
        assert (width, height) == tif.size
        pixels = Image.open(io.BytesIO(pdf.extract_image(xref)["image"])).convert("1")
        assert pixels.tobytes() == tif.convert("1").tobytes()  # lossless
    assert bpc == 1  # a bilevel fax stays one bit a pixel
    ((xref, *_),) = memo
    assert pdf.xref_stream_raw(xref) == (folder / "memo.jpg").read_bytes()  # the JPEG's own bytes, not recompressed


def test_highlights_one_per_span_coloured_by_label_and_regions_as_rectangles(scans: Path, tmp_path: Path) -> None:
    pdf = export_pdf(scans, tmp_path, "--highlights")
    with Project(scans, read_only=True) as p:
        colour = next(label.color for label in p.labels() if label.name == "agency")
        docs = p.documents()
        spans = [[(s.label, p.document_text(d.id).resolve(s).words) for s in p.spans(d.id)] for d in docs]
    rgb = tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    for page, doc_spans in zip(pdf, spans):
        highlights = [a for a in page.annots() if a.type[1] == "Highlight"]
        assert len(highlights) == len(doc_spans) == 1
        (label, words), annot = doc_spans[0], highlights[0]
        assert annot.info["title"] == label
        assert annot.colors["stroke"] == pytest.approx(rgb, abs=0.01)
        # Over the span's words: the words whose middle one of its quads covers (lines of a fax can
        # touch, so a word of the next line may graze a quad's edge).
        vertices = annot.vertices
        quads = [pymupdf.Quad(*vertices[i:i + 4]).rect for i in range(0, len(vertices), 4)]
        covered = [w[4] for w in page.get_text("words")
                   if any(pymupdf.Point((w[0] + w[2]) / 2, (w[1] + w[3]) / 2) in q for q in quads)]
        assert covered == [w.text for w in words]
        rects = [a for a in page.annots() if a.type[1] == "Square"]
        assert [a.info["title"] for a in rects] == ["signature"]


def test_pages_with_text_of_their_own_give_the_corrected_text_once(letters: Letters, tmp_path: Path) -> None:
    project = tmp_path / "letters.scanspan"
    shutil.copy(letters.path, project)
    with Project(project) as p:
        (word,) = [w for w in p.words(p.page_by_number(letters.ids[0], 1).id) if w.text == "Juvenile"]
        p.correct_word(word.id, "Juvenlle")
    pdf = export_pdf(project, tmp_path, "--documents", str(letters.ids[0]))
    expected = expected_pages(project)[:2]
    for page, (text, *_) in zip(pdf, expected, strict=True):
        assert " ".join(page.get_text().split()) == " ".join(text.split())
    assert "Juvenile" not in pdf[0].get_text() and "Juvenlle" in pdf[0].get_text()


def test_the_sample_scan_keeps_its_page_and_gains_its_text(sample_project: Path, tmp_path: Path) -> None:
    pdf = export_pdf(sample_project, tmp_path)
    expected = expected_pages(sample_project)
    from annotations.cli.demo import sample_pdf

    with pymupdf.open(sample_pdf()) as source:
        assert pdf.page_count == source.page_count == len(expected)
        for page, original, (_, words, _, _) in zip(pdf, source, expected):
            assert page.rect == original.rect
            assert [f[4] for f in page.get_text("words", sort=False)] == [w[0] for w in words]
            (xref, *_), = page.get_images(full=True)
            (source_xref, *_), = original.get_images(full=True)
            assert pdf.xref_stream_raw(xref) == source.xref_stream_raw(source_xref)  # the scan, untouched


def test_each_page_of_a_multipage_fax_tiff_is_its_own_frame(tmp_path: Path) -> None:
    """A two-page bilevel TIFF stored with words where its frames have ink (no OCR): each PDF page shows its frame."""
    frames = []
    for n in range(2):
        frame = Image.new("1", (816, 1056), 1)
        frame.paste(0, (100 + 200 * n, 100, 400 + 200 * n, 160))  # a bar where page n's word is
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", compression="group4", dpi=(96, 96), save_all=True, append_images=frames[1:])
    data = buffer.getvalue()
    project = tmp_path / "fax.scanspan"
    prov = Provenance("tesseract", "5", "eng", 3, 96, False)
    with Project(project) as p:
        p.add_document("fax.tif", data, hashlib.sha256(data).hexdigest(), [
            NewPage(n + 1, 816, 1056, 96, 96, f"frame-{n}", prov,
                    [RawWord(f"page{n + 1}", (100 + 200 * n, 100, 400 + 200 * n, 160), 90, 0, 0, 0)])
            for n in range(2)])
    pdf = export_pdf(project, tmp_path)
    for n, page in enumerate(pdf):
        assert page.rect == pymupdf.Rect(0, 0, 816 * 72 / 96, 1056 * 72 / 96)
        ((xref, _, width, height, bpc, *_),) = page.get_images(full=True)
        assert (width, height, bpc) == (816, 1056, 1)
        shown = Image.open(io.BytesIO(pdf.extract_image(xref)["image"])).convert("1")
        assert shown.tobytes() == frames[n].tobytes()
        (word,) = page.get_text("words")
        assert word[4] == f"page{n + 1}"
        assert word[0] == pytest.approx((100 + 200 * n) * 0.75, abs=0.5)
