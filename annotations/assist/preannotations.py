"""Pre-annotations in: spans as character offsets over a text (Scanspan JSONL, doccano, spaCy/Prodigy JSONL),
aligned to a document's OCR text and stored as suggestions the analyst accepts or rejects; and the regions
of Scanspan JSONL, placed by page and box, and its relations between them.

The file is read one line at a time and written in batches, each its own transaction, so any file size
takes the same memory, other processes writing the project get their turn, and a run that stops
half-way keeps what it stored: running the same file again adds the rest and nothing twice."""

from __future__ import annotations

import hashlib
import os
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, ProjectError, ScanspanError
from ..labels import ENTITY, choose_color, label_name_problem
from ..records import Box, Document, Label, Page, Span
from ..store import Project
from ..text.alignment import Alignment, align
from ..text.layer import DocumentText
from .annotation_files import (
    BadValue,
    ExternalRecord,
    ExternalRegion,
    ExternalRelation,
    ExternalSpan,
    Problem,
    Ref,
    parse_record,
    read_file,
)
from .preannotation_results import SHOWN, ImportResult, ImportStopped, ImportSummary, count

BATCH_RECORDS = 500
"""Most records per write transaction."""
BATCH_WRITES = 200
"""Most spans and regions per write transaction: some 0.1 s of the project's write lock, after which
other writers get their turn while the next batch is worked out."""
BATCH_SECONDS = 0.25
"""Longest a batch is read, or holds the project's write lock, before it is committed and others get a turn."""
CACHED_CHARACTERS = 4_000_000
"""Text of the alignments kept for reuse (each costs some 40 bytes per character)."""

Progress = Callable[[int, int, int], None]
"""progress(bytes read, file size, lines read)."""


class _Document:
    """What the import keeps per document across records: its text, the keys of its spans and regions, its pages.

    Loaded once, so that a record costs the same whether the document holds ten spans or a million.
    """

    def __init__(self, project: Project, doc: Document) -> None:
        self.doc = doc
        self.text: DocumentText = project.document_text(doc.id)
        # Each span's and region's id here (None until a planned one is written), for the relations naming them.
        self.spans: dict[tuple[str, int, int, int, int], int | None] = {
            (s.label, s.first_word_id, s.last_word_id, s.head, s.tail): s.id for s in project.spans(doc.id)}
        self.rejected = {(r.label, r.first_word_id, r.last_word_id, r.head, r.tail) for r in project.rejections(doc.id)}
        self.pages: dict[int, Page] = {p.number: p for p in project.pages(doc.id)}
        self.regions: dict[tuple[int, str, Box], int | None] = {(g.page_id, g.label, g.box): g.id
                                                                for g in project.regions(doc.id)}
        self.relations = {(r.label, r.from_end, r.to_end) for r in project.relations(doc.id)}
        self.own: Alignment | None = None  # the alignment of the document's own text, made on first use


class _Alignments:
    """Alignments by (document, text hash), least recently used dropped past CACHED_CHARACTERS."""

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[int, bytes], Alignment] = OrderedDict()
        self._characters = 0

    def get(self, state: _Document, text: str) -> Alignment:
        if text == state.text.text:
            # The usual record (an export of the same project, a model run over its text) costs one comparison.
            if state.own is None:
                state.own = align(text, text)
            return state.own
        key = (state.doc.id, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest())
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        found = align(text, state.text.text)
        self._cache[key] = found
        self._characters += len(text)
        while self._characters > CACHED_CHARACTERS and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._characters -= len(old.source)
        return found


@dataclass
class _Planned:
    """One record's writes, worked out before the write lock is taken, and its counts."""

    line: int
    state: _Document
    result: ImportResult
    labels: list[Label] = field(default_factory=list)
    spans: list[tuple[str, tuple[int, int, int, int], str, str, bool]] = field(default_factory=list)
    regions: list[tuple[ExternalRegion, int, Box, bool]] = field(default_factory=list)
    relations: list[ExternalRelation] = field(default_factory=list)
    # Where the record's span and region ids land here: their keys in _Document.spans / .regions.
    ends: dict[tuple[str, Ref | None], Any] = field(default_factory=dict)


