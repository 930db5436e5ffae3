"""The project file: schema and migrations, refusing files that are not (or not yet) ours, the stored
sources, and span/region/label/word edits that are committed the moment they return."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Corpus, copy_project
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import NotFoundError, ProjectError
from annotations.records import Label
from annotations.store import Project

TABLES = {"sources", "documents", "pages", "words", "labels", "spans", "regions", "ocr_cache"}


def other_connection(path: Path) -> sqlite3.Connection:
    """What another process sees: a fresh connection, not the project's own."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def seen(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = other_connection(path)
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


@pytest.fixture
def project(born_project: Path, tmp_path: Path) -> Iterator[Project]:
    """A writable copy of a project holding born.pdf (2 pages, text layer)."""
    with Project(copy_project(born_project, tmp_path / "p.scanspan")) as p:
        yield p


# --- a new project ----------------------------------------------------------------------------


def test_new_project_is_migrated_wal_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new.scanspan"
    with Project(path) as project:
        assert TABLES <= set(project.db.table_names())
        assert project.schema_version()
        assert project.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert project.db.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        # Foreign keys are enforced on the project's connection, not just declared.
        with pytest.raises(sqlite3.IntegrityError):
            project.db.execute(
                "insert into regions (page_id, label, x0, y0, x1, y1) values (999, 'agency', 0, 0, 1, 1)"
            )
    # WAL is a property of the file: another connection sees it too, and the migration record.
    assert seen(path, "PRAGMA journal_mode") == [("wal",)]
    names = seen(path, "select name from _sqlite_migrations where migration_set = 'scanspan'")
    assert names and names[-1][0]


def test_default_labels_have_shortcuts_one_to_four_and_colours(tmp_path: Path) -> None:
    with Project(tmp_path / "new.scanspan") as project:
        labels = project.labels()
    assert [label.name for label in labels] == ["agency", "program", "figure", "signature"]
    assert [label.shortcut for label in labels] == ["1", "2", "3", "4"]
    colours = [label.color for label in labels]
    assert all(re.fullmatch(r"#[0-9a-fA-F]{6}", c) for c in colours) and len(set(colours)) == 4


def test_reopening_keeps_everything_and_adds_no_labels(project: Project) -> None:
    doc = project.documents()[0]
    span = project.add_span_chars(doc.id, "agency", 0, 10)
    project.close()
    with Project(project.path) as again:
        assert [label.name for label in again.labels()] == ["agency", "program", "figure", "signature"]
        assert again.span(span.id) == span
        assert again.documents() == [doc]


def test_a_project_can_add_labels(project: Project) -> None:
    project.add_label(Label("stamp", "#8c564b", "5", "An office stamp"))
    assert seen(project.path, "select name, color, shortcut from labels where name = 'stamp'") == [
        ("stamp", "#8c564b", "5")
    ]
    assert project.labels()[-1].name == "stamp"
    with pytest.raises(ProjectError, match="already exists"):
        project.add_label(Label("stamp", "#000000"))
    with pytest.raises(ProjectError, match="shortcut"):
        project.add_label(Label("seal", "#000000", "1"))


# --- files that are not ours ------------------------------------------------------------------


def assert_one_line_naming(exc: pytest.ExceptionInfo[BaseException], path: Path) -> None:
    message = str(exc.value)
    assert "\n" not in message
    assert str(path) in message


