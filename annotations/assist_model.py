"""A small spaCy NER model trained on the project's accepted spans, proposing suggestions with scores."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .errors import ProjectError
from .matching import TextIndex
from .store import Project
from .suggest import Hit, SuggestReport, store_hits

MODEL_SOURCE = "model"
"""The source of the model's suggestions."""

MIN_SCORE = 0.3
"""Entities the model is less sure of than this are not proposed."""

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


class TrainingCancelled(ProjectError):
    """The cancel callback asked to stop; nothing was stored."""


@dataclass(frozen=True)
class Evaluation:
    """Span-level scores (exact label and boundaries) on done documents held out from training."""

    precision: float
    recall: float
    f1: float
    documents: int
    gold: int
    folds: int


@dataclass
class ModelResult:
    evaluation: Evaluation | None
    trained_documents: int
    trained_spans: int
    report: SuggestReport
    source: str = MODEL_SOURCE


@dataclass
class _Doc:
    doc_id: int
    index: TextIndex
    spans: list[tuple[int, int, str]]  # key character ranges of accepted spans


def _spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise ProjectError("--model needs spaCy: pip install 'scanspan[spacy]'") from None
    return spacy


def _load(project: Project, doc_id: int) -> _Doc:
    # Trained and run on the normalised text (one space between words), mapped back to words after.
    index = TextIndex(project.document_text(doc_id))
    text = project.document_text(doc_id)
    spans = []
    for span in project.spans(doc_id):
        if span.suggested:
            continue
        r = text.resolve(span)
        ks, ke = bisect_left(index.pos, r.start), bisect_right(index.pos, r.end - 1)
        if ke > ks:
            spans.append((ks, ke, span.label))
    return _Doc(doc_id, index, spans)


def _examples(nlp: Any, docs: Sequence[_Doc]) -> list[Any]:
    from spacy.training import Example
    from spacy.util import filter_spans

    examples = []
    for d in docs:
        doc = nlp.make_doc(d.index.key)
        ents = [doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in d.spans]
        gold = nlp.make_doc(d.index.key)
        gold.ents = filter_spans([e for e in ents if e is not None])
        examples.append(Example(doc, gold))
    return examples


def train(docs: Sequence[_Doc], labels: Sequence[str], iterations: int, seed: int,
          progress: Progress | None = None, cancel: Cancel | None = None, what: str = "training") -> Any:
    """A blank English pipeline with a beam NER (its beam gives each entity a probability), on CPU."""
    spacy = _spacy()
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("beam_ner", config={"beam_width": 8})
    for label in labels:
        ner.add_label(label)
    examples = _examples(nlp, docs)
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for i in range(iterations):
        if cancel is not None and cancel():
            raise TrainingCancelled("training cancelled; nothing was stored")
        rng.shuffle(examples)
        for batch in spacy.util.minibatch(examples, size=4):
            nlp.update(batch, sgd=optimizer, drop=0.2)
        if progress is not None:
            progress(i + 1, iterations, what)
    return nlp


def predict(nlp: Any, d: _Doc) -> list[tuple[int, int, str, float]]:
    """Entities over the document's key text with their beam probability."""
    ner = nlp.get_pipe("beam_ner")
    doc = nlp.make_doc(d.index.key)
    beams = ner.predict([doc])
    scores = ner.scored_ents(beams)[0]
    found = []
    for (start, end, label), score in scores.items():
        if score >= MIN_SCORE:
            span = doc[start:end]
            found.append((span.start_char, span.end_char, label, min(1.0, float(score))))
    return found


def _no_overlaps(found: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    kept: list[tuple[int, int, str, float]] = []
    for item in sorted(found, key=lambda f: -f[3]):
        if not any(item[0] < k[1] and k[0] < item[1] for k in kept):
            kept.append(item)
    return sorted(kept)


def evaluate(done: Sequence[_Doc], labels: Sequence[str], iterations: int, seed: int, folds: int = 5,
             progress: Progress | None = None, cancel: Cancel | None = None) -> Evaluation | None:
    """k-fold by document over the done documents: train on the others, score exact spans on the held-out."""
    if len(done) < 2:
        return None
    k = min(folds, len(done))
    tp = predicted = gold = 0
    for fold in range(k):
        held = [d for i, d in enumerate(done) if i % k == fold]
        rest = [d for i, d in enumerate(done) if i % k != fold]
        nlp = train(rest, labels, iterations, seed, progress, cancel, what=f"held-out fold {fold + 1}/{k}")
        for d in held:
            truth = {(s, e, label) for s, e, label in d.spans}
            guess = {(s, e, label) for s, e, label, _ in _no_overlaps(predict(nlp, d))}
            tp += len(truth & guess)
            predicted += len(guess)
            gold += len(truth)
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Evaluation(precision, recall, f1, len(done), gold, k)


def train_and_suggest(
    project: Project, doc_ids: Sequence[int] | None = None, *, iterations: int = 30, seed: int = 0,
    progress: Progress | None = None, cancel: Cancel | None = None, evaluate_first: bool = True,
) -> ModelResult:
    """Train on the accepted spans (of done documents, or of every document when none is done), measure
    held-out F1 on the done documents, and store predictions for documents not done as suggestions.

    `progress(done, total, what)` follows each training pass; `cancel()` returning True stops before
    anything is stored. `doc_ids` limits the documents predicted for.
    """
    _spacy()
    documents = project.documents()
    loaded = {d.id: _load(project, d.id) for d in documents}
    done = [loaded[d.id] for d in documents if d.status == "done" and loaded[d.id].spans]
    training = done or [d for d in loaded.values() if d.spans]
    if not training:
        raise ProjectError("no accepted spans to learn from: tag or accept some spans first")
    labels = sorted({label for d in training for _, _, label in d.spans})
    evaluation = evaluate(done, labels, iterations, seed, progress=progress, cancel=cancel) if evaluate_first else None
    nlp = train(training, labels, iterations, seed, progress, cancel)
    targets = [d for d in documents if d.status != "done" and (doc_ids is None or d.id in doc_ids)]
    hits = []
    for d in targets:
        if cancel is not None and cancel():
            raise TrainingCancelled("training cancelled; nothing was stored")
        index = loaded[d.id].index
        for s, e, label, score in _no_overlaps(predict(nlp, loaded[d.id])):
            hits.append(Hit(d.id, label, replace(index.match_at(s, e), score=round(score, 4)), MODEL_SOURCE))
    report = store_hits(project, hits)
    return ModelResult(evaluation, len(training), sum(len(d.spans) for d in training), report)

