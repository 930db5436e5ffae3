"""Import: born-digital, scanned and mixed PDFs, PNG, JPEG, multi-page TIFF, a G4 fax and a low-res
scan, with the real tesseract; OCR reuse (re-import, cache), parallel jobs, progress and cancel.

Words are compared with the text we drew; boxes with where we drew it (font metrics for text-layer
words, the ink in the image for OCR words), in the image's own pixels.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from helpers import (
    Corpus,
    Drawn,
    Imported,
    aligned,
    draw_pdf,
    ink_box,
    iou,
    orphans,
    png_bytes,
    render,
    row_counts,
    similarity,
    tiff_bytes,
    to_pixels,
)

from annotations.errors import Cancelled
from annotations.importing.files import ImportOptions, import_into
from annotations.ingest.ocr import OcrSettings
from annotations.records import Word
from annotations.store import Project


def words_text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def assert_boxes_on_ink(words: list[Word], drawn: Drawn, page: int, image, dpi: tuple[float, float], min_iou: float) -> None:
    """OCR word boxes sit on the ink of the words we drew there, in the image's pixels."""
    truth = drawn.words[page - 1]
    pairs = aligned([w.text for w in words], [t.text for t in truth])
    assert len(pairs) >= 0.8 * len(truth), f"only {len(pairs)} of {len(truth)} words read back"
    for i, j in pairs:
        ink = ink_box(image, to_pixels(truth[j].box, *dpi))
        assert ink is not None
        assert iou(words[i].box, ink) >= min_iou, (words[i].text, words[i].box, ink)


def assert_reads(imported: Imported, corpus: Corpus, name: str, number: int, min_similarity: float = 0.95) -> list[Word]:
    words = imported.words(name, number)
    truth = corpus.truth[name]
    assert similarity(words_text(words), truth.text(number)) >= min_similarity, words_text(words)
    return words


# --- every kind of file, imported together with two tesseract jobs --------------------------------


def test_every_good_file_is_imported(imported: Imported, corpus: Corpus) -> None:
    assert {name: o.status for name, o in imported.outcomes.items()} == dict.fromkeys(corpus.paths, "imported")
    assert [d.name for d in imported.project.documents()] == list(corpus.paths)
    assert orphans(imported.path) == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}


def test_born_digital_pdf_uses_its_text_layer(imported: Imported, corpus: Corpus) -> None:
    outcome = imported.outcomes["born.pdf"]
    assert (outcome.pages_ocr, outcome.pages_cached, outcome.pages_text_layer) == (0, 0, 2)
    drawn = corpus.truth["born.pdf"]
    for number, page in enumerate(imported.pages("born.pdf"), start=1):
        assert page.provenance.text_layer and page.provenance.engine != "tesseract"
        assert (page.width, page.height, page.dpi_x, page.dpi_y) == (1200, 900, 300, 300)  # 4 x 3 in at 300 dpi
        words = imported.project.words(page.id)
        truth = drawn.words[number - 1]
        assert [w.text for w in words] == [t.text for t in truth]
        for word, t in zip(words, truth):
            assert iou(word.box, to_pixels(t.box, 300, 300)) >= 0.8, (word.text, word.box)
    # Each drawn line is one line of the page text.
    text = imported.project.document_text(outcome.document.id)
    for number in (1, 2):
        start, end = text.page_range(number - 1)
        lines = [line for line in text.text[start:end].split("\n") if line]
        assert lines == drawn.lines[number - 1]


def test_scanned_pdf_is_ocred(imported: Imported, corpus: Corpus) -> None:
    outcome = imported.outcomes["scan.pdf"]
    assert (outcome.pages_ocr, outcome.pages_text_layer) == (2, 0)
    for number, page in enumerate(imported.pages("scan.pdf"), start=1):
        prov = page.provenance
        assert (prov.engine, prov.text_layer, prov.lang, prov.psm) == ("tesseract", False, "eng", 3)
        assert prov.engine_version.startswith("5.")
        assert (page.width, page.height) == (1200, 900)
        words = assert_reads(imported, corpus, "scan.pdf", number)
        assert_boxes_on_ink(words, corpus.truth["scan.pdf"], number, corpus.images["scan.pdf"][number - 1], (300, 300), 0.7)


def test_mixed_pdf_uses_the_text_layer_where_there_is_one(imported: Imported, corpus: Corpus) -> None:
    outcome = imported.outcomes["mixed.pdf"]
    assert (outcome.pages_text_layer, outcome.pages_ocr) == (1, 1)
    first, second = imported.pages("mixed.pdf")
    assert first.provenance.text_layer and not second.provenance.text_layer
    assert words_text(imported.words("mixed.pdf", 1)) == " ".join(corpus.truth["mixed.pdf"].lines[0])
    words = assert_reads(imported, corpus, "mixed.pdf", 2)
    assert_boxes_on_ink(words, corpus.truth["mixed.pdf"], 2, corpus.images["mixed.pdf"][1], (300, 300), 0.7)


