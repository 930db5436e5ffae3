"""A page as archives' formats describe it: blocks of lines of words in reading order, with spans per word and line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ProjectError
from ..records import Box, Document, Page, Region, Relation, Word
from ..store import Project
from ..text.layer import ResolvedSpan
from .base import ExportDocument, ExportOptions, ExportReport, export_documents
from .output import PageRenderer, Staging, cannot_write, slug


@dataclass(frozen=True)
class SpanPart:
    """The part of a span on one line: its characters in the line's text, and whether the span goes on after it."""

    span: ResolvedSpan
    offset: int
    length: int
    continued: bool


@dataclass
class Line:
    words: list[Word]
    text: str
    starts: list[int]  # each word's first character in `text`
    parts: list[SpanPart] = field(default_factory=list)

    @property
    def box(self) -> Box:
        return union(w.box for w in self.words)


@dataclass
class Block:
    """The words of one paragraph of one block of the OCR, in reading order."""

    lines: list[Line]

    @property
    def box(self) -> Box:
        return union(line.box for line in self.lines)


@dataclass
class PageLayout:
    page: Page
    number: int  # 1-based, the page's number in its document
    blocks: list[Block]
    regions: list[Region]
    word_spans: dict[int, list[ResolvedSpan]]  # word id -> the spans covering any of it
    widened: int  # spans that begin or end inside a word (formats that tag whole words widen them)
    layers: dict[str, str] = field(default_factory=dict)  # label -> its layer, "entity" or "structure"
    relations: list[Relation] = field(default_factory=list)  # between two regions of this page

    @property
    def lines(self) -> list[Line]:
        return [line for block in self.blocks for line in block.lines]


def union(boxes: Iterable[Box]) -> Box:
    xs0, ys0, xs1, ys1 = zip(*boxes)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def label_layers(project: Project) -> dict[str, str]:
    """Each label's layer: "structure" for the parts of a letter (salutation, body, closing), else "entity".

    Read with a default: a project whose labels say no layer has only entity labels.
    """
    return {label.name: str(getattr(label, "layer", "entity")) for label in project.labels()}


def layout(doc: ExportDocument, page_index: int, layers: dict[str, str] | None = None) -> PageLayout:
    """Page `page_index` of `doc` as blocks, lines and words, with each span's parts placed on its lines.

    Runs of consecutive words (in reading order) with the same block and paragraph are a block, with
    the same line a line: the order of the page's text is kept even where the OCR's block numbers
    come back later on the page. A line's text is its words joined by one space, as in the page text.
    """
    page_text = doc.text.pages[page_index]
    base = doc.text.page_offsets[page_index]
    blocks: list[Block] = []
    line_ranges: list[tuple[Line, int]] = []  # (line, the document offset of its first character)
    previous: Word | None = None
    for k, word in enumerate(page_text.words):
        if previous is None or (previous.block, previous.par) != (word.block, word.par):
            blocks.append(Block([]))
        if previous is None or (previous.block, previous.par, previous.line) != (word.block, word.par, word.line):
            line = Line([], "", [])
            blocks[-1].lines.append(line)
            line_ranges.append((line, base + page_text.starts[k]))
        line = blocks[-1].lines[-1]
        line.starts.append(base + page_text.starts[k] - line_ranges[-1][1])
        line.words.append(word)
        previous = word
    for line in (line for block in blocks for line in block.lines):
        line.text = " ".join(w.text for w in line.words)
    start, end = doc.text.page_range(page_index)
    word_spans: dict[int, list[ResolvedSpan]] = {}
    widened = 0
    for span in doc.spans:
        if span.end <= start or span.start >= end:
            continue
        for word in span.words:
            if word.page_id == doc.pages[page_index].id:
                word_spans.setdefault(word.id, []).append(span)
        if span.start >= start and (span.span.head or span.span.tail):
            widened += 1
        parts = [(line, lo, max(span.start, lo), min(span.end, lo + len(line.text)))
                 for line, lo in line_ranges if span.start < lo + len(line.text) and span.end > lo]
        for n, (line, lo, s, e) in enumerate(parts):
            continued = n < len(parts) - 1 or span.end > end
            line.parts.append(SpanPart(span, s - lo, e - s, continued))
    page = doc.pages[page_index]
    regions = [g for g in doc.regions if g.page_id == page.id]
    here = {("region", g.id) for g in regions}
    relations = [r for r in doc.relations if r.from_end in here and r.to_end in here]
    return PageLayout(page, page.number, blocks, regions, word_spans, widened, layers or {}, relations)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NOT_XML = "texts with characters XML cannot hold (control characters), written as U+FFFD"


