"""spaCy DocBin export, checked by loading it with spaCy and training a tiny NER pipeline on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LETTER, Letters, add_letter, tag

from annotations.exporters import ExportOptions, export
from annotations.store import Project

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402


def load(path: Path) -> list:  # type: ignore[type-arg]
    nlp = spacy.blank("en")
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def test_docbin_holds_every_span_and_non_overlapping_ents(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "letters.spacy"
    with Project(letters.path) as project:
        report = export(project, "spacy", out)
        texts = [project.document_text(i).text for i in letters.ids]
        stored = [[project.document_text(i).resolve(s) for s in project.spans(i)] for i in letters.ids]
    docs = load(out)
    assert [d.text for d in docs] == texts
    assert [d.user_data["scanspan"]["document"] for d in docs] == letters.ids
    for doc, spans in zip(docs, stored):
        # "Prevention" ends inside "Prevention's", which spaCy splits as Prevention + 's: no snapping.
        assert sorted((s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]) == sorted(
            (r.start, r.end, r.span.label) for r in spans
        )
        ents = [(e.text, e.label_) for e in doc.ents]
        assert ("Department of Justice", "agency") not in ents  # inside a longer span: in "sc" only
        assert ("U.S. Department of Justice (DOJ)", "agency") in ents
        assert len(ents) == len(spans) - 1
    assert report.adjusted == {'overlapping spans kept in doc.spans["sc"] but not in doc.ents': 3}
    assert report.skipped == {"regions (a spaCy Doc holds text; coco or labelstudio export regions)": 3}


@pytest.mark.parametrize(
    ("snap", "placed", "snapped"),
    [("expand", ["Geneva2015", "GenevaConvention"], 2), ("contract", [], 0), ("strict", [], 0)],
)
def test_snap_policy_is_named_and_counted(tmp_path: Path, snap: str, placed: list[str], snapped: int) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "snap.pdf", [["Signed in Geneva2015 under the GenevaConvention today"]])
        text = project.document_text(doc_id).text
        for word in ("Geneva", "Convention"):  # each edge falls inside one spaCy token
            start = text.index(word, text.index("Geneva2015") if word == "Geneva" else 0)
            project.add_span_chars(doc_id, "agency", start, start + len(word))
        report = export(project, "spacy", tmp_path / "out.spacy", options=ExportOptions(snap=snap))
    (doc,) = load(tmp_path / "out.spacy")
    assert [s.text for s in doc.spans["sc"]] == placed
    assert sum(report.adjusted.get(k, 0) for k in report.adjusted if "snapped" in k) == snapped
    unplaced = report.skipped.get(f"spans that fit no token boundary under --snap {snap}", 0)
    assert unplaced + len(placed) == 2


def test_without_spacy_the_cli_says_how_to_get_it(
    letters: Letters, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # what an install without the extra looks like
    code, _, stderr = run_cli("export", "-p", letters.path, "-f", "spacy", "-o", tmp_path / "x.spacy")
    assert code == 1
    assert "pip install 'scanspan[spacy]'" in stderr
    assert not list(tmp_path.glob("*.spacy"))


def test_an_unknown_language_is_a_one_line_error_before_anything_is_written(
    letters: Letters, tmp_path: Path, run_cli  # type: ignore[no-untyped-def]
) -> None:
    code, _, stderr = run_cli("export", "-p", letters.path, "-f", "spacy", "--lang", "zz", "-o", tmp_path / "x.spacy")
    assert code == 1
    assert stderr == "error: --lang 'zz' is not a language spaCy knows; use a code such as en, de, fr, or xx for any language\n"
    assert list(tmp_path.iterdir()) == []  # no export, and no crash log (an internal error writes one)


def test_spacy_train_runs_on_the_export(letters_copy: Path, tmp_path: Path) -> None:
    with Project(letters_copy) as project:
        for n in range(4, 8):
            tag(project, add_letter(project, f"letter-{n}.pdf", LETTER), [("agency", "OJJDP", 0), ("program", "CyberTipline", 0)])
        export(project, "spacy", tmp_path / "corpus.spacy", options=ExportOptions(split="train=0.6,dev=0.4", seed=1))
    config = tmp_path / "ner.cfg"
    # The config as spaCy's own `init config` writes it for a blank English NER pipeline (no vectors, no download).
    subprocess.run(
        [sys.executable, "-m", "spacy", "init", "config", str(config), "--lang", "en", "--pipeline", "ner"],
        check=True, capture_output=True,
    )
    result = subprocess.run(
        [
            sys.executable, "-m", "spacy", "train", str(config), "--output", str(tmp_path / "model"),
            "--paths.train", str(tmp_path / "corpus-train.spacy"), "--paths.dev", str(tmp_path / "corpus-dev.spacy"),
            "--training.max_steps", "6", "--training.eval_frequency", "3",
        ],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    nlp = spacy.load(tmp_path / "model" / "model-last")
    trained_on = {e.label_ for doc in load(tmp_path / "corpus-train.spacy") for e in doc.ents}
    assert set(nlp.get_pipe("ner").labels) == trained_on >= {"agency", "program"}