@pytest.mark.parametrize("name", ["letter.png", "photo.jpg"])
def test_png_and_jpeg(imported: Imported, corpus: Corpus, name: str) -> None:
    (page,) = imported.pages(name)
    image = corpus.images[name][0]
    assert (page.width, page.height) == image.size
    assert (page.dpi_x, page.dpi_y) == pytest.approx((300, 300), abs=0.05)
    assert page.provenance.upscale == 1
    words = assert_reads(imported, corpus, name, 1)
    assert_boxes_on_ink(words, corpus.truth[name], 1, image, (300, 300), 0.7)


def test_multi_page_tiff_keeps_its_pages_in_order(imported: Imported, corpus: Corpus) -> None:
    pages = imported.pages("pages.tif")
    assert [p.number for p in pages] == [1, 2, 3]
    for number in (1, 2, 3):
        words = assert_reads(imported, corpus, "pages.tif", number)
        assert_boxes_on_ink(words, corpus.truth["pages.tif"], number, corpus.images["pages.tif"][number - 1], (300, 300), 0.7)


def test_g4_fax_at_204_by_196_dpi_reads_back_with_boxes_on_the_scan(imported: Imported, corpus: Corpus) -> None:
    image = corpus.images["fax.tif"][0]
    assert image.mode == "1"
    (page,) = imported.pages("fax.tif")
    assert (page.width, page.height) == image.size  # the scan's own pixels, not resampled ones
    assert (page.dpi_x, page.dpi_y) == (204, 196)
    assert page.provenance.upscale > 1  # fax resolution is OCRed upscaled
    words = assert_reads(imported, corpus, "fax.tif", 1, min_similarity=0.9)
    assert_boxes_on_ink(words, corpus.truth["fax.tif"], 1, image, (204, 196), 0.7)


def test_standard_mode_fax_at_204_by_98_dpi_is_resampled_for_ocr(imported: Imported, corpus: Corpus) -> None:
    image = corpus.images["fax-standard.tif"][0]
    (page,) = imported.pages("fax-standard.tif")
    assert (page.width, page.height) == image.size
    assert (page.dpi_x, page.dpi_y) == (204, 98)  # a real tag, not mistaken for "unknown"
    words = assert_reads(imported, corpus, "fax-standard.tif", 1, min_similarity=0.85)
    assert_boxes_on_ink(words, corpus.truth["fax-standard.tif"], 1, image, (204, 98), 0.6)


def test_low_resolution_image_is_upscaled_and_boxes_mapped_back(imported: Imported, corpus: Corpus) -> None:
    image = corpus.images["low.png"][0]
    (page,) = imported.pages("low.png")
    assert (page.width, page.height) == image.size
    assert (page.dpi_x, page.dpi_y) == pytest.approx((100, 100), abs=0.05)  # what the file says
    assert page.provenance.upscale > 1
    assert page.provenance.dpi > 150  # the resolution tesseract actually saw
    words = assert_reads(imported, corpus, "low.png", 1, min_similarity=0.9)
    for w in words:
        assert 0 <= w.box[0] < w.box[2] <= image.width and 0 <= w.box[1] < w.box[3] <= image.height
    assert_boxes_on_ink(words, corpus.truth["low.png"], 1, image, (100, 100), 0.6)


def test_untagged_small_image_is_upscaled_too(tmp_path: Path) -> None:
    """A phone-style image with no dpi tag: only its pixel size says it is low resolution."""
    drawn = draw_pdf([["Office of Personnel Management", "Retirement Services Division"]], size=(612, 216))
    image = render(drawn, 1, 120)
    (tmp_path / "untagged.png").write_bytes(png_bytes(image))  # no pHYs chunk
    with Project(tmp_path / "p.scanspan") as project:
        (outcome,) = import_into(project, [tmp_path / "untagged.png"])
        (page,) = project.pages(outcome.document.id)
        assert (page.width, page.height) == image.size
        assert page.provenance.upscale > 1
        words = project.words(page.id)
        assert similarity(words_text(words), drawn.text()) >= 0.95
        assert_boxes_on_ink(words, drawn, 1, image, (120, 120), 0.6)


