"""What every exporter reads: documents with their text, pages, resolved spans and regions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..model import Box, Document, Page, Region, Word
from ..store import Project
from ..textlayer import DocumentText, ResolvedSpan


@dataclass
class ExportDocument:
    document: Document
    pages: list[Page]
    text: DocumentText
    spans: list[ResolvedSpan]
    regions: list[Region]

    def page_of(self, page_id: int) -> Page:
        return next(p for p in self.pages if p.id == page_id)

    def span_boxes(self, span: ResolvedSpan) -> list[tuple[int, Box]]:
        """(page number, word box) for every word a span covers."""
        numbers = {p.id: p.number for p in self.pages}
        return [(numbers[w.page_id], w.box) for w in span.words]


@dataclass
class ExportReport:
    """What an export wrote, and what it could not represent (never dropped silently)."""

    documents: int = 0
    spans: int = 0
    regions: int = 0
    files: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + count


def export_documents(project: Project, documents: Sequence[int] | None = None) -> Iterator[ExportDocument]:
    """Every selected document, one at a time so a large project never sits in memory at once."""
    ids = list(documents) if documents is not None else [d.id for d in project.documents()]
    for doc_id in ids:
        doc = project.document(doc_id)
        text = project.document_text(doc_id)
        spans = sorted((text.resolve(s) for s in project.spans(doc_id)), key=lambda r: (r.start, r.end, r.span.id))
        yield ExportDocument(doc, project.pages(doc_id), text, spans, project.regions(doc_id))


def words_of_page(doc: ExportDocument, page_index: int) -> list[Word]:
    return doc.text.pages[page_index].words
