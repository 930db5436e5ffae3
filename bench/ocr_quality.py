"""Word recall and CER against ground truth, before (resolution-only input) and after (adaptive input), per page
set; and the CER in tesseract's own order against reading order, with what ordering costs."""

from __future__ import annotations

import io
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click
import pymupdf
from PIL import Image
from rapidfuzz.distance import Levenshtein

from annotations.ingest import ocr, reading_order
from annotations.ingest.sources import open_pages, read_source
from annotations.records import RawWord, Word
from annotations.text.layer import DocumentText

for folder in ("tests", "resources/samples"):  # degrade.py; letterheads.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / folder))

SCANS = Path(__file__).resolve().parent / "scans"
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-"})


def _normalise(text: str) -> str:
    # Curly and straight quotes are one character to a reader; the scores should not count them apart.
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


def _text(pages: Sequence[Sequence[RawWord]]) -> str:
    words = [[Word(k, p, k, w.text, w.text, w.box, w.conf, w.block, w.par, w.line) for k, w in enumerate(page)]
             for p, page in enumerate(pages)]
    return DocumentText.from_words(words).text


def scores(truth: str, text: str) -> tuple[float, float]:
    """(character error rate over whitespace-normalised text, recall of the true words as a multiset)."""
    truth, text = _normalise(truth), _normalise(text)
    true_words, read = Counter(truth.split()), Counter(text.split())
    recall = sum((true_words & read).values()) / max(1, sum(true_words.values()))
    return Levenshtein.distance(truth, text) / max(1, len(truth)), recall


def read(path: Path, settings: ocr.OcrSettings) -> tuple[list[list[RawWord]], float, list[str]]:
    """(the words of each page in tesseract's order, seconds of OCR, each page's plan) as an import reads them."""
    _, pages = open_pages(read_source(path), dpi=300, force_ocr=True)
    out, plans = [], []
    start = time.perf_counter()
    for page in pages:
        assert page.image is not None
        plan = ocr.plan_page(page.image, page.dpi_x, page.dpi_y, settings)
        out.append(ocr.ocr_image(page.image, settings, plan))
        plans.append(plan.describe() or f"scale {plan.scale[0]:.2f}x{plan.scale[1]:.2f}")
    return out, time.perf_counter() - start, plans


def ordered(pages: list[list[RawWord]]) -> tuple[list[list[RawWord]], float]:
    start = time.perf_counter()
    out = [reading_order.order_words(p) for p in pages]
    return out, time.perf_counter() - start


def _image_pdf(images: Sequence[Image.Image], dpi: tuple[float, float], path: Path) -> Path:
    doc = pymupdf.open()
    for image in images:
        page = doc.new_page(width=image.width * 72 / dpi[0], height=image.height * 72 / dpi[1])
        out = io.BytesIO()
        image.save(out, format="PNG")
        page.insert_image(page.rect, stream=out.getvalue())
    doc.save(path)
    return path


def _pdf_images(pdf: Path, dpi: float) -> list[Image.Image]:
    with pymupdf.open(pdf) as doc:
        pixes = [page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY) for page in doc]
    return [Image.frombytes("L", (p.width, p.height), p.samples) for p in pixes]


def ground_truth(folder: Path) -> list[tuple[str, Path, str]]:
    """(name, scan, true text): real scans (bench/scans), the bundled sample, the generated letterheads,
    and fax-like copies of some of them (100 dpi or 200x100 dpi, 1 bit, noise)."""
    from degrade import fax_like  # tests/degrade.py
    from letterheads import LETTERS, write_letter  # resources/samples/letterheads.py

    from annotations.cli.demo import sample_pdf, sample_truth

    huck = Image.open(SCANS / "huckleberry-finn-p29.jpg").convert("L")  # a 150-dpi scan
    huck_truth = (SCANS / "huckleberry-finn-p29.txt").read_text(encoding="utf-8")
    typed = SCANS / "typewriter-linzensoep.png"  # no resolution tag: read as a letter-size page
    typed_truth = (SCANS / "typewriter-linzensoep.txt").read_text(encoding="utf-8")
    typed_dpi = max(Image.open(typed).width / 8.5, Image.open(typed).height / 11)
    sample = _pdf_images(sample_pdf(), 300)
    cases = [
        ("huckleberry-finn p29, 150 dpi (real)", _image_pdf([huck], (150, 150), folder / "huck.pdf"), huck_truth),
        ("typewriter, untagged (real)", typed, typed_truth),
        ("huckleberry-finn p29, fax 100 dpi", _image_pdf([fax_like(huck, 150)], (100, 100), folder / "huck-fax.pdf"),
         huck_truth),
        ("typewriter, fax 200x100 dpi", _image_pdf([fax_like(Image.open(typed), typed_dpi, (200, 100))], (200, 100),
                                                   folder / "typed-fax.pdf"), typed_truth),
        ("geneva-letter-2015 (bundled)", sample_pdf(), sample_truth()),
        ("geneva-letter-2015, fax 100 dpi", _image_pdf([fax_like(p, 300) for p in sample], (100, 100),
                                                       folder / "sample-fax.pdf"), sample_truth()),
        ("geneva-letter-2015, fax 200x100 dpi",
         _image_pdf([fax_like(p, 300, (200, 100)) for p in sample], (200, 100), folder / "sample-fax2.pdf"),
         sample_truth()),
    ]
    for name in LETTERS:
        pdf, truth = write_letter(name, folder)
        cases.append((f"{name} (generated)", pdf, truth))
    return cases


@click.command()
@click.option("--only", default="", help="Only the page sets whose name contains this.")
def main(only: str) -> None:
    """Prints, per page set, CER and word recall with the resolution-only input ("before") and the
    adaptive one ("after": x-height scale, despeckle, weak lines read again), and the OCR time of each."""
    times, order_seconds = [0.0, 0.0], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, truth in ground_truth(Path(tmp)):
            if only not in name:
                continue
            results = []
            for i, settings in enumerate((ocr.OcrSettings(adaptive=False), ocr.OcrSettings())):
                pages, seconds, plans = read(path, settings)
                in_order, order_time = ordered(pages)
                times[i] += seconds
                order_seconds += order_time
                results.append((scores(truth, _text(in_order)), seconds, plans, scores(truth, _text(pages))[0]))
            (b_cer, b_rec), b_s, _, _ = results[0]
            (a_cer, a_rec), a_s, plans, engine_cer = results[1]
            click.echo(f"{name}: CER {b_cer:.2%} -> {a_cer:.2%}, word recall {b_rec:.2%} -> {a_rec:.2%}, "
                       f"OCR {b_s:.1f} s -> {a_s:.1f} s  [{plans[0]}]; after, in tesseract's order: CER {engine_cer:.2%}")
    click.echo(f"OCR time over all page sets: {times[0]:.1f} s before, {times[1]:.1f} s after "
               f"({times[1] / max(times[0], 1e-9):.2f}x); the ingest throughput target is checked by bench/ingest.py")
    click.echo(f"reading order costs {order_seconds * 1000:.1f} ms against {sum(times):.1f} s of tesseract "
               f"({(sum(times) + order_seconds) / max(sum(times), 1e-9):.4f}x of OCR alone)")


if __name__ == "__main__":
    main()
