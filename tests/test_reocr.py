"""`scanspan reocr` reads a document again and carries the analysts' work; `scanspan remove` takes one out."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers import draw_pdf, orphans, real_scans, row_counts, run_scanspan

from annotations.importing.reocr import Reread, _carry
from annotations.records import Span, Word
from annotations.store import Project
from annotations.text.layer import DocumentText

TURKISH = real_scans() / "letters" / "official-letter-tr.jpeg"


def test_reading_a_turkish_letter_again_carries_its_span_note_and_correction(tmp_path: Path) -> None:
    project = tmp_path / "p.scanspan"
    assert run_scanspan(["import", "-p", project, "--lang", "eng", TURKISH], tmp_path).code == 0
    tagged = run_scanspan(["annotate", "-p", project, "-d", "1", "-l", "agency",
                           "--text", "KPSS 2014/1 yerlestirme sonuglarina"], tmp_path)
    assert tagged.code == 0, tagged.err
    with Project(project) as p:
        (span,) = p.spans(1)
        p.update_span(span.id, note="the exam's placement")
        text = p.document_text(1)
        misread = next(w for w in text.words if w.text == "MAKAMINA")
        p.correct_word(misread.id, "MAKAMİNA")
    run = run_scanspan(["reocr", "-p", project, "--documents", "1", "--lang", "auto"], tmp_path)
    assert run.code == 0, run.err
    assert "carried 1 span, 1 correction" in run.out
    assert "not carried" not in run.err
    with Project(project) as p:
        (span,) = p.spans(1)
        text = p.document_text(1)
        # Read as English the words had lost their letters: "yerlestirme sonuglarina".
        assert text.resolve(span).text == "KPSS 2014/1 yerleştirme sonuçlarına"
        assert span.note == "the exam's placement"
        assert p.pages(1)[0].provenance.lang.startswith("tur")
        corrected = [w for w in text.words if w.corrected]
        assert [(w.ocr_text, w.text) for w in corrected] == [("MAKAMINA", "MAKAMİNA")]


def words(texts: list[str], first_id: int) -> list[Word]:
    return [Word(first_id + i, 1, i, t, t, (10.0 * i, 0.0, 10.0 * i + 8, 10.0), 90.0, 1, 1, 1) for i, t in enumerate(texts)]


def test_what_cannot_be_carried_is_listed_never_dropped_silently() -> None:
    old = DocumentText.from_words([words(["Dear", "Sir,", "zzqx", "wvvk", "the", "committee", "met"], 1)])
    new = DocumentText.from_words([words(["Dear", "Sir,", "the", "committee", "met"], 100)])
    kept = Span(1, 1, "agency", 6, 6)
    gone = Span(2, 1, "person", 3, 4, note="a stamp")
    result = Reread(document=None)  # type: ignore[arg-type]
    carried = _carry(old, new, [kept, gone], [], result)
    assert carried.spans == {1: (103, 103, 0, 0)}
    assert carried.dropped == [("spans", 2)]
    assert result.lost == ["span 2 (person) “zzqx wvvk”, note “a stamp”: its words were not read again"]


def two_documents(tmp: Path) -> Path:
    project = tmp / "p.scanspan"
    for name, lines in (("first.pdf", ["Dear Sir, the committee met on Monday."]),
                        ("second.pdf", ["The Department of Justice replied."])):
        (tmp / name).write_bytes(draw_pdf([lines], size=(4 * 72, 1.5 * 72)).pdf)
    assert run_scanspan(["import", "-p", project, tmp / "first.pdf", tmp / "second.pdf"], tmp).code == 0
    assert run_scanspan(["annotate", "-p", project, "-d", "1", "-l", "agency", "--text", "committee"], tmp).code == 0
    assert run_scanspan(["annotate", "-p", project, "-d", "1", "-l", "signature", "--page", "1",
                         "--box", "10,10,50,50"], tmp).code == 0
    assert run_scanspan(["annotate", "-p", project, "-d", "2", "-l", "agency", "--text", "Department of Justice"],
                        tmp).code == 0
    return project


def test_remove_without_force_says_what_it_would_remove_and_removes_nothing(tmp_path: Path) -> None:
    project = two_documents(tmp_path)
    before = row_counts(project)
    run = run_scanspan(["remove", "-p", project, "first.pdf"], tmp_path)
    assert run.code == 1
    assert "would remove document 1 (first.pdf): 1 page, 7 words, 1 span, 1 region" in run.err
    assert "--force" in run.err
    assert row_counts(project) == before


def test_remove_with_force_takes_the_document_out_whole(tmp_path: Path) -> None:
    project = two_documents(tmp_path)
    run = run_scanspan(["remove", "-p", project, "1", "--force"], tmp_path)
    assert run.code == 0, run.err
    assert run.out.startswith("removed document 1 (first.pdf): 1 page, 7 words, 1 span, 1 region")
    assert row_counts(project) == {"sources": 1, "documents": 1, "pages": 1, "words": 5, "spans": 1, "regions": 0}
    assert set(orphans(project).values()) == {0}
    listed = run_scanspan(["list", "-p", project], tmp_path)
    assert "first.pdf" not in listed.out and "second.pdf" in listed.out
    assert run_scanspan(["search", "-p", project, "committee"], tmp_path).out.count("first.pdf") == 0
    # The same file can be imported again: it is no longer in the project.
    again = run_scanspan(["import", "-p", project, tmp_path / "first.pdf"], tmp_path)
    assert "imported as document" in again.out, again.err


UNCOMPARED = ("changes", "sqlite_sequence", "page_search")
"""The change log and id counters grow, and the search index stores the same text in other segments."""


def test_a_removed_document_comes_back_as_it_was(tmp_path: Path) -> None:
    project = two_documents(tmp_path)
    with sqlite3.connect(project) as db:
        dump_before = [r for r in db.iterdump() if not any(t in r for t in UNCOMPARED)]
    with Project(project) as p:
        removed = p.remove_document(1)
        assert [d.name for d in p.documents()] == ["second.pdf"]
        p.restore_document(removed)
    with sqlite3.connect(project) as db:
        dump_after = [r for r in db.iterdump() if not any(t in r for t in UNCOMPARED)]
    assert sorted(dump_after) == sorted(dump_before)
    assert "first.pdf" in run_scanspan(["search", "-p", project, "committee"], tmp_path).out
