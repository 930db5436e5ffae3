"""Adjudication from the command line, and exports of one layer (adjudicated, an analyst's, the union)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SCANSPAN, Run, cli_env
from letter_project import add_letter

from annotations.layers import ADJUDICATED
from annotations.store import Project
from annotations.team.adjudication import stretches

TWELVE = ["w0 w1 w2 w3 w4 w5", "w6 w7 w8 w9 w10 w11"]
ANN = [("agency", 0, 0), ("agency", 2, 3), ("program", 5, 5), ("figure", 8, 9)]
# Bob agrees on w0 and w2-w3, calls w5 a figure (label), shifts the figure (boundary), and adds w11 (only b).
BOB = [("agency", 0, 0), ("agency", 2, 3), ("figure", 5, 5), ("figure", 9, 10), ("agency", 11, 11)]


def _tag(project: Project, doc_id: int, who: str, spans: list[tuple[str, int, int]]) -> None:
    words = [w for page in project.pages(doc_id) for w in project.words(page.id)]
    for label, first, last in spans:
        project.add_span(doc_id, label, words[first].id, words[last].id, annotator=who)


@pytest.fixture
def team(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    with Project(path) as project:
        doc = add_letter(project, "shared.pdf", [TWELVE])
        _tag(project, doc, "ann", ANN)
        _tag(project, doc, "bob", BOB)
    return path


def _adjudicate(project: Path, answers: str, *args: str) -> Run:
    proc = subprocess.run([str(SCANSPAN), "adjudicate", "-p", str(project), "--annotator", "carl", *args],
                          input=answers, capture_output=True, text=True, env=cli_env(project.parent),
                          cwd=project.parent, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _layer(project: Path) -> list[tuple[str, str]]:
    with Project(project, read_only=True) as p:
        doc = p.document("shared.pdf").id
        text = p.document_text(doc)
        spans = [s for s in p.spans(doc) if s.source == ADJUDICATED]
        assert {s.annotator for s in spans} <= {"carl"}
        return sorted((s.label, text.resolve(s).text) for s in spans)


def test_stretches_are_grouped_and_kinded(team: Path) -> None:
    with Project(team, read_only=True) as project:
        found = stretches(project, project.document("shared.pdf").id, "ann", "bob")
    assert [s.kind for s in found] == ["", "", "label", "boundary", "only b"]


def test_walking_the_disagreements(team: Path) -> None:
    # label conflict on w5: keep ann's; shifted figure: keep both; w11 only bob has: keep neither.
    run = _adjudicate(team, "a\no\nn\n")
    assert run.code == 0, run.err
    assert "shared.pdf (1/3): label" in run.out and "ann: [program] 'w5'" in run.out and "bob: [figure] 'w5'" in run.out
    assert "…w0 w1 w2 w3 w4 w5 w6 w7 [w8 w9 w10] w11…" in run.out  # the boundary stretch in its words
    assert "shared.pdf (2/3): boundary" in run.out and "shared.pdf (3/3): only b" in run.out
    assert "2 agreed stretches adopted, 3 disagreements settled, 0 left (between ann and bob)" in run.out
    assert _layer(team) == [("agency", "w0"), ("agency", "w2 w3"), ("figure", "w8 w9"), ("figure", "w9 w10"),
                            ("program", "w5")]
    # Asked again, there is nothing left to ask, and nothing is added twice.
    again = _adjudicate(team, "")
    assert again.code == 0, again.err
    assert "0 agreed stretches adopted, 0 disagreements settled, 0 left" in again.out
    assert len(_layer(team)) == 5


def test_skip_and_quit_leave_the_rest_for_later(team: Path, cli: Callable[..., Run]) -> None:
    run = _adjudicate(team, "s\nb\nq\n")
    assert run.code == 0, run.err
    assert "2 agreed stretches adopted, 1 disagreement settled, 2 left" in run.out
    assert ("figure", "w9 w10") in _layer(team)  # bob's boundary was kept
    listed = cli("adjudicate", "-p", team, "--list")
    assert listed.code == 0, listed.err
    assert "2 disagreements between ann and bob not yet settled" in listed.out
    assert "(1/2): label" in listed.out and "(2/2): only b" in listed.out


def test_exports_take_a_layer(team: Path, cli: Callable[..., Run], tmp_path: Path) -> None:
    def exported(*args: str) -> list[tuple[str, str, str]]:
        out = tmp_path / "out.jsonl"
        run = cli("export", "-p", team, "-f", "jsonl", "-o", out, *args)
        assert run.code == 0, run.err
        (record,) = [json.loads(line) for line in out.read_text().splitlines()]
        return sorted((s["annotator"], s["label"], s["text"]) for s in record["spans"])

    assert len(exported()) == 9  # nothing adjudicated yet: the union, as before layers
    assert exported("--layer", "bob") == sorted(("bob", label, text) for label, text in [
        ("agency", "w0"), ("agency", "w2 w3"), ("figure", "w5"), ("figure", "w9 w10"), ("agency", "w11")])
    with Project(team) as project:
        page = project.pages(project.document("shared.pdf").id)[0].id
        project.add_region(page, "signature", (10, 10, 50, 50), annotator="bob")
    assert _adjudicate(team, "a\na\na\ns\n").code == 0  # bob's region skipped
    out = tmp_path / "regions.jsonl"
    assert cli("export", "-p", team, "-f", "jsonl", "-o", out).code == 0
    # Spans were adjudicated, regions not: the document's regions still come out (their union).
    assert [r["annotator"] for r in json.loads(out.read_text())["regions"]] == ["bob"]
    assert exported() == [("carl", "agency", "w0"), ("carl", "agency", "w2 w3"), ("carl", "figure", "w8 w9"),
                          ("carl", "program", "w5")]
    assert exported() == exported("--layer", "adjudicated")
    assert len(exported("--layer", "union")) == 9 + 4
    assert cli("export", "-p", team, "-f", "jsonl", "-o", out, "--layer", "adjudicated").code == 0
    assert json.loads(out.read_text())["regions"] == []  # asked for: only what was adjudicated
    assert len(exported("--layer", "ann")) == 4  # ann's own spans, not what carl kept of them
    wrong = cli("export", "-p", team, "-f", "jsonl", "-o", tmp_path / "x.jsonl", "--layer", "dave")
    assert wrong.code == 1
    assert wrong.err_lines == ["error: --layer dave: no annotator of that name in team.db; the annotators are ann, bob, carl"]


# Boxes (page pixels) each analyst drew on the page: the same signature, a stamp under two labels,
# a figure bob drew much narrower, and a program box only ann drew.
ANN_REGIONS = [("signature", (100, 100, 300, 200)), ("figure", (400, 50, 500, 100)), ("figure", (50, 250, 150, 300)),
               ("program", (300, 300, 350, 350))]
BOB_REGIONS = [("signature", (105, 102, 298, 205)), ("agency", (400, 50, 500, 100)), ("figure", (50, 250, 90, 300))]


@pytest.fixture
def team_regions(team: Path) -> Path:
    with Project(team) as project:
        page = project.pages(project.document("shared.pdf").id)[0].id
        for who, regions in (("ann", ANN_REGIONS), ("bob", BOB_REGIONS)):
            for label, box in regions:
                project.add_region(page, label, box, annotator=who)
        project.add_region(page, "figure", (10, 10, 40, 40), source="letter-parts", suggested=True)  # no one's
    return team


def test_regions_are_grouped_and_kinded(team_regions: Path) -> None:
    from annotations.team.region_adjudication import region_stretches

    with Project(team_regions, read_only=True) as project:
        found = region_stretches(project, project.document("shared.pdf").id, "ann", "bob")
    assert [(g.kind, [r.label for r in g.a], [r.label for r in g.b]) for g in found] == [
        ("label", ["figure"], ["agency"]), ("", ["signature"], ["signature"]), ("boundary", ["figure"], ["figure"]),
        ("only a", ["program"], []),
    ]
    assert found[1].extent == (100, 100, 300, 205)


def test_walking_region_disagreements_after_the_spans(team_regions: Path, cli: Callable[..., Run], tmp_path: Path) -> None:
    # Spans as in test_walking_the_disagreements; then the stamp: bob's label; the figure: both; ann's program: neither.
    run = _adjudicate(team_regions, "a\no\nn\nb\no\nn\n")
    assert run.code == 0, run.err
    assert "shared.pdf (4/6): regions, label" in run.out
    assert "  page 1, around [400, 50, 500, 100]" in run.out and "ann: [figure] [400, 50, 500, 100]" in run.out
    assert "bob: [agency] [400, 50, 500, 100]" in run.out and "shared.pdf (6/6): regions, only a" in run.out
    assert "3 agreed stretches adopted, 6 disagreements settled, 0 left" in run.out
    with Project(team_regions, read_only=True) as project:
        kept = sorted((g.label, g.box, g.annotator) for g in project.regions() if g.source == ADJUDICATED)
    assert kept == [("agency", (400, 50, 500, 100), "carl"), ("figure", (50, 250, 90, 300), "carl"),
                    ("figure", (50, 250, 150, 300), "carl"), ("signature", (100, 100, 300, 200), "carl")]
    again = _adjudicate(team_regions, "")
    assert "0 agreed stretches adopted, 0 disagreements settled, 0 left" in again.out
    # Exports now take the adjudicated regions by default, as they take the adjudicated spans.
    out = tmp_path / "out.jsonl"
    assert cli("export", "-p", team_regions, "-f", "jsonl", "-o", out).code == 0
    regions = json.loads(out.read_text())["regions"]
    assert sorted((r["label"], r["annotator"]) for r in regions) == [("agency", "carl"), ("figure", "carl"),
                                                                      ("figure", "carl"), ("signature", "carl")]


def test_a_settlement_can_be_undone(team: Path) -> None:
    from annotations.team.adjudication import keep, open_disagreements

    with Project(team) as project:
        doc = project.document("shared.pdf").id
        first = open_disagreements(project, doc, "ann", "bob")[0]
        kept = keep(project, first, "ann", "bob", "both", "carl")
        assert sorted(s.label for s in kept) == ["figure", "program"]
        assert len(open_disagreements(project, doc, "ann", "bob")) == 2
        project.unsettle(doc, "ann", "bob", first.extent, [s.id for s in kept])
        again = open_disagreements(project, doc, "ann", "bob")
        assert len(again) == 3 and again[0] == first  # asked again, as before
        assert not [s for s in project.spans(doc) if s.source == ADJUDICATED]


def test_which_two_analysts(team: Path, cli: Callable[..., Run]) -> None:
    with Project(team) as project:
        doc = project.document("shared.pdf").id
        _tag(project, doc, "cy", [("agency", 4, 4)])
    three = cli("adjudicate", "-p", team, "--list")
    assert three.code == 1
    assert three.err_lines == ["error: team.db has 3 analysts (ann, bob, cy); name the two to adjudicate with --between A,B"]
    unknown = cli("adjudicate", "-p", team, "--list", "--between", "ann,dave")
    assert unknown.code == 1 and unknown.err_lines[0].startswith("error: no annotator 'dave' in team.db")
    listed = cli("adjudicate", "-p", team, "--list", "--between", "ann,cy")
    assert listed.code == 0, listed.err
    # Against cy (one span, on w4), every span of ann's is "only a" and cy's is "only b".
    assert "5 disagreements between ann and cy not yet settled" in listed.out


WARNING = ('warning: 1 region of "signature" overlaps another analyst\'s region on the same page (documents: shared.pdf); '
           "adjudicate them to keep one")


def test_an_export_warns_of_two_analysts_boxes_around_one_signature_until_adjudicated(
    team: Path, cli: Callable[..., Run], tmp_path: Path
) -> None:
    from annotations.exporters import export

    with Project(team) as project:
        page = project.pages(project.document("shared.pdf").id)[0].id
        # One signature: ann's tight box lies wholly inside bob's generous one (IoU 0.38, yet the same object).
        project.add_region(page, "signature", (100, 200, 300, 260), annotator="ann")
        project.add_region(page, "signature", (80, 180, 340, 300), annotator="bob")
        # Two signatures side by side, their boxes touching by a sliver: not one object drawn twice.
        project.add_region(page, "signature", (100, 330, 300, 390), annotator="ann")
        project.add_region(page, "signature", (290, 330, 460, 390), annotator="bob")
        # One analyst's own overlapping boxes, and another label over the signature, are not doubles either.
        project.add_region(page, "figure", (100, 200, 200, 260), annotator="ann")
        project.add_region(page, "figure", (120, 200, 220, 260), annotator="ann")

    def warnings(fmt: str) -> list[str]:
        with Project(team, read_only=True) as project:
            report = export(project, fmt, tmp_path / f"out-{fmt}" if fmt == "funsd" else tmp_path / f"out.{fmt}")
        return [line for line in report.summary() if line.startswith("warning")]

    for fmt in ("jsonl", "csv", "coco", "funsd", "labelstudio"):
        assert warnings(fmt) == [WARNING], fmt
    for fmt in ("conll", "layoutlm"):  # they write no regions (and say so in their "not exported" line)
        assert warnings(fmt) == [], fmt
    run = cli("export", "-p", team, "-f", "coco", "-o", tmp_path / "cli.json")
    assert run.code == 0 and WARNING in run.err_lines

    # Spans: ann's (3); regions: ann's box of the one signature, both side by side, then the figures (ann's only).
    assert _adjudicate(team, "a\na\na\na\no\na\n").code == 0
    out = tmp_path / "after.json"
    run = cli("export", "-p", team, "-f", "coco", "-o", out)
    assert run.code == 0, run.err
    assert not [line for line in run.err_lines if line.startswith("warning")]
    coco = json.loads(out.read_text())
    signatures = [a["bbox"] for a in coco["annotations"]
                  if next(c["name"] for c in coco["categories"] if c["id"] == a["category_id"]) == "signature"]
    assert sorted(signatures) == [[100, 200, 200, 60], [100, 330, 200, 60], [290, 330, 170, 60]]


def test_a_settlement_of_regions_can_be_undone(team_regions: Path) -> None:
    from annotations.team.region_adjudication import keep_regions, open_region_disagreements

    with Project(team_regions) as project:
        doc = project.document("shared.pdf").id
        first = open_region_disagreements(project, doc, "ann", "bob")[0]
        kept = keep_regions(project, first, "ann", "bob", "b", "carl")
        assert [(g.label, g.box, g.annotator) for g in kept] == [("agency", (400, 50, 500, 100), "carl")]
        assert len(open_region_disagreements(project, doc, "ann", "bob")) == 2
        project.unsettle_regions(first, "ann", "bob", [g.id for g in kept])
        assert open_region_disagreements(project, doc, "ann", "bob")[0] == first  # asked again, as before
        assert not [g for g in project.regions(doc) if g.source == ADJUDICATED]


def test_the_window_s_project_process_runs_the_adjudication_rules_next_to_the_data(team: Path) -> None:
    from annotations.errors import ProjectError
    from annotations.store.server import ProjectProcess
    from annotations.team.adjudication import keep, open_disagreements

    with Project(team) as project:
        doc = project.document("shared.pdf").id
        local = open_disagreements(project, doc, "ann", "bob")
    process = ProjectProcess(team)
    try:
        assert process.run_reading(open_disagreements, doc, "ann", "bob") == local
        kept = process.run(keep, local[0], "ann", "bob", "both", "carl")
        assert sorted(s.label for s in kept) == ["figure", "program"]
        # Any importable function could be named in a request; the process runs only Scanspan's own.
        with pytest.raises(ProjectError, match="'getcwd' is not one of Scanspan's rules"):
            process.run(os.getcwd)
        assert len(process.run_reading(open_disagreements, doc, "ann", "bob")) == 2
    finally:
        process.close()
    with Project(team) as project:
        assert sorted(s.label for s in project.spans(doc) if s.source == ADJUDICATED) == ["figure", "program"]
