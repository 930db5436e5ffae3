"""Projects for the export tests, built through the store API from letters drawn as real PDFs (tests/letter_project.py, no OCR),
plus the bundled sample letter and a real scanned memo (as a fax TIFF and a JPEG) OCRed and tagged once per session."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import letter_project
import pytest
from helpers import real_scans, run_scanspan
from letter_project import DPI as DPI  # the exporter tests' page pixels are at this resolution
from letter_project import tag_phrase
from PIL import Image

from annotations.store import Project

PAGE_SIZE = (360.0, 288.0)  # points: 5 x 4 inches, so 500 x 400 pixels at 100 dpi

LETTER = [
    [
        "Dear Ms. Delgado,",
        "",
        "The U.S. Department of Justice (DOJ) Office of Juvenile",
        "Justice and Delinquency Prevention's (OJJDP) program",
        "reached 300,000 investigations in 2015.",
    ],
    [
        "The CyberTipline received 6.5 million reports from",
        "Project iGuardian partners.",
        "",
        "Sincerely,",
        "Keith M. Harper",
    ],
]

# (label, phrase, occurrence): the letter's spans, including one that ends inside a word
# ("Prevention" in "Prevention's"), one over a line break, and two that overlap.
LETTER_SPANS = [
    ("agency", "U.S. Department of Justice (DOJ)", 0),
    ("agency", "Department of Justice", 0),
    ("agency", "Office of Juvenile Justice and Delinquency Prevention", 0),
    ("agency", "OJJDP", 0),
    ("figure", "300,000 investigations", 0),
    ("program", "CyberTipline", 0),
    ("figure", "6.5 million reports", 0),
    ("program", "Project iGuardian", 0),
    ("signature", "Keith M. Harper", 0),
]
SIGNATURE_BOX = (20.0, 300.0, 300.0, 390.0)  # page 2, page pixels


def add_letter(project: Project, name: str, pages: Sequence[Sequence[str]]) -> int:
    """Store a drawn letter of this folder's page size with its words; its id."""
    return letter_project.add_letter(project, name, pages, page_size=PAGE_SIZE)


def tag(project: Project, doc_id: int, spans: Sequence[tuple[str, str, int]], **kwargs: str | bool) -> list[int]:
    """Add spans over the n-th occurrence of each phrase (any whitespace between its words, even inside a word)."""
    return [tag_phrase(project, doc_id, label, phrase, occurrence, **kwargs) for label, phrase, occurrence in spans]


@dataclass
class Letters:
    """A closed project with three tagged letters (the first two "done"); tests copy it to change it."""

    path: Path
    ids: list[int]


@pytest.fixture(scope="session")
def letters(tmp_path_factory: pytest.TempPathFactory) -> Letters:
    folder = tmp_path_factory.mktemp("letters")
    path = folder / "letters.scanspan"
    with Project(path) as project:
        ids = []
        for n in range(3):
            doc_id = add_letter(project, f"letter-{n + 1}.pdf", LETTER)
            tag(project, doc_id, LETTER_SPANS, annotator="tester", note=f"n{n}")
            page2 = project.page_by_number(doc_id, 2)
            project.add_region(page2.id, "signature", SIGNATURE_BOX, text="Keith M. Harper")
            ids.append(doc_id)
        project.set_status(ids[0], "done")
        project.set_status(ids[1], "done")
    return Letters(path, ids)


@pytest.fixture
def letters_copy(letters: Letters, tmp_path: Path) -> Path:
    target = tmp_path / "letters.scanspan"
    shutil.copy(letters.path, target)
    return target


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled scan OCRed (about 4 s) and tagged by the demo's tags, once; copy it to change it."""
    from annotations.cli.demo import apply_sample_tags, sample_pdf
    from annotations.importing.files import import_into

    path = tmp_path_factory.mktemp("sample") / "sample.scanspan"
    with Project(path) as project:
        (outcome,) = import_into(project, [sample_pdf()])
        assert outcome.document is not None, outcome.message
        result = apply_sample_tags(project, outcome.document)
        assert not result.missing, f"OCR missed sample phrases: {result.missing}"
    return path


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str, str]]:
    """`scanspan ARGS` through the real entry point; (exit status, stdout, stderr)."""
    from annotations.cli import main

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def run(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


FUNSD_PAGE = "0000971160"  # a real ~100 dpi fax-quality memo


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real FUNSD page as a bilevel G4 fax TIFF (204 x 196 dpi) and as a JPEG, OCRed by `scanspan import`;
    in each, one word corrected, the first two words tagged and a region drawn. Copy it to change it."""
    folder = tmp_path_factory.mktemp("scans")
    with Image.open(real_scans() / "funsd-train" / f"{FUNSD_PAGE}.png") as page:
        grey = page.convert("L")
    fax = grey.resize((round(grey.width * 2.04), round(grey.height * 1.96)), Image.Resampling.LANCZOS)
    fax = fax.point(lambda v: 255 if v >= 150 else 0).convert("1", dither=Image.Dither.NONE)
    fax.save(folder / "fax.tif", format="TIFF", compression="group4", dpi=(204, 196))
    grey.save(folder / "memo.jpg", format="JPEG", quality=85, dpi=(100, 100))
    project = folder / "scans.scanspan"
    run = run_scanspan(["import", folder / "fax.tif", folder / "memo.jpg", "-p", project, "--jobs", "2"], folder,
                       timeout=300)
    assert run.code == 0, run.err
    with Project(project) as p:
        for doc in p.documents():
            words = [w for page in p.pages(doc.id) for w in p.words(page.id)]
            longest = max((w for w in words if w.text.isalpha()), key=lambda w: len(w.text))
            p.correct_word(longest.id, longest.text.upper() + "Q")
            p.add_span(doc.id, "agency", words[0].id, words[1].id)
            page = p.pages(doc.id)[0]
            p.add_region(page.id, "signature", (10, 10, page.width / 3, page.height / 8), text="stamp")
    return project
