"""`--lang auto` against `--lang eng`: the time it costs on English pages, and what it chooses on every page, side by side."""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
SCANSPAN = Path(sys.executable).with_name("scanspan")
LIMIT = 1.05
"""English pages may cost at most this much more time with --lang auto."""


def english_pages(scans: Path) -> list[Path]:
    """Clean court pages, a printed book page and two real faxed letters: English pages of the kinds imported."""
    pages = sorted((scans / "scribe").glob("*.png"))
    pages += [scans / "funsd-train" / f"{name}.png" for name in ("0011859695", "0060255888")]
    pages.append(ROOT / "bench" / "scans" / "huckleberry-finn-p29.jpg")
    return [p for p in pages if p.exists()]


def other_pages(scans: Path) -> list[Path]:
    return sorted((scans / "letters").glob("*.jpeg"))


def run(pages: list[Path], lang: str, work: Path) -> tuple[float, float, list[tuple[str, str, str]]]:
    """(CPU seconds of scanspan and its tesseracts, wall seconds, (file, languages, why) per page) of one import."""
    project = work / f"{lang}-{time.monotonic_ns()}.scanspan"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run([str(SCANSPAN), "import", "-p", str(project), "--lang", lang, "-j", "1", *map(str, pages)],
                          capture_output=True, text=True, cwd=work)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"scanspan import --lang {lang} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with sqlite3.connect(project) as db:
        rows = db.execute("select d.name, p.lang, p.ocr_input from pages p join documents d on d.id = p.document_id "
                          "order by d.id, p.number").fetchall()
    return cpu, wall, [(name, chosen, how.split("auto: ")[-1] if "auto: " in how else "") for name, chosen, how in rows]


@click.command()
@click.option("--scans", type=click.Path(path_type=Path, file_okay=False),
              default=ROOT.parent / "shared" / "data" / "real-scans", show_default=True,
              help="The real-scans folder.")
@click.option("--rounds", type=click.IntRange(1), default=2, show_default=True,
              help="Imports of each kind, alternating, so a busy moment of the machine falls on both.")
def main(scans: Path, rounds: int) -> None:
    """Import the English pages with --lang eng and with --lang auto (one tesseract at a time, a fresh project
    each, so no cache), and print the CPU time of each side by side; then what auto chose on every page."""
    english = english_pages(scans)
    if not english:
        raise SystemExit(f"no English pages under {scans}")
    times: dict[str, list[tuple[float, float]]] = {"eng": [], "auto": []}
    chosen: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="scanspan-bench-lang-") as folder:
        work = Path(folder)
        for r in range(rounds):
            for lang in ("eng", "auto") if r % 2 == 0 else ("auto", "eng"):
                cpu, wall, pages = run(english, lang, work)
                times[lang].append((cpu, wall))
                if lang == "auto":
                    chosen = pages
        others = other_pages(scans)
        other_times = {lang: run(others, lang, work) for lang in ("eng", "auto")} if others else {}
    cpu = {lang: sum(c for c, _ in t) / len(t) for lang, t in times.items()}
    wall = {lang: sum(w for _, w in t) / len(t) for lang, t in times.items()}
    ratio = cpu["auto"] / cpu["eng"]
    print(f"{len(english)} English pages, {rounds} imports of each, mean per import (one tesseract at a time):")
    print(f"{'':<16}{'--lang eng':>12}{'--lang auto':>13}{'ratio':>8}")
    print(f"{'CPU seconds':<16}{cpu['eng']:>12.2f}{cpu['auto']:>13.2f}{ratio:>8.3f}")
    print(f"{'wall seconds':<16}{wall['eng']:>12.2f}{wall['auto']:>13.2f}{wall['auto'] / wall['eng']:>8.3f}")
    print(f"English pages with --lang auto: {'within' if ratio <= LIMIT else 'OVER'} the {LIMIT - 1:.0%} allowed")
    print()
    print(f"{'page':<36}{'auto chose':<12}why")
    for name, lang, how in chosen:
        print(f"{name:<36}{lang:<12}{how}")
    if other_times:
        (eng_cpu, _, _), (auto_cpu, _, auto_pages) = other_times["eng"], other_times["auto"]
        print()
        print(f"Other languages ({len(others)} letters): CPU {eng_cpu:.2f} s with eng, {auto_cpu:.2f} s with auto "
              f"(ratio {auto_cpu / eng_cpu:.2f}: read twice)")
        for name, lang, how in auto_pages:
            print(f"{name:<36}{lang:<12}{how}")


if __name__ == "__main__":
    main()
