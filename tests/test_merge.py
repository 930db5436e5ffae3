"""Merging another analyst's project: matched by content, layers side by side, idempotent, hostile files refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Run, orphans, row_counts, run_scanspan
from letter_project import add_letter, tag_phrase

from annotations.records import Label
from annotations.store import Project

SHARED = [["The Department of Justice and the", "Bureau of Prisons wrote on March 3."]]
ANN_ONLY = [["Ann alone read this letter from", "the Census Bureau."]]
BOB_ONLY = [["Bob alone read this one from the", "Forest Service."], ["Its second page."]]


def _word(project: Project, doc: int, text: str) -> int:
    return next(w.id for p in project.pages(doc) for w in project.words(p.id) if w.ocr_text == text)


def _tag(project: Project, doc: int, label: str, phrase: str, who: str) -> None:
    span = project.span(tag_phrase(project, doc, label, phrase))
    project.delete_span(span.id)
    project.add_span(doc, label, span.first_word_id, span.last_word_id, span.head, span.tail, annotator=who)


@pytest.fixture
def projects(tmp_path: Path) -> tuple[Path, Path]:
    ann, bob = tmp_path / "ann.db", tmp_path / "bob.db"
    with Project(ann) as project:
        # Each analyst imported the same file under a name of their own: matched by content, not name.
        doc = add_letter(project, "justice.pdf", [SHARED[0]])
        add_letter(project, "ann-only.pdf", ANN_ONLY)
        _tag(project, doc, "agency", "Department of Justice", "ann")
        _tag(project, doc, "agency", "Bureau of Prisons", "ann")
        project.correct_word(_word(project, doc, "March"), "Mar.")
    with Project(bob) as project:
        add_letter(project, "unrelated.pdf", [["placeholder"]])  # so that bob's ids differ from ann's
        doc = add_letter(project, "justice.pdf", [SHARED[0]])
        project.correct_word(_word(project, doc, "March"), "MARCH")  # ann corrected it otherwise
        project.correct_word(_word(project, doc, "wrote"), "Wrote")  # only bob corrected this one
        _tag(project, doc, "agency", "Department of Justice", "bob")
        _tag(project, doc, "agency", "Bureau", "bob")
        page = project.pages(doc)[0].id
        project.add_region(page, "signature", (10, 10, 80, 40), annotator="bob")
        only = add_letter(project, "bob-only.pdf", BOB_ONLY)
        _tag(project, only, "program", "Forest Service", "bob")
        project.add_label(Label("person", "#123456"))
        _tag(project, only, "person", "Bob", "bob")
    return ann, bob


def test_merge_brings_the_other_layer_in(projects: tuple[Path, Path], cli: Callable[..., Run]) -> None:
    ann, bob = projects
    before = sorted(bob.parent.iterdir())
    run = cli("merge", bob, "-p", ann)
    assert run.code == 0, run.err
    assert sorted(bob.parent.iterdir()) == before  # nothing written beside bob's project (no -shm, -wal)
    assert "2 documents added, 1 matched" in run.out  # unrelated.pdf and bob-only.pdf are new
    assert "4 spans and 1 region added" in run.out
    assert "labels added: person" in run.out
    # The differing corrections of "March" are reported; ann's stays.
    assert run.err_lines == [
        "correction differs: justice.pdf page 1: 'March' corrected to 'Mar.' here, to 'MARCH' there (kept 'Mar.')"
    ]
    with Project(ann, read_only=True) as project, Project(bob, read_only=True) as other:
        assert sorted(d.name for d in project.documents()) == [
            "ann-only.pdf", "bob-only.pdf", "justice.pdf", "unrelated.pdf"]
        doc = project.document("justice.pdf").id
        text = project.document_text(doc)
        tagged = sorted((s.annotator, text.resolve(s).text) for s in project.spans(doc))
        assert tagged == [("ann", "Bureau of Prisons"), ("ann", "Department of Justice"),
                          ("bob", "Bureau"), ("bob", "Department of Justice")]
        assert "Wrote" in text.text and "Mar." in text.text  # bob's own correction came in, ann's kept
        (region,) = project.regions(doc)
        assert (region.annotator, region.label, region.box) == ("bob", "signature", (10, 10, 80, 40))
        # The document only bob had arrives whole: its file, pages, words and spans.
        mine, theirs = project.document("bob-only.pdf"), other.document("bob-only.pdf")
        assert project.source_data(mine.source_sha256) == other.source_data(theirs.source_sha256)
        assert project.document_text(mine.id).text == other.document_text(theirs.id).text
        assert mine.page_count == 2
        assert {(s.label, s.annotator) for s in project.spans(mine.id)} == {("program", "bob"), ("person", "bob")}
        assert project.search("Forest Service")  # and can be found
    assert orphans(ann) == dict.fromkeys(orphans(ann), 0)


def test_merging_twice_adds_nothing_twice(projects: tuple[Path, Path], cli: Callable[..., Run]) -> None:
    ann, bob = projects
    assert cli("merge", bob, "-p", ann).code == 0
    once = row_counts(ann)
    again = cli("merge", bob, "-p", ann)
    assert again.code == 0, again.err
    assert "0 documents added, 3 matched; 0 spans and 0 regions added (5 already here)" in again.out
    assert row_counts(ann) == once


def test_adjudication_decisions_come_in_so_nothing_is_asked_twice(projects: tuple[Path, Path],
                                                                  cli: Callable[..., Run]) -> None:
    from annotations.team.adjudication import adopt_agreed, keep, open_disagreements
    from annotations.team.region_adjudication import keep_regions, open_region_disagreements

    ann, bob = projects
    lead = ann.parent / "lead.db"
    shutil.copy(ann, lead)
    assert cli("merge", bob, "-p", lead).code == 0
    with Project(lead) as project:  # the lead adjudicates ann and bob in their own copy
        doc = project.document("justice.pdf").id
        assert adopt_agreed(project, doc, "ann", "bob", "carl") == 1  # "Department of Justice"
        for stretch in open_disagreements(project, doc, "ann", "bob"):
            keep(project, stretch, "ann", "bob", "a", "carl")
        (signature,) = open_region_disagreements(project, doc, "ann", "bob")
        keep_regions(project, signature, "ann", "bob", "b", "carl")
    assert cli("merge", bob, "-p", ann).code == 0
    run = cli("merge", lead, "-p", ann)
    assert run.code == 0, run.err
    assert "; 3 adjudication decisions taken" in run.out
    listed = cli("adjudicate", "-p", ann, "--list", "--between", "ann,bob", "--documents", "justice.pdf")
    assert "0 disagreements between ann and bob not yet settled" in listed.out
    with Project(ann, read_only=True) as project:
        doc = project.document("justice.pdf").id
        text = project.document_text(doc)
        kept = sorted(text.resolve(s).text for s in project.spans(doc) if s.source == "adjudicated")
        assert kept == ["Bureau of Prisons", "Department of Justice"]
        assert [g.annotator for g in project.regions(doc) if g.source == "adjudicated"] == ["carl"]
    once = sqlite3.connect(ann).execute("select count(*) from adjudications").fetchone()[0]
    again = cli("merge", lead, "-p", ann)
    assert again.code == 0 and "adjudication decisions" not in again.out
    assert sqlite3.connect(ann).execute("select count(*) from adjudications").fetchone()[0] == once == 2


def test_merge_then_agreement(projects: tuple[Path, Path]) -> None:
    ann, bob = projects
    tmp = ann.parent
    assert run_scanspan(["merge", bob, "-p", ann], tmp).code == 0
    run = run_scanspan(["agreement", "-p", ann, "--json"], tmp)
    assert run.code == 0, run.err
    (pair,) = json.loads(run.out)
    # Over justice.pdf, the one both annotated: one of ann's two spans is exactly bob's, the other overlaps.
    assert (pair["a"], pair["b"], pair["documents"], pair["exact"], pair["f1"], pair["overlap_f1"]) == (
        "ann", "bob", 1, 1, 0.5, 1.0)


def _hostile(bob: Path, tmp: Path, name: str, sql: str) -> Path:
    path = tmp / name
    shutil.copyfile(bob, path)
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()
    return path


@pytest.mark.parametrize(
    ("sql", "cause"),
    [
        ("create table extra (x);", "an unknown table 'extra'"),
        ("create trigger boom after insert on labels begin delete from spans; end;", "an unknown trigger 'boom'"),
        ("create view everything as select * from spans;", "an unknown view 'everything'"),
        ("drop trigger changes_span_insert;", "its trigger 'changes_span_insert' is missing"),
        ("alter table spans add column secret text;", "a changed table 'spans'"),
        ("delete from _sqlite_migrations where name = '0008_page_search';", "made by an older Scanspan"),
        ("update words set text = x'00ff' where id = (select max(id) from words);",
         "words row "),
        ("insert into _sqlite_migrations (migration_set, name, applied_at) values ('scanspan', '9999_x', '');",
         "made by a newer Scanspan"),
    ],
)
def test_hostile_schemas_are_refused(projects: tuple[Path, Path], cli: Callable[..., Run], sql: str, cause: str) -> None:
    ann, bob = projects
    before = row_counts(ann)
    bad = _hostile(bob, ann.parent, "bad.db", sql)
    run = cli("merge", bad, "-p", ann)
    assert run.code == 1
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"error: {bad}: cannot merge: {cause}")
    assert row_counts(ann) == before


def test_files_that_are_not_projects_are_refused(projects: tuple[Path, Path], cli: Callable[..., Run]) -> None:
    ann, bob = projects
    tmp = ann.parent
    before = row_counts(ann)
    other = tmp / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table notes (x)")
    conn.commit()
    conn.close()
    truncated = tmp / "truncated.db"
    truncated.write_bytes(bob.read_bytes()[: bob.stat().st_size // 2])
    text = tmp / "letter.db"
    text.write_text("Dear Sir,\n")
    for path, cause in [(other, "not a Scanspan project"), (truncated, "truncated"), (text, "not an SQLite file"),
                        (tmp / "missing.db", "no such file")]:
        run = cli("merge", path, "-p", ann)
        assert run.code == 1
        assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"error: {path}: cannot merge: {cause}")
    assert row_counts(ann) == before


def test_a_bad_document_stops_the_merge_before_anything_is_stored(projects: tuple[Path, Path],
                                                                  cli: Callable[..., Run]) -> None:
    ann, bob = projects
    before = row_counts(ann)
    # A source whose bytes are not those its hash names, for bob-only.pdf (the last document): the
    # whole file is checked before the first document is written, so nothing comes in.
    bad = _hostile(bob, ann.parent, "blob.db", "update sources set data = x'00' where sha256 = "
                   "(select source_sha256 from documents where name = 'bob-only.pdf');")
    run = cli("merge", bad, "-p", ann)
    assert run.code == 1
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"error: {bad}: cannot merge: documents row ")
    assert "('bob-only.pdf'): no source file of its content hash" in run.err_lines[0]
    assert row_counts(ann) == before
    assert orphans(ann) == dict.fromkeys(orphans(ann), 0)
    assert cli("merge", bob, "-p", ann).code == 0  # the sound file still merges whole
    with Project(ann, read_only=True) as project:
        assert {"bob-only.pdf", "unrelated.pdf"} <= {d.name for d in project.documents()}


@pytest.mark.parametrize(
    "sql",
    [
        # A source whose bytes are not those its hash names would be matched to the wrong file later.
        "update pages set width = 'wide' where document_id = (select id from documents where name = 'bob-only.pdf');",
        "update documents set status = 'weird' where name = 'bob-only.pdf';",
    ],
)
def test_documents_not_stored_as_scanspan_stores_them_are_refused(
    projects: tuple[Path, Path], cli: Callable[..., Run], sql: str
) -> None:
    ann, bob = projects
    before = row_counts(ann)
    bad = _hostile(bob, ann.parent, "odd.db", sql)
    run = cli("merge", bad, "-p", ann)
    assert run.code == 1
    assert len(run.err_lines) == 1 and run.err_lines[0].startswith(f"error: {bad}: cannot merge: ")
    assert "'bob-only.pdf'" in run.err_lines[0]
    assert row_counts(ann) == before
    assert orphans(ann) == dict.fromkeys(orphans(ann), 0)


def test_a_view_posing_as_the_migrations_table_is_never_read(projects: tuple[Path, Path],
                                                             cli: Callable[..., Run]) -> None:
    ann, bob = projects
    bad = _hostile(bob, ann.parent, "posing.db", "drop table _sqlite_migrations; create view _sqlite_migrations as "
                   "select 'scanspan' as migration_set, name from sqlite_master;")
    run = cli("merge", bad, "-p", ann)
    assert run.code == 1
    assert run.err_lines == [f"error: {bad}: cannot merge: not a Scanspan project"]


def test_a_project_open_elsewhere_is_read_with_its_latest_changes(projects: tuple[Path, Path],
                                                                  cli: Callable[..., Run]) -> None:
    ann, bob = projects
    with Project(bob) as open_elsewhere:  # still open: its last change is in bob.db-wal, not yet in bob.db
        doc = open_elsewhere.document("bob-only.pdf").id
        _tag(open_elsewhere, doc, "agency", "Forest Service", "bob")
        assert Path(f"{bob}-wal").stat().st_size
        run = cli("merge", bob, "-p", ann)
        assert run.code == 0, run.err
    with Project(ann, read_only=True) as project:
        spans = project.spans(project.document("bob-only.pdf").id)
        assert sorted(s.label for s in spans) == ["agency", "person", "program"]


def test_a_project_upgraded_from_an_older_scanspan_is_merged(projects: tuple[Path, Path],
                                                              cli: Callable[..., Run]) -> None:
    """Made at schema 0008 and upgraded since (0004 renamed tables, 0002 on altered them): the same
    schema as a project made new, so it is accepted."""
    from sqlite_utils import Database

    from annotations.store.schema import migrations

    ann, _ = projects
    old = ann.parent / "old.db"
    db = Database(old)
    migrations.apply(db, stop_before="0010_adjudications")
    db.close()
    with Project(old) as project:  # the upgrade, as any command does it
        assert project.schema_version() == migrations.pending(Database(memory=True))[-1].name
        add_letter(project, "old.pdf", [["An old letter."]])
    run = cli("merge", old, "-p", ann)
    assert run.code == 0, run.err
    assert "1 document added" in run.out
