"""Agreement between analysts: span F1 (exact and overlap), token kappa and alpha, region IoU, by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Run, run_scanspan
from letter_project import add_letter

from annotations.layers import ADJUDICATED
from annotations.records import Label
from annotations.store import Project
from annotations.team.agreement import agreement

TWELVE = ["w0 w1 w2 w3 w4 w5", "w6 w7 w8 w9 w10 w11"]

# Word positions of each analyst's spans in the twelve-word letter. Ann and Bob share three of
# their four spans exactly; Bob's "figure" is shifted one word right of Ann's (w9-w10, not w8-w9).
ANN = [("agency", 0, 0), ("agency", 2, 3), ("program", 5, 5), ("figure", 8, 9)]
BOB = [("agency", 0, 0), ("agency", 2, 3), ("program", 5, 5), ("figure", 9, 10)]


def _tag(project: Project, doc_id: int, who: str, spans: list[tuple[str, int, int]], **kwargs: object) -> None:
    words = [w for page in project.pages(doc_id) for w in project.words(page.id)]
    for label, first, last in spans:
        project.add_span(doc_id, label, words[first].id, words[last].id, annotator=who, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def team(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    with Project(path) as project:
        doc = add_letter(project, "shared.pdf", [TWELVE])
        _tag(project, doc, "ann", ANN)
        _tag(project, doc, "bob", BOB)
        # Neither a suggestion not yet accepted nor an adjudicated span is an analyst's own judgment.
        _tag(project, doc, "bob", [("agency", 11, 11)], source="model", suggested=True)
        _tag(project, doc, "carl", [("agency", 6, 6)], source=ADJUDICATED)
        page = project.pages(doc)[0].id
        project.add_region(page, "signature", (10, 10, 50, 50), annotator="ann")
        project.add_region(page, "signature", (20, 10, 60, 50), annotator="bob")  # IoU 1200 / 2000 = 0.6
        project.add_region(page, "signature", (100, 100, 120, 120), annotator="ann")  # bob has none here
        # Only Ann annotated this one: it is left out of every figure.
        only = add_letter(project, "only-ann.pdf", [["x0 x1 x2"]])
        _tag(project, only, "ann", [("agency", 0, 2)])
    return path


def test_figures_match_a_hand_computation(team: Path) -> None:
    with Project(team, read_only=True) as project:
        (overall,) = agreement(project)
    assert (overall.a, overall.b, overall.documents) == ("ann", "bob", 1)
    assert (overall.a_spans, overall.b_spans, overall.exact) == (4, 4, 3)
    assert overall.precision == overall.recall == overall.f1 == 0.75  # 3 shared spans of 4 and 4
    assert overall.overlap_f1 == 1.0  # the shifted figure still shares w9
    # Twelve words; they differ on w8 (figure/O) and w10 (O/figure). Each has agency 3, program 1,
    # figure 2, O 6, so chance agreement is (9 + 1 + 4 + 36) / 144.
    assert overall.tokens == 12
    assert overall.kappa == pytest.approx((10 / 12 - 50 / 144) / (1 - 50 / 144))
    # Nominal alpha from the coincidence matrix: 24 values, 4 off the diagonal; n_c = 6, 2, 4, 12.
    observed = 4 / 24
    expected = (24**2 - (6**2 + 2**2 + 4**2 + 12**2)) / (24 * 23)
    assert overall.alpha == pytest.approx(1 - observed / expected)
    # Regions: one pair at IoU 0.6 of Ann's two and Bob's one.
    assert (overall.a_regions, overall.b_regions, overall.regions_matched) == (2, 1, 1)
    assert overall.region_iou == pytest.approx(0.6)
    assert overall.region_f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_per_label_and_per_document(team: Path) -> None:
    with Project(team, read_only=True) as project:
        results = agreement(project, by_label=True, by_document=True)
        shared = project.document("shared.pdf").id
    figure = next(r for r in results if r.label == "figure")
    assert (figure.exact, figure.f1, figure.overlap_f1) == (0, 0.0, 1.0)
    # figure against everything else: they agree on 10 of 12 words; each has 2 figure and 10 O.
    assert figure.kappa == pytest.approx((10 / 12 - 104 / 144) / (1 - 104 / 144))
    agency = next(r for r in results if r.label == "agency")
    assert (agency.a_spans, agency.b_spans, agency.exact, agency.f1, agency.kappa) == (2, 2, 2, 1.0, 1.0)
    signature = next(r for r in results if r.label == "signature")
    assert (signature.a_spans, signature.regions_matched, signature.kappa) == (0, 1, None)  # no variation
    (per_doc,) = [r for r in results if r.document is not None]
    assert (per_doc.document, per_doc.f1) == (shared, 0.75)


def test_identical_layers_agree_fully_and_disjoint_ones_not(tmp_path: Path) -> None:
    with Project(tmp_path / "p.db") as project:
        doc = add_letter(project, "a.pdf", [TWELVE])
        _tag(project, doc, "ann", ANN)
        _tag(project, doc, "bob", ANN)
        _tag(project, doc, "cy", [("agency", 1, 1), ("program", 4, 4)])
        by_pair = {(r.a, r.b): r for r in agreement(project)}
    same = by_pair[("ann", "bob")]
    assert (same.f1, same.overlap_f1, same.kappa, same.alpha) == (1.0, 1.0, 1.0, 1.0)
    apart = by_pair[("ann", "cy")]
    assert (apart.exact, apart.f1, apart.overlap_f1) == (0, 0.0, 0.0)
    assert apart.kappa is not None and apart.kappa < 0  # worse than chance: never on the same word


def test_agreement_command(team: Path, cli: Callable[..., Run]) -> None:
    run = cli("agreement", "-p", team, "--labels", "--json")
    assert run.code == 0, run.err
    rows = json.loads(run.out)
    assert [(r["a"], r["b"], r["label"]) for r in rows] == [
        ("ann", "bob", ""), ("ann", "bob", "agency"), ("ann", "bob", "figure"),
        ("ann", "bob", "program"), ("ann", "bob", "signature"),
    ]
    assert rows[0]["f1"] == 0.75
    table = cli("agreement", "-p", team)
    assert table.code == 0, table.err
    line = table.out.splitlines()[1].split()
    assert line[:3] == ["ann", "bob", "(all)"] and line[8:11] == ["0.750", "0.750", "0.750"]


def test_agreement_with_one_analyst(tmp_path: Path, cli: Callable[..., Run]) -> None:
    with Project(tmp_path / "solo.db") as project:
        doc = add_letter(project, "a.pdf", [TWELVE])
        _tag(project, doc, "ann", ANN)
    run = cli("agreement", "-p", tmp_path / "solo.db")
    assert run.code == 0 and "fewer than two analysts" in run.out
    assert cli("agreement", "-p", tmp_path / "none.db").code == 1


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """Ann and Bob tag the same spans and nearly the same signature box, and link them: both say the
    figure counts the program and the signature signs for the first agency (Bob the other way round,
    which an undirected label allows), but they read "oversees" between the agencies opposite ways."""
    path = tmp_path / "linked.db"
    with Project(path) as project:
        doc = add_letter(project, "shared.pdf", [TWELVE])
        project.add_label(Label("counts", "#112233", kind="relation"))
        project.add_label(Label("signs", "#223344", kind="relation", directed=False))
        project.add_label(Label("oversees", "#334455", kind="relation"))
        page = project.pages(doc)[0].id
        for who, box in (("ann", (10, 10, 50, 50)), ("bob", (20, 10, 60, 50))):  # IoU 0.6
            _tag(project, doc, who, ANN)
            spans = {s.label + str(s.first_word_id): s.id for s in project.spans(doc) if s.annotator == who}
            first, second = sorted(i for k, i in spans.items() if k.startswith("agency"))
            figure = next(i for k, i in spans.items() if k.startswith("figure"))
            program = next(i for k, i in spans.items() if k.startswith("program"))
            signature = project.add_region(page, "signature", box, annotator=who).id
            project.add_relation("counts", ("span", figure), ("span", program), annotator=who)
            ends = [("region", signature), ("span", first)]
            project.add_relation("signs", *(ends if who == "ann" else ends[::-1]), annotator=who)
            agencies = [("span", first), ("span", second)]
            project.add_relation("oversees", *(agencies if who == "ann" else agencies[::-1]), annotator=who)
        # A suggestion not yet accepted is not Bob's judgment.
        project.add_relation("counts", ("span", program), ("span", second), annotator="bob", source="model",
                             suggested=True)
    return path


def test_relations_match_when_their_label_and_both_ends_do(linked: Path) -> None:
    with Project(linked, read_only=True) as project:
        results = agreement(project, by_label=True)
    overall = next(r for r in results if not r.label)
    assert (overall.a_relations, overall.b_relations, overall.relations_matched) == (3, 3, 2)
    assert overall.relation_f1 == pytest.approx(2 / 3)
    assert overall.f1 == 1.0 and overall.region_f1 == 1.0
    by_label = {r.label: r for r in results}
    assert by_label["counts"].relation_f1 == 1.0
    assert by_label["signs"].relation_f1 == 1.0  # the region ends pair at IoU 0.6; undirected either way round
    assert (by_label["oversees"].relations_matched, by_label["oversees"].relation_f1) == (0, 0.0)
    assert by_label["agency"].relation_f1 is None  # a span label has no relations to compare


def test_agreement_command_reports_relation_f1(linked: Path) -> None:
    run = run_scanspan(["agreement", "-p", linked, "--labels", "--json"], linked.parent)
    assert run.code == 0, run.err
    rows = {r["label"]: r for r in json.loads(run.out)}
    assert (rows[""]["a_relations"], rows[""]["b_relations"], rows[""]["relations_matched"]) == (3, 3, 2)
    assert rows["oversees"]["relation_f1"] == 0.0 and rows["signs"]["relation_f1"] == 1.0
    table = run_scanspan(["agreement", "-p", linked, "--labels"], linked.parent)
    assert table.code == 0, table.err
    header, *lines = table.out.splitlines()
    assert header.split()[-1] == "relF1"
    relf1 = {line.split()[2]: line.split()[-1] for line in lines}
    assert relf1 == {"(all)": "0.667", "agency": "-", "counts": "1.000", "figure": "-", "oversees": "0.000",
                     "program": "-", "signature": "-", "signs": "1.000"}
