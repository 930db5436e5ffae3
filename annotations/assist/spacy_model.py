"""A small spaCy NER model trained on the project's accepted spans, proposing suggestions with scores."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import ProjectError
from ..store import Project
from ..text.matching import TextIndex
from .suggest import Hit, SuggestReport, store_hits

MODEL_SOURCE = "model"
"""The source of the model's suggestions."""

MIN_SCORE = 0.3
"""Entities the model is less sure of than this are not proposed."""

MIN_SPANS = 10
"""Accepted spans a label needs before the model learns it: with fewer, each of the five held-out
folds scores one or two spans of it, and its F1 says nothing."""

MIN_F1 = 0.5
"""Held-out span F1 a label needs before the model proposes it: below it, most of what the analyst
reviews is wrong (or missing), and rejecting suggestions costs more than tagging by hand."""

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


class TrainingCancelled(ProjectError):
    """The cancel callback asked to stop; nothing was stored."""


@dataclass(frozen=True)
class Scores:
    """Span-level scores (exact label and boundaries) on held-out documents."""

    precision: float
    recall: float
    f1: float
    gold: int

    @classmethod
    def of(cls, tp: int, predicted: int, gold: int) -> Scores:
        precision = tp / predicted if predicted else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, gold)


@dataclass(frozen=True)
class Evaluation:
    """Span-level scores (exact label and boundaries) on the documents learnt from, each held out from
    training in turn: over all labels, and per label."""

    precision: float
    recall: float
    f1: float
    documents: int
    gold: int
    folds: int
    labels: dict[str, Scores] = field(default_factory=dict)


@dataclass
class ModelResult:
    evaluation: Evaluation | None
    trained_documents: int
    trained_spans: int
    report: SuggestReport
    source: str = MODEL_SOURCE
    spans_per_label: dict[str, int] = field(default_factory=dict)
    """Accepted spans of each label in the documents learnt from."""
    suggested_labels: list[str] = field(default_factory=list)
    """The labels whose held-out F1 reached MIN_F1: the only ones proposed."""
    predicted_documents: int = 0
    """Documents not done the model read for suggestions."""

    def headline(self) -> str:
        """One line for a status bar: what was suggested, and each label's held-out F1."""
        start = f"Model trained on {self.trained_spans} accepted spans"
        e = self.evaluation
        scores = ", ".join(f"{label} {s.f1:.2f}" for label, s in e.labels.items()) if e is not None else ""
        if not self.suggested_labels:
            return (f"{start} suggests nothing: held-out F1 {scores}, under {MIN_F1:.2f} (most of what it proposed "
                    "would be wrong); accept more spans and train again")
        added = self.report.added
        line = f"{start}: {added} new suggestion{'s' if added != 1 else ''}"
        if scores:
            line += f"; held-out F1 {scores}"
        left_out = [label for label in (e.labels if e is not None else {}) if label not in self.suggested_labels]
        if left_out:
            line += f" ({', '.join(left_out)} under {MIN_F1:.2f}, not suggested)"
        few = [f"{label} {n}" for label, n in self.spans_per_label.items() if n < MIN_SPANS]
        if few:
            line += f"; not learnt, under {MIN_SPANS} accepted spans: {', '.join(few)}"
        return line

    def summary(self) -> list[str]:
        """What the model learnt and why it proposed what it did, for the analyst (CLI and window)."""
        e = self.evaluation
        lines = []
        if e is not None:
            lines.append(f"held-out span F1 {e.f1:.2f} (precision {e.precision:.2f}, recall {e.recall:.2f}) over "
                         f"{e.documents} documents, {e.gold} spans, {e.folds}-fold by document")
            for label, scores in e.labels.items():
                verdict = "suggested" if label in self.suggested_labels else f"under {MIN_F1:.2f}, not suggested"
                lines.append(f"  {label}: F1 {scores.f1:.2f} on {self.spans_per_label.get(label, 0)} accepted spans, "
                             f"{verdict}")
        lines += [f"  {label}: {n} accepted spans, needs {MIN_SPANS} to be learnt" for label, n in
                  self.spans_per_label.items() if n < MIN_SPANS]
        if self.suggested_labels and not self.report.found:
            lines.append(f"the model found nothing it was at least {MIN_SCORE:.1f} sure of in the "
                         f"{self.predicted_documents} documents not done")
        if not self.suggested_labels:
            lines.append(f"no suggestions: no label reached a held-out F1 of {MIN_F1:.2f}, so most of what the model "
                         "proposed would be wrong; accept more spans (and mark documents done) and train again")
        return lines


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
    """k-fold by document over the documents learnt from: train on the others, score exact spans on the
    held-out one, over all labels and per label."""
    if len(done) < 2:
        return None
    k = min(folds, len(done))
    counts = {label: [0, 0, 0] for label in labels}  # true positives, predicted, gold
    for fold in range(k):
        held = [d for i, d in enumerate(done) if i % k == fold]
        rest = [d for i, d in enumerate(done) if i % k != fold]
        nlp = train(rest, labels, iterations, seed, progress, cancel, what=f"held-out fold {fold + 1}/{k}")
        for d in held:
            truth = {(s, e, label) for s, e, label in d.spans}
            guess = {(s, e, label) for s, e, label, _ in _no_overlaps(predict(nlp, d))}
            for _, _, label in truth & guess:
                counts[label][0] += 1
            for _, _, label in guess:
                counts[label][1] += 1
            for _, _, label in truth:
                counts[label][2] += 1
    total = Scores.of(*(sum(c[i] for c in counts.values()) for i in range(3)))
    per_label = {label: Scores.of(*c) for label, c in sorted(counts.items())}
    return Evaluation(total.precision, total.recall, total.f1, len(done), total.gold, k, per_label)


