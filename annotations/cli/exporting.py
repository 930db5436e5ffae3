"""The `export` and `backup` commands: training data and whole-project copies."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ProjectError
from ..exporters import FORMATS, ExportOptions, export
from ..exporters.base import LABEL_LAYERS, SCHEMES, SNAP_POLICIES, SUGGESTION_POLICIES
from ..records import DOCUMENT_STATUSES
from ..store import Project
from ..wording import counted
from .common import PROJECT_OPTION, check_layer, csv_list, echo, named_path, open_project, require_project


@click.command("export")
@PROJECT_OPTION
@click.option("--format", "-f", "fmt", type=click.Choice(list(FORMATS)), required=True, help="Output format.")
@click.option(
    "--output", "-o", type=click.Path(), callback=named_path, required=True,
    help="Output file; for funsd, alto, page, hocr and ocr-lines, the folder to write in (see above).",
)
@click.option("--labels", help="Only these labels, comma-separated (e.g. agency,program).")
@click.option("--documents", help="Only these documents, comma-separated ids or names.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(DOCUMENT_STATUSES), help="Only documents with this status (repeatable).")
@click.option("--split", help="Split by document into one file per part, e.g. train=0.8,dev=0.1,test=0.1.")
@click.option("--seed", type=int, default=0, show_default=True, help="With --split: the seed of the document order.")
@click.option(
    "--suggestions", type=click.Choice(SUGGESTION_POLICIES),
    help="Unaccepted pre-annotations: include, exclude or only (default: exclude for training formats, include for jsonl, csv and labelstudio).",
)
@click.option("--scheme", type=click.Choice(SCHEMES), default="iob2", show_default=True, help="conll: tag scheme.")
@click.option(
    "--snap", type=click.Choice(SNAP_POLICIES), default="expand", show_default=True,
    help="spacy: how a span whose edge falls inside a token is placed (spaCy's alignment_mode).",
)
@click.option("--lang", default="en", show_default=True, help="spacy: language of the blank tokenizer.")
@click.option("--include-spans", is_flag=True, help="coco: also export span word boxes (one box per line of a span).")
@click.option("--image-url", default="", help="labelstudio: prefix for image paths, e.g. /data/local-files/?d=export/.")
@click.option("--layer", help="adjudicated, union or an annotator's name (default: adjudicated where a document has it, else union).")
@click.option(
    "--label-layer", type=click.Choice(LABEL_LAYERS),
    help="Which labels' layer: entity (agency, figure, ...), structure (a letter's parts) or all. Default: entity for "
         "conll, spacy, layoutlm and funsd, which tag each word once (spacy keeps the other layer in its own "
         'span group, doc.spans["structure"]; with all, conll adds a tag column and layoutlm structure_tags); '
         "all for the rest.",
)
@click.option("--force", is_flag=True, help="funsd: replace the folders an earlier export wrote in OUTPUT.")
@click.option("--images", is_flag=True, help="alto, page, hocr: write each page's image (PAGE.png) beside its file.")
@click.option("--highlights", is_flag=True, help="pdf: add a highlight annotation per span, coloured by label.")
@click.option("--corrected-only", is_flag=True,
              help="ocr-lines: only lines with a corrected word, or of documents marked done.")
def export_cmd(
    project_path: Path, fmt: str, output: Path, labels: str | None, documents: str | None, statuses: tuple[str, ...],
    split: str | None, seed: int, suggestions: str | None, scheme: str, snap: str, lang: str, include_spans: bool,
    image_url: str, layer: str | None, label_layer: str | None, force: bool, images: bool, highlights: bool,
    corrected_only: bool,
) -> None:
    """Export annotations for training (spacy, conll, layoutlm, funsd, coco, labelstudio), as jsonl/csv, or
    for archives and OCR tools (alto, page, hocr, pdf, ocr-lines).

    funsd writes the folder OUTPUT as the FUNSD dataset ships: annotations/PAGE.json (a "form"
    per page) beside images/PAGE.png, PAGE being DOCID-NAME-pN; with --split, training_data/,
    testing_data/ (for train and test; NAME_data/ for other parts), each with both folders.
    Other files in OUTPUT are left alone; folders of an earlier export are replaced with --force.

    alto, page and hocr write one file per page into the folder OUTPUT (PAGE.xml or PAGE.hocr, and
    PAGE.png with --images); pdf writes a searchable PDF of the page images with the corrected text;
    ocr-lines writes tesstrain's ground truth into the folder OUTPUT: PAGE-lN.png beside PAGE-lN.gt.txt.
    """
    require_project(project_path)
    options = ExportOptions(
        labels=csv_list(labels, "--labels"), documents=csv_list(documents, "--documents"), statuses=list(statuses) or None,
        suggestions=suggestions, split=split, seed=seed, scheme=scheme, snap=snap, lang=lang,
        include_spans=include_spans, image_url=image_url, layer=layer, label_layer=label_layer, replace=force,
        images=images, highlights=highlights, corrected_only=corrected_only,
    )
    with open_project(project_path, read_only=True) as project:
        check_layer(project, layer)
        report = export(project, fmt, output, options=options)
        if statuses and not report.documents:
            # An empty training file written without a word is easy to train on by mistake.
            have: dict[str, int] = {}
            for doc in project.documents():
                have[doc.status] = have.get(doc.status, 0) + 1
            report.warnings.append(f"no document is {' or '.join(statuses)} (--status); the project's are "
                                   + (", ".join(f"{n} {status}" for status, n in have.items()) or "none"))
    pictures = f" and {report.images} page images in {', '.join(report.image_folders)}" if report.images else ""
    echo(f"wrote {', '.join(report.files)}{pictures}")
    lines = report.summary()
    echo(lines[0])
    for line in lines[1:]:
        echo(line, err=line.startswith(("not exported", "warning")))


@click.command("backup")
@PROJECT_OPTION
@click.argument("output", type=click.Path(dir_okay=False), callback=named_path)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def backup_cmd(project_path: Path, output: Path, force: bool) -> None:
    """Copy the project to OUTPUT: one consistent, self-contained file, even while others write to it."""
    require_project(project_path)
    if output.exists() and not force:
        raise ProjectError(f"{output}: already exists (--force replaces it)")
    with open_project(project_path, read_only=True) as project:
        project.backup(output)
    with Project(output, read_only=True) as copy:  # what the copy holds, not what the project holds by now
        counts = copy.summaries()
    spans = sum(r.spans for r in counts)
    regions = sum(r.regions for r in counts)
    echo(f"wrote {output}: {counted(len(counts), 'document')}, {counted(spans, 'span')}, {counted(regions, 'region')}")
