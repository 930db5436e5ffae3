"""The `scanspan` command line: a thin layer over the core that maps errors to one-line messages."""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__, ocr
from .errors import ProjectError, ScanspanError, first_line
from .exporters import FORMATS, ExportOptions, export
from .exporters.base import SCHEMES, SNAP_POLICIES, SUGGESTION_POLICIES
from .importer import DEFAULT_OCR_TIMEOUT, ImportInterrupted, ImportOptions, Outcome, import_into
from .model import DOCUMENT_STATUSES, Document, RawWord
from .store import Project
from .store.connection import read_only_reason

PROJECT_OPTION: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--project",
    "-p",
    "project_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("scanspan.db"),
    show_default=True,
    help="The project file (SQLite); created when missing.",
)


def _open(project_path: Path, read_only: bool = False) -> Project:
    """The project; commands that only read open it read-only, so they never wait for writers."""

    def waiting() -> None:
        click.echo(f"waiting for another program writing to {project_path}…", err=True)

    return Project(project_path, read_only=read_only, on_wait=waiting)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scanspan")
def cli() -> None:
    """Scanspan: OCR scanned letters and label spans and regions for training data."""


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@PROJECT_OPTION
@click.option("--recursive", "-r", is_flag=True, help="Also import from the subfolders of folders given.")
@click.option("--dpi", type=click.FloatRange(50, 1200), default=300, show_default=True, help="Render resolution for PDF pages.")
@click.option("--force-ocr", is_flag=True, help="OCR PDF pages even when they have a text layer.")
@click.option("--lang", default="eng", show_default=True, help="Tesseract languages, e.g. eng+fra.")
@click.option("--psm", type=click.IntRange(0, 13), default=3, show_default=True, help="Tesseract page segmentation mode.")
@click.option("--jobs", "-j", type=click.IntRange(0), default=0, help="Parallel tesseract processes (default: one per CPU).")
@click.option(
    "--ocr-timeout", type=click.FloatRange(0), default=DEFAULT_OCR_TIMEOUT, show_default=True, metavar="SECONDS",
    help="Stop a page's tesseract after this long and fail its file (0: no limit).",
)
@click.option(
    "--cluster", envvar="SCANSPAN_CLUSTER", metavar="ADDRESS",
    help="OCR on this Dask cluster's workers, e.g. tcp://10.0.0.5:8786 (default: $SCANSPAN_CLUSTER; none: here).",
)
def import_cmd(
    files: tuple[Path, ...], project_path: Path, recursive: bool, dpi: float, force_ocr: bool, lang: str, psm: int, jobs: int,
    ocr_timeout: float, cluster: str | None,
) -> None:
    """Import PDF, TIFF, PNG or JPEG files, or the ones in folders: OCR their pages and store them.

    In a folder, files are recognised by their content, whatever their names; other files are
    counted and left alone. Files already in the project are not imported again. A file that cannot be imported gets one line on stderr and the others still go in (exit
    status 1). Ctrl-C stops at once, keeping the files already stored (exit status 130).
    """
    options = ImportOptions(
        dpi=dpi, force_ocr=force_ocr, ocr=ocr.OcrSettings(lang=lang, psm=psm), jobs=jobs, ocr_timeout=ocr_timeout,
        cluster=cluster or None,
    )
    from .folders import import_paths

    outcomes: list[Outcome] | None = None
    other: list[Path] = []
    empty: list[Path] = []
    # Any warning a library raises is reported below in one line, never as Python's two-line dump.
    with warnings.catch_warnings(record=True) as stray:
        warnings.simplefilter("always")
        try:
            with _ProjectOnDemand(project_path) as project, _progress_bar("OCR") as progress:
                run = import_paths(project, files, options, recursive=recursive, progress=progress)  # type: ignore[arg-type]
                outcomes, other, empty = run.outcomes, run.other, run.empty
        except ImportInterrupted as stop:
            outcomes = stop.outcomes
            _interrupted(outcomes)
        except KeyboardInterrupt:
            _interrupted(outcomes)
    for line in dict.fromkeys(f"warning: {first_line(w.message)} ({w.category.__name__})" for w in stray):  # type: ignore[arg-type]
        click.echo(line, err=True)
    failed = len(empty)
    for folder in empty:
        try:
            nested = not recursive and any(p.is_dir() for p in folder.iterdir())
        except OSError:
            nested = False
        deeper = " (--recursive reads its subfolders)" if nested else ""
        click.echo(f"error: {folder}: a directory without PDF, TIFF, PNG or JPEG files{deeper}", err=True)
    for outcome in outcomes:
        more = f"; {len(outcome.warnings) - 2} more" if len(outcome.warnings) > 2 else ""
        note = f" (warnings: {'; '.join(outcome.warnings[:2])}{more})" if outcome.warnings else ""
        if outcome.status == "failed":
            failed += 1
            if outcome.details:
                log = _log_crash(outcome.details, f"import of {outcome.path}")
                note += f" (details in {log})" if log else ""
            click.echo(f"error: {outcome.message}{note}", err=True)
        else:
            detail = ""
            if outcome.status == "imported":
                detail = (
                    f" (OCR {outcome.pages_ocr}, cached {outcome.pages_cached}, "
                    f"text layer {outcome.pages_text_layer})"
                )
            click.echo(outcome.message + detail + note)
    if any(f.is_dir() for f in files):  # a folder: say what it held
        counts = {s: sum(o.status == s for o in outcomes) for s in ("imported", "duplicate", "failed")}
        line = (f"{len(outcomes)} file{'' if len(outcomes) == 1 else 's'}: {counts['imported']} imported, "
                f"{counts['duplicate']} already in the project, "
                f"{counts['failed']} failed")
        if other:
            line += f"; {len(other)} other files in the folders left alone (not PDF, TIFF, PNG or JPEG)"
        click.echo(line)
    imported = [o.document.id for o in outcomes if o.status == "imported" and o.document is not None]
    if imported:
        from .cli_suggest import suggest_kept

        with _open(project_path) as project:
            suggest_kept(project, imported)
    if failed:
        sys.exit(1)


