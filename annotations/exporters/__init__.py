"""Exporters, one module per format, all reading the same store API; `export` writes one file per split."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from ..errors import ProjectError, no_folder
from ..records import Document
from ..store import Project
from . import alto, coco, conll, csv, funsd, hocr, jsonl, labelstudio, layoutlm, ocr_lines, pagexml, spacy_docbin
from .base import (
    ALL_LAYERS,
    LABEL_LAYERS,
    SCHEMES,
    SNAP_POLICIES,
    SUGGESTION_POLICIES,
    ExportDocument,
    ExportOptions,
    ExportReport,
    export_documents,
    no_place_for_relations,
)
from .output import Staging, Target, cannot_write, refuse_link, remove_leftovers
from .pagelayout import PageWriter, export_pages, one_file
from .select import assign_splits, label_names, parse_split, select_documents

Writer = Callable[[Iterable[ExportDocument], Target], None]
FolderWriter = Callable[[Project, Path, Sequence[Document], ExportOptions, str], ExportReport]


@dataclass(frozen=True)
class Format:
    """How one format is written: its writer, file extension, text or bytes, and what it defaults to.

    `training` formats leave unaccepted suggestions out unless asked; `images` formats write page PNGs.
    `regions`: the format writes regions (the others count them as not exported).
    A `folder` format writes a folder instead of a file (its `write` is then None).
    A `flat` format tags each word once, so it takes the entity layer unless asked for another;
    `beside`: it writes the layers not chosen somewhere of their own (spaCy's span groups);
    `all_layers`: it can take every layer at once (the entities tagged, the structure beside them).
    `splits`: the format can be split by document (the archive formats write one file per page instead).
    """

    write: Writer | None
    suffix: str
    description: str
    binary: bool = False
    training: bool = True
    images: bool = False
    newline: str | None = None
    check: Callable[[ExportOptions], None] | None = None  # raises a one-line error before anything is written
    folder: FolderWriter | None = None
    regions: bool = True
    flat: bool = False
    beside: bool = False
    all_layers: bool = True
    splits: bool = True
    no_relations: str = ""
    """The format's name when it has no place for relations (the report counts them as not exported)."""


def _pages(suffix: str, write_page: PageWriter, name: str, region_links: bool = False) -> FolderWriter:
    def write(project: Project, out: Path, docs: Sequence[Document], options: ExportOptions, suggestions: str,
              ) -> ExportReport:
        return export_pages(project, out, docs, options, suggestions, one_file(suffix, write_page), name, region_links)

    return write


def _write_pdf(docs: Iterable[ExportDocument], target: Any) -> None:
    # PyMuPDF and Pillow are loaded only when a PDF is written: commands that neither render nor
    # OCR start without them.
    from . import searchable_pdf

    searchable_pdf.write(docs, target)


FORMATS: dict[str, Format] = {
    "jsonl": Format(jsonl.write, ".jsonl", "one JSON object per document (everything)", training=False),
    "csv": Format(csv.write, ".csv", "one row per span or region", training=False, newline="", no_relations="CSV"),
    "spacy": Format(spacy_docbin.write, ".spacy", "spaCy DocBin", binary=True, check=spacy_docbin.check,
                    regions=False, no_relations="spaCy", flat=True, beside=True),
    "conll": Format(conll.write, ".conll", "CoNLL tokens with IOB2/BILOU tags", regions=False, no_relations="CoNLL",
                    flat=True),
    "layoutlm": Format(layoutlm.write, ".jsonl", "LayoutLM records per page + page images", images=True,
                       regions=False, flat=True),
    # A FUNSD form puts each word in one entity: one layer at a time.
    "funsd": Format(
        None, "", "a FUNSD folder: annotations/PAGE.json + images/PAGE.png", images=True, folder=funsd.export,
        flat=True, all_layers=False,
    ),
    # Label Studio is where suggestions get reviewed: they travel as its predictions by default.
    "labelstudio": Format(
        labelstudio.write, ".json", "Label Studio tasks + labelling config", training=False, images=True
    ),
    "coco": Format(coco.write, ".json", "COCO boxes + page images", images=True, no_relations="COCO"),
    # The archives' own formats: a folder with one file per page (and its image with --images).
    "alto": Format(None, "", "ALTO 4.4 XML, one file per page", folder=_pages(".xml", alto.write_page, "ALTO"),
                   splits=False),
    "page": Format(None, "", "PAGE-XML 2019, one file per page", folder=_pages(".xml", pagexml.write_page, "PAGE", True),
                   splits=False),
    "hocr": Format(None, "", "hOCR, one file per page", folder=_pages(".hocr", hocr.write_page, "hOCR"),
                   splits=False),
    "pdf": Format(_write_pdf, ".pdf", "searchable PDF: the page images with the corrected text",
                  binary=True, no_relations="a searchable PDF"),
    "ocr-lines": Format(None, "", "OCR ground truth for tesstrain: line images + .gt.txt", folder=ocr_lines.export,
                        splits=False),
}


def _check_options(options: ExportOptions) -> None:
    for value, allowed, name in (
        (options.snap, SNAP_POLICIES, "snap"),
        (options.scheme, SCHEMES, "scheme"),
        (options.suggestions, (None, *SUGGESTION_POLICIES), "suggestions"),
        (options.label_layer, (None, *LABEL_LAYERS), "label-layer"),
    ):
        if value not in allowed:
            raise ProjectError(f"--{name} must be one of {', '.join(a for a in allowed if a)}, not {value!r}")


def export(
    project: Project, fmt: str, out: str | Path, documents: Sequence[int] | None = None,
    options: ExportOptions | None = None,
) -> ExportReport:
    """Write the export; with options.split, one file per split named OUT-SPLIT.EXT.

    Page images go to the folder OUT-images beside it. A folder format writes the folder OUT
    instead (see _export_folder). All files (every split, the files beside,
    the images) are written under temporary names and put in place only once all of them are
    written: a failed export leaves nothing new behind and changes nothing. An output that cannot
    be written is a ProjectError naming it.
    """
    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise ProjectError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    options = options or ExportOptions()
    if documents is not None:
        options = replace(options, documents=list(documents))
    _check_options(options)
    if options.label_layer == ALL_LAYERS and not spec.all_layers:
        raise ProjectError(f"{fmt} gives each word one label, so it takes one layer: "
                           "--label-layer entity or --label-layer structure")
    options = replace(options, label_layer=options.label_layer or ("entity" if spec.flat else ALL_LAYERS))
    if options.split and not spec.splits:
        raise ProjectError(f"{fmt} writes one file per page into a folder; --split is for the training formats")
    if spec.check:
        spec.check(options)
    out = Path(out)
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise ProjectError(f"{out}: {no_folder(directory)}")
    if spec.folder is None and out.is_dir():
        raise ProjectError(f"{out}: is a folder; {fmt} writes a file")
    remove_leftovers(out)  # of exports to the same place killed before they finished
    docs = select_documents(project, options)
    if options.labels:
        options = replace(options, labels=label_names(project, options.labels))
    suggestions = options.suggestions or ("exclude" if spec.training else "include")
    if spec.folder is not None:
        return spec.folder(project, out, docs, options, suggestions)
    report = ExportReport()
    image_dir = out.with_name(out.stem + "-images")
    if spec.images:
        refuse_link(image_dir)  # before any page is rendered
    staging = Staging()
    try:
        if options.split:
            for name, ids in assign_splits(docs, parse_split(options.split), options.seed).items():
                path = out.with_name(f"{out.stem}-{name}{out.suffix}")
                _write_file(project, spec, path, ids, options, report, suggestions, image_dir, staging)
                report.splits[name] = len(ids)
        else:
            _write_file(project, spec, out, [d.id for d in docs], options, report, suggestions, image_dir, staging)
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    return report


def _write_file(
    project: Project, spec: Format, out: Path, ids: list[int], options: ExportOptions, report: ExportReport,
    suggestions: str, image_dir: Path, staging: Staging,
) -> None:
    assert spec.write is not None
    try:
        fd = staging.open(out)
        handle: IO[Any]
        if spec.binary:
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding="utf-8", newline=spec.newline)
        with handle:
            target = Target(project, out, handle, options, report, image_dir, staging)
            docs = export_documents(project, ids, options, report, suggestions, spec.regions, spec.beside,
                                    spec.all_layers)
            if spec.no_relations:
                docs = no_place_for_relations(docs, report, spec.no_relations)
            spec.write(docs, target)
        report.files.append(str(out))
        target.stage_beside()
    except OSError as exc:
        # The writers raise OSError only from writing (no such folder, no permission, disk full);
        # that is the user's to fix, so one line naming the file, not an internal error.
        raise cannot_write(out, exc) from None


__all__ = [
    "FORMATS",
    "ExportDocument",
    "ExportOptions",
    "ExportReport",
    "Format",
    "export",
    "export_documents",
]
