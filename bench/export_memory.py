"""Peak memory of every export format on a 2,000-document project against a 2-document one.

    python bench/export_memory.py                      # this checkout
    python bench/export_memory.py --before /work/main  # and another checkout's exporters beside it

Both projects are built through the store API (Project.add_document with synthetic words, no
OCR): letters of 5 pages, 25 lines of 5-9 words a page, four spans and two regions (two
analysts' boxes around one object, so the overlap warning is computed too). Each page is a real
but tiny PDF page (3 x 3.9 inches, 300 x 390 pixels at 100 dpi) so that the image formats render
it. Each export runs as `scanspan export` in a fresh process under /usr/bin/time, whose %M is
that process's peak resident memory alone.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
import pymupdf

from annotations.exporters import FORMATS
from annotations.records import Provenance, RawWord
from annotations.store import NewPage, Project

SCANSPAN = Path(sys.executable).with_name("scanspan")
TIME = "/usr/bin/time"
PAGES, LINES = 5, 25
WIDTH, HEIGHT, DPI = 300, 390, 100
VOCABULARY = (
    "department justice mission geneva program office regional federal report annual letter agency "
    "health services children vaccine clinic survey employers committee minutes meeting budget fund"
).split()


def build(path: Path, documents: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    prov = Provenance("synthetic", "0", "eng", 3, DPI, text_layer=False)
    with Project(path) as project:
        labels = [label.name for label in project.labels()]
        for d in range(documents):
            pdf = pymupdf.open()
            for p in range(PAGES):
                page = pdf.new_page(width=WIDTH * 72 / DPI, height=HEIGHT * 72 / DPI)
                page.insert_text((14, 28), f"Letter {d} page {p + 1}", fontsize=8)
            data = pdf.tobytes()
            pages = []
            for number in range(1, PAGES + 1):
                words = []
                for line in range(LINES):
                    for i in range(rng.randint(5, 9)):
                        top = 30 + line * 14
                        words.append(RawWord(rng.choice(VOCABULARY), (10 + 30 * i, top, 35 + 30 * i, top + 10),
                                             95.0, 1, line // 5, line))
                pages.append(NewPage(number, WIDTH, HEIGHT, DPI, DPI, f"{d}-{number}", prov, words))
            doc = project.add_document(f"letter-{d:05d}.pdf", data, hashlib.sha256(data).hexdigest(), pages)
            stored = project.pages(doc.id)
            with project.transaction():
                for k, page in enumerate((stored[0], stored[0], stored[-1], stored[-1])):
                    words = project.words(page.id)
                    start = rng.randrange(len(words) - 3)
                    project.add_span(doc.id, labels[k % len(labels)], words[start].id, words[start + 2].id,
                                     annotator="bench")
                project.add_region(stored[-1].id, labels[-1], (20.0, 300.0, 200.0, 370.0), annotator="ann",
                                   text="signature")
                project.add_region(stored[-1].id, labels[-1], (25.0, 305.0, 190.0, 360.0), annotator="bob")
    return path


def peak_kb(fmt: str, project: Path, out: Path, pythonpath: str | None) -> tuple[int, float]:
    """Peak resident memory (kB) and wall time of `scanspan export -f FMT` in a fresh process."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    rss = out.with_name(out.name + ".rss")
    start = time.perf_counter()
    subprocess.run([TIME, "-f", "%M", "-o", str(rss), str(SCANSPAN), "export", "-p", str(project), "-f", fmt,
                    "-o", str(out)], check=True, capture_output=True, env=env)
    return int(rss.read_text().split()[-1]), time.perf_counter() - start


@click.command()
@click.option("--documents", default=2000, show_default=True, help="Documents in the large project.")
@click.option("--small", default=2, show_default=True, help="Documents in the small project.")
@click.option("--formats", default=",".join(FORMATS), show_default=True, help="Formats to export, comma-separated.")
@click.option("--before", type=click.Path(exists=True, file_okay=False),
              help="Also export with this checkout on PYTHONPATH (e.g. the main branch) and print its figures.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), help="Build the projects here and keep them.")
def main(documents: int, small: int, formats: str, before: str | None, keep: Path | None) -> None:
    """Print each format's peak memory on the large project against the small one."""
    tmp = Path(tempfile.mkdtemp(prefix="scanspan-export-memory-")) if keep is None else keep
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        projects = {}
        for name, count in (("small", small), ("large", documents)):
            projects[name] = tmp / f"{name}.db"
            if not projects[name].exists():
                start = time.perf_counter()
                build(projects[name], count)
                click.echo(f"{name}: {count} documents x {PAGES} pages built in {time.perf_counter() - start:.1f} s")
        checkouts = {"this": str(Path(__file__).resolve().parent.parent)}
        if before is not None:
            checkouts["before"] = str(Path(before).resolve())
        click.echo(f"\npeak resident memory of `scanspan export` (MB); small = {small}, large = {documents} documents")
        click.echo(f"{'format':<12} {'checkout':<8} {'small':>8} {'large':>8} {'large-small':>12} {'ratio':>7} "
                   f"{'large s':>8}")
        for fmt in formats.split(","):
            for label, path in checkouts.items():
                figures = {}
                for name, project in projects.items():
                    folder = tmp / f"out-{label}-{name}-{fmt}"  # the output, its images, files beside
                    folder.mkdir()
                    figures[name] = peak_kb(fmt, project, folder / "export", path)
                    shutil.rmtree(folder)
                (s, _), (big, seconds) = figures["small"], figures["large"]
                click.echo(f"{fmt:<12} {label:<8} {s / 1024:>8.0f} {big / 1024:>8.0f} {(big - s) / 1024:>12.0f} "
                           f"{big / s:>6.2f}x {seconds:>8.1f}")
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
