"""A spaCy NER model trained on the accepted spans proposes suggestions for documents not done."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Run, run_scanspan
from letter_project import add_agency_letters, add_letter, agency_letter, tag_phrase

from annotations.assist.spacy_model import MODEL_SOURCE, TrainingCancelled, train_and_suggest
from annotations.errors import ProjectError
from annotations.store import Project


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[int, list[str]]]:
    """Eight letters: five done with their agencies tagged, three new ones with their agencies (the truth)."""
    path = tmp_path / "letters.db"
    with Project(path) as p:
        truth = add_agency_letters(p, done=5, new=3)
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
    assert "held-out span F1" in run.out and "over 5 documents, 10 spans, 5-fold by document" in run.out
    assert "  agency: F1 " in run.out and "on 10 accepted spans, suggested" in run.out
    assert "trained on 5 documents, 10 accepted spans" in run.out
    assert "suggestions added from 'model'" in run.out


def test_too_few_spans_of_a_label_say_how_many_the_model_needs(tmp_path: Path) -> None:
    """Eight accepted spans: the model learns nothing and says it needs ten of a label."""
    rng = random.Random(3)
    path = tmp_path / "few.db"
    with Project(path) as p:
        for n in range(4):
            lines, agencies = agency_letter(rng)
            doc = add_letter(p, f"letter-{n}.pdf", [lines], "done")
            for agency in agencies:
                tag_phrase(p, doc, "agency", agency)
        add_letter(p, "new.pdf", [agency_letter(rng)[0]])
    run = run_scanspan(["suggest", "-p", path, "--model", "--iterations", "2"], tmp_path)
    assert run.code == 1
    assert run.err.strip() == ("error: the model needs at least 10 accepted spans of a label to learn it (accepted so "
                               "far: agency 8); tag or accept more, then train again")
    with Project(path, read_only=True) as p:
        assert p.suggestions() == []


def test_a_model_under_a_useful_f1_suggests_nothing_and_says_why(tmp_path: Path) -> None:
    """Ten "agency" spans on words picked at random: nothing to learn, a held-out F1 far under 0.5, and so
    no suggestions, with the F1 and the reason printed."""
    rng = random.Random(5)
    path = tmp_path / "noise.db"
    with Project(path) as p:
        for n in range(5):
            lines, _ = agency_letter(rng)
            doc = add_letter(p, f"letter-{n}.pdf", [lines], "done")
            words = sorted({w for line in lines for w in line.split() if w.isalpha()})
            for word in rng.sample(words, 2):
                tag_phrase(p, doc, "agency", word)
        add_letter(p, "new.pdf", [agency_letter(rng)[0]])
    run = run_scanspan(["suggest", "-p", path, "--model", "--iterations", "4"], tmp_path)
    assert run.code == 0, run.err
    f1 = float(re.search(r"agency: F1 ([0-9.]+) on 10 accepted spans, under 0.50, not suggested", run.out)[1])  # type: ignore[index]
    assert f1 < 0.5
    assert ("no suggestions: no label reached a held-out F1 of 0.50, so most of what the model proposed would be "
            "wrong; accept more spans (and mark documents done) and train again") in run.out
    assert "suggestions added" not in run.out
    with Project(path, read_only=True) as p:
        assert p.suggestions() == []