class _ProjectOnDemand:
    """The project an import stores into; a new one is created only when its first file is ready,
    so an import that stores nothing leaves no empty project behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.project: Project | None = None
        if path.exists():
            self.project = _open(path)  # a file that is not a project fails now, before any OCR
        elif not path.parent.is_dir():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        elif read_only_reason(path):
            raise ProjectError(f"{path}: cannot be created ({read_only_reason(path)})")

    def document_for_source(self, sha256: str) -> Document | None:
        return self.project.document_for_source(sha256) if self.project else None

    def cached_words(self, key: str) -> list[RawWord] | None:
        return self.project.cached_words(key) if self.project else None

    def add_document(self, *args: Any) -> Document:
        if self.project is None:
            self.project = _open(self.path)
        return self.project.add_document(*args)

    def __enter__(self) -> _ProjectOnDemand:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.project is not None:
            self.project.close()


def _interrupted(outcomes: list[Outcome] | None) -> NoReturn:
    """Ctrl-C during an import: one line saying what the project holds now, exit status 130."""
    if outcomes is None:
        click.echo("interrupted: nothing was imported", err=True)
    else:
        stored = [o.path.name for o in outcomes if o.status == "imported"]
        names = ", ".join(stored[:3]) + (f" and {len(stored) - 3} more" if len(stored) > 3 else "")
        rest = len(outcomes) - len(stored)
        kept = f"{len(stored)} of {len(outcomes)} files imported and saved" + (f" ({names})" if stored else "")
        click.echo(f"interrupted: {kept}; nothing of the other {rest} was stored" if rest else f"interrupted: {kept}", err=True)
    sys.exit(130)


@cli.command("list")
@PROJECT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def list_cmd(project_path: Path, as_json: bool) -> None:
    """List the project's documents with page and annotation counts."""
    _require(project_path)
    with _open(project_path, read_only=True) as project:
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
            }
            for r in rows
        ]
        click.echo(json.dumps(data, indent=2))
        return
    if not rows:
        click.echo("no documents; add some with: scanspan import FILE...")
        return
    click.echo(f"{'id':>4}  {'pages':>5}  {'ocr':>4}  {'text':>4}  {'spans':>5}  {'regions':>7}  {'status':<11}  name")
    for r in rows:
        click.echo(
            f"{r.id:>4}  {r.pages:>5}  {r.ocr['ocr']:>4}  {r.ocr['text_layer']:>4}  {r.spans:>5}  "
            f"{r.regions:>7}  {r.status:<11}  {r.name}"
        )


