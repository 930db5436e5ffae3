"""Proposing spans: term lists, spaCy EntityRuler patterns and propagation of a tagged span, as suggestions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ProjectError
from ..store import Project
from ..store.suggestions import NewSuggestion, StoredSuggestions
from ..text.matching import Match, TermMatcher, TextIndex, describe, normalise
from .patterns import MAX_PATTERN_FILE_BYTES, MAX_PATTERNS, PatternRunner, check_pattern, check_size, load_line

Progress = Callable[[int, int, str], None]

PROPAGATION = "propagation"
"""The source of suggestions made from a tagged span's other occurrences."""


@dataclass(frozen=True)
class Hit:
    """A proposed label over a match in one document."""

    document_id: int
    label: str
    match: Match
    source: str


@dataclass
class SuggestReport:
    """What one run proposed: stored, already there (or overlapping a span of the label), rejected before."""

    found: int = 0
    added: int = 0
    existing: int = 0
    rejected: int = 0
    span_ids: list[int] | None = None
    regions: int = 0
    """Regions suggested beside the spans (the signature block of letter parts)."""
    skipped: dict[int, str] = field(default_factory=dict)
    """By document id, one line per document the patterns' budget stopped (see patterns.PATTERN_SECONDS)."""


# -- reading term lists and pattern files -------------------------------------------------------


def read_text(path: Path, limit: int | None = None) -> str:
    """A UTF-8 text file (of at most `limit` bytes, checked before reading it whole), or a one-line error naming it."""
    try:
        with path.open("rb") as file:
            data = file.read() if limit is None else file.read(limit + 1)
        if limit is not None and len(data) > limit:
            check_size(len(data), str(path))
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProjectError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror})") from None


def parse_terms(content: str, name: str) -> list[str]:
    """One phrase a line; blank lines and lines starting with # are skipped."""
    terms = [line.strip() for line in content.splitlines()]
    terms = list(dict.fromkeys(t for t in terms if t and not t.startswith("#")))
    if not terms:
        raise ProjectError(f"{name}: no terms (one phrase a line)")
    return terms


def parse_patterns(content: str, name: str) -> list[dict[str, Any]]:
    """spaCy EntityRuler JSONL: {"label": ..., "pattern": "a phrase" or [token patterns]} a line,
    within the limits of annotations.assist.patterns (a one-line ProjectError for the first line beyond them)."""
    check_size(len(content.encode("utf-8", "surrogatepass")), name)
    patterns: list[dict[str, Any]] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        if len(patterns) >= MAX_PATTERNS:
            raise ProjectError(f"{name}: more than {MAX_PATTERNS:,} patterns")
        entry = load_line(line, f"{name} line {number}")
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str) or not entry["label"]:
            raise ProjectError(f"{name} line {number}: a pattern needs a \"label\" (text)")
        if not isinstance(entry.get("pattern"), (str, list)) or not entry["pattern"]:
            raise ProjectError(f"{name} line {number}: \"pattern\" must be a phrase or a list of token patterns")
        check_pattern(entry["pattern"], f"{name} line {number}")
        patterns.append({"label": entry["label"], "pattern": entry["pattern"], **({"id": entry["id"]} if "id" in entry else {})})
    if not patterns:
        raise ProjectError(f"{name}: no patterns (one JSON object a line)")
    return patterns


# -- finding ------------------------------------------------------------------------------------


def term_hits(index: TextIndex, doc_id: int, terms: TermMatcher, label: str, source: str,
              fuzzy: bool = False) -> list[Hit]:
    """The term list's matches in one document, each with why it matched (see matching.describe)."""
    hits = []
    for n, matches in terms.find(index, fuzzy):
        phrase = normalise(terms.phrases[n])
        for m in matches:
            found = normalise(index.text.text[m.start:m.end])
            hits.append(Hit(doc_id, label, replace(m, reason=describe(phrase, found)), source))
    return hits