def train_and_suggest(
    project: Project, doc_ids: Sequence[int] | None = None, *, iterations: int = 30, seed: int = 0,
    progress: Progress | None = None, cancel: Cancel | None = None, evaluate_first: bool = True,
) -> ModelResult:
    """Train on the accepted spans (of done documents, or of every document when none is done), measure
    each label's held-out F1 on those documents, and store predictions for documents not done as
    suggestions, of the labels whose F1 reached MIN_F1 only.

    A label with fewer than MIN_SPANS accepted spans is not learnt; with no label left, or fewer
    than two documents to hold out, a ProjectError says what the model needs. `progress(done, total,
    what)` follows each training pass; `cancel()` returning True stops before anything is stored.
    `doc_ids` limits the documents predicted for. `evaluate_first=False` skips the held-out F1 and
    proposes every label learnt.
    """
    _spacy()
    documents = project.documents()
    loaded = {d.id: _load(project, d.id) for d in documents}
    done = [loaded[d.id] for d in documents if d.status == "done" and loaded[d.id].spans]
    training = done or [t for t in loaded.values() if t.spans]
    if not training:
        raise ProjectError("no accepted spans to learn from: tag or accept some spans first")
    per_label: dict[str, int] = {}
    for t in training:
        for _, _, label in t.spans:
            per_label[label] = per_label.get(label, 0) + 1
    per_label = dict(sorted(per_label.items()))
    labels = [label for label, n in per_label.items() if n >= MIN_SPANS]
    if not labels:
        counts = ", ".join(f"{label} {n}" for label, n in per_label.items())
        raise ProjectError(f"the model needs at least {MIN_SPANS} accepted spans of a label to learn it "
                           f"(accepted so far: {counts}); tag or accept more, then train again")
    if evaluate_first and len(training) < 2:
        raise ProjectError("the model needs accepted spans in at least two documents, to measure its held-out F1 "
                           "on one while learning from the others; tag or accept spans in another document")
    learnt = [_Doc(t.doc_id, t.index, [sp for sp in t.spans if sp[2] in labels]) for t in training]
    training = [t for t in learnt if t.spans]
    result = ModelResult(None, len(training), sum(len(d.spans) for d in training), SuggestReport(span_ids=[]),
                         spans_per_label=per_label, suggested_labels=list(labels))
    if evaluate_first:
        result.evaluation = evaluate(training, labels, iterations, seed, progress=progress, cancel=cancel)
        assert result.evaluation is not None
        result.suggested_labels = [label for label, scores in result.evaluation.labels.items() if scores.f1 >= MIN_F1]
        if not result.suggested_labels:
            return result
    nlp = train(training, labels, iterations, seed, progress, cancel)
    targets = [d for d in documents if d.status != "done" and (doc_ids is None or d.id in doc_ids)]
    result.predicted_documents = len(targets)
    hits = []
    for d in targets:
        if cancel is not None and cancel():
            raise TrainingCancelled("training cancelled; nothing was stored")
        index = loaded[d.id].index
        for s, e, label, score in _no_overlaps(predict(nlp, loaded[d.id])):
            if label in result.suggested_labels:
                hits.append(Hit(d.id, label, replace(index.match_at(s, e), score=round(score, 4)), MODEL_SOURCE))
    result.report = store_hits(project, hits)
    return result

