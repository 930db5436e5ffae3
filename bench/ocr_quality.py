"""Word recall and CER against ground truth, in the engine's order and in reading order, and what ordering costs."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import click
from rapidfuzz.distance import Levenshtein

from annotations import ocr, reading_order
from annotations.model import RawWord, Word
from annotations.sources import open_pages, read_source
from annotations.textlayer import DocumentText

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "resources" / "samples"))


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _text(pages: Sequence[Sequence[RawWord]]) -> str:
    words = [[Word(k, p, k, w.text, w.text, w.box, w.conf, w.block, w.par, w.line) for k, w in enumerate(page)]
             for p, page in enumerate(pages)]
    return DocumentText.from_words(words).text


def _scores(truth: str, text: str) -> tuple[float, float]:
    """(character error rate over whitespace-normalised text, recall of the true words as a multiset)."""
    truth, text = _normalise(truth), _normalise(text)
    true_words, read = Counter(truth.split()), Counter(text.split())
    recall = sum((true_words & read).values()) / max(1, sum(true_words.values()))
    return Levenshtein.distance(truth, text) / max(1, len(truth)), recall


def _ocr(pdf: Path) -> tuple[list[list[RawWord]], float]:
    _, pages = open_pages(read_source(pdf), dpi=300, force_ocr=True)
    out = []
    start = time.perf_counter()
    for page in pages:
        assert page.image is not None
        scale = ocr.ocr_scale(page.dpi_x, page.dpi_y, page.image.size)
        out.append(ocr.ocr_image(page.image, ocr.OcrSettings(), scale))
    return out, time.perf_counter() - start


def ground_truth(folder: Path) -> list[tuple[str, Path, str]]:
    """(name, PDF, true text) of the bundled sample and of the generated letterheads."""
    from annotations.demo import sample_pdf, sample_truth

    cases = [("geneva-letter-2015 (bundled)", sample_pdf(), sample_truth())]
    from letterheads import LETTERS, write_letter  # resources/samples/letterheads.py

    for name in LETTERS:
        pdf, truth = write_letter(name, folder)
        cases.append((f"{name} (generated)", pdf, truth))
    return cases


@click.command()
@click.option("--rounds", default=20, show_default=True, help="Times the ordering runs over each page, for its timing.")
def main(rounds: int) -> None:
    """Prints, per page set, CER and word recall in tesseract's order ("before") and in reading order ("after")."""
    import tempfile

    ocr_seconds = order_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, pdf, truth in ground_truth(Path(tmp)):
            pages, seconds = _ocr(pdf)
            ocr_seconds += seconds
            start = time.perf_counter()
            for _ in range(rounds):
                ordered = [reading_order.order_words(p) for p in pages]
            order_seconds += (time.perf_counter() - start) / rounds
            before, after = _scores(truth, _text(pages)), _scores(truth, _text(ordered))
            click.echo(f"{name}: CER {before[0]:.2%} -> {after[0]:.2%}, word recall {before[1]:.2%} -> {after[1]:.2%}")
    click.echo(f"ordering costs {order_seconds * 1000:.1f} ms against {ocr_seconds:.1f} s of tesseract: "
               f"ingest throughput ratio {(ocr_seconds + order_seconds) / ocr_seconds:.4f}x of OCR alone")


if __name__ == "__main__":
    main()
