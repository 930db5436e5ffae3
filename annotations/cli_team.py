"""The team commands: `agreement` between analysts and `merge` of another analyst's project."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .cli import PROJECT_OPTION, _open, _require


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@click.command("agreement")
@PROJECT_OPTION
@click.option("--labels", "by_label", is_flag=True, help="Also one line per label.")
@click.option("--documents", "by_document", is_flag=True, help="Also one line per document both annotated.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def agreement_cmd(project_path: Path, by_label: bool, by_document: bool, as_json: bool) -> None:
    """How far each pair of analysts agree over the documents both annotated (A is the reference)."""
    from .agreement import agreement

    _require(project_path)
    with _open(project_path, read_only=True) as project:
        results = agreement(project, by_label=by_label, by_document=by_document)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2))
        return
    if not results:
        click.echo("fewer than two analysts have annotated this project: nothing to compare")
        return
    click.echo(
        f"{'A':<12} {'B':<12} {'label':<14} {'doc':>5} {'docs':>4} {'A':>5} {'B':>5} {'same':>5} "
        f"{'P':>6} {'R':>6} {'F1':>6} {'ovlF1':>6} {'kappa':>6} {'alpha':>6} {'regF1':>6} {'IoU':>6}"
    )
    for r in results:
        click.echo(
            f"{r.a or '(none)':<12} {r.b or '(none)':<12} {r.label or '(all)':<14} "
            f"{'all' if r.document is None else r.document:>5} {r.documents:>4} {r.a_spans:>5} {r.b_spans:>5} "
            f"{r.exact:>5} {_fmt(r.precision):>6} {_fmt(r.recall):>6} {_fmt(r.f1):>6} {_fmt(r.overlap_f1):>6} "
            f"{_fmt(r.kappa):>6} {_fmt(r.alpha):>6} {_fmt(r.region_f1):>6} {_fmt(r.region_iou):>6}"
        )


@click.command("merge")
@click.argument("other", type=click.Path(dir_okay=False, path_type=Path))
@PROJECT_OPTION
def merge_cmd(other: Path, project_path: Path) -> None:
    """Bring another analyst's project OTHER in: its documents, spans, regions and OCR corrections.

    Documents are matched by content; annotations keep their annotator, so each analyst's layer
    stands beside the others. Running it again adds nothing twice.
    """
    from .store.merge import merge_project

    _require(project_path)
    with _open(project_path) as project:
        report = merge_project(project, other)
    click.echo(
        f"merged {other}: {report.added} documents added, {report.matched} matched; {report.spans} spans and "
        f"{report.regions} regions added ({report.already} already here); {report.corrections} corrections taken"
    )
    if report.labels:
        click.echo(f"labels added: {', '.join(report.labels)}")
    for line in report.conflicts:
        click.echo(f"correction differs: {line}", err=True)
    for line in report.skipped:
        click.echo(f"not merged: {line}", err=True)
