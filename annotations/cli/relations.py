"""The `relations` commands: link two annotations of a document, list the links, remove one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from ..errors import ProjectError
from ..records import Relation
from ..store import Project
from .common import PROJECT_OPTION, echo, echo_json, label_name, open_project, require_project

_END = re.compile(r"(r?)(\d+)", re.IGNORECASE)


def parse_end(text: str) -> tuple[str, int]:
    """A span id ("12") or a region as rN ("r3") -> ("span", 12) or ("region", 3)."""
    match = _END.fullmatch(text.strip())
    if match is None:
        raise ProjectError(f"{text!r} is not an annotation: a span id (12) or a region as rN (r3)")
    return ("region" if match.group(1) else "span", int(match.group(2)))


def end_ref(kind: str, ident: int) -> str:
    """How the CLI writes an end, as `relations add` takes it: 12 for a span, r3 for a region."""
    return f"r{ident}" if kind == "region" else str(ident)


@click.group("relations")
def relations_group() -> None:
    """Relations: labelled links between two spans or regions of one document (a figure to the program it
    counts, a name to its signature). Their labels are declared with `scanspan labels --add NAME --kind relation`."""


@relations_group.command("add")
@PROJECT_OPTION
@click.argument("from_end", metavar="FROM")
@click.argument("to_end", metavar="TO")
@click.option("--label", "-l", required=True, help="A relation label (scanspan labels lists them).")
@click.option("--note", default="", help="A note stored with the relation.")
@click.option("--annotator", default=lambda: os.environ.get("USER", ""), help="Who made it (default: $USER).")
def add_cmd(project_path: Path, from_end: str, to_end: str, label: str, note: str, annotator: str) -> None:
    """Link FROM to TO: each a span id (12) or a region as rN (r3), both in one document."""
    ends = parse_end(from_end), parse_end(to_end)
    require_project(project_path)
    with open_project(project_path) as project:
        relation = project.add_relation(label_name(project, label), *ends, note=note, annotator=annotator)
        echo(f"relation {relation.id}: {_describe(project, relation)}")


@relations_group.command("list")
@PROJECT_OPTION
@click.option("--document", "-d", "doc_ref", help="Only this document (id or name).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
def list_cmd(project_path: Path, doc_ref: str | None, as_json: bool) -> None:
    """List the relations, by document."""
    require_project(project_path)
    with open_project(project_path, read_only=True) as project:
        doc_id = project.document(doc_ref).id if doc_ref is not None else None
        relations = project.relations(doc_id)
        if as_json:
            echo_json([_as_json(project, r) for r in relations])
            return
        for r in relations:
            echo(f"relation {r.id}: {_describe(project, r)} (document {r.document_id})")


@relations_group.command("remove")
@PROJECT_OPTION
@click.argument("relation_id", metavar="ID", type=int)
def remove_cmd(project_path: Path, relation_id: int) -> None:
    """Remove relation ID (its ends stay)."""
    require_project(project_path)
    with open_project(project_path) as project:
        relation = project.delete_relation(relation_id)
        echo(f"removed relation {relation.id}: {relation.label} "
             f"{end_ref(*relation.from_end)} {_arrow(project, relation)} {end_ref(*relation.to_end)}")


def _end_text(project: Project, kind: str, ident: int) -> tuple[str, str]:
    """(label, text) of an end: a span's text, or a region's text (or its page) when it has none."""
    if kind == "span":
        span = project.span(ident)
        return span.label, project.document_text(span.document_id).resolve(span).text
    region = project.region(ident)
    return region.label, region.text or f"page {project.page(region.page_id).number}"


def _arrow(project: Project, r: Relation) -> str:
    """How a relation reads: one way (->), or either way (--) for an undirected label."""
    return "->" if project.label(r.label).directed else "--"


def _describe(project: Project, r: Relation) -> str:
    arrow = _arrow(project, r)
    ends = []
    for kind, ident in (r.from_end, r.to_end):
        label, text = _end_text(project, kind, ident)
        ends.append(f"{end_ref(kind, ident)} {label} {text!r}")
    return f"{r.label}: {ends[0]} {arrow} {ends[1]}" + (f" ({r.note})" if r.note else "")


def _as_json(project: Project, r: Relation) -> dict[str, object]:
    data: dict[str, object] = {"id": r.id, "document_id": r.document_id, "label": r.label,
                               "directed": project.label(r.label).directed}
    for side, (kind, ident) in (("from", r.from_end), ("to", r.to_end)):
        label, text = _end_text(project, kind, ident)
        data[side] = {"kind": kind, "id": ident, "label": label, "text": text}
    data.update(note=r.note, annotator=r.annotator, created=r.created, source=r.source, suggested=r.suggested)
    return data
