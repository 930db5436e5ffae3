"""Relations in the store: links between a document's annotations, checked, cascaded and put back by an undo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import copy_project

from annotations.errors import NotFoundError, ProjectError
from annotations.records import Label
from annotations.store import Project


def _project(born_project: Path, tmp_path: Path) -> tuple[Project, int, int, int]:
    """A project with a figure span, a program span and a signature region, and a relation label `counts`."""
    project = Project(copy_project(born_project, tmp_path / "p.scanspan"))
    doc = project.documents()[0]
    figure = project.add_span_chars(doc.id, "figure", 0, 5).id
    program = project.add_span_chars(doc.id, "program", 6, 12).id
    region = project.add_region(project.pages(doc.id)[0].id, "signature", (10, 10, 50, 50)).id
    project.add_label(Label("counts", "#123456", kind="relation", from_labels=("figure",), to_labels=("program",)))
    project.add_label(Label("signs", "#654321", kind="relation", directed=False))
    return project, figure, program, region


def test_a_relation_links_two_annotations_of_a_document_and_is_listed(born_project: Path, tmp_path: Path) -> None:
    project, figure, program, region = _project(born_project, tmp_path)
    with project:
        doc_id = project.documents()[0].id
        seen = project.last_change()
        counts = project.add_relation("counts", ("span", figure), ("span", program), note="n", annotator="ann")
        signs = project.add_relation("signs", ("span", program), ("region", region))
        assert (counts.document_id, counts.from_end, counts.to_end, counts.note, counts.annotator) == (
            doc_id, ("span", figure), ("span", program), "n", "ann")
        assert project.relations(doc_id) == [counts, signs]
        assert project.changes_since(seen).relations == {counts.id: counts, signs.id: signs}
        assert project.relations_of("region", region) == [signs]
        assert project.label("counts").is_relation and not project.label("signs").directed
        assert project.label("counts").from_labels == ("figure",)
        assert project.update_relation(signs.id, note="checked").note == "checked"
        assert project.label_usage()["counts"] == 1


@pytest.mark.parametrize(("label", "ends", "message"), [
    ("counts", (("span", 1), ("span", 999)), "no span 999"),
    ("counts", (("span", 1), ("region", 999)), "no region 999"),
    ("signs", (("span", 1), ("span", 1)), "not span 1 to itself"),
    ("figure", (("span", 1), ("span", 2)), "a relation needs a relation label"),
    ("counts", (("span", 2), ("span", 1)), "relation 'counts' goes from figure, not program"),
    ("nolabel", (("span", 1), ("span", 2)), "no label 'nolabel'"),
    ("signs", (("word", 1), ("span", 2)), "a span or a region, not a 'word'"),
])
def test_a_relation_that_cannot_be_is_refused_in_one_line(born_project: Path, tmp_path: Path, label: str,
                                                          ends: tuple, message: str) -> None:
    project, *_ = _project(born_project, tmp_path)
    with project:
        with pytest.raises(ProjectError, match=message) as raised:
            project.add_relation(label, *ends)
        assert "\n" not in str(raised.value)
        assert project.relations() == []


def test_a_relation_across_documents_is_refused(born_project: Path, tmp_path: Path) -> None:
    project, figure, _, _ = _project(born_project, tmp_path)
    with project:
        # A second document cheaply: the same page's words under another document row.
        other = project.db.execute("insert into sources (sha256, name, size, data, added) values "
                                   "('x', 'x.pdf', 1, x'00', '')").lastrowid
        doc2 = project.db.execute("insert into documents (name, source_sha256, status, created) "
                                  "values ('two', 'x', 'new', '')").lastrowid
        assert other is not None
        page = project.pages(project.documents()[0].id)[0]
        page2 = project.db.execute("insert into pages (document_id, number, width, height) values (?, 1, ?, ?)",
                                   [doc2, page.width, page.height]).lastrowid
        assert page2 is not None
        region2 = project.add_region(page2, "signature", (1, 1, 20, 20)).id
        with pytest.raises(ProjectError, match=f"span {figure} is in document 1 and region {region2} in document 2"):
            project.add_relation("signs", ("span", figure), ("region", region2))


def test_a_span_or_region_label_cannot_be_a_relation_label(born_project: Path, tmp_path: Path) -> None:
    project, figure, _, _ = _project(born_project, tmp_path)
    with project:
        with pytest.raises(ProjectError, match="'counts' is a relation label"):
            project.update_span(figure, label="counts")
        with pytest.raises(NotFoundError, match="no label 'nothing' for its ends"):
            project.add_label(Label("x", "#111111", kind="relation", from_labels=("nothing",)))
        with pytest.raises(ProjectError, match="'counts' is a relation label"):
            project.add_label(Label("y", "#111112", kind="relation", to_labels=("counts",)))


def test_deleting_an_end_deletes_its_relations_and_an_undo_puts_them_back(born_project: Path, tmp_path: Path) -> None:
    project, figure, program, region = _project(born_project, tmp_path)
    with project:
        counts = project.add_relation("counts", ("span", figure), ("span", program))
        signs = project.add_relation("signs", ("region", region), ("span", program))
        seen = project.last_change()
        span = project.delete_span(program)
        assert project.relations() == []
        changes = project.changes_since(seen).changes
        assert {(c.kind, c.op, c.row_id) for c in changes} >= {("relation", "delete", counts.id),
                                                              ("relation", "delete", signs.id)}
        # The change log places a relation on its from end's page, even as the end goes.
        assert all(c.page_first == 1 for c in changes if c.kind == "relation")
        removed = project.relations_removed_with("span", program)
        assert removed == [counts, signs]
        project.add_span(span.document_id, span.label, span.first_word_id, span.last_word_id, span.head, span.tail,
                         span_id=span.id)
        assert project.restore_relations(removed) == [counts, signs]
        assert project.relations_removed_with("span", program) == []
        project.delete_region(region)
        assert project.relations() == [counts]
        assert project.relations_removed_with("region", region) == [signs]


def test_a_rejected_suggestion_takes_its_relations_along(born_project: Path, tmp_path: Path) -> None:
    project, figure, program, _ = _project(born_project, tmp_path)
    with project:
        doc = project.documents()[0]
        suggested = project.add_span_chars(doc.id, "program", 13, 20, suggested=True, source="model")
        project.add_relation("counts", ("span", figure), ("span", suggested.id))
        project.reject_suggestions([suggested.id])
        assert project.relations() == []
        assert len(project.relations_removed_with("span", suggested.id)) == 1


def test_relabel_keeps_relations_and_a_label_rename_moves_them(born_project: Path, tmp_path: Path) -> None:
    project, figure, program, region = _project(born_project, tmp_path)
    with project:
        relation = project.add_relation("counts", ("span", figure), ("span", program))
        project.update_span(program, label="agency")
        assert project.relations() == [relation]
        project.update_label("counts", {"name": "tallies"})
        project.update_label("figure", {"name": "number"})
        assert [r.label for r in project.relations()] == ["tallies"]
        assert project.label("tallies").from_labels == ("number",) and project.label("tallies").is_relation
        with pytest.raises(ProjectError, match="used by 1 relation"):
            project.delete_label("tallies")
        with pytest.raises(ProjectError, match="is an end of relation label 'tallies'"):
            project.delete_label("program")
        project.delete_relation(relation.id)
        project.delete_label("tallies")
        conn = sqlite3.connect(project.path)
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        conn.close()


def test_removing_a_document_removes_its_relations_and_putting_it_back_restores_them(
        born_project: Path, tmp_path: Path) -> None:
    project, figure, program, region = _project(born_project, tmp_path)
    with project:
        doc_id = project.documents()[0].id
        relations = [project.add_relation("counts", ("span", figure), ("span", program)),
                     project.add_relation("signs", ("region", region), ("span", program), note="n")]
        removed = project.remove_document(doc_id)
        assert project.relations() == []
        assert "2 relations" in removed.describe()
        project.restore_document(removed)
        assert project.relations(doc_id) == relations


def test_a_relation_labels_direction_and_ends_change_only_to_what_its_relations_fit(
        born_project: Path, tmp_path: Path) -> None:
    project, figure, program, region = _project(born_project, tmp_path)
    with project:
        project.add_relation("signs", ("span", program), ("region", region))
        changed = project.update_label("signs", {"directed": True, "from_labels": ("program",)})
        assert (changed.directed, changed.from_labels, changed.to_labels) == (True, ("program",), ())
        assert project.label("signs") == changed
        with pytest.raises(ProjectError, match="1 signs relation goes to a label other than figure"):
            project.update_label("signs", {"to_labels": ("figure",)})
        with pytest.raises(ProjectError, match="only a relation label has a direction"):
            project.update_label("figure", {"directed": False})
        with pytest.raises(ProjectError, match="'counts' is a relation label"):
            project.update_label("signs", {"to_labels": ("counts",)})
        assert project.label("signs").to_labels == ()