@cli.command("search")
@PROJECT_OPTION
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
@click.option("--documents", "by_document", is_flag=True, help="One line per document: how many of its pages hold QUERY.")
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True, help="At most this many hits (0: all).")
def search_cmd(project_path: Path, query: str, as_json: bool, by_document: bool, limit: int) -> None:
    """Find QUERY in the OCR text of every document (corrections included).

    QUERY is plain text, not a search syntax: quotes, hyphens and operators are searched for as
    they are. Case, spaces, dash and quote styles and ligatures do not matter, and a phrase is
    found inside longer words too ("ment of Just" finds "Department of Justice").
    """
    from .search import search, search_documents

    _require(project_path)
    with _open(project_path, read_only=True) as project:
        if by_document:
            docs = search_documents(project, query)[: limit or None]
            if as_json:
                click.echo(json.dumps([{"id": d.document_id, "name": d.document_name, "pages": d.pages,
                                        "first_page": d.first_page} for d in docs], indent=2, ensure_ascii=False))
            for d in [] if as_json else docs:
                click.echo(f"{d.document_id:>4}  {d.pages:>5} page{'s' if d.pages != 1 else ' '}  from p. {d.first_page:<4}  {d.document_name}")
            if not docs and not as_json:
                click.echo(f"no document holds {query!r}", err=True)
            return
        hits = search(project, query, limit=limit or None)
    if as_json:
        click.echo(json.dumps([
            {"document": h.document_id, "name": h.document_name, "page": h.page, "text": h.text, "snippet": h.snippet,
             "words": [{"id": i, "box": [round(v, 1) for v in b]} for i, b in zip(h.word_ids, h.boxes)]}
            for h in hits
        ], indent=2, ensure_ascii=False))
        return
    for h in hits:
        click.echo(f"{h.document_id:>4}  p. {h.page:<4} {h.snippet}  [{h.document_name}]")
    if not hits:
        click.echo(f"no hits for {query!r}", err=True)
    elif limit and len(hits) == limit:
        click.echo(f"showing the first {limit} hits (--limit 0 shows all)", err=True)


@cli.command("annotate")
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
    _require(project_path)
    with _open(project_path) as project:
        doc = project.document(doc_ref)
        project.label(label)
        if phrase is not None:
            from .matching import best_first, find_phrase

            text = project.document_text(doc.id)
            hits = find_phrase(text, phrase, fuzzy=fuzzy, ignore_case=ignore_case)
            if not hits:
                hint = "" if fuzzy else " (--fuzzy tolerates OCR errors)"
                raise ProjectError(f"{phrase!r} does not occur in document {doc.id} ({doc.name}){hint}")
            for hit in hits if every else best_first(hits)[:1]:
                span = project.add_span_chars(doc.id, label, hit.start, hit.end, note=note, annotator=annotator)
                resolved = text.resolve(span)
                how = "" if hit.exact else f" (fuzzy, {hit.distance} edits)"
                click.echo(f"span {span.id}: {label} {resolved.start}-{resolved.end} {resolved.text!r}{how}")
                if propagate:
                    from .suggest import propagation_hits, store_hits

                    report = store_hits(project, propagation_hits(project, span.id))
                    click.echo(f"  {report.added} other occurrences suggested")
        else:
            assert box is not None and page is not None
            if propagate:
                raise click.UsageError("--propagate goes with --text")
            coords = _parse_box(box)
            target = project.page_by_number(doc.id, page)
            region = project.add_region(target.id, label, coords, note=note, annotator=annotator)
            click.echo(f"region {region.id}: {label} page {page} {[round(v) for v in region.box]}")


