"""The open project as the window sees it: reads through small caches, and every change announced.

`ProjectSession` is the thin QObject between the core and the views. Undo commands call its write
methods; each calls the core (one transaction). What changed, whoever changed it (this window or
another process: the CLI, an import, another window), is read back from the project's change log
and applied by one rule (`ChangeLog`, app/project/change_log.py): the caches (`Caches`) of the
(document, page)s a change touches are dropped, and a signal says what changed; every view follows
those signals. Nothing here paints or knows a widget.

Long documents never load whole: a page's words, text and spatial index are read when that page
is shown (a bounded LRU of pages), and the spans on a page are found from the core's span
extents (page and word index of each span's first and last word), not from the document text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from annotations.errors import ProjectBusy
from annotations.layers import is_adjudicated, is_tag
from annotations.records import Box, Document, DocumentSummary, Label, Page, Region, Relation, Span, Word
from annotations.store import Project
from annotations.store.documents import RemovedDocument
from annotations.store.rows import word_row
from annotations.store.server import ProjectProcess
from annotations.text.layer import DocumentText, PageText, ResolvedSpan, SpatialIndex
from annotations.text.ranges import PageData, SpanOnPage, span_on_page
from app.project.caches import Caches
from app.project.change_log import ChangeLog
from app.project.review_calls import AdjudicationCalls, SuggestionCalls
from app.project.write_queue import WriteQueue

TagCount = tuple[int, int]
"""(tags, suggestions still to review): what the navigator's Tags column shows for a page or document."""

PAGE_CACHE = 16
CLOSE_WITHIN = 1.0
"""Seconds closing waits for the project's process to close the project before killing it (one
stopped is killed at once): the window closes at once, and the file is consistent either way."""
"""Pages whose words stay in memory (a dense page is a few MB of Python objects)."""


