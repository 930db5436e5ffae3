"""The `import` and `import-annotations` commands: scans into a project, and spans from other tools as suggestions."""

from __future__ import annotations

import sys
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Any, NoReturn

import click

from ..errors import ProjectError, first_line, no_folder
from ..importing.files import DEFAULT_OCR_TIMEOUT, IMPORT_ANALYST, ImportInterrupted, ImportOptions, Outcome
from ..ingest import ocr
from ..records import Document, RawWord
from ..store import Project
from ..store.connection import read_only_reason
from ..wording import counted, counted_phrase
from .common import NEW_PROJECT_OPTION, PROJECT_OPTION, echo, log_crash, open_project, progress_bar, require_project


def _named_paths(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[Path, ...]:
    # Path("") is Path("."): `scanspan import "$FILE"` with FILE empty would import the whole
    # current folder, so an empty name is refused while it can still be told from ".".
    if any(value == "" for value in values):
        raise ProjectError("an empty file name was given (an unset shell variable?); name the files or folders, "
                           "or . for the current folder")
    return tuple(Path(value) for value in values)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(), callback=_named_paths)
@NEW_PROJECT_OPTION
@click.option("--recursive", "-r", is_flag=True, help="Also import from the subfolders of folders given.")
@click.option("--dpi", type=click.FloatRange(50, 1200), default=300, show_default=True, help="Render resolution for PDF pages.")
@click.option("--force-ocr", is_flag=True, help="OCR PDF pages even when they have a text layer.")
@click.option("--lang", default=None,
              help="Tesseract languages, e.g. eng+fra; auto: each page's own, told from a first reading "
                   "(default: the project's, see --keep-lang; else eng).")
