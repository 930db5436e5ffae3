"""The `list`, `search`, `annotate` and `labels` commands: what a project holds, and tagging from the shell."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from ..errors import ProjectError
from ..records import Label
from ..wording import counted
from .common import (
    PROJECT_OPTION,
    csv_list,
    echo,
    echo_json,
    label_name,
    open_project,
    parse_box,
    printable,
    require_project,
)


@click.command("list")
@PROJECT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def list_cmd(project_path: Path, as_json: bool) -> None:
    """List the project's documents with page and annotation counts.

    Pages are counted by where their words came from: OCR here, the PDF's text layer, or an hOCR,
    ALTO or PAGE file (file). Links are relations made or accepted.
    """
    require_project(project_path)
    with open_project(project_path, read_only=True) as project:
        rows = project.summaries()
    if as_json:
        data = [
            {
                "id": r.id,
                "name": r.name,
                "pages": r.pages,
                "status": r.status,
                "ocr": r.ocr,
                "spans": r.spans,
                "regions": r.regions,
                "annotations": r.annotations,
                "links": r.links,
            }
            for r in rows
        ]
        echo_json(data, ensure_ascii=True)
        return
    if not rows:
        echo("no documents; add some with: scanspan import FILE...")
        return
    echo(f"{'id':>4}  {'pages':>5}  {'ocr':>4}  {'text':>4}  {'file':>4}  {'spans':>5}  {'regions':>7}  {'links':>5}  {'status':<11}  name")
    for r in rows:
        echo(
            f"{r.id:>4}  {r.pages:>5}  {r.ocr['ocr']:>4}  {r.ocr['text_layer']:>4}  {r.ocr['words_file']:>4}  {r.spans:>5}  "
            f"{r.regions:>7}  {r.links:>5}  {r.status:<11}  {r.name}"
        )


@click.command("search")
@PROJECT_OPTION
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
@click.option("--documents", "by_document", is_flag=True, help="One line per document: how many of its pages hold QUERY.")
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True, help="At most this many hits (0: all).")
def search_cmd(project_path: Path, query: str, as_json: bool, by_document: bool, limit: int) -> None:
    """Find QUERY in the OCR text of every document (corrections included).

    QUERY is plain text, not a search syntax: quotes, hyphens and operators are searched for as
    they are. Case, accents ("Mudurlugu" finds "Müdürlüğü"), spaces, dash and quote styles and
    ligatures do not matter, and a phrase is found inside longer words too ("ment of Just" finds
    "Department of Justice"). QUERY is at most 1,000 characters.
    """
    from ..text.search import search, search_documents

    require_project(project_path)
    with open_project(project_path, read_only=True) as project:
        if by_document:
            docs = search_documents(project, query)[: limit or None]
            if as_json:
                echo_json([{"id": d.document_id, "name": d.document_name, "pages": d.pages,
                            "first_page": d.first_page} for d in docs])
            for d in [] if as_json else docs:
                echo(f"{d.document_id:>4}  {d.pages:>5} page{'s' if d.pages != 1 else ' '}  from p. {d.first_page:<4}  {d.document_name}")
            if not docs and not as_json:
                echo(f"no document holds {query!r}", err=True)
            return
        hits = search(project, query, limit=limit or None)
    if as_json:
        echo_json([
            {"document": h.document_id, "name": h.document_name, "page": h.page, "text": h.text, "snippet": h.snippet,
             "words": [{"id": i, "box": [round(v, 1) for v in b]} for i, b in zip(h.word_ids, h.boxes)]}
            for h in hits
        ])
        return
    for h in hits:
        echo(f"{h.document_id:>4}  p. {h.page:<4} {h.snippet}  [{h.document_name}]")
    if not hits:
        echo(f"no hits for {query!r}", err=True)
    elif limit and len(hits) == limit:
        echo(f"showing the first {limit} hits (--limit 0 shows all)", err=True)


@click.command("annotate")
@PROJECT_OPTION
@click.option("--document", "-d", "doc_ref", required=True, help="Document id or name.")
@click.option("--label", "-l", required=True, help="Label name, e.g. agency.")
@click.option("--text", "phrase", help="Tag this phrase (whitespace, dashes, quotes and ligatures as OCR reads them).")
@click.option("--all", "every", is_flag=True, help="With --text: tag every occurrence, not just the first.")
@click.option("--fuzzy", is_flag=True, help="With --text: also match with OCR errors (up to one edit per five characters).")
@click.option("--ignore-case", is_flag=True, help="With --text: compare without case.")
@click.option("--propagate", is_flag=True, help="Also suggest the phrase's other occurrences across the project.")
@click.option("--page", type=click.IntRange(1), help="With --box: the page number.")
@click.option("--box", help="A region X0,Y0,X1,Y1 in page pixels at the page's scan resolution.")
@click.option("--note", default="", help="A note stored with the annotation.")
@click.option("--annotator", default=lambda: os.environ.get("USER", ""), help="Who made it (default: $USER).")
def annotate_cmd(
    project_path: Path, doc_ref: str, label: str, phrase: str | None, every: bool, fuzzy: bool, ignore_case: bool,
    propagate: bool, page: int | None, box: str | None, note: str, annotator: str,
) -> None:
    """Tag a phrase as a span, or a rectangle on a page as a region."""
    if (phrase is None) == (box is None):
        raise click.UsageError("give either --text or --box (with --page)")
    if box is not None and page is None:
        raise click.UsageError("--box needs --page")
    require_project(project_path)
    with open_project(project_path) as project:
        doc = project.document(doc_ref)
        label = project.label(label).name
        if phrase is not None:
            from ..text.matching import best_first, find_phrase

            text = project.document_text(doc.id)
            hits = find_phrase(text, phrase, fuzzy=fuzzy, ignore_case=ignore_case)
            if not hits:
                hint = "" if fuzzy else " (--fuzzy tolerates OCR errors)"
                raise ProjectError(f"{phrase!r} does not occur in document {doc.id} ({doc.name}){hint}")
            tagged = []
            for hit in hits if every else best_first(hits)[:1]:
                span = project.add_span_chars(doc.id, label, hit.start, hit.end, note=note, annotator=annotator)
                tagged.append(span)
                resolved = text.resolve(span)
                how = "" if hit.exact else f" (fuzzy, {counted(hit.distance, 'edit')})"
                echo(f"span {span.id}: {label} {resolved.start}-{resolved.end} {resolved.text!r}{how}")
            if propagate:
                from ..assist.suggest import propagation_hits, store_hits

                # Only once every occurrence is tagged: propagating from the first would suggest the
                # others, and tagging them next would leave those suggestions under the new spans.
                added = sum(store_hits(project, propagation_hits(project, span.id)).added for span in tagged)
                echo(f"  {counted(added, 'other occurrence')} suggested")
        else:
            assert box is not None and page is not None
            if propagate:
                raise click.UsageError("--propagate goes with --text")
            coords = parse_box(box)
            target = project.page_by_number(doc.id, page)
            region = project.add_region(target.id, label, coords, note=note, annotator=annotator)
            echo(f"region {region.id}: {label} page {page} {[round(v) for v in region.box]}")


@click.command("labels")
@PROJECT_OPTION
@click.option("--add", "new_label", help="Add a label with this name.")
@click.option("--color", help="With --add: its colour, e.g. #8c564b (default: one no other label has).")
@click.option("--shortcut", help="With --add: its shortcut key, one digit 0-9.")
@click.option("--layer", type=click.Choice(["entity", "structure"]),
              help="With --add (default entity) or --move: what the label tags, entities a model learns or a "
                   "letter's structure (flat exports take one layer).")
@click.option("--move", "moved", multiple=True, metavar="NAME",
              help="With --layer: put this existing label in that layer (repeatable).")
@click.option("--add-set", "label_set", type=click.Choice(["letter"]), help="Add a set of labels (letter: the parts of a letter).")
@click.option("--kind", type=click.Choice(["span", "relation"]), default="span", show_default=True,
              help="With --add: a label that tags spans and regions, or one that links two of them.")
@click.option("--undirected", is_flag=True, help="With --kind relation: the link reads either way.")
@click.option("--from-labels", help="With --kind relation: the labels its from end may carry, comma-separated (default: any).")
@click.option("--to-labels", help="With --kind relation: the labels its to end may carry, comma-separated (default: any).")
def labels_cmd(project_path: Path, new_label: str | None, color: str | None, shortcut: str | None, layer: str | None,
               moved: tuple[str, ...], label_set: str | None, kind: str, undirected: bool, from_labels: str | None,
               to_labels: str | None) -> None:
    """List the project's labels (key, layer, colour, name), or add one.

    A label name is 1 to 64 characters with no line breaks, tabs or control characters, no space at
    either end, and neither a tag prefix (B-, I-, E-, L-, S-, U-) nor the outside tag O. A relation
    label (--kind relation) links two annotations: `scanspan relations add`.
    """
    from ..labels import choose_color
    from ..records import Label

    if kind != "relation" and (undirected or from_labels or to_labels):
        raise click.UsageError("--undirected, --from-labels and --to-labels go with --kind relation")
    if new_label is None and (kind != "span" or undirected or from_labels or to_labels):
        raise click.UsageError("--kind, --undirected, --from-labels and --to-labels go with --add")
    if moved and layer is None:
        raise click.UsageError("--move needs --layer entity or --layer structure")
    if new_label is None and (color is not None or shortcut is not None):
        raise click.UsageError("--color and --shortcut go with --add")
    # The window binds the key as it is: "99" or "Ctrl+Z" would be a key no one can press or one
    # that takes undo away, and a letter would clash with the review keys (A accepts, X rejects).
    if shortcut is not None and not re.fullmatch(r"[0-9]", shortcut):
        raise ProjectError(f"shortcut '{printable(shortcut)}' is not a label key: give one digit, 0-9")
    require_project(project_path)
    with open_project(project_path) as project:
        if new_label is not None:  # an empty name is an error, not a listing
            project.add_label(Label(
                new_label, color or choose_color(label.color for label in project.labels()), shortcut,
                layer=layer or "entity", kind=kind, directed=not undirected,
                from_labels=tuple(label_name(project, n) for n in csv_list(from_labels, "--from-labels") or ()),
                to_labels=tuple(label_name(project, n) for n in csv_list(to_labels, "--to-labels") or ())))
        for name in moved:
            project.update_label(label_name(project, name), {"layer": layer})
        if label_set is not None:
            from ..assist.letter_parts import add_label_set

            echo(f"labels added: {', '.join(add_label_set(project, label_set)) or 'none (all there)'}")
        for label in project.labels():
            echo(f"{label.shortcut or '-':>2}  {label.layer:<9}  {label.color}  {label.name}{_relation_kind(label)}")


def _relation_kind(label: Label) -> str:
    """What a listing adds after a relation label's name ("" for span and region labels)."""
    if not label.is_relation:
        return ""
    arrow = "->" if label.directed else "--"
    return f"  (relation: {'|'.join(label.from_labels) or 'any'} {arrow} {'|'.join(label.to_labels) or 'any'})"