def _csv_list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@cli.command("export")
@PROJECT_OPTION
@click.option("--format", "-f", "fmt", type=click.Choice(list(FORMATS)), required=True, help="Output format.")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), required=True,
    help="Output file; for funsd, the folder to write annotations/ and images/ in (see above).",
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
@click.option("--force", is_flag=True, help="funsd: replace the folders an earlier export wrote in OUTPUT.")
def export_cmd(
    project_path: Path, fmt: str, output: Path, labels: str | None, documents: str | None, statuses: tuple[str, ...],
    split: str | None, seed: int, suggestions: str | None, scheme: str, snap: str, lang: str, include_spans: bool,
    image_url: str, layer: str | None, force: bool,
) -> None:
    """Export annotations for training (spacy, conll, layoutlm, funsd, coco, labelstudio) or as jsonl/csv.

    funsd writes the folder OUTPUT as the FUNSD dataset ships: annotations/PAGE.json (a "form"
    per page) beside images/PAGE.png, PAGE being DOCID-NAME-pN; with --split, training_data/,
    testing_data/ (for train and test; NAME_data/ for other parts), each with both folders.
    Other files in OUTPUT are left alone; folders of an earlier export are replaced with --force.
    """
    _require(project_path)
    options = ExportOptions(
        labels=_csv_list(labels), documents=_csv_list(documents), statuses=list(statuses) or None,
        suggestions=suggestions, split=split, seed=seed, scheme=scheme, snap=snap, lang=lang,
        include_spans=include_spans, image_url=image_url, layer=layer, replace=force,
    )
    with _open(project_path, read_only=True) as project:
        _check_layer(project, layer)
        report = export(project, fmt, output, options=options)
    images = f" and {report.images} page images in {', '.join(report.image_folders)}" if report.images else ""
    click.echo(f"wrote {', '.join(report.files)}{images}")
    lines = report.summary()
    click.echo(lines[0])
    for line in lines[1:]:
        click.echo(line, err=line.startswith("not exported"))


