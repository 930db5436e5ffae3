"""import-annotations on broken files: every bad line or value is named by its line and counted, the rest goes in."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import LETTER, add_letter
from helpers import run_bounded

from annotations.assist.annotation_files import MAX_LINE, MAX_TEXT
from annotations.assist.preannotations import import_annotations
from annotations.store import Project


def _letter_project(path: Path) -> tuple[str, str]:
    """A project with one letter; its name and text."""
    with Project(path) as project:
        doc_id = add_letter(project, "l.pdf", LETTER)
        return project.document(doc_id).name, project.document_text(doc_id).text


def _span(text: str, phrase: str, label: str = "agency") -> dict[str, object]:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "label": label}


def test_bad_lines_and_values_are_named_by_line_and_the_rest_is_imported(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p.scanspan"
    name, text = _letter_project(project)
    good = json.dumps({"name": name, "text": text, "spans": [_span(text, "OJJDP")]})
    lines = [
        good,
        "this is not JSON",
        "[1, 2]",
        "null",
        # Values json.loads accepts but no offset can be: 1e999 is infinity, NaN, a string, a bool.
        '{"name": "l.pdf", "text": %s, "spans": [{"start": 1e999, "end": 5, "label": "agency"}, '  # noqa: UP031 - the JSON's braces read better than doubled ones
        '{"start": NaN, "end": 5, "label": "agency"}, {"start": "12", "end": 15, "label": "agency"}, '
        '{"start": 0, "end": true, "label": "agency"}, {"start": 0, "end": 4, "label": 5}, '
        '{"start": 0, "label": "agency"}]}' % json.dumps(text),
        json.dumps({"name": name, "text": text, "label": [[0, 4], "positive"]}),
        json.dumps({"name": name, "text": 5}),
        json.dumps({"name": name, "text": text, "spans": [_span(text, "CyberTipline", "program")]}),
    ]
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("import-annotations", path, "-p", project)
    code, out, err = result
    assert code == 1
    assert out.splitlines() == [
        "document 1 (l.pdf): 4 records, 2 placed, 0 adjusted, 0 could not be aligned, 0 already there (text 100% aligned)",
        "8 lines read, 4 records for 1 document: 2 spans and 0 regions added as suggestions from 'broken.jsonl', 0 already there",
    ]
    assert err.splitlines() == [
        "  not imported: 8 spans with unusable values (see the problems below)",
        "line 2: not JSON (Expecting value, column 1)",
        "line 3: a JSON list, not an object",
        "line 4: a JSON null, not an object",
        "line 5: span 1: start is Infinity, not a whole number",
        "line 5: span 2: start is NaN, not a whole number",
        'line 5: span 3: start is "12", not a number',
        "line 5: span 4: end is true, not a number",
        "line 5: span 5 label is 5, not a string",
        "line 5: span 6 is not an object with start, end and label",
        "line 6: label 1 is not [start, end, label]",
        "... and 2 more problems",
        f"error: {path}: 12 problems (lines or values that could not be used; the first are named above); "
        "everything else was imported",
    ]
    with Project(project) as p:
        assert sorted(p.document_text(1).resolve(s).text for s in p.spans()) == ["CyberTipline", "OJJDP"]


def test_line_numbers_are_the_files_newline_lines(tmp_path: Path) -> None:
    """Separators str.splitlines breaks at (U+2028, U+2029, NEL, form feed, \\x1c) may sit raw in a JSON string."""
    project = tmp_path / "p.scanspan"
    name, text = _letter_project(project)
    note = "a\u2028b\u2029c\x85d\x0ce\x1cf\x0bg\rh"
    first = json.dumps({"name": name, "text": text, "spans": [{**_span(text, "OJJDP"), "note": note}]}, ensure_ascii=False)
    # json.dumps escapes the C0 controls; a hand-made file (or another tool) may leave them raw.
    first = first.replace("\\f", "\x0c").replace("\\u001c", "\x1c").replace("\\u000b", "\x0b").replace("\\r", "\r")
    assert "\x0c" in first and "\x1c" in first and "\u2028" in first
    path = tmp_path / "raw.jsonl"
    path.write_bytes(
        (first + "\r\n" + json.dumps({"name": name, "text": text}) + "\n\n" + '{"name": "l.pdf", "text": }' + "\n").encode()
    )
    with Project(project) as p:
        summary = import_annotations(p, path)
        assert [str(problem) for problem in summary.first_problems] == ["line 4: not JSON (Expecting value, column 27)"]
        (result,) = summary
        assert (result.records, result.placed) == (2, 1)
        (span,) = p.spans()
        assert span.note == note


def test_a_json_list_is_read_item_by_item_with_line_numbers(tmp_path: Path) -> None:
    project = tmp_path / "p.scanspan"
    name, text = _letter_project(project)
    items = [
        json.dumps({"name": name, "text": text, "spans": [_span(text, "OJJDP")]}, indent=1),
        "17",
        json.dumps({"name": name, "text": text, "spans": [_span(text, "CyberTipline", "program")]}),
        '{"name": "l.pdf", "text": "x" "y"}',  # a syntax error ends the list
        json.dumps({"name": name, "text": text}),
    ]
    path = tmp_path / "list.json"
    path.write_text("\ufeff[\n" + ",\n".join(items) + "\n]\n", encoding="utf-8")
    lines_of_first = items[0].count("\n") + 1
    with Project(project) as p:
        summary = import_annotations(p, path)
        assert [str(problem) for problem in summary.first_problems] == [
            f"line {2 + lines_of_first}: a JSON int, not an object",
            f"line {4 + lines_of_first}: not JSON (Expecting ',' delimiter)",
        ]
        (result,) = summary
        assert (result.records, result.placed) == (2, 2)


def test_a_file_of_only_bad_lines_stores_nothing_and_says_so(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p.scanspan"
    _letter_project(project)
    path = tmp_path / "garbage.jsonl"
    # Binary junk that is no known file type (a PNG is refused whole: see test_cli_options.py).
    path.write_bytes(b"\x89XYZ\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\n")
    code, out, err = run_cli("import-annotations", path, "-p", project, "-d", "1")
    assert code == 1
    assert out.splitlines() == [
        "3 lines read, 0 records for 0 documents: 0 spans and 0 regions added as suggestions from 'garbage.jsonl', 0 already there"
    ]
    assert err.splitlines()[:3] == [
        "line 1: not UTF-8 text (byte 1 of the line)",
        "line 2: not JSON (Expecting value, column 1)",
        "line 3: not UTF-8 text (byte 9 of the line)",
    ]
    assert "internal error" not in err


def test_a_line_or_text_over_the_limits_is_named_and_skipped_in_bounded_time_and_memory(tmp_path: Path) -> None:
    project = tmp_path / "p.scanspan"
    name, text = _letter_project(project)
    words = "Department of Justice received reports " * 1000
    huge = json.dumps({"name": name, "text": words * (60_000_000 // len(words) + 1), "spans": [_span(text, "OJJDP")]})
    # Under the byte limit, but a text longer than any document: parsed, then refused before aligning.
    long_text = json.dumps({"name": name, "text": words * (MAX_TEXT // len(words) + 1), "spans": [_span(text, "OJJDP")]})
    good = json.dumps({"name": name, "text": text, "spans": [_span(text, "CyberTipline", "program")]})
    path = tmp_path / "long.jsonl"
    path.write_text(f"{huge}\n{long_text}\n{good}\n", encoding="utf-8")
    assert len(huge) > 60_000_000 and len(long_text) < MAX_LINE

    run, peak_kb = run_bounded(["import-annotations", path, "-p", project], tmp_path, timeout=60)
    assert run.code == 1, run.err
    assert f"line 1: a line longer than {MAX_LINE // 2**20} MB, skipped unread" in run.err.splitlines()
    assert f'line 2: a "text" of {len(words) * (MAX_TEXT // len(words) + 1):,} characters, longer than the ' \
        f"{MAX_TEXT:,} a record may have" in run.err.splitlines()
    assert "3 lines read, 1 record for 1 document" in run.out
    assert peak_kb < 300 * 1024, peak_kb
    with Project(project) as p:
        assert [p.document_text(1).resolve(s).text for s in p.spans()] == ["CyberTipline"]


def test_a_json_list_ends_at_an_item_over_the_line_limit(tmp_path: Path) -> None:
    project = tmp_path / "p.scanspan"
    name, text = _letter_project(project)
    good = json.dumps({"name": name, "text": text, "spans": [_span(text, "CyberTipline", "program")]})
    huge = json.dumps({"name": name, "meta": "x" * (MAX_LINE + 1000), "text": text})
    path = tmp_path / "list.json"
    path.write_text(f"[{good},\n{huge},\n{good}]\n", encoding="utf-8")

    run, peak_kb = run_bounded(["import-annotations", path, "-p", project], tmp_path, timeout=60)
    assert run.code == 1, run.err
    assert f"line 2: an item longer than {MAX_LINE // 2**20} MB; the rest of the list is not read" in run.err.splitlines()
    assert peak_kb < 300 * 1024, peak_kb
    with Project(project) as p:
        assert [p.document_text(1).resolve(s).text for s in p.spans()] == ["CyberTipline"]
