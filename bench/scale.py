"""Archive scale: start-up of light commands, and a large project against a small one side by side."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import click
import pymupdf

from annotations.exporters import export
from annotations.importing.files import ImportOptions
from annotations.importing.folders import import_paths
from annotations.store import Project
from annotations.text.search import search, search_documents

SCANSPAN = Path(sys.executable).with_name("scanspan")
VOCABULARY = (
    "department justice mission geneva program office regional federal report annual letter agency "
    "health services children vaccine clinic survey employers committee minutes meeting budget fund "
    "director secretary council permanent representative united nations cooperation protection"
).split()
QUERIES = {
    "rare phrase": "Marchetti wrote",
    "common word": "department",
    "two letters": "ge",
    "no hits (quotes, OR)": '"annual report" -budget OR',
}


def letter(rng: random.Random, pages: int, lines: int, doc: int) -> list[list[str]]:
    text = []
    for p in range(pages):
        page = [" ".join(rng.choice(VOCABULARY).capitalize() if i == 0 else rng.choice(VOCABULARY)
                         for i in range(rng.randint(5, 9))) for _ in range(lines)]
        page[0] = f"Letter {doc} page {p + 1}"
        text.append(page)
    if doc % 97 == 0:  # a rare name in about one letter in a hundred
        text[-1][-1] = "Dr. Marchetti wrote back"
    return text


def generate(folder: Path, documents: int, pages: int, lines: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    for d in range(documents):
        sub = folder / f"box-{d // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"letter-{d:05d}.pdf").write_bytes(text_pdf(letter(rng, pages, lines, d)))


def text_pdf(pages: list[list[str]]) -> bytes:
    """A born-digital letter (a text layer, so it imports without OCR): one text call a page, which
    draws a thousand documents in about a minute where tests/helpers.draw_pdf takes ten."""
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=8.5 * 72, height=11 * 72)
        page.insert_text((54, 72), "\n".join(lines), fontname="tiro", fontsize=11, lineheight=1.6)
    return doc.tobytes()


def best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def command(args: list[str], cwd: Path, pythonpath: str | None = None, rounds: int = 5,
            extra_env: dict[str, str] | None = None) -> float:
    """Wall time of `scanspan ARGS` in a fresh process (the median of `rounds`)."""
    env = dict(os.environ) | (extra_env or {})
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([str(SCANSPAN), *args], cwd=cwd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def python_startup(rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def disk_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def measure(project: Path, out: Path, rounds: int) -> dict[str, float]:
    figures: dict[str, float] = {"size MB": disk_size(project) / 1e6}
    with sqlite3.connect(project) as conn:  # how much of it is the search index
        pages = conn.execute("select sum(pgsize) from dbstat where name like 'page_search%'").fetchone()[0]
        figures["of which search index MB"] = (pages or 0) / 1e6
    conn.close()
    figures["list (command) s"] = command(["list", "-p", str(project)], project.parent, rounds=3)
    figures["search (command) s"] = command(["search", "-p", str(project), "Marchetti wrote"], project.parent, rounds=3)
    # The window opened on the project, its navigator filled and its first page drawn, off-screen.
    figures["window open + first page (command) s"] = command(
        ["open", str(project), "--screenshot", str(out / "window.png")], project.parent, rounds=3,
        extra_env={"QT_QPA_PLATFORM": "offscreen"})
    start = time.perf_counter()
    with Project(project, read_only=True) as p:
        figures["open s"] = time.perf_counter() - start
        figures["summaries s"] = best(p.summaries, rounds)
        for name, query in QUERIES.items():
            figures[f"search {name} ms"] = 1000 * best(lambda q=query: search(p, q, limit=50), rounds)
        figures["search all hits 'marchetti' ms"] = 1000 * best(lambda: search(p, "marchetti", limit=None), rounds)
        figures["search --documents 'department' ms"] = 1000 * best(lambda: search_documents(p, "department"), rounds)
        for fmt in ("jsonl", "csv", "conll"):
            figures[f"export {fmt} s"] = best(lambda f=fmt: export(p, f, out / f"export.{f}"), 1)
    return figures


@click.command()
@click.option("--documents", default=1000, show_default=True, help="Documents in the large project.")
@click.option("--pages", default=10, show_default=True, help="Pages per document.")
@click.option("--lines", default=25, show_default=True, help="Text lines per page (5-9 words each).")
@click.option("--small", default=10, show_default=True, help="Documents in the small project.")
@click.option("--rounds", default=5, show_default=True, help="Repetitions of each timing; the best (in-process) or median (commands) counts.")
@click.option("--before", type=click.Path(exists=True, file_okay=False), help="Also time the commands with this checkout on PYTHONPATH (e.g. the main branch).")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), help="Build the projects in this folder and keep them.")
def main(documents: int, pages: int, lines: int, small: int, rounds: int, before: str | None, keep: Path | None) -> None:
    """Print start-up times and a large project's figures against a small one's."""
    tmp = Path(tempfile.mkdtemp(prefix="scanspan-scale-")) if keep is None else keep
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        click.echo(f"CPUs: {os.cpu_count()}; large: {documents} documents x {pages} pages, small: {small} x {pages}; "
                   f"{lines} lines a page")
        figures = {}
        for name, count in (("small", small), ("large", documents)):
            folder = tmp / f"{name}-files"
            project = tmp / f"{name}.db"
            if not project.exists():
                start = time.perf_counter()
                generate(folder, count, pages, lines)
                drawn = time.perf_counter() - start
                start = time.perf_counter()
                with Project(project) as p:
                    run = import_paths(p, [folder], ImportOptions(), recursive=True)
                stored = time.perf_counter() - start
                assert all(o.status == "imported" for o in run.outcomes)
                click.echo(f"{name}: drew {count} PDFs in {drawn:.1f} s, imported the folder in {stored:.1f} s "
                           f"({count * pages / stored:.0f} pages/s)")
            out = tmp / f"{name}-out"
            out.mkdir(exist_ok=True)
            figures[name] = measure(project, out, rounds)

        click.echo("\nstart-up (median of a fresh process each time, small project):")
        base = python_startup(rounds)
        click.echo(f"  {'python -c pass':<12} {base * 1000:7.0f} ms")
        small_db = str(tmp / "small.db")
        commands = {
            "list": ["list", "-p", small_db],
            "annotate": ["annotate", "-p", small_db, "-d", "1", "-l", "agency", "--text", "Letter 0"],
            "search": ["search", "-p", small_db, "department of justice"],
        }
        for name, args in commands.items():
            now = command(args, tmp, rounds=rounds)
            click.echo(f"  {name:<12} {now * 1000:7.0f} ms  ({(now - base) * 1000:.0f} ms over bare Python)")
        if before is not None:
            # Another checkout cannot open projects of this schema; `--help` loads a command's
            # modules all the same, which is what start-up costs.
            click.echo(f"  command modules loaded (`scanspan CMD --help`), this checkout against {before}:")
            for name in ("list", "annotate"):  # `search` is new
                now = command([name, "--help"], tmp, rounds=rounds)
                then = command([name, "--help"], tmp, pythonpath=before, rounds=rounds)
                click.echo(f"  {name:<12} {now * 1000:7.0f} ms against {then * 1000:5.0f} ms, ratio {now / then:.2f}x")

        click.echo(f"\n{'':<36} {'small':>10} {'large':>10} {'large/small':>12}")
        for key in figures["small"]:
            s, big = figures["small"][key], figures["large"][key]
            click.echo(f"{key:<36} {s:>10.3f} {big:>10.3f} {big / s if s else float('nan'):>11.1f}x")
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
