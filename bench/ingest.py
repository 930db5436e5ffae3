"""Import speed against single-threaded tesseract run page after page over the same scans."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
import pymupdf

from annotations import resources_path
from annotations.importing.files import ImportOptions, import_into
from annotations.store import Project

SAMPLE = resources_path() / "samples" / "geneva-letter-2015.pdf"


def make_scan(pages: int, folder: Path) -> tuple[Path, list[Path]]:
    """A multi-page 300-dpi image-only PDF, plus the same pages as PNG files for the tesseract CLI.

    Pages cycle through the sample letter, each shifted by a few pixels so no two are identical
    (identical pixels would be an OCR cache hit, which is not what this measures).
    """
    sample = pymupdf.open(SAMPLE)
    out = pymupdf.open()
    pngs = []
    for i in range(pages):
        src = sample[i % sample.page_count]
        pix = src.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY)
        shifted = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, pix.width, pix.height), False)
        shifted.clear_with(255)
        shifted.copy(pix, pymupdf.IRect(0, 0, pix.width - i - 1, pix.height))
        png = folder / f"page-{i + 1:03d}.png"
        shifted.set_dpi(300, 300)
        shifted.save(png)
        pngs.append(png)
        page = out.new_page(width=src.rect.width, height=src.rect.height)
        page.insert_image(page.rect, filename=str(png))
    pdf = folder / "scan.pdf"
    out.save(pdf)
    return pdf, pngs


def sequential_tesseract(pngs: list[Path], lang: str, psm: int) -> float:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    start = time.perf_counter()
    for png in pngs:
        subprocess.run(
            ["tesseract", str(png), "-", "-l", lang, "--psm", str(psm), "tsv"],
            check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - start


def timed_import(project: Path, pdf: Path, jobs: int) -> tuple[float, int]:
    start = time.perf_counter()
    with Project(project) as proj:
        outcomes = import_into(proj, [pdf], ImportOptions(jobs=jobs))
    elapsed = time.perf_counter() - start
    if outcomes[0].status not in ("imported", "duplicate"):
        sys.exit(f"import failed: {outcomes[0].message}")
    return elapsed, outcomes[0].pages_ocr


@click.command()
@click.option("--pages", default=8, show_default=True, help="Pages in the benchmark scan.")
@click.option("--jobs", default=0, help="Parallel tesseract processes for the import (0: one per CPU).")
@click.option("--rounds", default=2, show_default=True, help="Alternate both runs this often; the best of each counts.")
def main(pages: int, jobs: int, rounds: int) -> None:
    """Print the import time, sequential single-threaded tesseract time, and their ratio."""
    with tempfile.TemporaryDirectory(prefix="scanspan-bench-") as tmp:
        folder = Path(tmp)
        pdf, pngs = make_scan(pages, folder)
        # Alternating and keeping the best of each damps the noise of other work on a shared machine.
        seqs, firsts = [], []
        for i in range(rounds):
            seqs.append(sequential_tesseract(pngs, "eng", 3))
            elapsed, ocr_pages = timed_import(folder / f"bench-{i}.db", pdf, jobs)
            firsts.append(elapsed)
        seq, first = min(seqs), min(firsts)
        again, again_ocr = timed_import(folder / "bench-0.db", pdf, jobs)
        fresh_copy = folder / "copy.pdf"
        fresh_copy.write_bytes(pdf.read_bytes() + b"\n% another file with the same pages\n")
        cached, cached_ocr = timed_import(folder / "bench-0.db", fresh_copy, jobs)
    cpus = os.cpu_count()
    click.echo(f"pages: {pages}, CPUs: {cpus}, import jobs: {jobs or cpus}, best of {rounds} rounds")
    click.echo(f"sequential tesseract CLI (OMP_THREAD_LIMIT=1): {seq:7.2f} s  ({seq / pages:.2f} s/page)")
    click.echo(f"scanspan import (render + OCR + store):       {first:7.2f} s  ({ocr_pages} pages OCRed)")
    click.echo(f"ratio import / sequential:                     {first / seq:7.2f}x  (goal <= 0.60x)")
    click.echo(f"re-import of the same file:                    {again:7.2f} s  ({again_ocr} pages OCRed, {again / first:.3f}x)")
    click.echo(f"same pages in another file (OCR cache):        {cached:7.2f} s  ({cached_ocr} pages OCRed, {cached / first:.3f}x)")


if __name__ == "__main__":
    main()
