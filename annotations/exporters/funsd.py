"""FUNSD as the dataset ships: a folder of annotations/<page>.json (a `form` each) beside images/<page>.png."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ProjectError
from ..records import Box, Document, Page, Word
from ..store import Project
from .base import ExportDocument, ExportOptions, ExportReport, export_documents
from .layoutlm import PageEntities, page_entities, pixel_box
from .output import PageRenderer, Staging, cannot_write, refuse_link, slug
from .select import assign_splits, parse_split
from .tagging import check_tag_labels, label_export_error

OTHER = "other"  # FUNSD's label for the words of a line that belong to no entity
REGION_NOTES = "region notes (a FUNSD entity has no place for one; jsonl, coco and labelstudio carry them)"
RELATIONS_OUT = ("relations whose ends are on different pages or in a span set aside (a FUNSD file is one page; "
                 "jsonl and labelstudio export them all)")
ANNOTATIONS, IMAGES = "annotations", "images"


def split_folder(name: str) -> str:
    """The folder of one split: FUNSD's own training_data and testing_data for train and test, else NAME_data."""
    return {"train": "training", "test": "testing"}.get(name, name) + "_data"


def page_stem(doc: ExportDocument, page: Page) -> str:
    """The file name of a page without extension: document id, name and page number, e.g. 3-letter-p2."""
    stem = f"{doc.document.id}-{slug(doc.document.name)}-p{page.number}"
    # FUNSD loaders (HuggingFace's funsd.py, LayoutLM's preprocess.py) find a page's image by replacing
    # "json" with "png", and "annotations" with "images", anywhere in the path: neither may be in a name.
    return re.sub("json|annotations", lambda m: m.group().upper(), stem)


def check_folder(out: Path, parts: Iterable[str], replace: bool) -> None:
    """Refuse a file where the folder goes, and the folders of an earlier export unless they are to be replaced."""
    if out.exists() and not out.is_dir():
        raise ProjectError(f"{out}: is a file; funsd writes a folder (annotations/ and images/ inside it)")
    for part in parts:
        path = out / part
        refuse_link(path)
        if path.exists() and not path.is_dir():
            raise ProjectError(f"{path}: is not a folder; funsd would write a folder there")
        if path.exists() and not replace:
            raise ProjectError(f"{out}: already holds {part}/ (an earlier export?); --force replaces it")


def form(doc: ExportDocument, pe: PageEntities, linked: set[int] | None = None) -> list[dict[str, Any]]:
    """FUNSD's form: every word in exactly one entity, in reading order; words in no span grouped by line as "other".

    Regions follow as entities without words, which FUNSD loaders skip. A relation between two
    entities of the page is the pair [from id, to id] in both entities' `linking`, as FUNSD has
    them; the ids of the relations written are added to `linked`.
    """
    page = pe.page
    groups: list[tuple[list[Word], str]] = []
    entity_of: dict[tuple[str, int], int] = {}  # an annotation's end -> its index in `groups`, then its id
    labelled = {k: (first, last, label, n) for n, (first, last, label) in enumerate(pe.entities)
                for k in range(first, last)}
    k = 0
    while k < len(pe.words):
        if k in labelled:
            first, last, label, n = labelled[k]
            if pe.span_ids:
                entity_of[("span", pe.span_ids[n])] = len(groups)
            groups.append((pe.words[first:last], label))
            k = last
            continue
        run = [pe.words[k]]
        k += 1
        while k < len(pe.words) and k not in labelled and _line(pe.words[k]) == _line(run[-1]):
            run.append(pe.words[k])
            k += 1
        groups.append((run, OTHER))
    items: list[dict[str, Any]] = []
    for words, label in groups:
        items.append(
            {
                "id": len(items),
                "text": " ".join(w.text for w in words),
                "box": pixel_box(_union(w.box for w in words), page),
                "label": label,
                "words": [{"text": w.text, "box": pixel_box(w.box, page)} for w in words],
                "linking": [],
            }
        )
    for region in doc.regions:
        if region.page_id == page.id:
            entity_of[("region", region.id)] = len(items)
            items.append(
                {"id": len(items), "text": region.text, "box": pixel_box(region.box, page), "label": region.label,
                 "words": [], "linking": []}
            )
    for relation in doc.relations:
        head, tail = entity_of.get(relation.from_end), entity_of.get(relation.to_end)
        if head is None or tail is None:
            continue
        for end in (head, tail):
            items[end]["linking"].append([head, tail])
        if linked is not None:
            linked.add(relation.id)
    return items


