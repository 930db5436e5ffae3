"""What a pre-annotation import stored: per document (`ImportResult`), for the whole file, and where it stopped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ProjectError
from ..records import Document
from .annotation_files import Problem

SHOWN = 10
"""Problems (and texts that could not be aligned) kept to be named; all of them are counted."""
NAMED_LABELS = 20
"""Distinct unknown label names counted one by one per document; any more are counted together."""


@dataclass
class ImportResult:
    """What happened to the spans and regions of the records for one document; each is in exactly one count."""

    document: Document
    records: int = 0
    placed: int = 0  # landed on the same text
    adjusted: int = 0  # landed on text that differs (OCR slips, whitespace) or was trimmed to words
    duplicates: int = 0  # an identical span was already there
    not_aligned: int = 0  # spans with no counterpart in the OCR text
    unaligned: list[str] = field(default_factory=list)  # the first few of their texts
    unknown_labels: dict[str, int] = field(default_factory=dict)
    invalid: int = 0  # unusable values: offsets outside the text, not whole numbers, an empty range, a bad label name
    regions: int = 0  # regions added, as suggestions
    regions_scaled: int = 0  # of those, boxes scaled because the file's page size differs from the document's
    region_duplicates: int = 0  # an identical region was already there
    rejected: int = 0  # spans and regions rejected before in this project: never proposed again
    regions_off_page: int = 0  # no such page in the document, or the box does not lie on it
    region_unknown_labels: dict[str, int] = field(default_factory=dict)
    regions_invalid: int = 0  # no page number, a box that is not four finite numbers, a bad label name
    covered: int = 0  # visible characters of the records' texts found in the OCR text
    visible: int = 0  # visible characters of the records' texts
    relations: int = 0  # relations added, as suggestions
    relation_duplicates: int = 0  # the same relation was already there
    relations_without_ends: int = 0  # an end did not come in (not aligned, rejected before, its label unknown...)
    relations_rejected: int = 0  # rejected before in this project: not proposed again
    relation_unknown_labels: dict[str, int] = field(default_factory=dict)
    relations_invalid: int = 0  # unusable values, an end the record does not hold, a label that is not a relation label

    @property
    def coverage(self) -> float:
        """Share of the records' visible characters aligned to the OCR text."""
        return self.covered / self.visible if self.visible else 1.0

    @property
    def spans_added(self) -> int:
        return self.placed + self.adjusted

    def merge(self, other: ImportResult) -> None:
        for name in ("records", "placed", "adjusted", "duplicates", "not_aligned", "invalid", "regions",
                     "regions_scaled", "region_duplicates", "rejected", "regions_off_page", "regions_invalid", "covered",
                     "visible", "relations", "relation_duplicates", "relations_without_ends", "relations_invalid",
                     "relations_rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.unaligned += other.unaligned[: SHOWN - len(self.unaligned)]
        for label, n in other.unknown_labels.items():
            count(self.unknown_labels, label, n)
        for label, n in other.region_unknown_labels.items():
            count(self.region_unknown_labels, label, n)
        for label, n in other.relation_unknown_labels.items():
            count(self.relation_unknown_labels, label, n)


@dataclass
class ImportSummary:
    """The whole file: totals per document (iterating gives them, in order of first appearance) and its problems.

    Only committed batches are counted, so after a stop the totals are what the project holds.
    """

    path: Path
    source: str
    results: dict[int, ImportResult] = field(default_factory=dict)
    lines: int = 0  # non-blank lines read
    records: int = 0  # records whose spans and regions were stored (or found there already)
    stored_through: int = 0  # every line up to this one is done; a stop happened after it
    other_documents: int = 0  # with a document given: records naming another one, left out
    other_names: list[str] = field(default_factory=list)  # the first few of those names
    problems: int = 0
    first_problems: list[Problem] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the import stopped before the end of the file

    def __iter__(self) -> Iterator[ImportResult]:
        return iter(self.results.values())

    def __len__(self) -> int:
        return len(self.results)

    def problem(self, problem: Problem) -> None:
        self.problems += 1
        if len(self.first_problems) < SHOWN:
            self.first_problems.append(problem)


class ImportStopped(ProjectError):
    """The import stopped half-way (the project was busy, the disk full...); `summary` says what was stored."""

    def __init__(self, summary: ImportSummary, cause: str) -> None:
        self.summary = summary
        if summary.records:
            kept = (
                f"lines 1-{summary.stored_through} are stored ({summary.records} records); "
                "running the same command again adds the rest and nothing twice"
            )
        else:
            kept = "nothing was stored"
        super().__init__(f"{summary.path}: stopped: {cause}; {kept}")


def count(counts: dict[str, int], key: str, n: int = 1) -> None:
    if key not in counts and len(counts) >= NAMED_LABELS:
        key = "(other labels)"
    counts[key] = counts.get(key, 0) + n