def test_languages_are_passed_to_tesseract(tmp_path: Path) -> None:
    drawn = draw_pdf([["Mission permanente des États-Unis", "auprès de l'Office des Nations Unies", "à Genève, le 3 décembre 2015"]])
    (tmp_path / "lettre.png").write_bytes(png_bytes(render(drawn, 1, 300), (300, 300)))
    with Project(tmp_path / "p.scanspan") as project:
        (outcome,) = import_into(project, [tmp_path / "lettre.png"], ImportOptions(ocr=OcrSettings(lang="eng+fra")))
        (page,) = project.pages(outcome.document.id)
        assert page.provenance.lang == "eng+fra"
        text = words_text(project.words(page.id))
        assert similarity(text, drawn.text()) >= 0.95
        assert {"auprès", "Genève,", "décembre"} <= set(text.split())


def rotate_box(box, rotation: int, width: float, height: float):
    """A box on an unrotated page of width x height points, as seen on the page turned clockwise."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return height - y1, x0, height - y0, x1
    if rotation == 180:
        return width - x1, height - y1, width - x0, height - y0
    if rotation == 270:
        return y0, width - x1, y1, width - x0
    return box


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_text_layer_boxes_follow_a_rotated_pdf_page(corpus: Corpus, tmp_path: Path, rotation: int) -> None:
    """A landscape letter stored as a portrait page with /Rotate: boxes are on the page as shown."""
    drawn = corpus.truth["born.pdf"]
    with drawn.doc() as doc:
        for page in doc:
            page.set_rotation(rotation)
        (tmp_path / "rotated.pdf").write_bytes(doc.tobytes())
    with Project(tmp_path / "p.scanspan") as project:
        (outcome,) = import_into(project, [tmp_path / "rotated.pdf"])
        assert outcome.pages_text_layer == 2
        page = project.pages(outcome.document.id)[0]
        w, h = drawn.size
        shown = (h, w) if rotation in (90, 270) else (w, h)
        assert (page.width, page.height) == (round(shown[0] * 300 / 72), round(shown[1] * 300 / 72))
        words = project.words(page.id)
        assert [x.text for x in words] == [t.text for t in drawn.words[0]]
        for word, t in zip(words, drawn.words[0]):
            expected = to_pixels(rotate_box(t.box, rotation, w, h), 300, 300)
            assert iou(word.box, expected) >= 0.8, (word.text, word.box, expected)


def test_pdf_render_resolution_sets_the_page_pixels(corpus: Corpus, tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        (outcome,) = import_into(project, [corpus.paths["born.pdf"]], ImportOptions(dpi=150))
        page = project.pages(outcome.document.id)[0]
        assert (page.width, page.height, page.dpi_x) == (600, 450, 150)
        words = project.words(page.id)
        truth = corpus.truth["born.pdf"].words[0]
        for word, t in zip(words, truth, strict=True):
            assert iou(word.box, to_pixels(t.box, 150, 150)) >= 0.8


# --- doing no OCR twice -----------------------------------------------------------------------------


def test_reimport_adds_nothing_and_runs_no_ocr(imported: Imported, corpus: Corpus) -> None:
    before = row_counts(imported.path)
    outcomes = import_into(imported.project, list(corpus.paths.values()), ImportOptions(jobs=2))
    for outcome in outcomes:
        assert outcome.status == "duplicate", outcome.message
        assert (outcome.pages_ocr, outcome.pages_cached) == (0, 0)
        assert str(outcome.path) in outcome.message and "already" in outcome.message
        assert outcome.document == imported.outcomes[outcome.path.name].document
    assert row_counts(imported.path) == before


def test_copy_of_ocred_pixels_in_another_container_hits_the_cache(corpus: Corpus, tmp_path: Path) -> None:
    image = corpus.images["letter.png"][0]
    copy = tmp_path / "renamed-copy.tif"
    copy.write_bytes(tiff_bytes([image], (300, 300), "tiff_adobe_deflate"))
    assert hashlib.sha256(copy.read_bytes()).digest() != hashlib.sha256(corpus.paths["letter.png"].read_bytes()).digest()
    with Project(tmp_path / "p.scanspan") as project:
        (first, again) = import_into(project, [corpus.paths["letter.png"], corpus.paths["letter.png"]])
        assert (first.status, first.pages_ocr) == ("imported", 1)
        assert again.status == "duplicate" and "earlier file of this import" in again.message
        (second,) = import_into(project, [copy])
        assert (second.status, second.pages_ocr, second.pages_cached) == ("imported", 0, 1)
        a = project.words(project.pages(first.document.id)[0].id)
        b = project.words(project.pages(second.document.id)[0].id)
        assert [(w.text, w.box, w.line) for w in a] == [(w.text, w.box, w.line) for w in b]
        assert len(project.documents()) == 2


def test_different_ocr_settings_do_not_reuse_the_cache(corpus: Corpus, tmp_path: Path) -> None:
    image = corpus.images["letter.png"][0]
    copy = tmp_path / "copy.tif"
    copy.write_bytes(tiff_bytes([image], (300, 300)))
    with Project(tmp_path / "p.scanspan") as project:
        import_into(project, [corpus.paths["letter.png"]])
        (outcome,) = import_into(project, [copy], ImportOptions(ocr=OcrSettings(psm=6)))
        assert (outcome.pages_ocr, outcome.pages_cached) == (1, 0)
        assert project.pages(outcome.document.id)[0].provenance.psm == 6


def test_force_ocr_reads_a_born_digital_pdf_with_tesseract(corpus: Corpus, tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        (outcome,) = import_into(project, [corpus.paths["born.pdf"]], ImportOptions(force_ocr=True, jobs=2))
        assert (outcome.pages_ocr, outcome.pages_text_layer) == (2, 0)
        drawn = corpus.truth["born.pdf"]
        for number, page in enumerate(project.pages(outcome.document.id), start=1):
            assert page.provenance.engine == "tesseract" and not page.provenance.text_layer
            words = project.words(page.id)
            assert similarity(words_text(words), drawn.text(number)) >= 0.95
            # Tesseract's boxes and the text layer's agree on where the words are.
            pairs = aligned([w.text for w in words], [t.text for t in drawn.words[number - 1]])
            assert len(pairs) >= 0.8 * len(drawn.words[number - 1])
            for i, j in pairs:
                assert iou(words[i].box, to_pixels(drawn.words[number - 1][j].box, 300, 300)) >= 0.4


# --- parallelism, progress, cancel ------------------------------------------------------------------


def test_one_job_gives_the_same_words_as_two(imported: Imported, corpus: Corpus, tmp_path: Path) -> None:
    names = ["pages.tif", "scan.pdf"]
    with Project(tmp_path / "serial.scanspan") as project:
        outcomes = import_into(project, [corpus.paths[n] for n in names], ImportOptions(jobs=1))
        for name, outcome in zip(names, outcomes):
            assert outcome.pages_ocr == len(imported.pages(name))
            serial = [project.words(p.id) for p in project.pages(outcome.document.id)]
            parallel = [imported.project.words(p.id) for p in imported.pages(name)]
            strip = lambda pages: [[(w.text, w.box, w.conf, w.block, w.par, w.line) for w in ws] for ws in pages]  # noqa: E731
            assert strip(serial) == strip(parallel)


def check_progress(calls: list[tuple[int, int, str]], total: int) -> None:
    assert calls, "no progress reported"
    assert calls[-1][:2] == (total, total)
    dones = [c[0] for c in calls]
    totals = [c[1] for c in calls]
    assert dones == sorted(dones) and totals == sorted(totals)
    assert all(0 <= d <= t for d, t in zip(dones, totals))


def test_progress_reaches_the_total(imported: Imported) -> None:
    total = sum(len(imported.pages(name)) for name in imported.outcomes)
    check_progress(imported.progress, total)
    assert {c[2] for c in imported.progress} <= set(imported.outcomes)


def test_progress_reaches_the_total_without_ocr(imported: Imported, corpus: Corpus, tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    with Project(tmp_path / "p.scanspan") as project:
        import_into(project, [corpus.paths["born.pdf"]], progress=lambda *a: calls.append(a))
    check_progress(calls, 2)


def test_cancel_during_ocr_leaves_nothing(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "p.scanspan"
    calls: list[tuple[int, int, str]] = []
    with Project(path) as project:
        with pytest.raises(Cancelled):
            import_into(
                project,
                [corpus.paths["pages.tif"]],
                ImportOptions(jobs=1),
                progress=lambda *a: calls.append(a),
                cancel=lambda: any(done >= 1 for done, _, _ in calls),
            )
        assert calls[-1][0] < 3  # it stopped before the last page
        counts = row_counts(path)
        assert counts == dict.fromkeys(counts, 0)
        assert project.document_for_source(hashlib.sha256(corpus.paths["pages.tif"].read_bytes()).hexdigest()) is None


def test_cancel_keeps_files_already_stored_whole(corpus: Corpus, tmp_path: Path) -> None:
    path = tmp_path / "p.scanspan"
    with Project(path) as project:
        with pytest.raises(Cancelled) as stop:
            import_into(
                project,
                [corpus.paths["born.pdf"], corpus.paths["pages.tif"]],
                ImportOptions(jobs=1),
                cancel=lambda: bool(project.documents()),
            )
        (doc,) = project.documents()
        # What the window's "Import cancelled: 1 of 2 files imported" counts from.
        assert [(o.path.name, o.status) for o in stop.value.done] == [("born.pdf", "imported"), ("pages.tif", "cancelled")]
        assert doc.name == "born.pdf" and doc.page_count == 2
        assert all(project.words(p.id) for p in project.pages(doc.id))
        assert orphans(path) == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}
        assert row_counts(path)["sources"] == 1
