"""Which documents an export takes (ids, names, status, labels) and the deterministic split by document."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ..errors import ProjectError
from ..records import DOCUMENT_STATUSES, Document
from ..store import Project
from ..text.normalise import same_text
from .base import ExportOptions


def parse_split(text: str) -> list[tuple[str, float]]:
    """"train=0.8,dev=0.1,test=0.1" -> [("train", 0.8), ...]; the fractions must add up to 1."""
    parts: list[tuple[str, float]] = []
    for item in text.split(","):
        name, sep, value = item.strip().partition("=")
        name = name.strip()
        try:
            fraction = float(value) if sep else -1.0
        except ValueError:
            fraction = -1.0
        if not name or not 0 < fraction <= 1 or not name.replace("_", "").replace("-", "").isalnum():
            raise ProjectError(f"split {text!r}: each part must be NAME=FRACTION, e.g. train=0.8,dev=0.1,test=0.1")
        if any(name == n for n, _ in parts):
            raise ProjectError(f"split {text!r}: {name!r} appears twice")
        parts.append((name, fraction))
    total = sum(f for _, f in parts)
    if abs(total - 1) > 1e-6:
        raise ProjectError(f"split {text!r}: the fractions add up to {total:g}, not 1")
    return parts


def split_key(document: Document, seed: int) -> str:
    # The content hash, not the id: the same file gets the same place in any project, and adding
    # documents moves an existing one across a split boundary only where the boundary shifts.
    return hashlib.sha256(f"{seed}:{document.source_sha256}".encode()).hexdigest()


def assign_splits(documents: Sequence[Document], split: Sequence[tuple[str, float]], seed: int) -> dict[str, list[int]]:
    """Split names -> document ids: documents ordered by a seeded hash, cut at exact counts.

    Counts are the fractions of the total rounded by largest remainder, so 10 documents at
    0.8/0.1/0.1 give exactly 8/1/1.
    """
    ordered = sorted(documents, key=lambda d: split_key(d, seed))
    n = len(ordered)
    exact = [f * n for _, f in split]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(split)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    result: dict[str, list[int]] = {}
    pos = 0
    for (name, _), count in zip(split, counts):
        result[name] = sorted(d.id for d in ordered[pos : pos + count])
        pos += count
    return result


def select_documents(project: Project, options: ExportOptions) -> list[Document]:
    """The documents named in options.documents (ids or names; all when unset) with a wanted status."""
    if options.documents:
        chosen: list[Document] = []
        for ref in options.documents:
            doc = project.document(ref)
            if all(d.id != doc.id for d in chosen):
                chosen.append(doc)
    else:
        chosen = project.documents()
    if options.statuses:
        unknown = [s for s in options.statuses if s not in DOCUMENT_STATUSES]
        if unknown:
            raise ProjectError(f"status must be one of {', '.join(DOCUMENT_STATUSES)}, not {unknown[0]!r}")
        chosen = [d for d in chosen if d.status in options.statuses]
    return chosen


def label_names(project: Project, names: Sequence[str]) -> list[str]:
    """The project's own spelling of each label named: "état" typed as "e" and a combining accent (as
    macOS terminals and some copy-pastes give it) is the label "état", which spans carry as stored."""
    known = [label.name for label in project.labels()]
    chosen = []
    for name in names:
        same = [label for label in known if same_text(label, name)]
        if not same:
            raise ProjectError(f"no label {name!r}; labels are: {', '.join(sorted(known))}")
        chosen.append(name if name in same else same[0])
    return chosen
