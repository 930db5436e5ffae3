"""The team commands: `agreement` between analysts, `merge` of another analyst's project, `adjudicate`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ProjectError
from ..layers import is_adjudicated
from ..records import Region, Relation, Span
from ..store import Project
from ..wording import counted
from .common import PROJECT_OPTION, csv_list, echo, echo_json, open_project, printable, require_project

if TYPE_CHECKING:
    from ..team.adjudication import Disagreement
    from ..team.region_adjudication import RegionDisagreement
    from ..team.relation_adjudication import RelationDisagreement


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@click.command("agreement")
@PROJECT_OPTION
@click.option("--labels", "by_label", is_flag=True, help="Also one line per label.")
@click.option("--documents", "by_document", is_flag=True, help="Also one line per document both annotated.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def agreement_cmd(project_path: Path, by_label: bool, by_document: bool, as_json: bool) -> None:
    """How far each pair of analysts agree over the documents both annotated (A is the reference):
    spans, words, regions and relations."""
    from ..team.agreement import agreement

    require_project(project_path)
    with open_project(project_path, read_only=True) as project:
        results = agreement(project, by_label=by_label, by_document=by_document)
    if as_json:
        echo_json([r.as_dict() for r in results], ensure_ascii=True)
        return
    if not results:
        echo("fewer than two analysts have annotated this project: nothing to compare")
        return
    echo(
        f"{'A':<12} {'B':<12} {'label':<14} {'doc':>5} {'docs':>4} {'A has':>5} {'B has':>5} {'same':>5} "
        f"{'P':>6} {'R':>6} {'F1':>6} {'ovlF1':>6} {'kappa':>6} {'alpha':>6} {'regF1':>6} {'IoU':>6} {'relF1':>6}"
    )
    for r in results:
        echo(
            f"{r.a or '(none)':<12} {r.b or '(none)':<12} {r.label or '(all)':<14} "
            f"{'all' if r.document is None else r.document:>5} {r.documents:>4} {r.a_spans:>5} {r.b_spans:>5} "
            f"{r.exact:>5} {_fmt(r.precision):>6} {_fmt(r.recall):>6} {_fmt(r.f1):>6} {_fmt(r.overlap_f1):>6} "
            f"{_fmt(r.kappa):>6} {_fmt(r.alpha):>6} {_fmt(r.region_f1):>6} {_fmt(r.region_iou):>6} {_fmt(r.relation_f1):>6}"
        )


@click.command("merge")
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@PROJECT_OPTION
def merge_cmd(other: Path, project_path: Path) -> None:
    """Bring another analyst's project OTHER in: its documents, spans, regions and OCR corrections.

    Documents are matched by content; annotations keep their annotator, so each analyst's layer
    stands beside the others. Running it again adds nothing twice.
    """
    from ..store.merge import merge_project

    require_project(project_path)
    with open_project(project_path) as project:
        report = merge_project(project, other)
    echo(
        f"merged {other}: {counted(report.added, 'document')} added, {report.matched} matched; "
        f"{counted(report.spans, 'span')} and {counted(report.regions, 'region')} added ({report.already} already "
        f"here); {counted(report.corrections, 'correction')} taken"
        + (f"; {counted(report.decisions, 'adjudication decision')} taken" if report.decisions else "")
        + (f"; {counted(report.relations, 'relation')} added" if report.relations else "")
        + (f"; {counted(report.rejections, 'rejected relation suggestion')} taken" if report.rejections else "")
        + (f"; {counted(report.suggestion_rejections, 'rejected span or region suggestion', 'rejected span and region suggestions')} taken"
           if report.suggestion_rejections else "")
    )
    if report.labels:
        echo(f"labels added: {', '.join(report.labels)}")
    for line in report.conflicts:
        echo(f"correction differs: {line}", err=True)
    for line in report.skipped:
        echo(f"not merged: {line}", err=True)


def _describe(project: Project, stretch: Disagreement, a: str, b: str) -> list[str]:
    text = project.document_text(stretch.document_id)

    def side(name: str, spans: tuple[Span, ...]) -> str:
        marks = [f"[{s.label}] {text.resolve(s).text!r}" for s in spans]
        return f"  {name}: {'; '.join(marks) if marks else '(nothing)'}"

    placed = [text.resolve(s) for s in stretch.a + stretch.b]
    start, end = min(r.start for r in placed), max(r.end for r in placed)
    before = " ".join(text.text[max(0, start - 40):start].split())
    after = " ".join(text.text[end:end + 40].split())
    context = f"  …{before} [{' '.join(text.text[start:end].split())}] {after}…"
    return [context, side(a, stretch.a), side(b, stretch.b)]


@click.command("adjudicate")
@PROJECT_OPTION
@click.option("--between", help="The two analysts, A,B (default: the only two who annotated).")
@click.option("--documents", help="Only these documents, comma-separated ids or names (default: all both annotated).")
@click.option("--list", "only_list", is_flag=True, help="List the disagreements not yet settled; change nothing.")
@click.option("--annotator", default=lambda: os.environ.get("USER", ""), help="Who adjudicates (default: $USER).")
def adjudicate_cmd(project_path: Path, between: str | None, documents: str | None, only_list: bool,
                   annotator: str) -> None:
    """Settle where two analysts' spans, regions and relations differ, one disagreement at a time, into the
    adjudicated layer.

    Spans (regions, relations) both marked alike go into the adjudicated layer at once; for each
    disagreement, answer a (keep A's), b (B's), o (both), n (neither), s (skip for now) or q (quit).
    Every answer is stored as it is given; a later run asks only what is left. Relations come last,
    each kept between the adjudicated copies of its ends.
    """
    from ..team.adjudication import adopt_agreed, keep, open_disagreements
    from ..team.region_adjudication import (
        RegionDisagreement,
        adopt_agreed_regions,
        keep_regions,
        open_region_disagreements,
    )
    from ..team.relation_adjudication import (
        RelationDisagreement,
        adopt_agreed_relations,
        keep_relations,
        open_relation_disagreements,
    )

    require_project(project_path)
    with open_project(project_path, read_only=only_list) as project:
        a, b = _pair(project, between)
        refs = csv_list(documents, "--documents")
        doc_ids = [project.document(r).id for r in refs] if refs else [d.id for d in project.documents()]
        adopted = settled = left = 0
        quitting = False
        for doc_id in doc_ids:
            name = project.document(doc_id).name
            if not only_list and not quitting:
                adopted += adopt_agreed(project, doc_id, a, b, annotator)
                adopted += adopt_agreed_regions(project, doc_id, a, b, annotator)
            pending: list[Disagreement | RegionDisagreement | RelationDisagreement] = [
                *open_disagreements(project, doc_id, a, b), *open_region_disagreements(project, doc_id, a, b)]
            walked = len(pending)
            pending += open_relation_disagreements(project, doc_id, a, b)
            for n, stretch in enumerate([*pending, None], start=1):
                if n == walked + 1 and not only_list and not quitting:
                    # After the spans and regions, so that the relations agreed on find their ends there.
                    adopted += adopt_agreed_relations(project, doc_id, a, b, annotator)
                if stretch is None:
                    break
                if quitting or only_list:
                    left += 1
                    if quitting:
                        continue
                if isinstance(stretch, RelationDisagreement):
                    what, lines = "relations, ", _describe_relations(project, stretch, a, b)
                elif isinstance(stretch, RegionDisagreement):
                    what, lines = "regions, ", _describe_regions(project, stretch, a, b)
                else:
                    what, lines = "", _describe(project, stretch, a, b)
                echo(f"{name} ({n}/{len(pending)}): {what}{stretch.kind}")
                for line in lines:
                    echo(line)
                if only_list:
                    continue
                answer = click.prompt(printable(f"keep [a] {a}, [b] {b}, b[o]th, [n]either, [s]kip, [q]uit"),
                                      type=click.Choice(["a", "b", "o", "n", "s", "q"]), show_choices=False)
                if answer in ("s", "q"):
                    left += 1
                    quitting = answer == "q"
                    continue
                decision = {"o": "both", "n": "neither"}.get(answer, answer)
                if isinstance(stretch, RelationDisagreement):
                    try:
                        keep_relations(project, stretch, a, b, decision, annotator)
                    except ProjectError as exc:
                        # A relation whose end the adjudicated layer lacks: the others can still be settled.
                        echo(f"  {exc}", err=True)
                        left += 1
                        continue
                elif isinstance(stretch, RegionDisagreement):
                    keep_regions(project, stretch, a, b, decision, annotator)
                else:
                    keep(project, stretch, a, b, decision, annotator)
                settled += 1
    if only_list:
        echo(f"{counted(left, 'disagreement')} between {a} and {b} not yet settled")
    else:
        echo(f"{counted(adopted, 'agreed stretch', 'agreed stretches')} adopted, {counted(settled, 'disagreement')} "
             f"settled, {left} left "
                   f"(between {a} and {b})")


def _describe_relations(project: Project, group: RelationDisagreement, a: str, b: str) -> list[str]:
    from .relations import end_ref

    def end(kind: str, ident: int) -> str:
        if kind == "span":
            span = project.span(ident)
            return f"{end_ref(kind, ident)} [{span.label}] {project.document_text(span.document_id).resolve(span).text!r}"
        region = project.region(ident)
        where = f"page {project.page(region.page_id).number} {[round(v) for v in region.box]}"
        return f"{end_ref(kind, ident)} [{region.label}] {region.text or where}"

    def side(name: str, relations: tuple[Relation, ...]) -> str:
        marks = [f"{r.label}: {end(*r.from_end)} {'->' if project.label(r.label).directed else '--'} {end(*r.to_end)}"
                 for r in relations]
        return f"  {name}: {'; '.join(marks) if marks else '(nothing)'}"

    return [side(a, group.a), side(b, group.b)]


def _describe_regions(project: Project, group: RegionDisagreement, a: str, b: str) -> list[str]:
    page = project.page(group.page_id)

    def side(name: str, regions: tuple[Region, ...]) -> str:
        marks = [f"[{g.label}] {[round(v) for v in g.box]}" for g in regions]
        return f"  {name}: {'; '.join(marks) if marks else '(nothing)'}"

    return [f"  page {page.number}, around {[round(v) for v in group.extent]}", side(a, group.a), side(b, group.b)]


def _pair(project: Project, between: str | None) -> tuple[str, str]:
    names = project.annotators()
    if between:
        pair = csv_list(between, "--between") or []
        if len(pair) != 2 or pair[0] == pair[1]:
            raise click.BadParameter(f"{between!r} is not two analysts A,B", param_hint="--between")
        unknown = [n for n in pair if n not in names]
        if unknown:
            raise ProjectError(f"no annotator {unknown[0]!r} in {project.path.name}; the annotators are "
                               f"{', '.join(names) or 'none'}")
        return pair[0], pair[1]
    marks: list[Span | Region] = [*project.spans(), *project.regions()]
    analysts = sorted({m.annotator for m in marks if not m.suggested and not is_adjudicated(m)})
    if len(analysts) != 2:
        raise ProjectError(f"{project.path.name} has {counted(len(analysts), 'analyst')} ({', '.join(analysts) or 'none'}); "
                           "name the two to adjudicate with --between A,B")
    return analysts[0], analysts[1]
