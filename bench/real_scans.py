"""Word recall on real scans with ground truth: raw tesseract beside Scanspan's OCR, page by page and per folder."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from pathlib import Path

import click
from lxml import html

from annotations.ingest import ocr
from annotations.ingest.sources import open_pages, read_source

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-scans"


def truth_words(image: Path) -> list[str] | None:
    """The page's true words: FUNSD's `form[].words[].text` or hOCR's `ocrx_word`s beside the image."""
    funsd = image.with_suffix(".json")
    if funsd.exists():
        form = json.loads(funsd.read_text())["form"]
        return [w["text"] for entity in form for w in entity["words"] if w["text"].strip()]
    hocr = image.with_name(image.stem + ".truth.hocr")
    if hocr.exists():
        tree = html.fromstring(hocr.read_bytes())
        return [" ".join(el.text_content().split()) for el in tree.xpath("//*[@class='ocrx_word']")
                if el.text_content().strip()]
    return None


def recall(truth: list[str], read: list[str]) -> float:
    """The share of true words found, as bags of words after whitespace folding (case and punctuation kept)."""
    true_words = Counter(w for t in truth for w in t.split())
    found = Counter(read)
    return sum((true_words & found).values()) / max(1, sum(true_words.values()))


def raw_tesseract(image: Path) -> list[str]:
    """Tesseract with its defaults, one thread, as a user running it by hand would."""
    out = subprocess.run(["tesseract", str(image), "stdout"], capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
    return out.split()


def scanspan(image: Path) -> tuple[list[str], str]:
    """The words an import reads from the page, and what its OCR plan did."""
    settings = ocr.OcrSettings()
    _, pages = open_pages(read_source(image), dpi=300, force_ocr=True)
    words, plans = [], []
    for page in pages:
        assert page.image is not None
        plan = ocr.plan_page(page.image, page.dpi_x, page.dpi_y, settings)
        words += [w.text for w in ocr.ocr_image(page.image, settings, plan)]
        plans.append(plan.describe())
    return words, "; ".join(p for p in plans if p)


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default=DEFAULT)
@click.option("--only", multiple=True, help="Sub-folders to measure (default: every one with truth).")
@click.option("--verbose", is_flag=True, help="A line per page.")
def main(folder: Path, only: tuple[str, ...], verbose: bool) -> None:
    """Mean word recall per folder of FOLDER (default ../shared/data/real-scans) for raw tesseract and Scanspan."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    print(f"{'folder':<16} {'pages':>5} {'raw tesseract':>14} {'scanspan':>9} {'gain':>6} {'time raw':>9} {'time ours':>9}")
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if only and sub.name not in only:
            continue
        pages = [(p, t) for p in sorted(sub.glob("*.png")) + sorted(sub.glob("*.tif")) if (t := truth_words(p))]
        if not pages:
            continue
        raw_scores, our_scores, raw_time, our_time = [], [], 0.0, 0.0
        for image, truth in pages:
            start = time.perf_counter()
            raw = recall(truth, raw_tesseract(image))
            raw_time += time.perf_counter() - start
            start = time.perf_counter()
            words, plan = scanspan(image)
            ours = recall(truth, words)
            our_time += time.perf_counter() - start
            raw_scores.append(raw)
            our_scores.append(ours)
            if verbose:
                print(f"  {image.name:<28} raw {raw:.3f}  scanspan {ours:.3f}  ({plan or 'as scanned'})", flush=True)
        raw_mean, our_mean = sum(raw_scores) / len(pages), sum(our_scores) / len(pages)
        print(f"{sub.name:<16} {len(pages):>5} {raw_mean:>14.3f} {our_mean:>9.3f} {our_mean - raw_mean:>+6.3f} "
              f"{raw_time:>8.1f}s {our_time:>8.1f}s", flush=True)


if __name__ == "__main__":
    main()
