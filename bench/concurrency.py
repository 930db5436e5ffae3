"""Several writers on one project at once, and import-annotations at growing sizes, measured side by side.

    python bench/concurrency.py                  # about 3 minutes on 2 cores
    python bench/concurrency.py --sizes 1000,10000 --writes 20

Prints:
  - writes that failed while three writer processes tagged spans in a loop (each write as
    `scanspan annotate` does it: open the project, one transaction, close), an `import-annotations`
    of 10,000 lines and an `import` of a long file ran together on one project (goal 0);
  - the longest time one of those writes waited for another's write lock, as the store measured it;
  - `import-annotations` lines per second at 1k, 10k and 100k lines, over the whole command and
    after its fixed start-up (goal: flat; 20,000 lines in <= 20 s on 2 cores).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from annotation_lines import make_annotation_lines, make_bench_project, measure_import  # noqa: E402

from annotations.errors import ScanspanError  # noqa: E402
from annotations.store import Project  # noqa: E402

SCANSPAN = Path(sys.executable).with_name("scanspan")


def long_pdf(path: Path, pages: int = 60) -> Path:
    """A born-digital letter of `pages` dense pages (about 500 words each): stored without OCR, in batches."""
    doc = pymupdf.open()
    line = "The Department of Justice reported 300,000 investigations under the ICAC Task Force Program"
    for _ in range(pages):
        page = doc.new_page(width=612, height=1008)
        page.insert_textbox(pymupdf.Rect(36, 36, 576, 972), "\n".join([line] * 38), fontsize=8)
    doc.save(path)
    return path


def timed(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run([str(SCANSPAN), *args], capture_output=True, text=True, cwd=cwd)
    return time.perf_counter() - start, proc


def tagger(project: str, writes: int, seed: int) -> tuple[int, int, float]:
    """(writes done, writes failed, longest lock wait) of a process that tags like `scanspan annotate`."""
    rnd = random.Random(seed)
    failed, longest = 0, 0.0
    for _ in range(writes):
        try:
            with Project(project) as store:
                doc = rnd.choice(store.documents())
                words = store.words(store.pages(doc.id)[0].id)
                word = rnd.choice(words)
                store.add_span(doc.id, "agency", word.id, word.id)
                longest = max(longest, store.tx.waited)
        except ScanspanError:
            failed += 1
    return writes, failed, longest


def contention(folder: Path, writes: int) -> None:
    base = make_bench_project(folder / "base.db", documents=4)
    project = folder / "contended.db"
    shutil.copyfile(base, project)
    predictions = make_annotation_lines(base, 10_000, folder / "predictions.jsonl").path
    letter = long_pdf(folder / "long.pdf")
    context = multiprocessing.get_context("spawn")
    with ThreadPoolExecutor(2) as threads, context.Pool(3) as processes:
        taggers = [processes.apply_async(tagger, (str(project), writes, seed)) for seed in range(3)]
        loading = threads.submit(timed, ["import-annotations", str(predictions), "-p", str(project)], folder)
        importing = threads.submit(timed, ["import", str(letter), "-p", str(project)], folder)
        tagged = [t.get() for t in taggers]
        others = [loading.result(), importing.result()]
    failed = sum(f for _, f, _ in tagged) + sum(p.returncode != 0 for _, p in others)
    total = sum(n for n, _, _ in tagged) + len(others)
    print(f"writes that failed (3 tagging processes + import-annotations + import):  {failed} of {total}  (goal 0)")
    for _, proc in others:
        if proc.returncode != 0:
            print(f"    {proc.stderr.strip()[:200]}")
    print(f"longest wait for the write lock seen by a tagging write:                {max(w for _, _, w in tagged):6.2f} s")
    print(f"import-annotations of 10,000 lines meanwhile:                           {others[0][0]:6.2f} s")
    print(f"import of a 60-page text-layer letter meanwhile:                        {others[1][0]:6.2f} s")


def scaling(folder: Path, sizes: list[int]) -> None:
    project = make_bench_project(folder / "scale.db")
    one = make_annotation_lines(project, 1, folder / "one.jsonl").path
    fixed = min(measure_import(project, one).seconds for _ in range(2))
    print(f"import-annotations fixed cost (a one-line file):                      {fixed:6.2f} s")
    for n in sizes:
        lines = make_annotation_lines(project, n, folder / f"lines-{n}.jsonl").path
        m = measure_import(project, lines)
        if m.exit_status != 0:
            print(f"import-annotations of {n:,} lines failed: {m.stderr.strip()[:200]}")
            continue
        after = n / max(m.seconds - fixed, 1e-9)
        print(f"import-annotations {n:>7,} lines: {m.seconds:7.2f} s  {m.lines_per_second:8.0f} lines/s  "
              f"{after:8.0f} lines/s after start-up  peak {m.peak_rss_mb:5.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="import-annotations line counts")
    parser.add_argument("--writes", type=int, default=40, help="writes per tagging process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scanspan-bench-") as tmp:
        folder = Path(tmp)
        contention(folder, args.writes)
        scaling(folder, [int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