@click.option("--keep-lang", is_flag=True, help="Keep --lang as the project's default for later imports and reocr.")
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
@click.option(
    "--words", "words_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
    help="Take the page's words, lines and reading order from this hOCR, ALTO or PAGE file instead of OCR "
         "(one image only; its pages are matched to the file's in order).",
)
@click.option(
    "--letter-parts/--no-letter-parts", default=None,
    help="Suggest the parts of a letter for the documents imported, now and in every later import into the "
         "project (adds the letter labels); --no-letter-parts stops it. Default: as the project was set.",
)
def import_cmd(
    files: tuple[Path, ...], project_path: Path, recursive: bool, dpi: float, force_ocr: bool, lang: str | None,
    keep_lang: bool, psm: int, jobs: int, ocr_timeout: float, cluster: str | None, words_file: Path | None,
    letter_parts: bool | None,
) -> None:
    """Import PDF, TIFF, PNG or JPEG files, or the ones in folders: OCR their pages and store them.

    In a folder, files are recognised by their content, whatever their names; other files are
    counted and left alone. Files already in the project are not imported again. A file that cannot be imported gets one line on stderr and the others still go in (exit
    status 1). Ctrl-C stops at once, keeping the files already stored (exit status 130).

    An hOCR, ALTO or PAGE-XML file named alone is imported with its image (the one it names, relative to
    it, or the image beside it with its base name), its words taken from it: tesseract is not run. Its
    corrections, spans and regions (ALTO tags, Transkribus's tags in PAGE, Scanspan's hOCR) come in
    too, as analyst "import"'s. In a folder, an image with such a file naming it is imported with it.

    Only regular files are read, each up to 512 MiB (a FIFO, socket or device named is refused in
    its line); a pipe from the shell, as in `import <(curl -s URL)`, is read once, whole.
    """
    if keep_lang and lang is None:
        raise click.UsageError("--keep-lang keeps the languages given with --lang; give them")
    if lang is None:
        lang = project_lang(project_path)
    if words_file is not None and (len(files) != 1 or files[0].is_dir()):
        raise click.UsageError("--words goes with one image file: scanspan import IMAGE --words FILE")
    options = ImportOptions(
        dpi=dpi, force_ocr=force_ocr, ocr=ocr.OcrSettings(lang=lang, psm=psm), jobs=jobs, ocr_timeout=ocr_timeout,
        cluster=cluster or None, letter_parts=bool(letter_parts),
        words={files[0]: words_file} if words_file is not None else {},
    )
    from ..importing.folders import import_paths

    outcomes: list[Outcome] | None = None
    other: list[Path] = []
    empty: list[Path] = []
    # Any warning a library raises is reported below in one line, never as Python's two-line dump.
    with warnings.catch_warnings(record=True) as stray:
        warnings.simplefilter("always")
        try:
            with _ProjectOnDemand(project_path) as project, progress_bar("OCR") as progress:
                run = import_paths(project, files, options, recursive=recursive, progress=progress)  # type: ignore[arg-type]
                outcomes, other, empty = run.outcomes, run.other, run.empty
        except ImportInterrupted as stop:
            outcomes = stop.outcomes
            _interrupted(outcomes)
        except KeyboardInterrupt:
            _interrupted(outcomes)
    for line in dict.fromkeys(f"warning: {first_line(w.message)} ({w.category.__name__})" for w in stray):  # type: ignore[arg-type]
        echo(line, err=True)
    failed = len(empty)
    for folder in empty:
        try:
            nested = not recursive and any(p.is_dir() for p in folder.iterdir())
        except OSError:
            nested = False
        deeper = " (--recursive reads its subfolders)" if nested else ""
        echo(f"error: {folder}: a directory without PDF, TIFF, PNG or JPEG files{deeper}", err=True)
    for outcome in outcomes:
        more = f"; {len(outcome.warnings) - 2} more" if len(outcome.warnings) > 2 else ""
        note = f" (warnings: {'; '.join(outcome.warnings[:2])}{more})" if outcome.warnings else ""
        if outcome.status == "failed":
            failed += 1
            if outcome.details:
                log = log_crash(outcome.details, f"import of {outcome.path}")
                note += f" (details in {log})" if log else ""
            echo(f"error: {outcome.message}{note}", err=True)
        else:
            detail = ""
            if outcome.status == "imported" and outcome.words_source:
                detail = f" ({outcome.words_source}{_annotations_in(outcome)})"
            elif outcome.status == "imported":
                detail = (
                    f" (OCR {outcome.pages_ocr}, cached {outcome.pages_cached}, "
                    f"text layer {outcome.pages_text_layer})"
                )
            echo(outcome.message + detail + note)
    if any(f.is_dir() for f in files):  # a folder: say what it held
        counts = {s: sum(o.status == s for o in outcomes) for s in ("imported", "duplicate", "failed")}
        line = (f"{len(outcomes)} file{'' if len(outcomes) == 1 else 's'}: {counts['imported']} imported, "
                f"{counts['duplicate']} already in the project, "
                f"{counts['failed']} failed")
        if other:
            line += f"; {counted(len(other), 'other file')} in the folders left alone (not PDF, TIFF, PNG or JPEG)"
        echo(line)
    if keep_lang and project_path.exists():
        with open_project(project_path) as project:
            project.set_default_lang(lang)
        echo(f"languages {lang} kept as the project's default")
    imported = [o.document.id for o in outcomes if o.status == "imported" and o.document is not None]
    if imported or (letter_parts is not None and project_path.exists()):
        from ..assist.letter_parts import keep_on_import
        from .suggest import suggest_kept

        with open_project(project_path) as project:
            if letter_parts is not None:
                added = keep_on_import(project, letter_parts)
                echo(f"letter parts {'on' if letter_parts else 'off'} for this and later imports"
                           + (f" (labels added: {', '.join(added)})" if added else ""))
            suggest_kept(project, imported)
    if failed:
        sys.exit(1)


def project_lang(project_path: Path) -> str:
    """The OCR languages the project keeps as its default (`import --keep-lang`), else eng."""
    if not project_path.exists():
        return ocr.OcrSettings().lang
    with open_project(project_path, read_only=True) as project:
        return project.default_lang() or ocr.OcrSettings().lang


