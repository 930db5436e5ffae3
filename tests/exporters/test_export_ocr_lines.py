"""`scanspan export -f ocr-lines`: tesstrain's ground truth, one line image beside its corrected text per text line,
counted against the project, opened, and read again by tesseract."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run_scanspan, similarity
from PIL import Image

from annotations.store import Project


def lines_of(project: Path) -> dict[str, list[tuple[str, tuple[float, ...], bool]]]:
    """Per page stem, (text, box, corrected) of each line: runs of words with the same block, paragraph and line."""
    pages = {}
    with Project(project, read_only=True) as p:
        for doc in p.documents():
            text = p.document_text(doc.id)
            for i, page in enumerate(p.pages(doc.id)):
                runs: list[list] = []
                for w in text.pages[i].words:
                    if not runs or (runs[-1][-1].block, runs[-1][-1].par, runs[-1][-1].line) != (w.block, w.par, w.line):
                        runs.append([])
                    runs[-1].append(w)
                pages[f"{doc.id}-{Path(doc.name).stem}-p{page.number}"] = [
                    (" ".join(w.text for w in run),
                     (min(w.box[0] for w in run), min(w.box[1] for w in run),
                      max(w.box[2] for w in run), max(w.box[3] for w in run)),
                     any(w.corrected for w in run))
                    for run in runs]
    return pages


def export_lines(project: Path, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "lines"
    run = run_scanspan(["export", "-p", project, "-f", "ocr-lines", "-o", out, *extra], tmp_path)
    assert run.code == 0, run.err
    return out


def test_one_image_and_its_corrected_text_per_line(scans: Path, tmp_path: Path) -> None:
    out = export_lines(scans, tmp_path)
    expected = lines_of(scans)
    texts = sorted(out.glob("*.gt.txt"))
    assert len(texts) == sum(len(lines) for lines in expected.values()) > 20
    assert len(list(out.glob("*.png"))) == len(texts)
    for stem, lines in expected.items():
        for n, (text, box, _) in enumerate(lines, start=1):
            name = f"{stem}-l{n:03d}"
            assert (out / f"{name}.gt.txt").read_text(encoding="utf-8") == text + "\n"
            with Image.open(out / f"{name}.png") as image:
                width, height = box[2] - box[0], box[3] - box[1]
                # The line with a small margin around it: wider and taller than its words, not a page.
                assert width + 4 <= image.width <= width + 0.5 * height + 2
                assert height + 4 <= image.height <= 1.5 * height + 2
                assert image.convert("L").getextrema()[0] < 100  # ink in it
    # The corrected words are the ground truth.
    assert any(word.endswith("Q") for t in texts for word in t.read_text(encoding="utf-8").split())


def test_tesseract_reads_the_line_images_as_their_text(scans: Path, tmp_path: Path) -> None:
    out = export_lines(scans, tmp_path, "--documents", "2")
    longest = sorted(out.glob("*.gt.txt"), key=lambda t: -len(t.read_text(encoding="utf-8")))[:3]
    for truth in longest:
        image = truth.with_name(truth.name.removesuffix(".gt.txt") + ".png")
        read = subprocess.run(["tesseract", str(image), "-", "--psm", "7"], capture_output=True, text=True,
                              env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin:/usr/local/bin"}, check=True)
        assert similarity(read.stdout, truth.read_text(encoding="utf-8")) > 0.6, (read.stdout, truth.read_text())


def test_corrected_only_keeps_corrected_lines_and_documents_marked_done(scans: Path, tmp_path: Path) -> None:
    project = tmp_path / "scans.scanspan"
    shutil.copy(scans, project)
    with Project(project) as p:
        fax, memo = p.documents()
        p.set_status(memo.id, "done")
    out = export_lines(project, tmp_path, "--corrected-only")
    expected = lines_of(project)
    kept = {f"{stem}-l{n:03d}" for stem, lines in expected.items() for n, (_, _, corrected) in enumerate(lines, 1)
            if corrected or stem.startswith(f"{memo.id}-")}
    assert {t.name.removesuffix(".gt.txt") for t in out.glob("*.gt.txt")} == kept
    assert sum(1 for name in kept if name.startswith(f"{fax.id}-")) == 1  # the one corrected line of the fax
    assert len(kept) == 1 + len(expected[f"{memo.id}-memo-p1"])


@pytest.mark.parametrize("fmt", ["ocr-lines"])
def test_a_file_where_the_folder_goes_is_refused(fmt: str, scans: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("mine")
    run = run_scanspan(["export", "-p", scans, "-f", fmt, "-o", tmp_path / "taken"], tmp_path)
    assert run.code == 1 and "is a file" in run.err
    assert (tmp_path / "taken").read_text() == "mine"
