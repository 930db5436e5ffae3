"""OCR corrections on a real project file: spans stay anchored to their words across a correction
of a different length, and every exported span is exactly the text it indexes (JSONL round trip)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from helpers import copy_project
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotations.exporters import export
from annotations.store import Project

new_words = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Po", "Sc")), min_size=1, max_size=14
)


def export_record(project: Project, out: Path) -> dict:
    export(project, "jsonl", out)
    (line,) = out.read_text(encoding="utf-8").splitlines()
    return json.loads(line)


def word_ranges(project: Project, doc_id: int, text: str) -> list[tuple[int, int, int]]:
    """(word id, start, end) of every stored word, found by walking the exported text in order."""
    out, pos = [], 0
    for page in project.pages(doc_id):
        for word in project.words(page.id):
            pos = text.index(word.text, pos)
            out.append((word.id, pos, pos + len(word.text)))
            pos += len(word.text)
    return out


@settings(max_examples=80)
@given(data=st.data())
def test_correction_keeps_every_span_on_its_words(born_project: Path, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = copy_project(born_project, Path(tmp) / "p.scanspan")
        with Project(path) as project:
            (doc,) = project.documents()
            text = export_record(project, Path(tmp) / "a.jsonl")["text"]
            for _ in range(data.draw(st.integers(1, 5), label="spans")):
                start = data.draw(st.integers(0, len(text) - 1))
                end = data.draw(st.integers(start + 1, min(len(text), start + 120)))
                assume(text[start:end].strip())
                project.add_span_chars(doc.id, data.draw(st.sampled_from(["agency", "program", "figure"])), start, end)
            before = export_record(project, Path(tmp) / "b.jsonl")
            assert before["text"] == text

            words = word_ranges(project, doc.id, text)
            word_id, ws, we = data.draw(st.sampled_from(words), label="corrected word")
            new = data.draw(new_words.filter(lambda t: len(t) != we - ws), label="new text")
            project.correct_word(word_id, new)

        # Read back through a fresh connection: the correction was committed, nothing is cached.
        with Project(path) as project:
            after = export_record(project, Path(tmp) / "c.jsonl")
            assert project.word(word_id).ocr_text == text[ws:we]

    text2 = after["text"]
    assert text2 == text[:ws] + new + text[we:]  # only that word changed
    nws, nwe = ws, ws + len(new)
    old_spans = {s["id"]: s for s in before["spans"]}
    assert sorted(old_spans) == sorted(s["id"] for s in after["spans"])
    for span in after["spans"]:
        old = old_spans[span["id"]]
        assert text2[span["start"] : span["end"]] == span["text"]
        assert span["boxes"] == old["boxes"]  # a correction changes text, not geometry
        contains = old["start"] < we and old["end"] > ws
        if not contains:
            assert span["text"] == old["text"]
            continue
        assert span["start"] < nwe and span["end"] > nws  # still on the corrected word
        whole = old["start"] <= ws and old["end"] >= we
        if whole:
            assert span["start"] <= nws and span["end"] >= nwe
            offset = ws - old["start"]
            assert span["text"] == old["text"][:offset] + new + old["text"][offset + we - ws :]
        # The parts of the span outside the corrected word are as they were.
        if old["start"] < ws:
            assert span["text"].startswith(text[old["start"] : ws])
        if old["end"] > we:
            assert span["text"].endswith(text[we : old["end"]])