def test_project_from_a_newer_scanspan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.scanspan"
    Project(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "insert into _sqlite_migrations (migration_set, name, applied_at) values ('scanspan', '9999_hologram_notes', '2031-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError) as exc:
        Project(path)
    assert_one_line_naming(exc, path)
    assert "newer" in str(exc.value)


def foreign_plain(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table invoices (id integer primary key, total real)")
    conn.execute("insert into invoices (total) values (12.5)")
    conn.commit()
    conn.close()


def foreign_other_migrations(path: Path) -> None:
    """Another tool's database that also uses sqlite-utils migrations, under its own set name."""
    conn = sqlite3.connect(path)
    conn.execute("create table _sqlite_migrations (id integer primary key, migration_set text, name text, applied_at text)")
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('notes-app', 'm001', 'x')")
    conn.execute("create table notes (id integer primary key, body text)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("make", [foreign_plain, foreign_other_migrations], ids=["plain", "other-migrations"])
def test_another_sqlite_database_is_refused_and_left_untouched(tmp_path: Path, make) -> None:
    path = tmp_path / "accounts.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(ProjectError) as exc:
        Project(path)
    assert_one_line_naming(exc, path)
    assert "not a Scanspan project" in str(exc.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db"]


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "noise.scanspan"
    data = os.urandom(8192)
    path.write_bytes(data)
    with pytest.raises(ProjectError) as exc:
        Project(path)
    assert_one_line_naming(exc, path)
    assert path.read_bytes() == data


def test_project_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "p.scanspan"
    with pytest.raises(ProjectError) as exc:
        Project(path)
    assert_one_line_naming(exc, path)
    assert not (tmp_path / "no").exists()


# --- sources and documents --------------------------------------------------------------------


def test_original_file_is_stored_content_addressed(project: Project, corpus: Corpus) -> None:
    original = corpus.paths["born.pdf"].read_bytes()
    (doc,) = project.documents()
    assert doc.source_sha256 == hashlib.sha256(original).hexdigest()
    assert project.source_data(doc.source_sha256) == original
    # It is in the file itself: the project alone is enough to get the letter back.
    assert seen(project.path, "select sha256, size from sources") == [(doc.source_sha256, len(original))]
    with pytest.raises(NotFoundError):
        project.source_data("0" * 64)


def test_document_lookup_by_id_and_name(project: Project) -> None:
    (doc,) = project.documents()
    assert project.document(doc.id) == doc == project.document(str(doc.id)) == project.document("born.pdf")
    with pytest.raises(NotFoundError, match="no document"):
        project.document("nope.pdf")
    with pytest.raises(NotFoundError):
        project.document(doc.id + 1)


def test_document_status(project: Project) -> None:
    (doc,) = project.documents()
    assert doc.status == "new"
    project.set_status(doc.id, "done")
    assert seen(project.path, "select status from documents") == [("done",)]
    with pytest.raises(ProjectError, match="status"):
        project.set_status(doc.id, "shipped")


# --- spans --------------------------------------------------------------------------------------


def test_span_add_update_delete_are_committed_immediately(project: Project) -> None:
    (doc,) = project.documents()
    text = project.document_text(doc.id)
    start = text.text.index("Centers")
    end = start + len("Centers for Disease Control and Prevention")
    span = project.add_span_chars(doc.id, "agency", start, end, note="the CDC", annotator="ana")
    assert text.resolve(span).text == "Centers for Disease Control and Prevention"
    assert seen(project.path, "select id, label, note, annotator from spans") == [(span.id, "agency", "the CDC", "ana")]

    updated = project.update_span(span.id, label="program", note="not an agency?")
    assert (updated.label, updated.note) == ("program", "not an agency?")
    assert updated.created == span.created and updated.updated >= span.updated
    assert seen(project.path, "select label, note from spans") == [("program", "not an agency?")]

    deleted = project.delete_span(span.id)
    assert deleted == updated
    assert seen(project.path, "select count(*) from spans") == [(0,)]
    with pytest.raises(NotFoundError):
        project.span(span.id)


def test_deleted_span_restored_under_its_old_id(project: Project) -> None:
    (doc,) = project.documents()
    keep = project.add_span_chars(doc.id, "figure", 0, 5)
    span = project.add_span_chars(doc.id, "agency", 20, 60, note="n", annotator="a")
    later = project.add_span_chars(doc.id, "program", 5, 9)
    old = project.delete_span(span.id)
    assert sorted(s.id for s in project.spans(doc.id)) == sorted([keep.id, later.id])
    restored = project.add_span(
        doc.id, old.label, old.first_word_id, old.last_word_id, old.head, old.tail, old.note, old.annotator, span_id=old.id
    )
    assert restored.id == old.id
    assert (restored.label, restored.first_word_id, restored.last_word_id, restored.head, restored.tail) == (
        old.label, old.first_word_id, old.last_word_id, old.head, old.tail,
    )
    assert (restored.note, restored.annotator) == ("n", "a")
    assert sorted(s.id for s in project.spans(doc.id)) == sorted([keep.id, old.id, later.id])
    assert project.document_text(doc.id).resolve(restored).text == project.document_text(doc.id).resolve(old).text


def test_span_requests_that_make_no_sense_are_refused(project: Project, corpus: Corpus, tmp_path: Path) -> None:
    (doc,) = project.documents()
    words = project.document_text(doc.id).words
    with pytest.raises(NotFoundError, match="agency"):  # the message lists the labels there are
        project.add_span(doc.id, "organisation", words[0].id, words[1].id)
    with pytest.raises(ProjectError, match="before"):
        project.add_span(doc.id, "agency", words[3].id, words[1].id)
    with pytest.raises(ProjectError, match="not in document"):
        project.add_span(doc.id, "agency", words[0].id, 10**9)
    with pytest.raises(ValueError):
        project.add_span_chars(doc.id, "agency", 5, 5)
    with pytest.raises(NotFoundError):
        project.update_span(12345, note="x")
    assert seen(project.path, "select count(*) from spans") == [(0,)]


# --- regions ----------------------------------------------------------------------------------


def test_region_add_update_delete_restore(project: Project) -> None:
    (doc,) = project.documents()
    page = project.pages(doc.id)[1]
    region = project.add_region(page.id, "signature", (700, 500, 300, 400), text="J. Smith", note="ink")
    assert region.box == (300.0, 400.0, 700.0, 500.0)  # corners in any order, stored as x0 < x1, y0 < y1
    assert seen(project.path, "select page_id, label, x0, y0, x1, y1, text from regions") == [
        (page.id, "signature", 300.0, 400.0, 700.0, 500.0, "J. Smith")
    ]
    moved = project.update_region(region.id, box=(10, 20, 110, 70), label="figure", text="", note="moved")
    assert (moved.box, moved.label, moved.text, moved.note) == ((10.0, 20.0, 110.0, 70.0), "figure", "", "moved")
    assert seen(project.path, "select label, x0, note from regions") == [("figure", 10.0, "moved")]

    old = project.delete_region(region.id)
    assert seen(project.path, "select count(*) from regions") == [(0,)]
    restored = project.add_region(old.page_id, old.label, old.box, old.text, old.note, old.annotator, region_id=old.id)
    assert (restored.id, restored.box, restored.label, restored.note) == (old.id, old.box, old.label, old.note)
    assert project.regions(doc.id) == [restored]


def test_region_must_lie_on_its_page(project: Project) -> None:
    (doc,) = project.documents()
    page = project.pages(doc.id)[0]
    with pytest.raises(ProjectError, match="outside"):
        project.add_region(page.id, "signature", (page.width - 10, 0, page.width + 10, 10))
    with pytest.raises(ProjectError, match="empty"):
        project.add_region(page.id, "signature", (10, 10, 10, 50))
    with pytest.raises(NotFoundError):
        project.add_region(page.id, "autograph", (0, 0, 10, 10))
    assert seen(project.path, "select count(*) from regions") == [(0,)]


def test_region_cannot_be_moved_off_its_page(project: Project) -> None:
    (doc,) = project.documents()
    page = project.pages(doc.id)[0]
    region = project.add_region(page.id, "signature", (10, 10, 200, 100))
    with pytest.raises(ProjectError, match="outside"):
        project.update_region(region.id, box=(-40, 10, 150, 100))
    with pytest.raises(ProjectError, match="outside"):
        project.update_region(region.id, box=(10, 10, 200, page.height + 1))
    with pytest.raises(ProjectError, match="empty"):
        project.update_region(region.id, box=(50, 10, 50, 100))
    assert project.region(region.id).box == (10, 10, 200, 100)
    assert seen(project.path, "select x0, y0, x1, y1 from regions") == [(10, 10, 200, 100)]


notes = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(
    box=st.tuples(*[st.floats(0, 1200, allow_nan=False) for _ in range(4)]).filter(
        lambda b: abs(b[0] - b[2]) > 0.5 and abs(b[1] - b[3]) > 0.5 and max(b[1], b[3]) <= 900
    ),
    text=notes,
    note=notes,
    annotator=notes,
)
def test_region_round_trips_through_the_file(born_project: Path, box, text: str, note: str, annotator: str) -> None:
    path = born_project.with_name("roundtrip.scanspan")
    try:
        with Project(copy_project(born_project, path)) as project:
            page = project.pages(project.documents()[0].id)[0]
            region = project.add_region(page.id, "figure", box, text, note, annotator)
        with Project(path) as again:
            back = again.region(region.id)
        assert back == region
        assert back.box == (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3]))
        assert (back.text, back.note, back.annotator) == (text, note, annotator)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


# --- word corrections -------------------------------------------------------------------------


def test_word_correction_keeps_the_original_ocr_text(project: Project) -> None:
    (doc,) = project.documents()
    word = next(w for w in project.document_text(doc.id).words if w.text == "Marchetti:")
    fixed = project.correct_word(word.id, "Marchetti;")
    assert (fixed.text, fixed.ocr_text, fixed.corrected) == ("Marchetti;", "Marchetti:", True)
    assert seen(project.path, "select text, ocr_text from words where id = ?", (word.id,)) == [("Marchetti;", "Marchetti:")]
    assert "Dear Dr. Marchetti;" in project.document_text(doc.id).text
    for bad in ("", "  ", "two words"):
        with pytest.raises(ProjectError):
            project.correct_word(word.id, bad)
    assert project.word(word.id).text == "Marchetti;"


def test_labels_json_is_the_default_schema(tmp_path: Path) -> None:
    """The defaults come from the schema file in resources/, not from code."""
    from annotations import resources_path

    schema = json.loads((resources_path() / "labels.json").read_text(encoding="utf-8"))
    with Project(tmp_path / "p.scanspan") as project:
        assert [(label.name, label.color, label.shortcut) for label in project.labels()] == [
            (e["name"], e["color"], e["shortcut"]) for e in schema["labels"]
        ]


def test_project_from_an_older_scanspan_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from annotations.store.schema import migrations

    names = [m.name for m in migrations.pending(Database(memory=True))]
    assert len(names) >= 2, "needs at least two migrations to have an older schema"
    path = tmp_path / "old.scanspan"
    old = Database(path)
    migrations.apply(old, stop_before=names[-1])  # the file as the previous release left it
    old["labels"].insert({"name": "stamp", "color": "#8c564b", "shortcut": "5", "description": "", "position": 0})
    old.conn.close()
    with Project(path) as project:
        assert project.schema_version() == names[-1]
        assert [label.name for label in project.labels()] == ["stamp"]
    applied = seen(path, "select name from _sqlite_migrations where migration_set = 'scanspan' order by id")
    assert [n for (n,) in applied] == names



@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_region_boxes_are_refused(project: Project, bad: float) -> None:
    page = project.pages(project.documents()[0].id)[0]
    with pytest.raises(ProjectError, match="finite"):
        project.add_region(page.id, "signature", (bad, 10, 100, 100))
    region = project.add_region(page.id, "signature", (10, 10, 100, 100))
    with pytest.raises(ProjectError, match="finite"):
        project.update_region(region.id, box=(10, 10, bad, 100))
    assert [r.box for r in project.regions()] == [(10, 10, 100, 100)]


def test_summaries_count_tags_once_and_suggestions_apart(project: Project) -> None:
    (doc,) = project.documents()
    pages = project.pages(doc.id)
    words = project.words(pages[0].id)
    ann, _bob = (project.add_span(doc.id, "agency", words[0].id, words[1].id, annotator=who) for who in ("ann", "bob"))
    project.settle(doc.id, "ann", "bob", (words[0].id, words[1].id), "agreed", "carol", [ann])
    project.add_span(doc.id, "program", words[3].id, words[3].id, source="terms.txt", suggested=True)
    project.add_region(pages[1].id, "signature", (10.0, 10.0, 90.0, 40.0), annotator="ann")
    project.add_region(pages[1].id, "signature", (10.0, 50.0, 90.0, 80.0), source="model", suggested=True)
    (summary,) = project.summaries()
    assert (summary.tags, summary.suggestions) == (3, 2)  # the adjudicated copy is not a tag again
    assert summary.annotations == 6  # what `scanspan list` counts: every row
