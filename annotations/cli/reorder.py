"""The `reorder` command: put the pages of an existing project in reading order."""

from __future__ import annotations

from pathlib import Path

import click

from ..ingest.reorder import plan
from ..wording import counted
from .common import PROJECT_OPTION, csv_list, echo, open_project, require_project


@click.command("reorder")
@PROJECT_OPTION
@click.option("--documents", help="Only these documents, comma-separated ids or names (default: all).")
@click.option("--split", is_flag=True,
              help="Split a span whose words the new order would scatter into one span per run of words "
                   "(default: leave the pages it lies on in their order).")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
def reorder_cmd(project_path: Path, documents: str | None, split: bool, dry_run: bool) -> None:
    """Rewrite the word order of OCRed pages to their reading order (side columns before or after
    the body, not inside it); every span stays on the same words."""
    require_project(project_path)
    with open_project(project_path, read_only=dry_run) as project:
        names = csv_list(documents, "--documents")
        docs = [project.document(r) for r in names] if names else project.documents()
        for doc in docs:
            result = plan(project, doc.id, split=split)
            added: list[int] = []
            if not dry_run:
                added = project.reorder_document(
                    doc.id, result.pages, result.method, result.methods,
                    {s: (p.first_word_id, p.last_word_id, p.head, p.tail) for s, p in result.anchors.items()},
                    {s: [(p.first_word_id, p.last_word_id, p.head, p.tail) for p in pieces]
                     for s, pieces in result.splits.items()},
                )
            would = "would be " if dry_run else ""
            echo(
                f"document {doc.id} ({doc.name}): {counted(len(result.pages), 'page')} {would}reordered, "
                f"{result.unchanged} already in reading order; {counted(len(result.anchors), 'span')} "
                f"{would}re-anchored, {len(result.splits)} "
                f"{would}split" + (f" into {len(added) + len(result.splits)}" if added else "")
            )
            for number, spans in result.kept.items():
                listed = ", ".join(str(s) for s in spans)
                echo(f"  page {number} kept its order: span{'s' if len(spans) > 1 else ''} {listed} would no "
                           "longer be consecutive (--split splits them)")
