"""Pre-annotation files of any length for a project's documents, and the timing of `scanspan import-annotations` on them.

    python bench/annotation_lines.py                      # 1k, 10k and 100k lines on a fresh 20-letter project
    python bench/annotation_lines.py --sizes 1000,20000   # other sizes (--spans N per line, --documents N)

It prints lines per second over the whole run, and after the run's fixed cost (starting Python and
opening the project, about 1.4 s, measured on a one-line file): flat from 1k to 100k is the goal.

For other benchmarks (bench/concurrency.py):

    project = make_bench_project(folder / "bench.db")            # 20 two-page text-layer letters, no OCR
    lines = make_annotation_lines(project, 10_000, folder / "p.jsonl")
    m = measure_import(project, lines.path, folder / "run.db")   # a copy of the project, the real CLI
    print(m.lines_per_second, m.peak_rss_mb)

Each line is one record of Scanspan JSONL, as a model run over the project would give: `name` (the
document), `text` and `spans` with character offsets into that text. Lines cycle over the
documents. Most carry the document's own text; every `variant_every`-th one a variant (single
spaces; a header line before it) that must be aligned to the OCR text. Spans run over 1 to 5 whole
words and go through every (first word, length, label) of a document before any repeats, so that
up to about 18,000 spans per document every span is a new one and the project grows as the file
is read: the case that used to slow down with every span stored.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from annotations import resources_path
from annotations.importing.files import import_into
from annotations.store import Project

SAMPLE_TEXT = resources_path() / "samples" / "geneva-letter-2015.txt"
SCANSPAN = Path(sys.executable).with_name("scanspan")
MAX_WORDS = 5  # longest span, in words
_WORD = re.compile(r"\S+")


def make_bench_project(path: str | Path, documents: int = 20, seed: int = 0) -> Path:
    """A new project of `documents` two-page letters with a text layer (the sample letter's words, shuffled).

    Imported through the real import (PyMuPDF words, no OCR), so each is about 900 words and
    6 KB of text, like the bundled sample.
    """
    path = Path(path)
    rnd = random.Random(seed)
    words = SAMPLE_TEXT.read_text(encoding="utf-8").split()
    with tempfile.TemporaryDirectory(prefix="scanspan-lines-") as tmp:
        files = []
        for d in range(documents):
            letter = list(words)
            rnd.shuffle(letter)
            pdf = pymupdf.open()
            for half in (letter[: len(letter) // 2], letter[len(letter) // 2 :]):
                page = pdf.new_page(width=612, height=792)
                lines = [" ".join(half[i : i + 9]) for i in range(0, len(half), 9)]
                page.insert_text((54, 60), "\n".join(lines), fontname="helv", fontsize=7.5)
            pdf.set_metadata({"title": f"bench letter {d}"})
            file = Path(tmp) / f"letter-{d + 1:03d}.pdf"
            pdf.save(file)
            files.append(file)
        with Project(path) as project:
            for outcome in import_into(project, files):
                if outcome.status == "failed":
                    raise RuntimeError(outcome.message)
    return path


@dataclass
class AnnotationLines:
    """What `make_annotation_lines` wrote."""

    path: Path
    lines: int
    spans: int
    distinct: int  # spans no earlier line of the file holds (the others are duplicates by design)
    documents: int
    bytes: int


def make_annotation_lines(
    project_path: str | Path, n: int, path: str | Path, *, spans_per_line: int = 3, variant_every: int = 10,
    documents: list[str] | None = None, seed: int = 0,
) -> AnnotationLines:
    """Write an n-line Scanspan JSONL file of spans over the project's documents (all, or those named)."""
    path = Path(path)
    rnd = random.Random(seed)
    with Project(project_path) as project:
        labels = [label.name for label in project.labels()]
        docs = [d for d in project.documents() if documents is None or d.name in documents]
        if not docs:
            raise ValueError(f"{project_path}: no documents to annotate")
        texts = [project.document_text(d.id).text for d in docs]
    # Per document and variant: the JSON of its name and text, and where each word lies in that text.
    shapes = []
    for doc, text in zip(docs, texts):
        single = " ".join(text.split())
        variants = []
        for variant in (text, single, "Predicted by a model run\n" + single):
            spans = [m.span() for m in _WORD.finditer(variant)]
            head = '{"name": ' + json.dumps(doc.name, ensure_ascii=False) + ', "text": ' + json.dumps(variant, ensure_ascii=False)
            offset = 1 if variant.startswith("Predicted") else 0
            variants.append((head, spans[offset * 5 :]))  # the header's five words carry no spans
        shapes.append(variants)
    used = [0] * len(docs)  # spans given to each document so far
    total_bytes = distinct = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            k = i % len(docs)
            variant = 0 if not variant_every or i % variant_every else 1 + rnd.randrange(2)
            head, words = shapes[k][variant]
            space = len(words) * MAX_WORDS * len(labels)
            spans = []
            for _ in range(spans_per_line):
                m = used[k]
                used[k] += 1
                distinct += m < space
                m %= space
                # A bijection of 0..space-1 onto (first word, length, label): a stride coprime with
                # the word count spreads consecutive spans over the letter.
                first = (m * _stride(len(words))) % len(words)
                length = 1 + (m // len(words)) % MAX_WORDS
                label = labels[m // (len(words) * MAX_WORDS) % len(labels)]
                last = min(first + length, len(words)) - 1
                spans.append(f'{{"start": {words[first][0]}, "end": {words[last][1]}, "label": {json.dumps(label)}}}')
            line = head + ', "spans": [' + ", ".join(spans) + "]}\n"
            total_bytes += len(line.encode("utf-8"))
            out.write(line)
    return AnnotationLines(path, n, n * spans_per_line, distinct, len(docs), total_bytes)


def _stride(words: int) -> int:
    stride = 7919  # a prime: coprime with any word count it does not divide
    return stride if words % stride else 1


@dataclass
class Measurement:
    """One `scanspan import-annotations` run: wall time, peak memory of its process, what it printed."""

    lines: int
    seconds: float
    peak_rss_mb: float
    exit_status: int
    stdout: str
    stderr: str

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0


def measure_import(
    project_path: str | Path, lines_path: str | Path, run_project: str | Path | None = None, *extra: str
) -> Measurement:
    """Run the real CLI on the file against a copy of the project (at `run_project`, else a temporary file).

    `extra` goes to the command line (e.g. "--source", "m1"). The file's line count is what the
    rate is counted in.
    """
    lines_path = Path(lines_path)
    with tempfile.TemporaryDirectory(prefix="scanspan-measure-") as tmp:
        target = Path(run_project) if run_project else Path(tmp) / "run.db"
        shutil.copyfile(project_path, target)
        with lines_path.open("rb") as handle:
            lines = sum(1 for _ in handle)
        out, err = Path(tmp) / "out.txt", Path(tmp) / "err.txt"
        env = dict(os.environ, XDG_STATE_HOME=str(Path(tmp) / "state"))
        with out.open("wb") as o, err.open("wb") as e:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [str(SCANSPAN), "import-annotations", str(lines_path), "-p", str(target), *extra],
                stdout=o, stderr=e, env=env,
            )
            # wait4 gives this child's own peak resident set, not the maximum over every child so far.
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        return Measurement(
            lines, seconds, usage.ru_maxrss / 1024, proc.returncode,
            out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"),
        )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="Line counts, comma-separated.")
    parser.add_argument("--documents", type=int, default=20, help="Letters in the benchmark project.")
    parser.add_argument("--spans", type=int, default=3, help="Spans per line.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scanspan-bench-") as tmp:
        folder = Path(tmp)
        project = make_bench_project(folder / "bench.db", documents=args.documents)
        # What a run costs before its first line: starting Python, opening the project, loading a document.
        one = make_annotation_lines(project, 1, folder / "one.jsonl", spans_per_line=args.spans)
        fixed = min(measure_import(project, one.path).seconds for _ in range(3))
        print(f"{args.documents} letters, {args.spans} spans per line, fixed cost of a run {fixed:.2f} s")
        print(f"{'lines':>8}  {'MB':>7}  {'new spans':>9}  {'seconds':>8}  {'lines/s':>8}  "
              f"{'after start':>11}  {'peak RSS MB':>11}  exit")
        for n in (int(v) for v in args.sizes.split(",")):
            made = make_annotation_lines(project, n, folder / f"lines-{n}.jsonl", spans_per_line=args.spans)
            m = measure_import(project, made.path)
            marginal = (n - 1) / (m.seconds - fixed) if m.seconds > fixed else float("inf")
            print(
                f"{n:>8}  {made.bytes / 1e6:>7.1f}  {made.distinct:>9}  {m.seconds:>8.2f}  {m.lines_per_second:>8.0f}  "
                f"{marginal:>11.0f}  {m.peak_rss_mb:>11.0f}  {m.exit_status}"
            )
            made.path.unlink()
            if m.exit_status:
                print(m.stderr.strip()[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