class _ProjectOnDemand:
    """The project an import stores into; a new one is created only when its first file is ready,
    so an import that stores nothing leaves no empty project behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.project: Project | None = None
        if path.exists():
            self.project = open_project(path)  # a file that is not a project fails now, before any OCR
        elif not path.parent.is_dir():
            raise ProjectError(f"{path}: {no_folder(path.parent)}")
        elif read_only_reason(path):
            raise ProjectError(f"{path}: cannot be created ({read_only_reason(path)})")

    def document_for_source(self, sha256: str) -> Document | None:
        return self.project.document_for_source(sha256) if self.project else None

    def cached_words(self, key: str) -> list[RawWord] | None:
        return self.project.cached_words(key) if self.project else None

    def add_document(self, *args: Any) -> Document:
        if self.project is None:
            self.project = open_project(self.path)
        return self.project.add_document(*args)

    def __enter__(self) -> _ProjectOnDemand:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.project is not None:
            self.project.close()


def _interrupted(outcomes: list[Outcome] | None) -> NoReturn:
    """Ctrl-C during an import: one line saying what the project holds now, exit status 130."""
    if outcomes is None:
        echo("interrupted: nothing was imported", err=True)
    else:
        stored = [o.path.name for o in outcomes if o.status == "imported"]
        names = ", ".join(stored[:3]) + (f" and {len(stored) - 3} more" if len(stored) > 3 else "")
        rest = len(outcomes) - len(stored)
        kept = f"{len(stored)} of {counted(len(outcomes), 'file')} imported and saved" + (f" ({names})" if stored else "")
        echo(f"interrupted: {kept}; nothing of the other {rest} was stored" if rest else f"interrupted: {kept}", err=True)
    sys.exit(130)


@click.command("import-annotations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PROJECT_OPTION
@click.option("--document", "-d", "doc_ref", help="Document id or name (default: each record's \"name\").")
@click.option("--source", help="Where the spans come from, e.g. a model name (default: the file name).")
@click.option("--add-labels", is_flag=True, help="Create labels the file uses that the project lacks.")
def import_annotations_cmd(project_path: Path, file: Path, doc_ref: str | None, source: str | None, add_labels: bool) -> None:
    """Add spans (and regions) from FILE as suggestions: Scanspan JSONL, doccano JSONL or spaCy/Prodigy JSONL.

    The file's text is aligned to the document's OCR text (whitespace and small OCR differences are
    tolerated), so its character offsets land on the right words. Regions (Scanspan JSONL) go on the
    page of the same number, and relations (Scanspan JSONL) between the spans and regions their ends'
    ids name, as suggestions too. With --document, records named after it or unnamed go to it.

    Lines or values that cannot be used are named by line number and counted, and the rest goes in
    (the exit status is then 1). The file is stored in batches: a run that stops keeps what it
    stored, and running the same file again adds only what is missing.
    """
    from ..assist.preannotation_results import ImportStopped, ImportSummary
    from ..assist.preannotations import AnnotationImport

    def report(summary: ImportSummary) -> None:
        # Totals per document on stdout; what was left out, and why, on stderr.
        for r in summary:
            echo(
                f"document {r.document.id} ({r.document.name}): {counted(r.records, 'record')}, {r.placed} placed, "
                f"{r.adjusted} adjusted, {r.not_aligned} could not be aligned, {r.duplicates} already there "
                f"(text {r.coverage:.0%} aligned)"
            )
            for text in r.unaligned:
                echo(f"  not aligned: {text!r}", err=True)
            if r.not_aligned > len(r.unaligned):
                echo(f"  not aligned: {r.not_aligned - len(r.unaligned)} more", err=True)
            for label, n in r.unknown_labels.items():
                echo(f"  not imported: {counted(n, 'span')} labelled {label!r}, not a project label (--add-labels adds it)",
                     err=True)
            if r.invalid:
                echo(f"  not imported: {counted(r.invalid, 'span')} with unusable values (see the problems below)", err=True)
            if r.regions or r.region_duplicates or r.regions_off_page or r.region_unknown_labels or r.regions_invalid:
                scaled = f" ({r.regions_scaled} scaled to the document's page size)" if r.regions_scaled else ""
                echo(f"  regions: {r.regions} placed{scaled}, {r.region_duplicates} already there")
            if r.regions_off_page:
                echo(f"  not imported: {counted(r.regions_off_page, 'region')} not on a page of the document", err=True)
            if r.regions_invalid:
                echo(f"  not imported: {counted(r.regions_invalid, 'region')} with unusable values (see the problems below)",
                     err=True)
            for label, n in r.region_unknown_labels.items():
                echo(f"  not imported: {counted(n, 'region')} labelled {label!r}, not a project label (--add-labels adds it)",
                     err=True)
            if r.relations or r.relation_duplicates or r.relations_without_ends or r.relations_invalid:
                echo(f"  relations: {r.relations} added, {r.relation_duplicates} already there")
            if r.relations_without_ends:
                echo(f"  not imported: {counted(r.relations_without_ends, 'relation')} whose ends did not come in", err=True)
            if r.relations_invalid:
                echo(f"  not imported: {counted(r.relations_invalid, 'relation')} with unusable values (see the problems below)",
                     err=True)
            for label, n in r.relation_unknown_labels.items():
                echo(f"  not imported: {counted(n, 'relation')} labelled {label!r}, not a project label (--add-labels adds it "
                     "as a relation label)", err=True)
            if r.rejected:
                echo(f"  not proposed again: {counted_phrase(r.rejected, 'spans and regions')} rejected before in this project")
            if r.relations_rejected:
                echo(f"  not proposed again: {counted(r.relations_rejected, 'relation')} rejected before in this project")
        spans = sum(r.spans_added for r in summary)
        regions = sum(r.regions for r in summary)
        already = sum(r.duplicates + r.region_duplicates for r in summary)
        relations = sum(r.relations for r in summary)
        echo(
            f"{counted(summary.lines, 'line')} read, {counted(summary.records, 'record')} for "
            f"{counted(len(summary), 'document')}: {counted(spans, 'span')} and {counted(regions, 'region')} added as "
            f"suggestions from {summary.source!r}, {already} already there"
            + (f"; {counted(relations, 'relation')} between them" if relations else "")
        )
        if summary.labels_added:
            echo(f"labels added: {', '.join(summary.labels_added)}")
        if summary.other_documents:
            echo(
                f"not imported: {counted(summary.other_documents, 'record')} for other documents "
                f"({', '.join(summary.other_names)}); without --document each goes to the document it names",
                err=True,
            )
        for problem in summary.first_problems:
            echo(str(problem), err=True)
        if summary.problems > len(summary.first_problems):
            echo(f"... and {counted(summary.problems - len(summary.first_problems), 'more problem')}", err=True)

    def byte_bar() -> Any:
        # A bar over the file's bytes (its line count is unknown until it is read), on a terminal only.
        if not sys.stdout.isatty():
            return nullcontext(None)
        from tqdm import tqdm

        return tqdm(total=0, unit="B", unit_scale=True, desc="import-annotations", leave=False, file=sys.stdout)

    require_project(project_path)
    with open_project(project_path) as project, byte_bar() as bar:
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
            echo(f"interrupted; {kept}; running the same command again adds the rest and nothing twice", err=True)
            sys.exit(130)
    report(summary)
    if summary.problems:
        raise ProjectError(
            f"{file}: {counted(summary.problems, 'problem')} (lines or values that could not be used; "
            f"{'it is' if summary.problems == 1 else 'the first are'} named above); everything else was imported"
        )


def _annotations_in(outcome: Outcome) -> str:
    if not outcome.spans_in and not outcome.regions_in:
        return ""
    spans, regions = counted(outcome.spans_in, "span"), counted(outcome.regions_in, "region")
    return f"; {spans} and {regions} from the file, stored as analyst {IMPORT_ANALYST!r}"
