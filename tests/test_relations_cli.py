"""`scanspan labels --kind relation` and `scanspan relations`, run as real commands on a real project file."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import copy_project, run_scanspan

from annotations.store import Project


def _tagged(born_project: Path, tmp_path: Path) -> tuple[Path, int, int, int]:
    """A project with a figure span, a program span and a signature region."""
    path = copy_project(born_project, tmp_path / "p.scanspan")
    with Project(path) as project:
        doc = project.documents()[0]
        figure = project.add_span_chars(doc.id, "figure", 0, 5).id
        program = project.add_span_chars(doc.id, "program", 6, 12).id
        region = project.add_region(project.pages(doc.id)[0].id, "signature", (10, 10, 50, 50), text="J. Smith").id
    return path, figure, program, region


def test_relation_labels_are_added_with_their_ends_and_listed_with_their_kind(born_project: Path, tmp_path: Path) -> None:
    path, *_ = _tagged(born_project, tmp_path)
    added = run_scanspan(["labels", "-p", path, "--add", "counts", "--kind", "relation", "--from-labels", "figure",
                          "--to-labels", "program"], tmp_path)
    assert added.code == 0, added.err
    undirected = run_scanspan(["labels", "-p", path, "--add", "signs", "--kind", "relation", "--undirected"], tmp_path)
    assert undirected.code == 0, undirected.err
    lines = {line.split()[-1] if "(" not in line else line.split("(")[0].split()[-1]: line
             for line in undirected.out.splitlines()}
    assert lines["counts"].endswith("counts  (relation: figure -> program)")
    assert lines["signs"].endswith("signs  (relation: any -- any)")
    assert "(relation" not in lines["figure"]
    wrong = run_scanspan(["labels", "-p", path, "--add", "x", "--kind", "relation", "--to-labels", "nothing"], tmp_path)
    assert (wrong.code, wrong.err.strip()) == (1, "error: relation label 'x': no label 'nothing' for its ends")


def test_relations_are_added_listed_as_json_and_removed(born_project: Path, tmp_path: Path) -> None:
    path, figure, program, region = _tagged(born_project, tmp_path)
    run_scanspan(["labels", "-p", path, "--add", "counts", "--kind", "relation"], tmp_path)
    run_scanspan(["labels", "-p", path, "--add", "signs", "--kind", "relation", "--undirected"], tmp_path)
    added = run_scanspan(["relations", "add", "-p", path, str(figure), str(program), "--label", "counts",
                          "--note", "per year"], tmp_path)
    assert added.code == 0, added.err
    assert added.out.startswith("relation 1: counts: ")
    assert "-> " in added.out and "(per year)" in added.out
    signs = run_scanspan(["relations", "add", "-p", path, f"r{region}", str(program), "-l", "signs"], tmp_path)
    assert signs.code == 0, signs.err
    listed = run_scanspan(["relations", "list", "-p", path, "--json"], tmp_path)
    assert listed.code == 0, listed.err
    data = json.loads(listed.out)
    with Project(path) as project:
        doc = project.documents()[0]
        text = project.document_text(doc.id)
        figure_text = text.resolve(project.span(figure)).text
    assert [(d["id"], d["label"], d["directed"], d["from"]["kind"], d["from"]["id"], d["to"]["kind"], d["to"]["id"])
            for d in data] == [(1, "counts", True, "span", figure, "span", program),
                               (2, "signs", False, "region", region, "span", program)]
    assert (data[0]["from"]["text"], data[0]["from"]["label"], data[0]["note"]) == (figure_text, "figure", "per year")
    assert (data[1]["from"]["text"], data[1]["document_id"]) == ("J. Smith", doc.id)
    assert run_scanspan(["relations", "list", "-p", path, "--document", doc.name], tmp_path).out.count("relation ") == 2
    removed = run_scanspan(["relations", "remove", "-p", path, "1"], tmp_path)
    assert (removed.code, removed.out.strip()) == (0, f"removed relation 1: counts {figure} -> {program}")
    with Project(path) as project:
        assert [r.id for r in project.relations()] == [2]
        assert project.span(figure).label == "figure"  # the ends stay
    # An undirected relation reads either way, as add and list write it.
    removed = run_scanspan(["relations", "remove", "-p", path, "2"], tmp_path)
    assert (removed.code, removed.out.strip()) == (0, f"removed relation 2: signs r{region} -- {program}")


def test_a_relation_that_cannot_be_is_one_line_and_stores_nothing(born_project: Path, tmp_path: Path) -> None:
    path, figure, program, region = _tagged(born_project, tmp_path)
    run_scanspan(["labels", "-p", path, "--add", "counts", "--kind", "relation", "--from-labels", "figure"], tmp_path)
    for args, message in (
        ([str(figure), "999"], "no span 999"),
        ([str(figure), "r999"], "no region 999"),
        ([str(figure), str(figure)], f"a relation links two annotations, not span {figure} to itself"),
        ([str(program), str(figure)], f"relation 'counts' goes from figure, not program (span {program})"),
        ([str(figure), "x7"], "'x7' is not an annotation: a span id (12) or a region as rN (r3)"),
    ):
        run = run_scanspan(["relations", "add", "-p", path, *args, "--label", "counts"], tmp_path)
        assert (run.code, run.err) == (1, f"error: {message}\n"), args
    wrong_label = run_scanspan(["relations", "add", "-p", path, str(figure), f"r{region}", "-l", "figure"], tmp_path)
    assert wrong_label.code == 1 and wrong_label.err.count("\n") == 1 and "relation label" in wrong_label.err
    missing = run_scanspan(["relations", "remove", "-p", path, "5"], tmp_path)
    assert (missing.code, missing.err) == (1, "error: no relation 5\n")
    assert json.loads(run_scanspan(["relations", "list", "-p", path, "--json"], tmp_path).out) == []


def test_list_counts_each_documents_links(born_project: Path, tmp_path: Path) -> None:
    path, figure, program, region = _tagged(born_project, tmp_path)
    run_scanspan(["labels", "-p", path, "--add", "counts", "--kind", "relation"], tmp_path)
    for ends in ([str(figure), str(program)], [f"r{region}", str(program)]):
        assert run_scanspan(["relations", "add", "-p", path, *ends, "--label", "counts"], tmp_path).code == 0
    (row,) = json.loads(run_scanspan(["list", "-p", path, "--json"], tmp_path).out)
    assert (row["spans"], row["regions"], row["links"]) == (2, 1, 2)
    header, line = run_scanspan(["list", "-p", path], tmp_path).out.splitlines()
    assert dict(zip(header.split(), line.split()))["links"] == "2"
