"""Undoing a review of many suggestions in the store: each list call is one transaction, whole or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from letter_project import add_letter

from annotations.assist.suggest import suggest_terms
from annotations.errors import NotFoundError
from annotations.store import Project

LINE = "OJJDP " * 5


def _project(path: Path) -> tuple[Project, list[int], list[int]]:
    """A project with 60 suggested spans and 5 suggested regions of agency; the span and region ids."""
    project = Project(path)
    doc = add_letter(project, "letter.pdf", [[LINE] * 6] * 2)
    suggest_terms(project, [doc], ["OJJDP"], "agency", "agencies.txt")
    page = project.pages(doc)[0].id
    regions = [project.add_region(page, "agency", (10 + 40 * i, 200, 40 + 40 * i, 230), source="boxes.txt",
                                  suggested=True).id for i in range(5)]
    spans = [s.id for s in project.suggestions()]
    assert len(spans) == 60
    return project, spans, regions


@contextmanager
def transactions(project: Project) -> Iterator[list[str]]:
    """The write transactions the project's connection begins meanwhile."""
    begun: list[str] = []
    project.db.conn.set_trace_callback(lambda sql: begun.append(sql) if sql.startswith("BEGIN") else None)
    try:
        yield begun
    finally:
        project.db.conn.set_trace_callback(None)


def _flags(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    with Project(path, read_only=True) as reader:
        return ([(s.suggested, s.annotator) for s in reader.spans()],
                [(g.suggested, g.annotator) for g in reader.regions()])


def test_unaccepting_many_spans_and_regions_is_one_transaction_each(tmp_path: Path) -> None:
    path = tmp_path / "p.scanspan"
    project, spans, regions = _project(path)
    with project:
        project.accept_suggestions(spans, annotator="ann")
        project.accept_region_suggestions(regions, annotator="ann")
        with transactions(project) as begun:
            project.unaccept_spans(spans, {spans[0]: "bob"})
        assert len(begun) == 1, begun
        with transactions(project) as begun:
            project.unaccept_regions(regions, {})
        assert len(begun) == 1, begun
    span_flags, region_flags = _flags(path)
    assert span_flags == [(1, "bob")] + [(1, "")] * 59
    assert region_flags == [(1, "")] * 5


def test_restoring_many_rejected_spans_and_regions_is_one_transaction_each(tmp_path: Path) -> None:
    path = tmp_path / "p.scanspan"
    project, spans, regions = _project(path)
    with project:
        rejected = project.reject_suggestions(spans)
        rejected_regions = project.reject_region_suggestions(regions)
        with transactions(project) as begun:
            project.restore_rejected_spans(rejected)
        assert len(begun) == 1, begun
        with transactions(project) as begun:
            project.restore_rejected_regions(rejected_regions)
        assert len(begun) == 1, begun
        assert project.rejections() == []
    with Project(path, read_only=True) as reader:
        assert [s.id for s in reader.suggestions()] == spans
        assert [g.id for g, _, _ in reader.region_suggestions()] == regions
        assert reader.db.execute("select count(*) from region_rejections").fetchone()[0] == 0


@pytest.mark.parametrize("undo", ["spans", "regions"])
def test_an_undo_that_fails_part_way_changes_nothing(tmp_path: Path, undo: str) -> None:
    path = tmp_path / "p.scanspan"
    project, spans, regions = _project(path)
    with project:
        project.accept_suggestions(spans, annotator="ann")
        project.accept_region_suggestions(regions, annotator="ann")
        call: Callable[[list[int], dict[int, str]], None] = (
            project.unaccept_spans if undo == "spans" else project.unaccept_regions)
        ids = spans if undo == "spans" else regions
        with pytest.raises(NotFoundError):
            call([*ids[:3], 999_999, *ids[3:]], {})
    span_flags, region_flags = _flags(path)
    assert span_flags == [(0, "ann")] * 60 and region_flags == [(0, "ann")] * 5
