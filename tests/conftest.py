"""Shared fixtures for the core tests: documents made in the test, one OCRed project per session.

Core tests never import Qt: nothing here (or in helpers.py) touches app/ or PySide6.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import Corpus, Imported, Run, make_corpus
from hypothesis import HealthCheck, settings

from annotations.importing.files import ImportOptions, import_into
from annotations.store import Project

# No example database in the checkout, no wall-clock deadlines on a loaded 2-core machine.
settings.register_profile(
    "scanspan", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("scanspan")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def imported(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    """Every good file of the corpus imported once, in one call, with two tesseract jobs.

    Tests must not change this project; the ones that write make their own.
    """
    path = tmp_path_factory.mktemp("shared") / "shared.scanspan"
    calls: list[tuple[int, int, str]] = []
    with Project(path) as project:
        outcomes = import_into(
            project, list(corpus.paths.values()), ImportOptions(jobs=2), progress=lambda *a: calls.append(a)
        )
        yield Imported(path, project, {o.path.name: o for o in outcomes}, calls)


@pytest.fixture(scope="session")
def born_project(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed project file holding only born.pdf (no OCR); copy it with helpers.copy_project to change it."""
    path = tmp_path_factory.mktemp("born") / "born.scanspan"
    with Project(path) as project:
        (outcome,) = import_into(project, [corpus.paths["born.pdf"]])
        assert outcome.status == "imported", outcome.message
    return path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run `scanspan ARGS` in this process through its real entry point, annotations.cli.main."""
    from annotations.cli import main

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def run(*args: object) -> Run:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


