"""OCR of poor scans with real tesseract: fax-like pages, the second pass on weak lines, the cache key."""

from __future__ import annotations

from degrade import fax_like
from helpers import draw_pdf, iou, render, to_pixels

from annotations.ingest import ocr
from annotations.records import RawWord

LINES = ["The committee met on the fourth of March", "to review the shipping schedule for spring",
         "and the answers to the written questions", "posed by the members of the board"]
TRUTH = " ".join(LINES).split()


def recall(words: list[RawWord]) -> float:
    read = [w.text for w in words]
    return sum(1 for w in TRUTH if w in read) / len(TRUTH)


def read(image, dpi: tuple[float, float], settings: ocr.OcrSettings) -> tuple[list[RawWord], ocr.OcrPlan]:
    plan = ocr.plan_page(image, *dpi, settings)
    return ocr.ocr_image(image, settings, plan), plan


def test_a_noisy_fax_page_reads_its_words_where_the_resolution_only_input_fails() -> None:
    drawn = draw_pdf([LINES], size=(6 * 72, 2.5 * 72), fontname="cour", fontsize=11)
    fax = fax_like(render(drawn, 1, 300), 300, (200, 100), noise=0.01).convert("L")
    old, old_plan = read(fax, (200, 100), ocr.OcrSettings(adaptive=False))
    new, plan = read(fax, (200, 100), ocr.OcrSettings())
    assert plan.despeckle and plan.repass and old_plan.describe() == ""
    assert "despeckle" in plan.describe()
    assert recall(new) >= 0.85, [w.text for w in new]
    assert recall(new) >= recall(old) + 0.2, (recall(old), [w.text for w in old])
    # Boxes are in the fax's own pixels (200 x 100 dpi), whatever the resampling.
    ours = {w.text: w.box for w in new}
    for word in drawn.words[0]:
        if word.text in ("committee", "shipping", "questions"):
            assert iou(ours[word.text], to_pixels(word.box, 200, 100)) > 0.5, word.text


def test_large_type_is_read_smaller_and_a_clean_300_dpi_page_as_it_is() -> None:
    drawn = draw_pdf([LINES[:2]], size=(6 * 72, 1.5 * 72), fontname="cour", fontsize=11)
    clean = render(drawn, 1, 300)
    plan = ocr.plan_page(clean, 300, 300, ocr.OcrSettings())
    assert plan.scale == (1.0, 1.0) and not plan.despeckle and not plan.repass, plan
    # The same page scanned at 900 dpi but tagged 300: the letters are three times too tall.
    big = render(drawn, 1, 900)
    plan = ocr.plan_page(big, 300, 300, ocr.OcrSettings())
    assert plan.scale[0] == plan.scale[1] < 0.6 and plan.x_height is not None
    assert abs(plan.x_height * plan.scale[1] - ocr.X_HEIGHT_TARGET) < 2
    words = ocr.ocr_image(big, ocr.OcrSettings(), plan)
    assert [w.text for w in words] == " ".join(LINES[:2]).split()
    assert iou(words[1].box, to_pixels(drawn.words[0][1].box, 900, 900)) > 0.5


def test_the_second_pass_replaces_a_weak_line_with_the_better_reading_in_page_pixels() -> None:
    drawn = draw_pdf([LINES], size=(6 * 72, 2.5 * 72), fontname="cour", fontsize=11)
    image = render(drawn, 1, 150)
    first = ocr.ocr_image(image, ocr.OcrSettings(adaptive=False), ocr.OcrPlan())
    assert [w.text for w in first] == TRUTH
    # The third line as a poor first pass reads it: wrong words with low confidence, the right boxes.
    third = {(w.block, w.par, w.line) for w in first if w.text == "answers"}
    weak = [RawWord("xx" + w.text[::-1], w.box, 20.0, w.block, w.par, w.line) if (w.block, w.par, w.line) in third
            else w for w in first]
    again = ocr.repass(image.convert("L"), weak, "eng", budget=30.0)
    assert [w.text for w in again] == TRUTH
    # The re-read words sit where the first pass found them, in the page's pixels (read at twice the size).
    for ours, before in zip(again, first):
        assert iou(ours.box, before.box) > 0.7, (ours, before)
    assert all(w.conf > 20 for w in again)
    # A line read again no better keeps its first reading.
    confident = [RawWord(w.text, w.box, 99.0, w.block, w.par, w.line) for w in weak]
    assert ocr.repass(image.convert("L"), confident, "eng", budget=30.0) == confident


def test_the_cache_key_names_the_pipeline_and_stays_deterministic() -> None:
    drawn = draw_pdf([LINES], size=(6 * 72, 2.5 * 72), fontname="cour", fontsize=11)
    fax = fax_like(render(drawn, 1, 300), 300, (100, 100)).convert("L")
    sha = ocr.image_hash(fax)
    old = ocr.plan_page(fax, 100, 100, ocr.OcrSettings(adaptive=False))
    new = ocr.plan_page(fax, 100, 100, ocr.OcrSettings())
    assert new == ocr.plan_page(fax, 100, 100, ocr.OcrSettings())
    old_key = ocr.cache_key(sha, ocr.OcrSettings(adaptive=False), old, "5.3.0")
    new_key = ocr.cache_key(sha, ocr.OcrSettings(), new, "5.3.0")
    assert new_key == ocr.cache_key(sha, ocr.OcrSettings(), new, "5.3.0") != old_key
    # Results cached by the resolution-only pipeline keep their key (they are that pipeline's words).
    same_scale = ocr.OcrPlan(scale=old.scale)
    assert ocr.cache_key(sha, ocr.OcrSettings(), same_scale, "5.3.0") != old_key


def test_an_imported_fax_says_how_it_was_read_in_its_provenance_and_the_jsonl_export(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from helpers import run_scanspan

    drawn = draw_pdf([LINES], size=(6 * 72, 2.5 * 72), fontname="cour", fontsize=11)
    fax = fax_like(render(drawn, 1, 300), 300, (200, 100), noise=0.01).convert("L")
    fax.save(tmp_path / "fax.png", dpi=(200, 100))
    assert run_scanspan(["import", tmp_path / "fax.png", "-p", tmp_path / "p.db"], tmp_path).code == 0
    out = tmp_path / "out.jsonl"
    assert run_scanspan(["export", "-p", tmp_path / "p.db", "-f", "jsonl", "-o", out], tmp_path).code == 0
    (page,) = json.loads(out.read_text(encoding="utf-8"))["pages"]
    assert "despeckle 5" in page["ocr"]["input"] and "x-height" in page["ocr"]["input"]
