"""import-annotations at scale: batches others can interleave with, a stop that keeps what was stored,
memory that does not follow the file's size, and per-record work that does not grow with the project."""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import LETTER, add_letter

import annotations.assist.preannotations as pre
from annotations.assist.annotation_files import read_array
from annotations.assist.preannotation_results import ImportStopped
from annotations.assist.preannotations import import_annotations
from annotations.store import Project


def _spans_in_file(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select count(*) from spans").fetchone()[0]
    finally:
        conn.close()


def _word_spans(text: str, count: int) -> list[dict[str, object]]:
    """One span over each of the first `count` words of the text, each a different span."""
    spans, pos = [], 0
    for word in text.split()[:count]:
        start = text.index(word, pos)
        pos = start + len(word)
        spans.append({"start": start, "end": pos, "label": "figure"})
    return spans


def test_a_stopped_import_keeps_whole_batches_and_a_rerun_adds_the_rest_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.scanspan"
    with Project(path) as project:
        doc_id = add_letter(project, "l.pdf", LETTER)
        text = project.document_text(doc_id).text
    lines = tmp_path / "seven.jsonl"
    lines.write_text("".join(json.dumps({"name": "l.pdf", "text": text, "spans": [s]}) + "\n" for s in _word_spans(text, 7)))
    monkeypatch.setattr(pre, "BATCH_RECORDS", 2)

    other = sqlite3.connect(path, isolation_level=None)
    with Project(path, wait=0.2) as project:
        real = project.transaction
        batches = 0

        @contextmanager
        def third_batch_finds_the_project_busy() -> Iterator[Project]:
            nonlocal batches
            batches += 1
            if batches == 3:
                other.execute("BEGIN IMMEDIATE")  # another process takes the write lock and keeps it
            with real() as p:
                yield p

        monkeypatch.setattr(project, "transaction", third_batch_finds_the_project_busy)
        with pytest.raises(ImportStopped) as stopped:
            import_annotations(project, lines)
    assert "another program kept the project busy" in str(stopped.value)
    assert str(stopped.value).endswith(
        "lines 1-4 are stored (4 records); running the same command again adds the rest and nothing twice"
    )
    assert [(r.records, r.placed) for r in stopped.value.summary] == [(4, 4)]
    assert _spans_in_file(path) == 4  # as another process sees it
    other.execute("ROLLBACK")
    other.close()

    with Project(path) as project:
        (again,) = import_annotations(project, lines)
    assert (again.records, again.placed, again.duplicates) == (7, 3, 4)
    assert _spans_in_file(path) == 7


def test_memory_does_not_follow_the_file_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pre, "BATCH_RECORDS", 50)  # what a batch holds is bounded too, and the same in both runs
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "l.pdf", LETTER)
        text = project.document_text(doc_id).text
        # Long lines (a model's metadata beside each record), all for the same span.
        line = json.dumps({"name": "l.pdf", "text": text, "spans": _word_spans(text, 1), "meta": "x" * 10_000}) + "\n"
        peaks = {}
        for n in (200, 2000):
            path = tmp_path / f"{n}.jsonl"
            path.write_text(line * n)
            tracemalloc.start()
            try:
                (result,) = import_annotations(project, path)
                peaks[n] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert result.records == n
    size = len(line) * 2000
    # Reading the whole 20 MB file (as a string, then as objects) would peak above its size.
    assert peaks[2000] < size / 20, (peaks, size)
    assert peaks[2000] < 1.5 * peaks[200], peaks


def test_per_record_work_does_not_grow_with_records_or_stored_spans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aligned: list[tuple[int, int]] = []
    real_align = pre.align

    def counting_align(source: str, target: str) -> pre.Alignment:
        aligned.append((len(source), len(target)))
        return real_align(source, target)

    monkeypatch.setattr(pre, "align", counting_align)
    with Project(tmp_path / "p.scanspan") as project:
        docs = [add_letter(project, f"l{n}.pdf", LETTER) for n in (1, 2)]
        text = project.document_text(docs[0]).text
        spans = _word_spans(text, 30)
        assert len(spans) == 30
        variants = [text, " ".join(text.split()), "A header.\n" + " ".join(text.split())]
        records = []
        for k in range(300):
            variant = variants[k % 3]
            shift = len(variant) - len(" ".join(text.split())) if k % 3 == 2 else 0
            span = spans[k % 30] if k % 3 == 0 else {**spans[k % 30], "start": -1, "end": -1}
            if k % 3:
                # The same words, found in the variant.
                word = text[spans[k % 30]["start"] : spans[k % 30]["end"]]  # type: ignore[misc]
                start = variant.index(word, shift)
                span = {"start": start, "end": start + len(word), "label": "figure"}
            records.append({"name": f"l{1 + k % 2}.pdf", "text": variant, "spans": [span]})
        path = tmp_path / "many.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        calls = {"spans": 0, "regions": 0, "document_text": 0}
        for name in calls:
            real = getattr(project, name)

            def counted(*args: object, _name: str = name, _real=real) -> object:  # type: ignore[no-untyped-def]
                calls[_name] += 1
                return _real(*args)

            monkeypatch.setattr(project, name, counted)
        summary = import_annotations(project, path)
    # Each document's text, spans and regions are read once, however many records and spans follow.
    assert calls == {"spans": 2, "regions": 2, "document_text": 2}
    # One alignment per document and distinct text: the document's own text, and each of the two variants.
    assert len(aligned) == 6
    assert sum(r.records for r in summary) == 300
    assert sum(r.placed + r.adjusted + r.duplicates for r in summary) == 300


def test_a_json_list_reads_the_same_whatever_the_chunk_size() -> None:
    items = [{"text": "a\nb", "n": 12345, "spans": [{"start": 0, "end": 1}]}, 7, {"text": "é\u2028", "x": [1.5e3]}]
    data = ("[\n" + ",\n".join(json.dumps(i, ensure_ascii=False, indent=1) for i in items) + "\n]").encode()
    expected = list(read_array(io.BytesIO(data)))
    assert [value for _, _, value in expected] == items
    for chunk in range(1, 17):
        got = list(read_array(io.BytesIO(data), chunk=chunk))
        assert [(line, value) for line, _, value in got] == [(line, value) for line, _, value in expected]
    # A syntax error is reported where it is, without reading the rest of the file first.
    broken = b'[{"a": 1 "b": 2},\n' + b'{"x": "' + b"y" * 100_000 + b'"}]'
    ((line, read, problem),) = list(read_array(io.BytesIO(broken), chunk=64))
    assert (line, str(problem)) == (1, "line 1: not JSON (Expecting ',' delimiter)") and read < 1000