# Magic numbers of what `scanspan import` takes: given here by mistake, every line of such a file
# would be a problem of its own, a screenful of "not JSON" for one wrong file.
_NOT_ANNOTATIONS = {b"%PDF-": "a PDF", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                    b"II*\x00": "a TIFF image", b"MM\x00*": "a TIFF image", b"PK\x03\x04": "a ZIP archive",
                    b"<": "an XML or HTML file", b"\xef\xbb\xbf<": "an XML or HTML file"}


def _not_annotations(head: bytes) -> str | None:
    """What the file is, when its first bytes show it is not JSONL at all."""
    return next((what for magic, what in _NOT_ANNOTATIONS.items() if head.lstrip(b" \t\r\n").startswith(magic)), None)


class AnnotationImport:
    """One run of a file into a project; `summary` holds what was stored, even after an exception."""

    def __init__(
        self, project: Project, path: str | Path, document: str | int | None = None, source: str | None = None,
        add_labels: bool = False,
    ) -> None:
        self.project = project
        self.path = Path(path)
        self.source = source or self.path.name
        self.document = document
        self.add_labels = add_labels
        self.summary = ImportSummary(self.path, self.source)
        self._states: dict[int, _Document] = {}
        self._by_name: dict[str, Document | None] = {}
        self._alignments = _Alignments()
        self._known: dict[str, str] = {}
        self._relation_labels: set[str] = set()
        self._colors: list[str] = []
        self._matched = 0
        self._line = 0

    def run(self, progress: Progress | None = None) -> ImportSummary:
        """Read the file to its end; ImportStopped (naming what is stored) when a batch cannot be written."""
        target = self.project.document(self.document) if self.document is not None else None
        labels = self.project.labels()
        # By the name's composed form: a file may write é as e and a combining accent.
        self._known = {_spelling(label.name): label.name for label in labels}
        self._relation_labels = {label.name for label in labels if label.is_relation}
        self._colors = [label.color for label in labels]
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise ProjectError(f"{self.path}: cannot read ({exc.strerror or exc})") from None
        with handle:
            size = os.fstat(handle.fileno()).st_size
            wrong = _not_annotations(handle.read(8))
            if wrong:
                raise ProjectError(f"{self.path}: {wrong}, not annotations (JSONL); "
                                   "scans, PDFs and ALTO, PAGE or hOCR words go in with: scanspan import")
            handle.seek(0)
            try:
                self._read(read_file(handle), target, size, progress)
            except ScanspanError as exc:
                self.summary.stopped = str(exc)
                raise ImportStopped(self.summary, str(exc)) from None
            except OSError as exc:
                self.summary.stopped = str(exc)
                raise ImportStopped(self.summary, f"{self.path}: cannot read ({exc.strerror or exc})") from None
            except KeyboardInterrupt:
                self.summary.stopped = "interrupted"
                raise
        if not self.summary.lines:
            raise ProjectError(f"{self.path}: no records")
        if target is not None and not self._matched and self.summary.other_documents:
            raise ProjectError(
                f"{self.path} holds {self.summary.other_documents} records and none is named {target.name!r}"
            )
        return self.summary

    def _read(self, items: Iterator[tuple[int, int, Any]], target: Document | None, size: int,
              progress: Progress | None) -> None:
        batch: list[_Planned] = []
        started, writes = time.monotonic(), 0
        shown = 0.0
        upcoming = next(items, None)
        first = True
        while upcoming is not None:
            line, done, value = upcoming
            upcoming = next(items, None)
            self._line = line
            self.summary.lines += 1
            if progress is not None and time.monotonic() - shown > 0.1:
                shown = time.monotonic()
                progress(done, size, self.summary.lines)
            only = first and upcoming is None  # a file of one record goes to the document given, whatever its name
            first = False
            planned = self._plan(line, value, target, only)
            if planned is not None:
                if not batch:
                    started, writes = time.monotonic(), 0
                batch.append(planned)
                writes += len(planned.spans) + len(planned.regions) + len(planned.relations) + len(planned.labels)
            if batch and (
                len(batch) >= BATCH_RECORDS or writes >= BATCH_WRITES or time.monotonic() - started >= BATCH_SECONDS
            ):
                self._flush(batch, line)
                batch = []
            elif not batch:
                self.summary.stored_through = line
        self._flush(batch, self._line)
        if progress is not None:
            progress(size, size, self.summary.lines)

    # -- one record, before any write --

    def _plan(self, line: int, value: Any, target: Document | None, only: bool) -> _Planned | None:
        if isinstance(value, Problem):
            self.summary.problem(value)
            return None
        try:
            record = parse_record(line, value)
        except BadValue as exc:
            self.summary.problem(Problem(line, str(exc)))
            return None
        doc = self._document_of(record, target, only)
        if doc is None:
            return None
        self._matched += 1
        state = self._states.get(doc.id)
        if state is None:
            state = self._states[doc.id] = _Document(self.project, doc)
        planned = _Planned(line, state, ImportResult(doc, records=1))
        for cause in record.bad_spans:
            planned.result.invalid += 1
            self.summary.problem(Problem(line, cause))
        for cause in record.bad_regions:
            planned.result.regions_invalid += 1
            self.summary.problem(Problem(line, cause))
        alignment = self._alignments.get(state, record.text) if record.spans else None
        if alignment is not None:
            planned.result.covered, planned.result.visible = alignment.covered, alignment.visible
        for n, span in enumerate(record.spans, start=1):
            self._plan_span(record, n, span, alignment, planned)  # type: ignore[arg-type]
        for n, region in enumerate(record.regions, start=1):
            self._plan_region(record, n, region, planned)
        for cause in record.bad_relations:
            planned.result.relations_invalid += 1
            self.summary.problem(Problem(line, cause))
        refs = {("span", s.ref) for s in record.spans} | {("region", g.ref) for g in record.regions}
        for relation in record.relations:
            self._plan_relation(relation, refs, planned)
        return planned

    def _document_of(self, record: ExternalRecord, target: Document | None, only: bool) -> Document | None:
        if target is not None:
            if record.name is None or record.name == target.name or only:
                return target
            self.summary.other_documents += 1
            if record.name not in self.summary.other_names and len(self.summary.other_names) < SHOWN:
                self.summary.other_names.append(record.name)
            return None
        if record.name is None:
            self.summary.problem(Problem(record.line, "no document name; say which with --document"))
            return None
        if record.name in self._by_name:
            doc = self._by_name[record.name]
        else:
            try:
                doc = self.project.document(record.name)
            except NotFoundError:
                doc = None
            except ProjectError as exc:  # two documents of that name
                self.summary.problem(Problem(record.line, str(exc)))
                return None
            if doc is not None or len(self._by_name) < 10_000:
                self._by_name[record.name] = doc
        if doc is None:
            self.summary.problem(Problem(record.line, f"no document {record.name!r} in {self.project.path.name}"))
        return doc

    def _label(self, name: str, what: str, planned: _Planned, layer: str = "",
               relation: ExternalRelation | None = None) -> str | None:
        """The project's label of that name (planned for adding with add_labels, in `layer` where the
        file names one, as a relation label for a relation), or None, counted."""
        known = self._known.get(_spelling(name))
        if known is not None or not self.add_labels:
            return known
        problem = label_name_problem(name)
        if problem is not None:
            self.summary.problem(Problem(planned.line, f"{what}: label {name!r} cannot be added: it {problem}"))
            return None
        color = choose_color(self._colors)
        self._colors.append(color)
        if relation is None:
            planned.labels.append(Label(name, color, layer=layer or ENTITY))
        else:
            planned.labels.append(Label(name, color, kind="relation", directed=relation.directed))
            self._relation_labels.add(name)
        self._known[_spelling(name)] = name
        return name

    def _plan_span(self, record: ExternalRecord, n: int, span: ExternalSpan, alignment: Alignment,
                   planned: _Planned) -> None:
        result, state = planned.result, planned.state
        if not 0 <= span.start < span.end <= len(record.text):
            result.invalid += 1
            self.summary.problem(Problem(
                record.line, f"span {n}: {span.start}-{span.end} is not a range of the text ({len(record.text)} characters)"
            ))
            return
        label = self._known.get(_spelling(span.label))
        if label is None:
            if not self.add_labels:
                count(result.unknown_labels, span.label)
                return
            label = self._label(span.label, f"span {n}", planned, span.layer)
            if label is None:
                result.invalid += 1
                return
        wanted = record.text[span.start : span.end]
        mapped = alignment.map_range(span.start, span.end)
        try:
            anchor = state.text.anchor(*mapped) if mapped else None
        except ValueError:
            anchor = None
        if anchor is None:
            result.not_aligned += 1
            if len(result.unaligned) < SHOWN:
                result.unaligned.append(wanted)
            return
        key = (label, *anchor)
        if key in state.spans:
            result.duplicates += 1
            planned.ends[("span", span.ref)] = key
            return
        if key in state.rejected:
            result.rejected += 1
            return
        state.spans[key] = None
        planned.ends[("span", span.ref)] = key
        got = state.text.resolve(Span(0, state.doc.id, label, *anchor)).text
        placed = got.split() == wanted.split()
        planned.spans.append((label, anchor, span.note, span.annotator, placed))

    def _plan_region(self, record: ExternalRecord, n: int, g: ExternalRegion, planned: _Planned) -> None:
        result, state = planned.result, planned.state
        label = self._known.get(_spelling(g.label))
        if label is None:
            if not self.add_labels:
                count(result.region_unknown_labels, g.label)
                return
            label = self._label(g.label, f"region {n}", planned, g.layer)
            if label is None:
                result.regions_invalid += 1
                return
        page = state.pages.get(g.page)
        if page is None:
            result.regions_off_page += 1
            return
        box, scaled = g.box, False
        size = record.page_sizes.get(g.page)
        if size is not None and size != (page.width, page.height):
            # The same letter imported at another resolution: the box keeps its place on the paper.
            sx, sy = page.width / size[0], page.height / size[1]
            box, scaled = (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy), True
        x0, y0, x1, y1 = min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])
        if not (0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height):
            result.regions_off_page += 1
            return
        key = (page.id, label, (x0, y0, x1, y1))
        if key in state.regions:
            result.region_duplicates += 1
            planned.ends[("region", g.ref)] = key
            return
        if self.project.region_rejected(page.id, label, (x0, y0, x1, y1)):
            result.rejected += 1
            return
        state.regions[key] = None
        planned.ends[("region", g.ref)] = key
        planned.regions.append((replace(g, label=label), page.id, box, scaled))

    def _plan_relation(self, relation: ExternalRelation, refs: set[tuple[str, Ref | None]], planned: _Planned) -> None:
        result, what = planned.result, f"relation {relation.n}"
        for side, end in (("from", relation.from_end), ("to", relation.to_end)):
            if end not in refs:
                result.relations_invalid += 1
                self.summary.problem(Problem(planned.line, f"{what}: {side} {end[0]} {end[1]!r}: the record has no "
                                                           f"{end[0]} of that id"))
                return
        label = self._known.get(_spelling(relation.label))
        if label is None:
            if not self.add_labels:
                count(result.relation_unknown_labels, relation.label)
                return
            label = self._label(relation.label, what, planned, relation=relation)
            if label is None:
                result.relations_invalid += 1
                return
        if label not in self._relation_labels:
            result.relations_invalid += 1
            self.summary.problem(Problem(planned.line, f"{what}: label {label!r} tags spans and regions, "
                                                       "not a relation label"))
            return
        planned.relations.append(replace(relation, label=label))

    # -- writing --

    def _flush(self, batch: list[_Planned], read_through: int) -> None:
        """Write the batch, one transaction per BATCH_SECONDS of writing; counts move to the summary once committed."""
        k = 0
        while k < len(batch):
            started = time.monotonic()
            written: list[_Planned] = []
            with self.project.transaction():
                while k < len(batch):
                    self._write(batch[k])
                    written.append(batch[k])
                    k += 1
                    if time.monotonic() - started >= BATCH_SECONDS:
                        break
            for planned in written:
                total = self.summary.results.get(planned.state.doc.id)
                if total is None:
                    total = self.summary.results[planned.state.doc.id] = ImportResult(planned.state.doc)
                total.merge(planned.result)
                self.summary.records += 1
                self.summary.labels_added += [label.name for label in planned.labels]
                self.summary.stored_through = planned.line
        self.summary.stored_through = max(self.summary.stored_through, read_through)

    def _write(self, planned: _Planned) -> None:
        result, doc_id = planned.result, planned.state.doc.id
        for label in list(planned.labels):
            try:
                self.project.add_label(label)
            except ProjectError:
                if label.name not in {known.name for known in self.project.labels()}:
                    raise
                planned.labels.remove(label)  # another process added it meanwhile
        for label_name, (first, last, head, tail), note, annotator, placed in planned.spans:
            try:
                stored = self.project.add_span(doc_id, label_name, first, last, head, tail, note=note,
                                               annotator=annotator, source=self.source, suggested=True)
            except (NotFoundError, ProjectError) as exc:
                # The label or the words went away under another process: this span cannot be stored.
                if type(exc) not in (NotFoundError, ProjectError):
                    raise  # busy, disk full, read-only: the batch stops
                result.invalid += 1
                self.summary.problem(Problem(planned.line, f"span not stored: {exc}"))
                continue
            planned.state.spans[(label_name, first, last, head, tail)] = stored.id
            if placed:
                result.placed += 1
            else:
                result.adjusted += 1
        for g, page_id, box, scaled in planned.regions:
            try:
                region = self.project.add_region(page_id, g.label, box, text=g.text, note=g.note,
                                                 annotator=g.annotator, source=self.source, suggested=True)
            except (NotFoundError, ProjectError) as exc:
                if type(exc) not in (NotFoundError, ProjectError):
                    raise
                result.regions_off_page += 1
                continue
            planned.state.regions[planned.ends[("region", g.ref)]] = region.id
            result.regions += 1
            result.regions_scaled += int(scaled)
        for relation in planned.relations:
            self._write_relation(relation, planned)

    def _write_relation(self, relation: ExternalRelation, planned: _Planned) -> None:
        result, state = planned.result, planned.state
        ends = []
        for kind, ref in (relation.from_end, relation.to_end):
            key = planned.ends.get((kind, ref))
            ident = None if key is None else (state.spans if kind == "span" else state.regions).get(key)
            if ident is None:
                result.relations_without_ends += 1
                return
            ends.append((kind, ident))
        if (relation.label, *ends) in state.relations:
            result.relation_duplicates += 1
            return
        if self.project.relation_rejected(relation.label, ends[0], ends[1]):
            result.relations_rejected += 1
            return
        try:
            self.project.add_relation(relation.label, ends[0], ends[1], note=relation.note,
                                      annotator=relation.annotator, source=self.source, suggested=True)
        except (NotFoundError, ProjectError) as exc:
            # An end its label does not allow, or gone under another process: this relation cannot be stored.
            if type(exc) not in (NotFoundError, ProjectError):
                raise
            result.relations_invalid += 1
            self.summary.problem(Problem(planned.line, f"relation {relation.n} not stored: {exc}"))
            return
        state.relations.add((relation.label, *ends))  # type: ignore[arg-type]
        result.relations += 1


def import_annotations(
    project: Project, path: str | Path, document: str | int | None = None, source: str | None = None,
    add_labels: bool = False, progress: Progress | None = None,
) -> ImportSummary:
    """Align each record's text to its document and add its spans, regions and relations as suggestions from `source`.

    With `document`, records named after it or unnamed go to it (a file of one record goes to it
    whatever its name); records naming other documents are counted and left out.
    """
    return AnnotationImport(project, path, document, source, add_labels).run(progress)


def _spelling(name: str) -> str:
    """A label name as labels are told apart: é written as one character or as e and a combining accent alike."""
    return unicodedata.normalize("NFC", name)
