"""Adjudicating relations from the command line: walked after the spans and regions, kept between their ends' adjudicated copies."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import SCANSPAN, Run, cli_env
from letter_project import add_letter

from annotations.layers import ADJUDICATED
from annotations.records import Label
from annotations.store import Project

TWELVE = ["w0 w1 w2 w3 w4 w5", "w6 w7 w8 w9 w10 w11"]
SPANS = [("agency", 0, 0), ("agency", 2, 3), ("program", 5, 5), ("figure", 8, 9)]


def _spans(project: Project, doc: int, who: str, spans: list[tuple[str, int, int]]) -> dict[str, int]:
    """Tag the spans for `who`; their ids by the text they cover ("w2 w3")."""
    words = [w for page in project.pages(doc) for w in project.words(page.id)]
    ids = {}
    for label, first, last in spans:
        span = project.add_span(doc, label, words[first].id, words[last].id, annotator=who)
        ids[" ".join(w.text for w in words[first:last + 1])] = span.id
    return ids


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """Ann and Bob tag the same spans and (at IoU 0.6) the same stamp. Both say the figure counts the
    program; Ann says w0 oversees w2-w3 where Bob says it runs it (label); only Ann says the stamp
    signs for w0; only Bob says w2-w3 oversees the program."""
    path = tmp_path / "team.db"
    with Project(path) as project:
        doc = add_letter(project, "shared.pdf", [TWELVE])
        for name in ("counts", "oversees", "runs"):
            project.add_label(Label(name, "#123456", kind="relation"))
        project.add_label(Label("signs", "#654321", kind="relation", directed=False))
        page = project.pages(doc)[0].id
        for who, box in (("ann", (10, 10, 50, 50)), ("bob", (20, 10, 60, 50))):
            ids = _spans(project, doc, who, SPANS)
            stamp = project.add_region(page, "signature", box, annotator=who).id
            project.add_relation("counts", ("span", ids["w8 w9"]), ("span", ids["w5"]), annotator=who)
            if who == "ann":
                project.add_relation("oversees", ("span", ids["w0"]), ("span", ids["w2 w3"]), annotator=who)
                project.add_relation("signs", ("region", stamp), ("span", ids["w0"]), annotator=who)
            else:
                project.add_relation("runs", ("span", ids["w0"]), ("span", ids["w2 w3"]), annotator=who)
                project.add_relation("oversees", ("span", ids["w2 w3"]), ("span", ids["w5"]), annotator=who)
    return path


def _adjudicate(project: Path, answers: str, *args: str) -> Run:
    proc = subprocess.run([str(SCANSPAN), "adjudicate", "-p", str(project), "--annotator", "carl", *args],
                          input=answers, capture_output=True, text=True, env=cli_env(project.parent),
                          cwd=project.parent, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _adjudicated_relations(path: Path) -> list[tuple[str, str, str]]:
    """(label, from end, to end) of each adjudicated relation, ends by their text or label; each end adjudicated too."""
    with Project(path, read_only=True) as project:
        text = project.document_text(project.document("shared.pdf").id)
        found = []
        for r in project.relations():
            if r.source != ADJUDICATED:
                continue
            assert r.annotator == "carl" and not r.suggested
            names = []
            for kind, ident in (r.from_end, r.to_end):
                end = project.span(ident) if kind == "span" else project.region(ident)
                assert end.source == ADJUDICATED  # linked to the adjudicated copy, not to an analyst's own
                names.append(text.resolve(end).text if kind == "span" else end.label)  # type: ignore[arg-type]
            found.append((r.label, names[0], names[1]))
        return sorted(found)


def test_relation_disagreements_are_walked_after_the_spans_and_regions(linked: Path) -> None:
    listed = _adjudicate(linked, "", "--list")
    assert listed.code == 0, listed.err
    assert "shared.pdf (1/3): relations, label" in listed.out
    assert "  ann: oversees: " in listed.out and "[agency] 'w0' -> " in listed.out and "[agency] 'w2 w3'" in listed.out
    assert "  bob: runs: " in listed.out
    assert "shared.pdf (2/3): relations, only a" in listed.out and "shared.pdf (3/3): relations, only b" in listed.out
    assert "3 disagreements between ann and bob not yet settled" in listed.out
    # The label: keep Bob's; the stamp only Ann linked: keep it; Bob's own: neither.
    run = _adjudicate(linked, "b\na\nn\n")
    assert run.code == 0, run.err
    assert "  ann: signs: r" in run.out and "[signature] page 1 [10, 10, 50, 50] -- " in run.out
    assert "  bob: (nothing)" in run.out
    # Four span stretches, the stamp and the counted program agreed on; three relation disagreements.
    assert "6 agreed stretches adopted, 3 disagreements settled, 0 left (between ann and bob)" in run.out
    assert _adjudicated_relations(linked) == [("counts", "w8 w9", "w5"), ("runs", "w0", "w2 w3"),
                                              ("signs", "signature", "w0")]
    again = _adjudicate(linked, "")
    assert "0 agreed stretches adopted, 0 disagreements settled, 0 left" in again.out
    assert len(_adjudicated_relations(linked)) == 3
    with Project(linked, read_only=True) as project:
        decisions = project.db.execute("select decision from relation_adjudications order by id").fetchall()
    assert [d[0] for d in decisions] == ["agreed", "b", "a", "neither"]


def test_a_relation_whose_end_was_not_kept_cannot_be_kept(linked: Path) -> None:
    with Project(linked) as project:
        doc = project.document("shared.pdf").id
        (w11,) = _spans(project, doc, "ann", [("figure", 11, 11)]).values()
        w5 = next(s.id for s in project.spans(doc) if s.annotator == "ann" and s.label == "program")
        project.add_relation("counts", ("span", w11), ("span", w5), annotator="ann")
    # The span w11 only Ann tagged: neither; then the relations: Ann's oversees, her stamp's, neither of
    # Bob's own; last Ann's from w11, which cannot be kept: its end is not in the adjudicated layer.
    run = _adjudicate(linked, "n\na\na\nn\na\n")
    assert run.code == 0, run.err
    assert "shared.pdf (1/5): only a" in run.out and "shared.pdf (5/5): relations, only a" in run.out
    assert "cannot be kept: its span" in run.err and "is not in the adjudicated layer" in run.err
    assert "4 disagreements settled, 1 left" in run.out
    assert ("counts", "w11", "w5") not in _adjudicated_relations(linked)
    # Asked again, it can be settled as neither.
    again = _adjudicate(linked, "n\n")
    assert again.code == 0, again.err
    assert "0 agreed stretches adopted, 1 disagreement settled, 0 left" in again.out


def test_an_agreed_relation_waits_for_its_ends(linked: Path) -> None:
    # Bob too says the stamp signs for w0, but Ann drew a figure over the stamp: the boxes are a
    # disagreement, and skipping it leaves the stamp out of the adjudicated layer for now.
    with Project(linked) as project:
        doc = project.document("shared.pdf").id
        page = project.pages(doc)[0].id
        project.add_region(page, "figure", (30, 30, 70, 70), annotator="ann")
        stamp = next(g.id for g in project.regions(doc) if g.annotator == "bob")
        w0 = next(s.id for s in project.spans(doc) if s.annotator == "bob" and s.label == "agency")
        project.add_relation("signs", ("span", w0), ("region", stamp), annotator="bob")
    run = _adjudicate(linked, "s\nb\nn\n")
    assert run.code == 0, run.err
    assert "shared.pdf (1/3): regions, boundary" in run.out and "shared.pdf (3/3): relations, only b" in run.out
    assert "5 agreed stretches adopted, 2 disagreements settled, 1 left" in run.out
    assert _adjudicated_relations(linked) == [("counts", "w8 w9", "w5"), ("runs", "w0", "w2 w3")]
    # Ann's boxes kept: the link both made is adopted after them.
    again = _adjudicate(linked, "a\n")
    assert again.code == 0, again.err
    assert "1 agreed stretch adopted, 1 disagreement settled, 0 left" in again.out
    assert ("signs", "signature", "w0") in _adjudicated_relations(linked)


def test_a_settlement_of_relations_can_be_undone(linked: Path) -> None:
    from annotations.team.relation_adjudication import keep_relations, open_relation_disagreements

    assert _adjudicate(linked, "s\ns\ns\n").code == 0  # the agreed ones adopted, the three left
    with Project(linked) as project:
        doc = project.document("shared.pdf").id
        first = open_relation_disagreements(project, doc, "ann", "bob")[0]
        kept = keep_relations(project, first, "ann", "bob", "both", "carl")
        assert len(open_relation_disagreements(project, doc, "ann", "bob")) == 2
        project.unsettle_relations(first, "ann", "bob", [r.id for r in kept])
        assert [d.ends for d in open_relation_disagreements(project, doc, "ann", "bob")][0] == first.ends
    assert _adjudicated_relations(linked) == [("counts", "w8 w9", "w5")]
