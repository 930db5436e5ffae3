"""Put an existing project's pages in reading order, keeping every span on the words it had."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..records import Page, Span, Word
from .reading_order import METHOD, order_words


class Source(Protocol):
    def pages(self, doc_id: int) -> list[Page]: ...

    def words(self, page_id: int) -> list[Word]: ...

    def spans(self, doc_id: int | None = None) -> list[Span]: ...


@dataclass(frozen=True)
class Piece:
    """Part of a span after a reorder: its first and last word and the character cuts at its ends."""

    first_word_id: int
    last_word_id: int
    head: int
    tail: int


@dataclass
class Plan:
    """What `reorder` does to one document: the pages' new word order and the spans it touches."""

    document_id: int
    method: str = METHOD
    pages: dict[int, list[int]] = field(default_factory=dict)
    """page id -> its word ids in reading order, for the pages whose order changes."""
    unchanged: int = 0
    """Pages already in reading order (only their recorded method is brought up to date)."""
    anchors: dict[int, Piece] = field(default_factory=dict)
    """Spans whose words stay together but whose first or last word changes."""
    splits: dict[int, list[Piece]] = field(default_factory=dict)
    """Spans whose words would no longer be consecutive: each consecutive run in the new order."""
    methods: list[int] = field(default_factory=list)
    """Pages to record as put in order by `method`."""
    kept: dict[int, list[int]] = field(default_factory=dict)
    """Pages left in their order (page number -> the spans that would have been split), without --split."""


def plan(source: Source, doc_id: int, split: bool = False) -> Plan:
    """Plan the reorder of document `doc_id`.

    A span covers the words from its first to its last in document order. Where the new order
    keeps those words consecutive, the span stays on them (re-anchored when its end words change);
    where it would scatter them, the span is split into one span per consecutive run (`split`), or
    else the pages it lies on keep their order and are reported in `kept`.
    """
    pages = source.pages(doc_id)
    old: dict[int, list[int]] = {}
    new: dict[int, list[int]] = {}
    result = Plan(doc_id)
    for page in pages:
        words = source.words(page.id)
        old[page.id] = [w.id for w in words]
        # A PDF's own text layer is in its author's order, and an hOCR, ALTO or PAGE file in the order
        # someone (often by hand) gave it, not an OCR engine's: left as they are.
        new[page.id] = old[page.id] if _own_order(page) else [w.id for w in order_words(words)]
    spans = source.spans(doc_id)
    frozen: dict[int, set[int]] = {}  # page id -> the spans that keep it in its order
    while True:
        order = {p.id: old[p.id] if p.id in frozen else new[p.id] for p in pages}
        anchors, splits, touched = _spans(pages, old, order, spans)
        if split or not splits:
            break
        for span_id, page_ids in touched.items():
            for page_id in page_ids:
                frozen.setdefault(page_id, set()).add(span_id)
    number = {p.id: p.number for p in pages}
    for page in pages:
        if _own_order(page):
            continue
        if page.id in frozen:
            result.kept[number[page.id]] = sorted(frozen[page.id])
        else:
            if order[page.id] != old[page.id]:
                result.pages[page.id] = order[page.id]
            else:
                result.unchanged += 1
            if page.provenance.reading_order != METHOD:
                result.methods.append(page.id)
    result.anchors, result.splits = anchors, splits
    return result


def _own_order(page: Page) -> bool:
    return page.provenance.text_layer or bool(page.provenance.words_source)


def _spans(
    pages: list[Page], old: dict[int, list[int]], new: dict[int, list[int]], spans: list[Span]
) -> tuple[dict[int, Piece], dict[int, list[Piece]], dict[int, set[int]]]:
    old_doc = [w for p in pages for w in old[p.id]]
    new_doc = [w for p in pages for w in new[p.id]]
    old_pos = {w: i for i, w in enumerate(old_doc)}
    new_pos = {w: i for i, w in enumerate(new_doc)}
    page_of = {w: p.id for p in pages for w in old[p.id]}
    anchors: dict[int, Piece] = {}
    splits: dict[int, list[Piece]] = {}
    touched: dict[int, set[int]] = {}
    for span in spans:
        words = old_doc[old_pos[span.first_word_id]: old_pos[span.last_word_id] + 1]
        positions = sorted(new_pos[w] for w in words)
        runs: list[list[int]] = [[positions[0]]]
        for pos in positions[1:]:
            if pos == runs[-1][-1] + 1:
                runs[-1].append(pos)
            else:
                runs.append([pos])
        pieces = [_piece(span, new_doc[run[0]], new_doc[run[-1]]) for run in runs]
        if len(pieces) > 1 or (pieces[0].head, pieces[0].tail) != (span.head, span.tail):
            # Scattered, or together but with a cut end word no longer at an end: the cut would
            # fall on another word, so it is split at the cut words instead of silently moved.
            splits[span.id] = pieces
            touched[span.id] = {page_of[w] for w in words}
        elif (pieces[0].first_word_id, pieces[0].last_word_id) != (span.first_word_id, span.last_word_id):
            anchors[span.id] = pieces[0]
    return anchors, splits, touched


def _piece(span: Span, first: int, last: int) -> Piece:
    # A cut stays only on the word it was made on, when that word still ends the run.
    return Piece(first, last, span.head if first == span.first_word_id else 0,
                 span.tail if last == span.last_word_id else 0)