@cli.command("import-annotations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PROJECT_OPTION
@click.option("--document", "-d", "doc_ref", help="Document id or name (default: each record's \"name\").")
@click.option("--source", help="Where the spans come from, e.g. a model name (default: the file name).")
@click.option("--add-labels", is_flag=True, help="Create labels the file uses that the project lacks.")
def import_annotations_cmd(project_path: Path, file: Path, doc_ref: str | None, source: str | None, add_labels: bool) -> None:
    """Add spans (and regions) from FILE as suggestions: Scanspan JSONL, doccano JSONL or spaCy/Prodigy JSONL.

    The file's text is aligned to the document's OCR text (whitespace and small OCR differences are
    tolerated), so its character offsets land on the right words. Regions (Scanspan JSONL) go on the
    page of the same number. With --document, records named after it or unnamed go to it.

    Lines or values that cannot be used are named by line number and counted, and the rest goes in
    (the exit status is then 1). The file is stored in batches: a run that stops keeps what it
    stored, and running the same file again adds only what is missing.
    """
    from .preannotations import AnnotationImport, ImportStopped, ImportSummary

    def report(summary: ImportSummary) -> None:
        # Totals per document on stdout; what was left out, and why, on stderr.
        for r in summary:
            click.echo(
                f"document {r.document.id} ({r.document.name}): {r.records} records, {r.placed} placed, "
                f"{r.adjusted} adjusted, {r.not_aligned} could not be aligned, {r.duplicates} already there "
                f"(text {r.coverage:.0%} aligned)"
            )
            for text in r.unaligned:
                click.echo(f"  not aligned: {text!r}", err=True)
            if r.not_aligned > len(r.unaligned):
                click.echo(f"  not aligned: {r.not_aligned - len(r.unaligned)} more", err=True)
            for label, n in r.unknown_labels.items():
                click.echo(f"  not imported: {n} spans labelled {label!r}, not a project label (--add-labels adds it)", err=True)
            if r.invalid:
                click.echo(f"  not imported: {r.invalid} spans with unusable values (see the problems below)", err=True)
            if r.regions or r.region_duplicates or r.regions_off_page or r.region_unknown_labels or r.regions_invalid:
                scaled = f" ({r.regions_scaled} scaled to the document's page size)" if r.regions_scaled else ""
                click.echo(f"  regions: {r.regions} placed{scaled}, {r.region_duplicates} already there")
            if r.regions_off_page:
                click.echo(f"  not imported: {r.regions_off_page} regions not on a page of the document", err=True)
            if r.regions_invalid:
                click.echo(f"  not imported: {r.regions_invalid} regions with unusable values (see the problems below)", err=True)
            for label, n in r.region_unknown_labels.items():
                click.echo(f"  not imported: {n} regions labelled {label!r}, not a project label (--add-labels adds it)", err=True)
        spans = sum(r.spans_added for r in summary)
        regions = sum(r.regions for r in summary)
        already = sum(r.duplicates + r.region_duplicates for r in summary)
        click.echo(
            f"{summary.lines} lines read, {summary.records} records for {len(summary)} documents: {spans} spans and "
            f"{regions} regions added as suggestions from {summary.source!r}, {already} already there"
        )
        if summary.labels_added:
            click.echo(f"labels added: {', '.join(summary.labels_added)}")
        if summary.other_documents:
            click.echo(
                f"not imported: {summary.other_documents} records for other documents "
                f"({', '.join(summary.other_names)}); without --document each goes to the document it names",
                err=True,
            )
        for problem in summary.first_problems:
            click.echo(str(problem), err=True)
        if summary.problems > len(summary.first_problems):
            click.echo(f"... and {summary.problems - len(summary.first_problems)} more problems", err=True)

    def progress_bar() -> Any:
        # A bar over the file's bytes (its line count is unknown until it is read), on a terminal only.
        if not sys.stdout.isatty():
            return nullcontext(None)
        from tqdm import tqdm

        return tqdm(total=0, unit="B", unit_scale=True, desc="import-annotations", leave=False, file=sys.stdout)

    _require(project_path)
    with _open(project_path) as project, progress_bar() as bar:
        run = AnnotationImport(project, file, doc_ref, source=source, add_labels=add_labels)

        def progress(done: int, total: int, lines: int) -> None:
            bar.total, bar.n = total, done
            bar.set_postfix_str(f"{lines:,} lines", refresh=False)
            bar.refresh()

        try:
            summary = run.run(progress if bar is not None else None)
        except ImportStopped as exc:
            if bar is not None:
                bar.close()
            report(exc.summary)
            raise
        except KeyboardInterrupt:
            if bar is not None:
                bar.close()
            report(run.summary)
            done = run.summary
            kept = f"lines 1-{done.stored_through} are stored" if done.records else "nothing was stored"
            click.echo(f"interrupted; {kept}; running the same command again adds the rest and nothing twice", err=True)
            sys.exit(130)
    report(summary)
    if summary.problems:
        raise ProjectError(
            f"{file}: {summary.problems} problems (lines or values that could not be used; the first are named "
            "above); everything else was imported"
        )


@cli.command("backup")
@PROJECT_OPTION
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def backup_cmd(project_path: Path, output: Path, force: bool) -> None:
    """Copy the project to OUTPUT: one consistent, self-contained file, even while others write to it."""
    _require(project_path)
    if output.exists() and not force:
        raise ProjectError(f"{output}: already exists (--force replaces it)")
    with _open(project_path, read_only=True) as project:
        project.backup(output)
    with Project(output, read_only=True) as copy:  # what the copy holds, not what the project holds by now
        counts = copy.summaries()
    spans = sum(r.spans for r in counts)
    regions = sum(r.regions for r in counts)
    click.echo(f"wrote {output}: {len(counts)} documents, {spans} spans, {regions} regions")


@cli.command("labels")
@PROJECT_OPTION
@click.option("--add", "new_label", help="Add a label with this name.")
@click.option("--color", help="With --add: its colour, e.g. #8c564b (default: one no other label has).")
@click.option("--shortcut", help="With --add: its shortcut key.")
@click.option("--add-set", "label_set", type=click.Choice(["letter"]), help="Add a set of labels (letter: the parts of a letter).")
def labels_cmd(project_path: Path, new_label: str | None, color: str | None, shortcut: str | None,
               label_set: str | None) -> None:
    """List the project's labels, or add one.

    A label name is 1 to 64 characters with no line breaks, tabs or control characters, no space at
    either end, and neither a tag prefix (B-, I-, E-, L-, S-, U-) nor the outside tag O.
    """
    from .labels import choose_color
    from .model import Label

    _require(project_path)
    with _open(project_path) as project:
        if new_label is not None:  # an empty name is an error, not a listing
            project.add_label(Label(new_label, color or choose_color(label.color for label in project.labels()), shortcut))
        if label_set is not None:
            from .letter_parts import add_label_set

            click.echo(f"labels added: {', '.join(add_label_set(project, label_set)) or 'none (all there)'}")
        for label in project.labels():
            click.echo(f"{label.shortcut or '-':>2}  {label.color}  {label.name}")


@cli.command("demo")
@click.option(
    "--project", "-p", "project_path", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("scanspan-demo.db"), show_default=True, help="The demo project file.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("scanspan-demo.jsonl"), show_default=True, help="Where to write the JSONL export.",
)
def demo_cmd(project_path: Path, output: Path) -> None:
    """Import the bundled sample letter, tag a few phrases, list the project and export JSONL."""
    run_demo(project_path, output)


def run_demo(project_path: Path, output: Path) -> int:
    """The headless demo; returns the sample's document id."""
    from .demo import apply_sample_tags, sample_pdf

    with _open(project_path) as project, _progress_bar("OCR") as progress:
        outcome = import_into(project, [sample_pdf()], progress=progress)[0]
        if outcome.status == "failed" or outcome.document is None:
            raise ProjectError(outcome.message)
        click.echo(outcome.message)
        if not project.spans(outcome.document.id) and not project.regions(outcome.document.id):
            result = apply_sample_tags(project, outcome.document)
            click.echo(f"tagged {result.added} spans and regions")
            for phrase in result.missing:
                click.echo(f"not found in the OCR text (left untagged): {phrase!r}", err=True)
        for r in project.summaries():
            click.echo(f"document {r.id} {r.name}: {r.pages} pages, {r.spans} spans, {r.regions} regions, {r.status}")
        report = export(project, "jsonl", output)
    click.echo(f"wrote {output}: {report.documents} documents, {report.spans} spans, {report.regions} regions")
    return outcome.document.id


@cli.command("doctor")
def doctor_cmd() -> None:
    """Check what Scanspan needs (tesseract and its languages, PyMuPDF, Qt, a display); print the fix for each problem."""
    from . import doctor

    found = doctor.checks()
    click.echo(doctor.report(found))
    sys.exit(0 if doctor.healthy(found) else 1)


def _check_layer(project: Project, layer: str | None) -> None:
    from .layers import ADJUDICATED, UNION

    if layer not in (None, ADJUDICATED, UNION) and layer not in project.annotators():
        raise ProjectError(f"--layer {layer}: no annotator of that name in {project.path.name}; "
                           f"the annotators are {', '.join(project.annotators()) or 'none'}")


def _require(project_path: Path) -> None:
    if not project_path.exists():
        raise ProjectError(f"{project_path}: no such project (create one with: scanspan import FILE --project {project_path})")


def _parse_box(text: str) -> tuple[float, float, float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        values = tuple(float(v) for v in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise click.BadParameter(f"{text!r} is not X0,Y0,X1,Y1", param_hint="--box")
    return values


def _progress_bar(label: str) -> AbstractContextManager[Callable[[int, int, str], None] | None]:
    """A progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not sys.stdout.isatty():
        return nullcontext(None)
    from tqdm import tqdm

    class _Bar:
        def __enter__(self) -> Callable[[int, int, str], None]:
            # Drawn where the decision was made: on stdout, and only when it is a terminal.
            self.bar = tqdm(total=0, unit="page", desc=label, leave=False, file=sys.stdout)
            return self.update

        def update(self, done: int, total: int, name: str) -> None:
            self.bar.total = total
            self.bar.n = done
            self.bar.set_postfix_str(name, refresh=False)
            self.bar.refresh()

        def __exit__(self, *exc: Any) -> None:
            self.bar.close()

    return _Bar()


def main(argv: list[str] | None = None, group: click.Group | None = None) -> None:
    """Entry point: domain errors become one line on stderr and exit status 1.

    `group` is the command group to run (the desktop app passes its own, which adds `open`).
    """
    try:
        (group or cli).main(args=argv, prog_name="scanspan", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ScanspanError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        # Every change is committed as it is made, so what was done before Ctrl-C is kept.
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the user, the traceback in a log file
        import traceback

        log = _log_crash(traceback.format_exc(), "scanspan " + " ".join(sys.argv[1:] if argv is None else argv))
        where = f" (details in {log})" if log else ""
        click.echo(f"internal error: {type(exc).__name__}: {first_line(exc)}{where}", err=True)
        sys.exit(2)


def _log_crash(details: str, context: str = "") -> Path | None:
    """Append a traceback to the crash log; its path, or None when the log cannot be written."""
    from datetime import datetime

    folder = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "scanspan"
    log = folder / "crash.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().isoformat(timespec='seconds')} scanspan {__version__} {context}\n")
            handle.write(details.rstrip("\n") + "\n\n")
    except OSError:  # a read-only home must not turn one failure into a second one
        return None
    return log


from .cli_suggest import suggest_cmd, suggestions_group  # noqa: E402 - they use the helpers above
from .cli_team import adjudicate_cmd, agreement_cmd, merge_cmd  # noqa: E402

cli.add_command(suggest_cmd)
cli.add_command(suggestions_group)
cli.add_command(agreement_cmd)
cli.add_command(merge_cmd)
cli.add_command(adjudicate_cmd)

from .cli_reorder import reorder_cmd  # noqa: E402

cli.add_command(reorder_cmd)

if __name__ == "__main__":
    main()
