"""A fax inside a PDF, square or not, is read from its own pixels: a real FUNSD fax with real tesseract."""

from __future__ import annotations

import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import pymupdf
from helpers import real_scans, run_scanspan
from PIL import Image

from annotations.ingest import scanstats
from annotations.ingest.sources import open_pages, read_source

FAX = real_scans() / "funsd-train" / "0011859695.png"
"""A 1969 fax at about 100 dpi, with FUNSD's word truth beside it."""


def fax_pdf(path: Path, dpi: tuple[int, int]) -> Path:
    """The real fax as a fax machine at `dpi` would send it (1 bit), inside a PDF page of its size."""
    page = Image.open(FAX).convert("L")
    size = (page.width * dpi[0] // 100, page.height * dpi[1] // 100)
    bits = page.resize(size, Image.Resampling.LANCZOS).point(lambda v: 255 if v > 160 else 0).convert("1")
    buffer = io.BytesIO()
    bits.save(buffer, format="PNG")
    doc = pymupdf.open()
    sheet = doc.new_page(width=page.width * 72 / 100, height=page.height * 72 / 100)
    sheet.insert_image(sheet.rect, stream=buffer.getvalue(), keep_proportion=False)
    doc.save(path)
    return path


def rendered(pdf: Path) -> Image.Image:
    _, pages = open_pages(read_source(pdf), dpi=300, force_ocr=True)
    image = next(iter(pages)).image
    assert image is not None
    return image


def word_recall(words: list[str]) -> float:
    """As ../shared/data/real-scans/README.md defines it: bags of words, case and punctuation kept."""
    form = json.loads(FAX.with_suffix(".json").read_text())["form"]
    truth = Counter(t for entity in form for w in entity["words"] for t in w["text"].split())
    return sum((truth & Counter(words)).values()) / sum(truth.values())


def test_a_fax_rendered_at_a_fraction_or_a_multiple_of_its_resolution_is_measured_as_such(tmp_path: Path) -> None:
    # At 300 dpi a 100-dpi fax repeats each row and column 3 times; a 200x100-dpi one repeats every
    # other column once (1.5) and each row 3 times.
    assert scanstats.measure(rendered(fax_pdf(tmp_path / "square.pdf", (100, 100)))).replication == (3, 3)
    # A whole multiple is found whole, not as a divisor of it (4 is not 2, 6 is not 2 or 3).
    fax = np.asarray(Image.open(FAX).convert("L").point(lambda v: 255 if v > 160 else 0))
    for times in (2, 3, 4, 5, 6):
        image = Image.fromarray(np.repeat(np.repeat(fax, times, axis=0), times, axis=1))
        assert scanstats.measure(image).replication == (times, times), times
    image = rendered(fax_pdf(tmp_path / "fine.pdf", (200, 100)))
    replication = scanstats.measure(image).replication
    assert replication == (1.5, 3), replication
    # Taken back to its own pixels it is the 200x100-dpi fax again, every column and row its own.
    own = scanstats.own_pixels(image, replication)
    assert abs(own.width - image.width / 1.5) <= 1 and abs(own.height - image.height / 3) <= 1, own.size
    assert scanstats.measure(own).replication == (1, 1)


def test_a_200x100_dpi_fax_in_a_pdf_reads_more_of_its_words(tmp_path: Path) -> None:
    # Read from the 300-dpi rendering with only its rows reduced, the fax's columns came back two
    # pixels wide and one narrow, in turn: 0.555 of its words. From its own pixels, made square: 0.62.
    pdf = fax_pdf(tmp_path / "fax.pdf", (200, 100))
    project = tmp_path / "fax.scanspan"
    run = run_scanspan(["import", "-p", project, pdf, "--force-ocr"], tmp_path, timeout=300)
    assert run.code == 0, run.err
    with sqlite3.connect(project) as db:
        (how,) = db.execute("select ocr_input from pages").fetchone()
        words = [text for (text,) in db.execute("select text from words order by idx")]
    assert word_recall(words) >= 0.59, word_recall(words)
    assert how.startswith("rendered 1.5x3 reduced"), how