def provenance(doc: ExportDocument, page: Page) -> dict[str, Any]:
    """Where a page comes from, under a key FUNSD loaders never read (they read only `form`)."""
    return {
        "document": doc.document.name,
        "document_id": doc.document.id,
        "page": page.number,
        "width": page.width,
        "height": page.height,
        "dpi": [page.dpi_x, page.dpi_y],
        "coordinates": "page pixels of the image, [x0, y0, x1, y1], origin top-left",
        "reading_order": page.provenance.reading_order or "engine",
    }


def check_labels(doc: ExportDocument) -> None:
    # A label named "other" would be one class with the unlabelled words: indistinguishable once written.
    if any(r.span.label == OTHER for r in doc.spans) or any(g.label == OTHER for g in doc.regions):
        raise label_export_error("funsd", OTHER, "is FUNSD's label for words in no entity")
    # Every FUNSD loader turns labels into B-/I- tags.
    check_tag_labels((r.span.label for r in doc.spans), "funsd")


def write(project: Project, docs: Iterable[ExportDocument], folder: Path, final: Path, report: ExportReport) -> None:
    """Write `folder`/annotations/<stem>.json and `folder`/images/<stem>.png for every page of `docs`.

    `folder` is a staging folder of this export's own, put in place as `final` by the caller (errors name that).
    """
    renderer = PageRenderer(project)
    for name in (ANNOTATIONS, IMAGES):
        try:
            (folder / name).mkdir()
        except OSError as exc:
            raise cannot_write(final / name, exc) from None
    for doc in docs:
        check_labels(doc)
        pages, aside = page_entities(doc, report)
        linked: set[int] = set()
        if doc.spans:  # of one layer: a form takes no other
            report.place(doc.layer_of(doc.spans[0]), "as form entities", len(doc.spans) - aside)
        for pe in pages:
            stem = page_stem(doc, pe.page)
            record = {"form": form(doc, pe, linked), "scanspan": provenance(doc, pe.page)}
            _put(folder, final, f"{IMAGES}/{stem}.png", renderer.png(doc, pe.page))
            _put(folder, final, f"{ANNOTATIONS}/{stem}.json", json.dumps(record, ensure_ascii=False).encode())
            report.images += 1
        report.documents += 1
        report.spans += len(doc.spans) - aside
        report.regions += len(doc.regions)
        report.relations += len(linked)
        report.skip(RELATIONS_OUT, len(doc.relations) - len(linked))
        report.skip(REGION_NOTES, sum(1 for g in doc.regions if g.note))


def export(
    project: Project, out: Path, docs: Sequence[Document], options: ExportOptions, suggestions: str,
) -> ExportReport:
    """The folder OUT with annotations/ and images/, or with --split one folder per part (training_data/, ...).

    Only those folders change in OUT: they are written under temporary names and moved into place
    together once all are written, replacing an earlier export's only when options.replace says so.
    Anything else in OUT is left alone.
    """
    if options.split:
        parts = {split_folder(name): (name, ids)
                 for name, ids in assign_splits(docs, parse_split(options.split), options.seed).items()}
        if len(parts) < len(parse_split(options.split)):
            raise ProjectError(f"split {options.split!r}: two parts would share a folder ({', '.join(parts)})")
    else:
        parts = {"": ("", [d.id for d in docs])}
    written = [p for p in parts if p] or [ANNOTATIONS, IMAGES]
    check_folder(out, written, options.replace)
    report = ExportReport()
    staging = Staging()
    try:
        # Staged beside a new OUT, which then appears whole; inside an existing one, so only its
        # folders this export writes are replaced. Either way on OUT's file system, for renames.
        new = not out.exists()
        scratch = staging.folder(out if new else out / "export", out)
        for part, (name, ids) in parts.items():
            folder = scratch / part if part else scratch
            final = out / part if part else out
            if part:
                try:
                    folder.mkdir()
                except OSError as exc:
                    raise cannot_write(final, exc) from None
            docs_out = export_documents(project, ids, options, report, suggestions, all_layers=False)
            write(project, docs_out, folder, final, report)
            report.files.append(str(final / ANNOTATIONS))
            report.image_folders.append(str(final / IMAGES))
            if name:
                report.splits[name] = len(ids)
        if new:
            staging.move(scratch, out, replace=False)  # OUT was not there: whatever appeared there since is not ours
        else:
            for child in written:
                staging.move(scratch / child, out / child, options.replace)
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    return report


def _put(folder: Path, final: Path, name: str, data: bytes) -> None:
    try:
        (folder / name).write_bytes(data)
    except OSError as exc:
        raise cannot_write(final / name, exc) from None


def _line(word: Word) -> tuple[int, int, int]:
    return word.block, word.par, word.line


def _union(boxes: Iterable[Box]) -> Box:
    xs0, ys0, xs1, ys1 = zip(*boxes)
    return min(xs0), min(ys0), max(xs1), max(ys1)