MIN_OFFERED = 3
"""Characters a tagged span needs before its other occurrences are offered: "3" or "Mr" occurs
everywhere, and tagging every copy of it is never what the analyst meant."""


def offers_occurrences(text: str) -> bool:
    """Whether a span just tagged is worth offering its other occurrences: not a bare number (or
    other text without a letter, like "1,200" or "(3)"), and at least MIN_OFFERED characters."""
    text = text.strip()
    return len(text) >= MIN_OFFERED and any(c.isalpha() for c in text)


def propagation_hits(project: Project, span_id: int, doc_ids: Sequence[int] | None = None,
                     fuzzy: bool = True) -> list[Hit]:
    """Other occurrences of a tagged span's text: in `doc_ids` (default: every document). With `fuzzy`
    (the default) also in other case and with OCR edits, on whole words only (TextIndex.occurrences)."""
    span = project.span(span_id)
    phrase = project.document_text(span.document_id).resolve(span).text
    hits = []
    for doc_id in doc_ids if doc_ids is not None else [d.id for d in project.documents()]:
        index = TextIndex(project.document_text(doc_id))
        found = index.occurrences(phrase) if fuzzy else [replace(m, reason="exact") for m in index.exact(phrase)]
        hits += [Hit(doc_id, span.label, m, PROPAGATION) for m in found]
    return hits


# -- storing ------------------------------------------------------------------------------------


def plan_hits(project: Project, hits: Iterable[Hit]) -> tuple[list[NewSuggestion], int]:
    """The suggestions hits would add, and how many hits are left out as already covered.

    Per document and label the best, then longest, of overlapping hits wins; a hit overlapping a span
    of its label already there (made by hand, accepted or suggested) is left out. Rejections are
    checked when storing (`Project.add_suggestions`). A window can show `len(plan)` before storing it.
    """
    by_doc: dict[int, list[Hit]] = {}
    for hit in hits:
        by_doc.setdefault(hit.document_id, []).append(hit)
    new: list[NewSuggestion] = []
    covered = 0
    for doc_id, doc_hits in by_doc.items():
        text = project.document_text(doc_id)
        taken: dict[str, list[tuple[int, int]]] = {}
        for span in project.spans(doc_id):
            r = text.resolve(span)
            taken.setdefault(span.label, []).append((r.start, r.end))
        for hit in sorted(doc_hits, key=lambda h: (h.match.distance, -(h.match.end - h.match.start), h.match.start)):
            m = hit.match
            ranges = taken.setdefault(hit.label, [])
            if any(m.start < e and s < m.end for s, e in ranges):
                covered += 1
                continue
            ranges.append((m.start, m.end))
            first, last, head, tail = text.anchor(m.start, m.end)
            new.append(NewSuggestion(doc_id, hit.label, first, last, head, tail, hit.source, m.score, m.reason))
    return new, covered


def store_hits(project: Project, hits: Iterable[Hit]) -> SuggestReport:
    """Store hits as suggestions (see plan_hits); what was added, already there, rejected before."""
    hits = list(hits)
    plan, covered = plan_hits(project, hits)
    stored: StoredSuggestions = project.add_suggestions(plan)
    return SuggestReport(found=len(hits), added=len(stored.added), existing=covered + stored.existing,
                         rejected=stored.rejected, span_ids=stored.added)


def check_labels(project: Project, labels: Iterable[str], name: str) -> None:
    known = {label.name for label in project.labels()}
    missing = sorted(set(labels) - known)
    if missing:
        raise ProjectError(
            f"{name}: label {', '.join(map(repr, missing))} is not a project label (add it with: scanspan labels --add NAME)"
        )


