"""Form lines through text: found and painted out before OCR, on a real fax with real tesseract and on drawn pages."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from helpers import real_scans, run_scanspan
from PIL import Image, ImageDraw

from annotations.ingest import form_lines, ocr

FAX = real_scans() / "funsd-train" / "0011859695.png"


def page_words(project: Path) -> list[tuple[str, float, float, float, float]]:
    with sqlite3.connect(project) as db:
        return db.execute("select text, x0, y0, x1, y1 from words order by idx").fetchall()


def test_a_real_fax_underline_no_longer_swallows_the_words_on_it(tmp_path: Path) -> None:
    # "575 Lexington Avenue, New York" is typed on an underline that touches the "g": read as it was,
    # tesseract gave "Lexington" a box along the whole underline, over "Avenue," and "New York,".
    project = tmp_path / "fax.scanspan"
    run = run_scanspan(["import", "-p", project, FAX], tmp_path, timeout=300)
    assert run.code == 0, run.err
    with sqlite3.connect(project) as db:
        (how,) = db.execute("select ocr_input from pages").fetchone()
    assert "form lines removed" in how
    words = page_words(project)
    line = [w for w in words if 280 <= (w[2] + w[4]) / 2 <= 325 and 100 <= w[1] < 400]
    texts = [w[0] for w in line]
    assert "Lexington" in texts and "Avenue," in texts, texts
    lexington = line[texts.index("Lexington")]
    avenue = line[texts.index("Avenue,")]
    # The word's box is its own letters: about 75 pixels wide here, and it ends before the next word.
    assert lexington[3] - lexington[1] < 100, lexington
    assert lexington[3] <= avenue[1] + 2, (lexington, avenue)


def drawn_page(underline: bool = True, bar: bool = False) -> Image.Image:
    """A 100-dpi-like grey page: a line of text standing on a rule that touches its descenders."""
    page = Image.new("L", (600, 120), 250)
    draw = ImageDraw.Draw(page)
    draw.text((40, 40), "Typing on a ruled line", fill=20, font_size=22)
    if underline:
        draw.line((30, 63, 560, 63), fill=20, width=2)
    if bar:
        draw.rectangle((30, 90, 560, 110), fill=20)
    return page


def test_a_rule_is_removed_and_the_letters_on_it_stay() -> None:
    page = drawn_page()
    assert form_lines.has_rules(page, 9.0)
    ink, _ = form_lines.ink_of(page)
    mask = form_lines.rule_mask(ink, 9.0)
    # The rule's stretches away from the letters go...
    assert mask[63:65, 30:40].all() and mask[63:65, 400:560].all()
    # ...and nothing of the text above it is touched.
    assert not mask[:62].any()
    cleaned = np.asarray(form_lines.remove_rules(page, 9.0))
    assert (cleaned[63:65, 400:560] == 250).all()
    assert (cleaned[:62] == np.asarray(page)[:62]).all()


def test_filled_shapes_and_short_strokes_are_not_rules() -> None:
    bar_only = drawn_page(underline=False, bar=True)
    assert not form_lines.rule_mask(form_lines.ink_of(bar_only)[0], 9.0).any()
    # One flat stroke, such as part of a signature, is left alone: the page reads as it did.
    stroke = Image.new("L", (600, 120), 250)
    ImageDraw.Draw(stroke).line((100, 60, 160, 60), fill=20, width=2)
    assert not form_lines.has_rules(stroke, 9.0)
    # A page without text to measure is not searched for rules: nothing tells them from a drawing.
    plan = ocr.plan_page(drawn_page(underline=False, bar=True), 100, 100, ocr.OcrSettings())
    assert plan.x_height is None and not plan.rules and "form lines" not in plan.describe()


def test_pages_with_rules_get_their_own_cache_key() -> None:
    with_rules = ocr.OcrPlan(rules=True)
    without = ocr.OcrPlan()
    settings = ocr.OcrSettings()
    assert ocr.cache_key("a" * 64, settings, with_rules, "5.3.0") != ocr.cache_key("a" * 64, settings, without, "5.3.0")
