"""Pages per second exporting ALTO, PAGE, hOCR and a searchable PDF of the 200-page bench project, against JSONL.

    python bench/interchange.py                # builds the project of bench/gui.py in a temporary folder
    python bench/interchange.py --dir DIR      # builds it there, or reuses the one there
    python bench/interchange.py --pages 5      # a shorter project, to try the script

The project is bench/gui.py's: one document of 200 dense pages (1,500 words and 30 spans a page, 300 on
the first; US letter at 300 dpi), built through the store API, no OCR. Its PDF's pages carry their words
as text, so the PDF export shows each page as its rendered image (a page's own text would be found
twice), its slowest path; a scan's page image is placed as it is. Each export is `scanspan export` in a
fresh process, timed from start to exit (Python's start and the imports included), its peak resident
memory from ru_maxrss of the child.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gui import build  # noqa: E402  (bench/gui.py: the 200-page bench project)

SCANSPAN = Path(sys.executable).with_name("scanspan")
FORMATS = {"jsonl": "out.jsonl", "alto": "alto", "page": "page", "hocr": "hocr", "pdf": "out.pdf"}
PAGES = 200


def export(project: Path, fmt: str, out: Path) -> tuple[float, float]:
    """(seconds, peak resident MB) of one `scanspan export` in a fresh process."""
    if out.is_dir():
        shutil.rmtree(out)
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen([str(SCANSPAN), "export", "-p", str(project), "-f", fmt, "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 gives this child's own resource use (RUSAGE_CHILDREN would be the largest child's so far).
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{fmt}: scanspan export failed: {child.stderr.read().decode() if child.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def size_mb(path: Path) -> float:
    files = path.rglob("*") if path.is_dir() else [path]
    return sum(f.stat().st_size for f in files if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="Build (or reuse) the bench project here.")
    parser.add_argument("--pages", type=int, default=PAGES, help="Pages of the project.")
    args = parser.parse_args()
    pages = args.pages
    folder = args.dir or Path(tempfile.mkdtemp(prefix="scanspan-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    project = folder / f"pages-{pages}.scanspan"
    if not project.exists():
        started = time.perf_counter()
        build(project, pages)
        print(f"built {project} in {time.perf_counter() - started:.0f} s")
    results: dict[str, float] = {}
    for fmt, name in FORMATS.items():
        out = folder / f"{pages}-{name}"
        seconds, peak = export(project, fmt, out)
        results[fmt] = seconds
        print(f"{fmt:6} {seconds:6.1f} s  {pages / seconds:6.1f} pages/s  {results['jsonl'] / seconds:5.2f}x JSONL's "
              f"rate  peak {peak:5.0f} MB  output {size_mb(out):7.1f} MB")


if __name__ == "__main__":
    main()
