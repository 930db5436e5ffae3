"""A spaCy NER model trained on the accepted spans proposes suggestions for documents not done."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Run
from letter_project import add_letter, tag_phrase

from annotations.assist_model import MODEL_SOURCE, TrainingCancelled, train_and_suggest
from annotations.errors import ProjectError
from annotations.store import Project

AGENCIES = ["Department of Justice", "Department of Homeland Security", "Internal Revenue Service",
            "Federal Bureau of Investigation"]
OPENINGS = ["We thank the", "As requested by the", "A report from the", "Officials of the"]


def letter(rng: random.Random) -> tuple[list[str], list[str]]:
    a, b = rng.sample(AGENCIES, 2)
    lines = ["Dear Ms. Delgado,", "", f"{rng.choice(OPENINGS)} {a} for its work,", f"together with the {b},",
             "over the last year.", "", "Sincerely,"]
    return lines, [a, b]


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[int, list[str]]]:
    """Eight letters: five done with their agencies tagged, three new ones with their agencies (the truth)."""
    rng = random.Random(7)
    path = tmp_path / "letters.db"
    truth = {}
    with Project(path) as p:
        for n in range(8):
            lines, agencies = letter(rng)
            doc = add_letter(p, f"letter-{n}.pdf", [lines], "done" if n < 5 else "new")
            if n < 5:
                for agency in agencies:
                    tag_phrase(p, doc, "agency", agency)
            else:
                truth[doc] = agencies
    return path, truth


def test_the_model_suggests_for_documents_not_done_and_reports_held_out_f1(project: tuple[Path, dict[int, list[str]]]) -> None:
    path, truth = project
    calls: list[tuple[int, int, str]] = []
    with Project(path) as p:
        result = train_and_suggest(p, iterations=12, progress=lambda *a: calls.append(a))
        found = {(s.document_id, p.document_text(s.document_id).resolve(s).text) for s in p.suggestions()}
        suggestions = p.suggestions()
    assert result.evaluation is not None and result.evaluation.documents == 5 and result.evaluation.gold == 10
    assert 0 <= result.evaluation.f1 <= 1
    assert result.trained_documents == 5 and result.trained_spans == 10
    assert {s.document_id for s in suggestions} <= set(truth)  # never on the done letters
    assert all(s.source == MODEL_SOURCE and 0 < (s.score or 0) <= 1 for s in suggestions)
    expected = {(doc, agency) for doc, agencies in truth.items() for agency in agencies}
    assert len(found & expected) >= len(expected) // 2, (found, expected)
    # 5 folds and the final model, each reporting every pass in order.
    assert len(calls) == 6 * 12 and calls[:2] == [(1, 12, "held-out fold 1/5"), (2, 12, "held-out fold 1/5")]
    with Project(path) as p:
        again = train_and_suggest(p, iterations=12, evaluate_first=False)
    assert again.report.added == 0  # the same model proposes nothing twice


def test_cancel_stores_nothing(project: tuple[Path, dict[int, list[str]]]) -> None:
    path, _ = project
    passes = []
    with Project(path) as p:
        with pytest.raises(TrainingCancelled):
            train_and_suggest(p, iterations=12, progress=lambda *a: passes.append(a), cancel=lambda: len(passes) >= 3)
        assert p.suggestions() == [] and len(passes) == 3


def test_no_accepted_spans_is_a_clear_error(tmp_path: Path, cli: Callable[..., Run]) -> None:
    with Project(tmp_path / "p.db") as p:
        add_letter(p, "a.pdf", [["Dear Ms. Delgado,"]])
        with pytest.raises(ProjectError, match="no accepted spans to learn from"):
            train_and_suggest(p)


def test_suggest_model_command(project: tuple[Path, dict[int, list[str]]], cli: Callable[..., Run]) -> None:
    path, _ = project
    run = cli("suggest", "-p", path, "--model", "--iterations", "8")
    assert run.code == 0, run.err
    assert "held-out span F1" in run.out and "over 5 done documents, 10 spans, 5-fold by document" in run.out
    assert "trained on 5 documents, 10 accepted spans" in run.out
    assert "suggestions added from 'model'" in run.out