def xml_clean(text: str) -> str:
    """`text` with what XML 1.0 forbids replaced by U+FFFD, one for one (see xml_safe, which counts it)."""
    return _NOT_XML.sub("\ufffd", text)


def xml_safe(text: str, report: ExportReport) -> str:
    """`text` with what XML 1.0 forbids (control characters a PDF's text layer or a typed correction can
    hold) replaced one for one, so offsets into it stay right; counted as adjusted."""
    cleaned, count = _NOT_XML.subn("\ufffd", text)
    report.adjust(NOT_XML, 1 if count else 0)
    return cleaned


def page_stem(doc: ExportDocument, page: Page) -> str:
    """A page's file name without extension, the same at every export: document id, name and page, e.g. 3-letter-p2."""
    return f"{doc.document.id}-{slug(doc.document.name)}-p{page.number}"


def confidence(word: Word) -> float:
    """The engine's confidence as 0-1 (tesseract's are 0-100; -1, "none", is 0)."""
    return min(1.0, max(0.0, word.conf / 100))


PageWriter = Callable[[PageLayout, str, ExportReport], bytes]
"""(page, the name of its image, report) -> the page's file."""
PageFiles = Callable[[ExportDocument, PageLayout, str, ExportReport, PageRenderer], Iterable[tuple[str, bytes]]]
"""(document, page, the page's file stem, report, its renderer) -> (name, content) of each file the page gives."""


def one_file(suffix: str, write_page: PageWriter) -> PageFiles:
    """The files of a format that writes one file per page, PAGE.SUFFIX, naming its image PAGE.png."""
    def files(doc: ExportDocument, page: PageLayout, stem: str, report: ExportReport,
              renderer: PageRenderer) -> list[tuple[str, bytes]]:
        return [(stem + suffix, write_page(page, stem + ".png", report))]

    return files


def export_pages(
    project: Project, out: Path, docs: Sequence[Document], options: ExportOptions, suggestions: str,
    page_files: PageFiles, fmt: str = "", region_links: bool = False,
) -> ExportReport:
    """The folder OUT with the files of each page and, with options.images, its image PAGE.png.

    `fmt` names the format where the report counts the relations it leaves out: all of them, or
    with `region_links` (PAGE) those that do not link two regions of one page.

    The files are staged and put in place together once all are written; OUT is made if missing,
    and files of an earlier export with the same names are replaced (other files are left alone).
    """
    if out.exists() and not out.is_dir():
        raise ProjectError(f"{out}: is a file; this format writes a folder with one file per page")
    report = ExportReport()
    staging = Staging()
    renderer = PageRenderer(project)
    layers = label_layers(project)
    written: set[str] = set()
    try:
        for doc in export_documents(project, [d.id for d in docs], options, report, suggestions):
            linked = 0
            for i, page in enumerate(doc.pages):
                stem = page_stem(doc, page)
                page_layout = layout(doc, i, layers)
                linked += len(page_layout.relations) if region_links else 0
                for name, data in page_files(doc, page_layout, stem, report, renderer):
                    _stage(staging, out, name, data)
                    written.add(name)
                if options.images:
                    _stage(staging, out, stem + ".png", renderer.png(doc, page))
                    written.add(stem + ".png")
                    report.images += 1
            report.documents += 1
            report.spans += len(doc.spans)
            report.regions += len(doc.regions)
            report.relations += linked
            if region_links:
                report.skip(f"relations not between two regions of one page ({fmt} links regions)",
                            len(doc.relations) - linked)
            else:
                report.skip(f"relations ({fmt} has no place for them)", len(doc.relations))
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    # With no page to write nothing was staged, and the folder the report names would not be there.
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    report.files.append(str(out))
    if report.images:
        report.image_folders.append(str(out))
    _say_other_files(out, written, report)
    return report


def _say_other_files(out: Path, written: set[str], report: ExportReport) -> None:
    """Files in OUT this export did not write are left alone, but a tool reading the folder takes
    them as pages too: an earlier export's page of a document since removed would read as current."""
    try:
        others = sorted(p.name for p in out.iterdir() if p.name not in written and not p.name.startswith("."))
    except OSError:
        return
    if others:
        named = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        report.warnings.append(f"{len(others)} other file{'s' if len(others) != 1 else ''} in {out} "
                               f"{'were' if len(others) != 1 else 'was'} not written by this export and "
                               f"{'are' if len(others) != 1 else 'is'} still there ({named}); "
                               "export into an empty folder for exactly this export")


def _stage(staging: Staging, folder: Path, name: str, data: bytes) -> None:
    try:
        staging.write_in_folder(folder, name, data)
    except OSError as exc:
        raise cannot_write(folder / name, exc) from None
