"""A colleague's project holding values no import gives is refused by `scanspan merge` before anything is stored."""

from __future__ import annotations

import hashlib
import resource
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import run_bounded, run_scanspan
from letter_project import add_letter, tag_phrase

from annotations.store import Project
from annotations.store.imports import MAX_PAGE_WORDS
from annotations.store.merge_checks import MAX_PAGE_REGIONS, MAX_TEXT_BYTES

BOB_ONLY = "(select id from documents where name = 'bob-only.pdf')"
FIRST_PAGE = f"document_id = {BOB_ONLY} and number = 1"
FIRST_WORD = f"id = (select min(id) from words where page_id = (select id from pages where {FIRST_PAGE}))"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("team")
    ann, bob = folder / "ann.db", folder / "bob.db"
    with Project(ann) as project:
        add_letter(project, "ann-only.pdf", [["Ann alone read this letter from", "the Census Bureau."]])
    with Project(bob) as project:
        add_letter(project, "shared.pdf", [["A letter both of them have."]])
        doc = add_letter(project, "bob-only.pdf", [["Bob alone read this one from the", "Forest Service."],
                                                    ["Its second page."]])
        tag_phrase(project, doc, "program", "Forest Service")
    return ann, bob


def _snapshot(path: Path) -> str:
    """Everything the project file holds, read through a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def _corrupt(bob: Path, tmp: Path, sql: str, params: tuple[object, ...] = ()) -> Path:
    path = tmp / "colleague.db"
    shutil.copyfile(bob, path)
    conn = sqlite3.connect(path)
    assert conn.execute(sql, params).rowcount >= 1
    conn.commit()
    conn.close()
    return path


HOSTILE = {
    "page 0": (f"update pages set number = 0 where {FIRST_PAGE}", (), "page number 0, not one of 1..2"),
    "page -1": (f"update pages set number = -1 where {FIRST_PAGE}", (), "page number -1, not one of 1..2"),
    "page beyond": (f"update pages set number = 6 where {FIRST_PAGE}", (), "page number 6, not one of 1..2"),
    "page more than the source": (
        f"insert into pages (document_id, number, width, height, dpi_x, dpi_y) select document_id, 3, width, height, "
        f"dpi_x, dpi_y from pages where {FIRST_PAGE}", (), "3 pages stored, its source file has 2"),
    "source size": (f"update sources set size = -1 where sha256 = (select source_sha256 from documents where id = "
                    f"{BOB_ONLY})", (), "its source file's size is given as -1"),
    "infinite box": (f"update words set x1 = 9e999 where {FIRST_WORD}", (), "is not a box on its page"),
    "NaN box": (f"update words set y0 = ? where {FIRST_WORD}", (float("nan"),), "not stored as Scanspan stores words"),
    "box off the page": (f"update words set x0 = 5000, x1 = 5100 where {FIRST_WORD}", (), "is not a box on its page"),
    "box inside out": (f"update words set x0 = x1 + 10 where {FIRST_WORD}", (), "is not a box on its page"),
    "width 0": (f"update pages set width = 0 where {FIRST_PAGE}", (), "width 0, not a whole number of pixels"),
    "huge page": (f"update pages set width = 60000, height = 60000 where {FIRST_PAGE}", (),
                  "60000x60000 pixels, more than the 200 megapixels import accepts"),
    "dpi 0": (f"update pages set dpi_x = 0 where {FIRST_PAGE}", (), "dpi_x 0.0, not a resolution import gives (20 to 10000 dpi)"),
    "dpi infinite": (f"update pages set dpi_y = -9e999 where {FIRST_PAGE}", (), "dpi_y -inf, not a resolution"),
    "ocr dpi infinite": (f"update pages set ocr_dpi = 9e999 where {FIRST_PAGE}", (), "ocr_dpi inf, not a resolution"),
    "head 1e9": ("update spans set head = 1000000000", (), "cuts head 1000000000 and tail 1 do not lie inside its words"),
    "tail 1e9": ("update spans set tail = 1000000000", (), "cuts head 0 and tail 1000000000 do not lie inside its words"),
    "score infinite": ("update spans set score = 9e999", (), "score inf, not 0..1"),
    # hex() of a zeroblob: 50 MB of text made inside SQLite, nothing that large held in the test.
    "50 MB engine_version": (f"update pages set engine_version = hex(zeroblob(25000000)) where {FIRST_PAGE}", (),
                             f"engine_version is 50000000 bytes long (at most {MAX_TEXT_BYTES})"),
    "20 MB spans.created": ("update spans set created = hex(zeroblob(10000000))", (),
                            f"created is 20000000 bytes long (at most {MAX_TEXT_BYTES})"),
    "20 MB span_rejections.source": (
        "insert into span_rejections (document_id, label, first_word_id, last_word_id, head, tail, source) "
        "select document_id, label, first_word_id, last_word_id, head, tail, hex(zeroblob(10000000)) from spans", (),
        f"span_rejections row 1: source is 20000000 bytes long (at most {MAX_TEXT_BYTES})"),
    "20 MB region_rejections.label": (
        "insert into region_rejections (page_id, label, x0, y0, x1, y1) select id, hex(zeroblob(10000000)), 0, 0, 5, 5 "
        f"from pages where {FIRST_PAGE}", (), "region_rejections row 1: label is 20000000 bytes long"),
    "too many region rejections on a page": (
        "insert into region_rejections (page_id, label, x0, y0, x1, y1) "
        "with recursive n(i) as (select 1 union all select i + 1 from n where i <= 20000) "
        f"select (select id from pages where {FIRST_PAGE}), 'program', i % 500, 0, i % 500 + 10, 10 from n", (),
        "20001 rejected region suggestions, more than the 20000 a merge takes from one page"),
    # length() stops at the first NUL: a text of NULs is measured in bytes.
    "NUL text": ("update labels set description = cast(zeroblob(200000) as text) where name = 'program'", (),
                 "labels row"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_value_is_refused_before_anything_is_stored(projects: tuple[Path, Path], tmp_path: Path,
                                                              case: str) -> None:
    sql, params, cause = HOSTILE[case]
    ann, bob = projects
    target = tmp_path / "ann.db"
    shutil.copyfile(ann, target)
    before = _snapshot(target)
    bad = _corrupt(bob, tmp_path, sql, params)
    run = run_scanspan(["merge", bad, "-p", target], tmp_path)
    assert run.code == 1, run.out
    (line,) = run.err_lines
    assert line.startswith(f"error: {bad}: cannot merge: ") and cause in line, line
    assert " row " in line  # the table and row it found
    assert _snapshot(target) == before


def test_a_page_with_too_many_words_is_refused_quickly(projects: tuple[Path, Path], tmp_path: Path) -> None:
    ann, bob = projects
    target = tmp_path / "ann.db"
    shutil.copyfile(ann, target)
    before = _snapshot(target)
    bad = tmp_path / "colleague.db"
    shutil.copyfile(bob, bad)
    conn = sqlite3.connect(bad)
    page_id, width, height = conn.execute(f"select id, width, height from pages where {FIRST_PAGE}").fetchone()
    have = conn.execute("select count(*), max(idx) from words where page_id = ?", [page_id]).fetchone()
    conn.executemany("insert into words (page_id, idx, text, ocr_text, x0, y0, x1, y1) values (?, ?, 'w', 'w', 1, 1, 2, 2)",
                     ((page_id, have[1] + 1 + i) for i in range(MAX_PAGE_WORDS + 1 - have[0])))
    conn.commit()
    conn.close()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    run, peak_kb = run_bounded(["merge", bad, "-p", target], tmp_path)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert run.code == 1, run.out
    assert run.err_lines == [f"error: {bad}: cannot merge: pages row {page_id}: {MAX_PAGE_WORDS + 1} words, "
                             f"more than the {MAX_PAGE_WORDS} a page may hold"]
    assert _snapshot(target) == before
    assert after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime < 10
    assert peak_kb < 400 * 1024  # the page is counted in SQLite, never read into memory


def test_a_sound_project_still_merges(projects: tuple[Path, Path], tmp_path: Path) -> None:
    ann, bob = projects
    target = tmp_path / "ann.db"
    shutil.copyfile(ann, target)
    # A PDF's text layer gives words that hang off the page's edge; import keeps them, so does merge.
    colleague = _corrupt(bob, tmp_path, f"update words set x0 = -4, x1 = x1 + 3 where {FIRST_WORD}")
    run = run_scanspan(["merge", colleague, "-p", target], tmp_path)
    assert run.code == 0, run.err
    assert "2 documents added, 0 matched; 1 span and 0 regions added" in run.out
    exported = run_scanspan(["export", "-p", target, "-f", "jsonl", "-o", tmp_path / "out.jsonl"], tmp_path)
    assert exported.code == 0, exported.err
    with Project(target, read_only=True) as project:
        assert sorted(d.name for d in project.documents()) == ["ann-only.pdf", "bob-only.pdf", "shared.pdf"]
        doc = project.document("bob-only.pdf")
        assert doc.page_count == 2
        (span,) = project.spans(doc.id)
        assert project.document_text(doc.id).resolve(span).text == "Forest Service"


def test_import_refuses_a_page_with_more_words_than_a_page_may_hold(tmp_path: Path) -> None:
    """The bound a merge checks is one a fresh import keeps too: a born-digital page of 101,000 words."""
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page(width=3000, height=3000)
    line = " ".join(["ab"] * 1000)
    for i in range(MAX_PAGE_WORDS // 1000 + 1):
        page.insert_text((5, 10 + i * 4), line, fontsize=2)
    dense = tmp_path / "dense.pdf"
    dense.write_bytes(pdf.tobytes(deflate=True))
    project = tmp_path / "p.db"
    run = run_scanspan(["import", dense, "-p", project, "--dpi", "50"], tmp_path)
    assert run.code == 1, run.out
    assert f"dense.pdf: page 1 has 101000 words, more than the {MAX_PAGE_WORDS} a page may hold; not imported" in run.err
    conn = sqlite3.connect(project)
    assert conn.execute("select count(*) from words").fetchone() == (0,)
    conn.close()


def test_a_page_full_of_suggested_regions_and_rejections_merges_each_as_it_should(tmp_path: Path) -> None:
    """Theirs: thousands of suggested regions on a page where we rejected thousands, every other one at
    about the same box. Those stay out, the rest come in, and comparing them all takes seconds, not minutes."""
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    with Project(ours) as project:
        add_letter(project, "shared.pdf", [["A letter both of them have."]])
    shutil.copyfile(ours, theirs)
    count = MAX_PAGE_REGIONS // 2
    grid = [(20.0 + (i % 120) * 4, 20.0 + (i // 120) * 4) for i in range(count)]  # on a 583x417 page
    conn = sqlite3.connect(ours)
    page = conn.execute("select id from pages").fetchone()[0]
    conn.executemany("insert into region_rejections (page_id, label, x0, y0, x1, y1) values (?, 'signature', ?, ?, ?, ?)",
                     [(page, x, y, x + 20, y + 20) for x, y in grid])
    conn.commit()
    conn.close()
    conn = sqlite3.connect(theirs)
    # Every even one a pixel off a rejected box (IoU 0.905), every odd one shifted by half its width (0.33).
    conn.executemany("insert into regions (page_id, label, x0, y0, x1, y1, annotator, suggested, source, created, "
                     "updated) values (?, 'signature', ?, ?, ?, ?, 'bob', 1, 'ink', '', '')",
                     [(page, x + (1 if i % 2 == 0 else 10), y, x + (21 if i % 2 == 0 else 30), y + 20)
                      for i, (x, y) in enumerate(grid)])
    conn.commit()
    conn.close()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    run, _ = run_bounded(["merge", theirs, "-p", ours], tmp_path, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert run.code == 0, run.err
    conn = sqlite3.connect(ours)
    came = conn.execute("select x0, y0 from regions where label = 'signature'").fetchall()
    conn.close()
    assert sorted(came) == sorted((x + 10, y) for i, (x, y) in enumerate(grid) if i % 2)
    # A comparison of each with each in Python took minutes; in arrays, seconds (a bound, not a benchmark).
    assert after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime < 60
