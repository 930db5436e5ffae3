"""An export's memory does not grow with the project: a 300-document `scanspan export` peaks about where a 2-document one does."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pymupdf
import pytest
from helpers import run_bounded

from annotations.records import Provenance, RawWord
from annotations.store import NewPage, Project

DOCUMENTS, PAGES, LINES = 300, 5, 25
VOCABULARY = "department justice mission geneva program office regional federal report annual letter agency".split()
GROWTH_KB = 8 * 1024
"""What 298 more documents may add to an export's peak. Holding them all took 245 MB for jsonl and
conll (each document's words and text kept until the export ended), 16.5 MB for labelstudio (every
page's task kept for one json.dumps of the list), 156 MB for spacy (every Doc's token array kept
in a DocBin, then copied three times by DocBin.to_bytes); read and written one at a time they add
about 3 MB."""


def build(path: Path, documents: int) -> Path:
    """Letters of PAGES small pages, LINES lines of 5-9 words a page and four spans each, stored directly (no OCR)."""
    rng = random.Random(documents)
    prov = Provenance("synthetic", "0", "eng", 3, 100, text_layer=False)
    with Project(path) as project:
        labels = [label.name for label in project.labels()]
        for d in range(documents):
            pdf = pymupdf.open()
            for p in range(PAGES):
                pdf.new_page(width=216, height=281).insert_text((20, 40), f"Letter {d} page {p + 1}", fontsize=8)
            data = pdf.tobytes()
            pages = []
            for number in range(1, PAGES + 1):
                words = []
                for line in range(LINES):
                    for i in range(rng.randint(5, 9)):
                        top = 40 + line * 14
                        words.append(RawWord(rng.choice(VOCABULARY), (20 + 30 * i, top, 45 + 30 * i, top + 10),
                                             95.0, 1, line // 5, line))
                pages.append(NewPage(number, 300, 390, 100, 100, f"{d}-{number}", prov, words))
            doc = project.add_document(f"letter-{d:04d}.pdf", data, hashlib.sha256(data).hexdigest(), pages)
            first_page = project.words(project.pages(doc.id)[0].id)
            last_page = project.words(project.pages(doc.id)[-1].id)
            with project.transaction():
                for k, words in enumerate((first_page, first_page, last_page, last_page)):
                    start = rng.randrange(len(words) - 3)
                    project.add_span(doc.id, labels[k % len(labels)], words[start].id, words[start + 2].id,
                                     annotator="tester")
    return path


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("sizes")
    return {n: build(folder / f"p{n}.db", n) for n in (2, DOCUMENTS)}


def _written(fmt: str, out: Path) -> int:
    """How many documents the output holds."""
    if fmt == "spacy":
        from spacy.tokens import DocBin

        return len(DocBin().from_disk(out))
    text = out.read_text(encoding="utf-8")
    if fmt == "jsonl":
        return len(text.splitlines())
    if fmt == "conll":
        return text.count("-DOCSTART-")
    return len({task["data"]["document"] for task in json.loads(text)})


@pytest.mark.parametrize("fmt", ["jsonl", "conll", "labelstudio", "spacy"])
def test_export_memory_does_not_grow_with_the_project(fmt: str, projects: dict[int, Path], tmp_path: Path) -> None:
    peaks = {}
    for n, path in projects.items():
        out = tmp_path / f"out-{n}.{fmt}"
        run, peaks[n] = run_bounded(["export", "-p", path, "-f", fmt, "-o", out], tmp_path, cap=2 * 1024**3)
        assert run.code == 0, run.err
        assert run.out.splitlines()[1].startswith(f"{n} documents, ")
        assert _written(fmt, out) == n
    assert peaks[DOCUMENTS] - peaks[2] < GROWTH_KB, peaks
