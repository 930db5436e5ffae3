"""What the open project has read so far, and the one rule for dropping what a change touched."""

from __future__ import annotations

from collections import OrderedDict

from annotations.records import Document, Label, Page, Region, Relation, Span
from annotations.text.layer import ResolvedSpan
from annotations.text.ranges import PageData, SpanOnPage


class Caches:
    def __init__(self) -> None:
        # A page whose words are read in steps while its words change is read again: it counts
        # word changes per page, and resets of everything.
        self.page_generation: dict[int, int] = {}
        self.epoch = 0
        self.labels: list[Label] | None = None
        self.pages: dict[int, list[Page]] = {}
        self.page_data: OrderedDict[int, PageData] = OrderedDict()
        self.spans: dict[int, dict[int, Span]] = {}
        self.extents: dict[int, dict[int, tuple[int, int, int, int]]] = {}
        self.complete: set[int] = set()  # documents whose spans are all read
        self.regions: dict[int, dict[int, Region]] = {}
        self.relations: dict[int, dict[int, Relation]] = {}
        self.resolved: dict[int, ResolvedSpan] = {}
        self.on_page: dict[int, list[SpanOnPage]] = {}  # page id -> its spans, until one changes
        self.documents: dict[int, Document] | None = None

    def clear(self) -> None:
        """Forget everything read (pages being read in steps are read again)."""
        self.labels = None
        self.documents = None
        self.pages.clear()
        self.page_data.clear()
        self.epoch += 1
        self.spans.clear()
        self.extents.clear()
        self.complete.clear()
        self.regions.clear()
        self.relations.clear()
        self.resolved.clear()
        self.on_page.clear()

    def invalidate(self, doc_id: int | None, first: int | None, last: int | None, words: bool = False) -> None:
        """The one rule: whatever was derived from pages first..last of a document is read again.

        A change of words (an OCR correction) also drops the pages' words and every span resolved
        over them; a change of an annotation only what lists the annotations of those pages.
        """
        if doc_id is None or doc_id not in self.pages or first is None:
            return
        last = first if last is None else last
        pages = self.pages[doc_id]
        for number in range(max(first, 1), min(last, len(pages)) + 1):
            page_id = pages[number - 1].id
            self.on_page.pop(page_id, None)
            if words:
                self.page_data.pop(page_id, None)
                self.page_generation[page_id] = self.page_generation.get(page_id, 0) + 1
        if words:
            for span_id, (p1, _, p2, _) in self.extents.get(doc_id, {}).items():
                if p1 <= last and p2 >= first:
                    self.resolved.pop(span_id, None)

    def remember(self, doc_id: int, located: list[tuple[Span, tuple[int, int, int, int]]]) -> None:
        spans = self.spans.setdefault(doc_id, {})
        extents = self.extents.setdefault(doc_id, {})
        for span, extent in located:
            spans[span.id] = span
            extents[span.id] = extent
