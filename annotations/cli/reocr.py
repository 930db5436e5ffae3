"""The `reocr` and `remove` commands: read imported documents again, or take one out of the project."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ScanspanError
from ..importing.files import DEFAULT_OCR_TIMEOUT, ImportOptions
from ..ingest import ocr
from .common import PROJECT_OPTION, csv_list, echo, open_project, progress_bar, require_project


@click.command("reocr")
@PROJECT_OPTION
@click.option("--documents", required=True, help="The documents to read again, comma-separated ids or names.")
@click.option("--lang", default=None,
              help="Tesseract languages, e.g. tur+eng; auto: each page's own, told from a first reading "
                   "(default: the project's, see import --keep-lang; else eng).")
@click.option("--dpi", type=click.FloatRange(50, 1200), default=300, show_default=True,
              help="Render resolution for PDF pages (the words keep the page's own coordinates).")
@click.option("--psm", type=click.IntRange(0, 13), default=3, show_default=True, help="Tesseract page segmentation mode.")
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, help="Parallel tesseract processes (default: one per CPU).")
@click.option("--ocr-timeout", type=click.FloatRange(0), default=DEFAULT_OCR_TIMEOUT, show_default=True,
              metavar="SECONDS", help="Stop a page's tesseract after this long (0: no limit).")
def reocr_cmd(project_path: Path, documents: str, lang: str | None, dpi: float, psm: int, jobs: int,
              ocr_timeout: float) -> None:
    """Read imported documents again (every page by OCR) and replace their words.

    Spans with their notes, OCR corrections, rejected suggestions and adjudications move to the new
    words by aligning the old text with the new; regions are boxes on the page and stay. What cannot
    be carried (its words are no longer read) is listed and removed with the old words. Each
    document is one transaction: it changes whole or not at all.
    """
    from ..importing.reocr import reread
    from .importing import project_lang

    require_project(project_path)
    lang = lang or project_lang(project_path)
    options = ImportOptions(dpi=dpi, force_ocr=True, ocr=ocr.OcrSettings(lang=lang, psm=psm), jobs=jobs,
                            ocr_timeout=ocr_timeout)
    failed = False
    with open_project(project_path) as project:
        docs = [project.document(ref) for ref in csv_list(documents, "--documents") or []]
        for doc in docs:
            try:
                with progress_bar("OCR") as progress:
                    result = reread(project, doc.id, options, progress=progress)
            except ScanspanError as exc:
                failed = True
                echo(f"error: document {doc.id} ({doc.name}) unchanged: {exc}", err=True)
                continue
            echo(result.summary())
            for line in result.warnings:
                echo(f"  warning: {line}", err=True)
            for line in result.lost:
                echo(f"  not carried: {line}", err=True)
    if failed:
        sys.exit(1)


@click.command("remove")
@PROJECT_OPTION
@click.argument("document")
@click.option("--force", is_flag=True, help="Remove it; without this, only say what would be removed.")
def remove_cmd(project_path: Path, document: str, force: bool) -> None:
    """Remove DOCUMENT (an id or a name) from the project: its stored file, pages, words, spans,
    regions, corrections and notes. Without --force, says what that would remove and removes nothing."""
    require_project(project_path)
    with open_project(project_path, read_only=not force) as project:
        doc = project.document(document)
        if not force:
            contents = project.document_contents(doc.id)
            echo(f"would remove document {doc.id} ({doc.name}): {contents.describe()}", err=True)
            echo("nothing removed; run again with --force to remove it", err=True)
            sys.exit(1)
        removed = project.remove_document(doc.id)
    echo(f"removed document {doc.id} ({doc.name}): {removed.describe()}")