class ProjectSession(QObject, SuggestionCalls, AdjudicationCalls):
    spanAdded = Signal(object)  # Span
    spanRemoved = Signal(object)  # Span
    spanChanged = Signal(object)  # Span
    regionAdded = Signal(object)  # Region
    regionRemoved = Signal(object)  # Region
    regionChanged = Signal(object)  # Region
    relationAdded = Signal(object)  # Relation
    relationRemoved = Signal(object)  # Relation
    relationChanged = Signal(object)  # Relation
    wordChanged = Signal(object)  # Word
    statusChanged = Signal(int, str)  # document id, status
    labelsChanged = Signal()
    documentAdded = Signal(object)  # Document
    reset = Signal()  # too much changed at once to say what: every view reads its page again
    restarted = Signal(int, int)  # the project's process died and another took over: writes stored, not stored
    closing = Signal()  # work queued for later turns of the event loop must not reach a closed project
    waiting = Signal(bool)  # the window waits for its project's process, which is working (see ProjectProcess.on_wait)

    def __init__(self, project: ProjectProcess | Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        # Who this window's edits are recorded as; the window sets the analyst's chosen name.
        self.annotator = default_annotator()
        self.writes = WriteQueue(self, getattr(project, "one_change", nullcontext))
        self._caches = Caches()
        self._log = ChangeLog(self, self._caches)
        if isinstance(project, ProjectProcess):
            project.on_wait = self.waiting.emit

    # -- project --------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.project.path

    @property
    def name(self) -> str:
        return self.project.path.stem

    @property
    def read_only(self) -> str | None:
        """Why the project cannot be changed here (a read-only file, folder or disk), or None."""
        return self.project.read_only

    def answering(self) -> bool:
        """The project's process answers now (a stopped one is not waited for: see answer_within)."""
        try:
            self.project.data_version()
        except ProjectBusy:
            return False
        return True

    def close(self) -> None:
        self.closing.emit()
        if isinstance(self.project, ProjectProcess):
            self.project.close(within=CLOSE_WITHIN)
        else:
            self.project.close()

    # -- following changes ------------------------------------------------------------------------

    def poll(self) -> bool:
        """Take in what other processes wrote since the last look; cheap when they wrote nothing."""
        return self._log.poll()

    def sync(self) -> None:
        """Apply every change after the last one seen, this window's own included."""
        self._log.sync()

    # -- labels ---------------------------------------------------------------------------------

    def labels(self) -> list[Label]:
        if self._caches.labels is None:
            self._caches.labels = self.project.labels()
        return self._caches.labels

    def label(self, name: str) -> Label | None:
        return next((label for label in self.labels() if label.name == name), None)

    def add_label(self, label: Label) -> Label:
        added = self.project.add_label(label)
        self.sync()
        return added

    # -- documents and pages ----------------------------------------------------------------------

    def documents(self) -> list[Document]:
        if self._caches.documents is None:
            self._caches.documents = {d.id: d for d in self.project.documents()}
        return list(self._caches.documents.values())

    def document(self, doc_id: int) -> Document:
        self.documents()
        assert self._caches.documents is not None
        return self._caches.documents[doc_id]

    def summaries(self) -> list[DocumentSummary]:
        return self.project.summaries()

    def pages(self, doc_id: int) -> list[Page]:
        pages = self._caches.pages.get(doc_id)
        if pages is None:
            pages = self._caches.pages[doc_id] = self.project.pages(doc_id)
        return pages

    def page(self, doc_id: int, number: int) -> Page:
        return self.pages(doc_id)[number - 1]

    def page_of_word(self, word_id: int) -> Page | None:
        """The page a word is on, among the documents read so far (an edited word's always is)."""
        page_id = self.project.word(word_id).page_id
        for pages in self._caches.pages.values():
            for page in pages:
                if page.id == page_id:
                    return page
        return None

    def page_by_id(self, doc_id: int, page_id: int) -> Page:
        return next(p for p in self.pages(doc_id) if p.id == page_id)

    def page_text(self, page: Page) -> PageText:
        """A page's text, from the cache when it is there; a long document's other pages are read
        without pushing the pages on screen out of it."""
        data = self._caches.page_data.get(page.id)
        if data is not None:
            return data.text
        return PageText.build([word_row(r) for r in self.project.word_rows(page.id)])

    def page_data(self, page: Page) -> PageData:
        data = self._caches.page_data.get(page.id)
        if data is None:
            for step in self.page_data_steps(page):
                step()
            data = self._caches.page_data[page.id]
        else:
            self._caches.page_data.move_to_end(page.id)
        return data

    def has_page_data(self, page: Page) -> bool:
        """The page's words are in memory (page_data(page) costs nothing)."""
        return page.id in self._caches.page_data

    def page_in_memory(self, page: Page) -> bool:
        """Showing the page reads nothing from the project: its words, the spans on it and its
        document's regions are in memory (a page prepared while idle, or seen before)."""
        return (page.id in self._caches.page_data and page.id in self._caches.on_page
                and page.document_id in self._caches.regions)

    def page_data_steps(self, page: Page) -> list[Callable[[], None]]:
        """Reading a page's words in a few steps of a few ms each, so that a page can be prepared
        on idle turns of the event loop; after the last step page_data(page) has it."""
        if page.id in self._caches.page_data:
            return []
        staged: dict[str, Any] = {"generation": (self._caches.epoch, self._caches.page_generation.get(page.id, 0))}

        def read() -> None:
            staged["rows"] = self.project.word_rows(page.id)

        def build() -> None:
            staged["words"] = [word_row(r) for r in staged.pop("rows")]

        def text() -> None:
            staged["text"] = PageText.build(staged["words"])

        def index() -> None:
            staged["index"] = SpatialIndex(staged["text"].words)

        def finish() -> None:
            if page.id in self._caches.page_data or staged["generation"] != (self._caches.epoch, self._caches.page_generation.get(page.id, 0)):
                return  # done meanwhile, or a word changed: read again when needed
            self._caches.page_data[page.id] = PageData.build(page, staged["text"], staged["index"])
            while len(self._caches.page_data) > PAGE_CACHE:
                self._caches.page_data.popitem(last=False)

        return [read, build, text, index, finish]

    def drop_caches(self) -> None:
        """Forget every page read so far (memory pressure; benchmarks of a first visit)."""
        self._caches.page_data.clear()
        self._caches.on_page.clear()
        self._caches.resolved.clear()

    def set_status(self, doc_id: int, status: str) -> None:
        self.project.set_status(doc_id, status)
        self.sync()

    def default_lang(self) -> str | None:
        """The OCR languages the project file keeps as its default (`scanspan import --keep-lang`), or None."""
        return self.project.default_lang()

    def set_default_lang(self, lang: str) -> None:
        self.project.set_default_lang(lang)

    def document_contents(self, doc_id: int) -> RemovedDocument:
        """What removing the document would remove (its file left out: only counted)."""
        return self.project.document_contents(doc_id, source=False)

    def remove_document(self, doc_id: int) -> RemovedDocument:
        removed = self.project.remove_document(doc_id)
        self.sync()
        return removed

    def restore_document(self, removed: RemovedDocument) -> Document:
        document = self.project.restore_document(removed)
        self.sync()
        return document

    def put_back_contents(self, contents: RemovedDocument) -> None:
        self.project.put_back_contents(contents)
        self.sync()

    # -- annotations (reads) ----------------------------------------------------------------------

    def spans(self, doc_id: int) -> dict[int, Span]:
        """Every span of a document (read once; pages shown before that read only their own)."""
        if doc_id not in self._caches.complete:
            self._caches.remember(doc_id, self.project.located_spans(doc_id))
            self._caches.complete.add(doc_id)
        return self._caches.spans[doc_id]

    def spans_loaded(self, doc_id: int) -> bool:
        return doc_id in self._caches.complete

    def extent(self, span: Span) -> tuple[int, int, int, int]:
        extent = self._caches.extents.get(span.document_id, {}).get(span.id)
        if extent is None:
            self.spans(span.document_id)
            extent = self._caches.extents[span.document_id][span.id]
        return extent

    def regions(self, doc_id: int) -> dict[int, Region]:
        regions = self._caches.regions.get(doc_id)
        if regions is None:
            regions = self._caches.regions[doc_id] = {r.id: r for r in self.project.regions(doc_id)}
        return regions

    def regions_on_page(self, page: Page) -> list[Region]:
        return [r for r in self.regions(page.document_id).values() if r.page_id == page.id]

    def relations(self, doc_id: int) -> dict[int, Relation]:
        """A document's relations (read once, then followed through the change log)."""
        relations = self._caches.relations.get(doc_id)
        if relations is None:
            relations = self._caches.relations[doc_id] = {r.id: r for r in self.project.relations(doc_id)}
        return relations

    def find_relation(self, relation_id: int) -> Relation | None:
        for relations in self._caches.relations.values():
            if relation_id in relations:
                return relations[relation_id]
        return None

    def resolve(self, span: Span) -> ResolvedSpan:
        """The span located in the text of the pages it covers (offsets relative to its first page)."""
        resolved = self._caches.resolved.get(span.id)
        if resolved is None or resolved.span != span:
            p1, _, p2, _ = self.extent(span)
            if p1 == p2:
                text = self.page_data(self.page(span.document_id, p1)).single
            else:
                pages = [self.page_data(self.page(span.document_id, n)).text for n in range(p1, p2 + 1)]
                text = DocumentText(pages)
            resolved = self._caches.resolved[span.id] = text.resolve(span)
        return resolved

    def span_text(self, span: Span) -> str:
        return " ".join(self.resolve(span).text.split())

    def spans_on_page(self, page: Page) -> list[SpanOnPage]:
        """Every span with words on `page`, in reading order of their start."""
        cached = self._caches.on_page.get(page.id)
        if cached is not None:
            return cached
        doc_id = page.document_id
        if doc_id in self._caches.complete:
            extents = self._caches.extents[doc_id]
            here = [self._caches.spans[doc_id][i] for i, (p1, _, p2, _) in extents.items() if p1 <= page.number <= p2]
        else:  # a long document's first pages: read only their spans
            located = self.project.located_spans(doc_id, page=page.number)
            self._caches.remember(doc_id, located)
            here = [span for span, _ in located]
        found: list[SpanOnPage] = []
        for span in here:
            part = self.span_on_page(span, page)
            if part is not None:
                found.append(part)
        found.sort(key=lambda s: (s.start, -s.end, s.span.id))
        self._caches.on_page[page.id] = found
        return found

    def span_on_page(self, span: Span, page: Page) -> SpanOnPage | None:
        p1, _, p2, _ = self.extent(span)
        if not p1 <= page.number <= p2:
            return None
        return span_on_page(span, self.resolve(span), (p1, p2), self.page_data(page),
                            lambda n: self.page_data(self.page(page.document_id, n)).text)

    def page_counts(self, doc_id: int) -> dict[int, TagCount]:
        """Tags and suggestions per page number: spans on their first page, regions on theirs.
        Adjudication's copies are not counted (annotations.layers.is_tag)."""
        counts: dict[int, TagCount] = {}

        def add(number: int, item: Span | Region) -> None:
            tags, suggested = counts.get(number, (0, 0))
            counts[number] = (tags + is_tag(item), suggested + item.suggested)

        spans = self.spans(doc_id)
        for span_id, (p1, _, _, _) in self._caches.extents[doc_id].items():
            add(p1, spans[span_id])
        numbers = {p.id: p.number for p in self.pages(doc_id)}
        for region in self.regions(doc_id).values():
            add(numbers[region.page_id], region)
        return counts

    def link_counts(self, doc_id: int) -> dict[int, int]:
        """Relations made or accepted per page number, each on the first page of its from end (as a span
        is counted on its first page). Adjudication's copies are not counted again."""
        counts: dict[int, int] = {}
        spans, regions = self.spans(doc_id), self.regions(doc_id)
        numbers = {p.id: p.number for p in self.pages(doc_id)}
        for relation in self.relations(doc_id).values():
            if relation.suggested or is_adjudicated(relation):
                continue
            kind, ident = relation.from_end
            if kind == "span":
                number = self._caches.extents[doc_id][ident][0] if ident in spans else None
            else:
                number = numbers.get(regions[ident].page_id) if ident in regions else None
            if number is not None:
                counts[number] = counts.get(number, 0) + 1
        return counts

    def find_span(self, span_id: int) -> Span | None:
        for spans in self._caches.spans.values():
            if span_id in spans:
                return spans[span_id]
        return None

    def region_page(self, region: Region) -> Page:
        for doc_id, regions in self._caches.regions.items():
            if region.id in regions:
                return self.page_by_id(doc_id, region.page_id)
        raise KeyError(region.id)

    def find_region(self, region_id: int) -> Region | None:
        for regions in self._caches.regions.values():
            if region_id in regions:
                return regions[region_id]
        return None

    # -- annotations (writes: called by undo commands) --------------------------------------------
    # Each write is one transaction in the project; what it changed comes back through sync().

    def add_span(self, doc_id: int, label: str, first: int, last: int, head: int, tail: int,
                 note: str = "", span_id: int | None = None, **extra: object) -> Span:
        span = self.project.add_span(doc_id, label, first, last, head, tail, note=note, span_id=span_id,
                                     annotator=self.annotator, **extra)  # type: ignore[arg-type]
        self.sync()
        return span

    def restore_span(self, span: Span) -> Span:
        """Put a deleted span back as it was: its id, analyst, times and source (a suggestion stays one,
        with its score and reason)."""
        restored = self.project.add_span(span.document_id, span.label, span.first_word_id, span.last_word_id,
                                         span.head, span.tail, note=span.note, span_id=span.id,
                                         annotator=span.annotator, source=span.source, suggested=span.suggested,
                                         stamps=(span.created, span.updated), score=span.score, reason=span.reason)
        self.sync()
        return restored

    def delete_span(self, span_id: int) -> Span:
        span = self.project.delete_span(span_id)
        self.sync()
        return span

    def update_span(self, span_id: int, *, label: str | None = None, note: str | None = None) -> Span:
        span = self.project.update_span(span_id, label=label, note=note)
        self.sync()
        return span

    def add_region(self, page: Page, label: str, box: Box, text: str = "", note: str = "",
                   region_id: int | None = None, source: str = "", suggested: bool = False) -> Region:
        region = self.project.add_region(page.id, label, box, text=text, note=note, region_id=region_id,
                                         annotator=self.annotator, source=source, suggested=suggested)
        self.regions(page.document_id)  # so that the region's document is followed from now on
        self.sync()
        return region

    def restore_region(self, page: Page, region: Region) -> Region:
        """Put a deleted region back as it was: its id, analyst, times and source (a suggestion stays one)."""
        restored = self.project.add_region(page.id, region.label, region.box, text=region.text,
                                           note=region.note, region_id=region.id, annotator=region.annotator,
                                           source=region.source, suggested=region.suggested,
                                           stamps=(region.created, region.updated))
        self.regions(page.document_id)  # so that the region's document is followed from now on
        self.sync()
        return restored

    def delete_region(self, region_id: int) -> Region:
        region = self.project.delete_region(region_id)
        self.sync()
        return region

    def update_region(self, region_id: int, **changes: object) -> Region:
        region = self.project.update_region(region_id, **changes)  # type: ignore[arg-type]
        self.sync()
        return region

    def add_relation(self, label: str, from_end: tuple[str, int], to_end: tuple[str, int], note: str = "",
                     relation_id: int | None = None) -> Relation:
        relation = self.project.add_relation(label, from_end, to_end, note=note, annotator=self.annotator,
                                             relation_id=relation_id)
        self.relations(relation.document_id)  # so that the relation's document is followed from now on
        self.sync()
        return relation

    def delete_relation(self, relation_id: int) -> Relation:
        relation = self.project.delete_relation(relation_id)
        self.sync()
        return relation

    def update_relation(self, relation_id: int, *, label: str | None = None, note: str | None = None) -> Relation:
        relation = self.project.update_relation(relation_id, label=label, note=note)
        self.sync()
        return relation

    def relations_removed_with(self, kind: str, annotation_id: int) -> list[Relation]:
        """The relations the deletion of this span or region took with it (for its undo)."""
        return self.project.relations_removed_with(kind, annotation_id)

    def restore_relations(self, relations: list[Relation]) -> None:
        """Put relations back under their ids (their ends exist again), as they were."""
        if relations:
            self.project.restore_relations(relations)
            self.sync()

    def correct_word(self, word_id: int, text: str) -> Word:
        word = self.project.correct_word(word_id, text)
        self.sync()
        return word

    def word(self, word_id: int) -> Word:
        return self.project.word(word_id)

    # -- label edits (called by the label commands) -----------------------------------------------
    # A rename changes every span and region of the label in the project's one transaction; they
    # come back through sync() as span and region changes, so the views recolour and relabel them.

    def update_label(self, name: str, changes: Mapping[str, object]) -> Label:
        label = self.project.update_label(name, changes)
        self.sync()
        return label

    def delete_label(self, name: str) -> tuple[Label, int]:
        deleted = self.project.delete_label(name)
        self.sync()
        return deleted

    def restore_label(self, label: Label, position: int | None) -> Label:
        """Add a label at `position` in the palette (where an undone delete had it)."""
        added = self.project.add_label(label, position)
        self.sync()
        return added

    def label_usage(self) -> dict[str, int]:
        return self.project.label_usage()


def default_annotator() -> str:
    """The OS user: who edits are recorded as until the analyst chooses a name."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