def suggest_terms(project: Project, doc_ids: Sequence[int], terms: Sequence[str], label: str, source: str,
                  fuzzy: bool = False, ignore_case: bool = False, progress: Progress | None = None) -> SuggestReport:
    """Suggest `label` over every occurrence of the terms; `progress(done, total, name)` after each document."""
    check_labels(project, [label], source)
    matcher = TermMatcher(terms, ignore_case)
    hits: list[Hit] = []
    for done, doc_id in enumerate(doc_ids, start=1):
        index = TextIndex(project.document_text(doc_id), ignore_case)
        hits += term_hits(index, doc_id, matcher, label, source, fuzzy)
        if progress is not None:
            progress(done, len(doc_ids), project.document(doc_id).name)
    return store_hits(project, hits)


def suggest_patterns(project: Project, doc_ids: Sequence[int], patterns: list[dict[str, Any]], source: str,
                     ignore_case: bool = False) -> SuggestReport:
    """The patterns' entities over each document as suggestions; a document beyond the patterns'
    budget (time or memory, see annotations.assist.patterns) is skipped and named in `skipped`."""
    runner = PatternRunner(patterns, source, ignore_case)
    hits: list[Hit] = []
    skipped: dict[int, str] = {}
    try:
        check_labels(project, runner.labels, source)
        for doc_id in doc_ids:
            index = TextIndex(project.document_text(doc_id), ignore_case)
            # The normalised key (one space between words, words broken at line ends joined) lets a
            # phrase pattern match across lines; its offsets map back to the document's words.
            found = runner.run(index.key)
            if isinstance(found, str):
                skipped[doc_id] = f"pattern budget exceeded on {project.document(doc_id).name} {found}; skipped"
                continue
            hits += [Hit(doc_id, label, index.match_at(start, end), source) for label, start, end in found]
    finally:
        runner.close()
    report = store_hits(project, hits)
    report.skipped = skipped
    return report


@dataclass(frozen=True)
class FileRequest:
    """A term list or pattern file to run over documents, as `scanspan suggest --terms/--patterns` takes it."""

    path: Path
    kind: str
    """"terms" (one phrase a line, all of `label`) or "patterns" (spaCy EntityRuler JSONL)."""
    label: str = ""
    """Terms: their label. Patterns: only this label's patterns ("" for all)."""
    fuzzy: bool = False
    ignore_case: bool = False
    doc_ids: tuple[int, ...] | None = None
    """None: every document."""
    keep: bool = False
    """Keep the file in the project: every later import gets its suggestions."""


def file_kind(path: Path) -> str:
    """What a file holds, by its name: spaCy patterns are JSON Lines (.jsonl), anything else a term list."""
    return "patterns" if path.suffix.lower() in (".jsonl", ".json") else "terms"


def suggest_from_file(project: Project, request: FileRequest, progress: Progress | None = None) -> SuggestReport:
    """Run a term list or pattern file over the documents and store its hits as suggestions (sourced
    by the file's name), keeping it in the project when asked; a file that cannot be used is a
    one-line ProjectError naming it, and nothing is stored."""
    path, name = request.path, request.path.name
    doc_ids = list(request.doc_ids) if request.doc_ids is not None else [d.id for d in project.documents()]
    if request.kind == "terms":
        if not request.label:
            raise ProjectError(f"{name}: a term list needs the label of its phrases")
        content = read_text(path)
        phrases = parse_terms(content, str(path))
        report = suggest_terms(project, doc_ids, phrases, request.label, name, request.fuzzy, request.ignore_case,
                               progress)
        if request.keep:
            project.keep_rule("terms", name, request.label, content, request.fuzzy, request.ignore_case)
        return report
    content = read_text(path, MAX_PATTERN_FILE_BYTES)
    entries = parse_patterns(content, str(path))
    if request.label:
        entries = [e for e in entries if e["label"] == request.label]
        if not entries:
            raise ProjectError(f"{path}: no pattern has the label {request.label!r}")
        content = "\n".join(json.dumps(e) for e in entries) + "\n"
    report = suggest_patterns(project, doc_ids, entries, name, request.ignore_case)
    if request.keep:
        project.keep_rule("patterns", name, request.label, content, False, request.ignore_case)
    return report
