"""Project-wide search of the OCR text: hits with their document, page, words, boxes and a snippet."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ProjectError
from ..records import Box, Word
from .layer import PageText
from .normalise import normalise

if TYPE_CHECKING:
    from ..store import Project

MAX_QUERY_CHARS = 1_000
"""The longest query searched for; a longer one is refused (a page's phrase is never that long)."""

SNIPPET_CONTEXT = 40
"""Characters of the page text shown on either side of a hit."""


@dataclass(frozen=True)
class SearchHit:
    """One occurrence of the query on a page: the words it covers (ids and boxes in page pixels),
    their text, and the line of context around it."""

    document_id: int
    document_name: str
    page: int
    """The page number (1-based)."""
    page_id: int
    word_ids: list[int]
    boxes: list[Box]
    text: str
    """The words the hit covers (whole words), as the page reads them."""
    snippet: str
    """The hit in context, on one line."""


@dataclass(frozen=True)
class DocumentHits:
    """A document with pages that hold the query."""

    document_id: int
    document_name: str
    pages: int
    first_page: int


def query_key(query: str) -> str:
    """The normalised query; a ProjectError when it is longer than MAX_QUERY_CHARS or nothing searchable is left of it."""
    if len(query) > MAX_QUERY_CHARS:
        raise ProjectError(f"a query of {len(query):,} characters is too long to search for "
                           f"(at most {MAX_QUERY_CHARS:,})")
    key = normalise(query)
    if not key:
        raise ProjectError(f"nothing to search for in {query!r}")
    return key


def find_in_page(words: Sequence[Word], key: str) -> list[list[int]]:
    """Positions (in reading order) of the words each occurrence of `key` covers on one page."""
    ordered = sorted(words, key=lambda w: w.index)
    starts: list[int] = []
    parts: list[str] = []
    pos = 0
    for word in ordered:
        starts.append(pos)
        part = normalise(word.text)
        parts.append(part)
        pos += len(part)
    text = "".join(parts)
    found: list[list[int]] = []
    at = text.find(key)
    while at >= 0:
        first = bisect_right(starts, at) - 1
        last = bisect_right(starts, at + len(key) - 1) - 1
        # Words that normalise to nothing sit at the same offset as the next one; skip them.
        while first < last and not parts[first]:
            first += 1
        found.append(list(range(first, last + 1)))
        at = text.find(key, at + len(key))
    return found


def search(project: Project, query: str, limit: int | None = 50, documents: Sequence[int] | None = None) -> list[SearchHit]:
    """Every occurrence of `query` in the project's (corrected) OCR text, in document and page order.

    The query is the user's text: any characters, no search syntax. Case, accents, dashes, quotes,
    ligatures and spaces do not matter (see text/normalise.py); hits hold the page's own text.
    `limit` caps the hits (None: all). `project` is a store Project or ProjectReader.
    """
    key = query_key(query)
    names: dict[int, str] = {}
    hits: list[SearchHit] = []
    for doc_id, number, page_id in project.matching_pages(key, documents):
        if limit is not None and len(hits) >= limit:
            break
        if doc_id not in names:
            names[doc_id] = project.document(doc_id).name
        page = PageText.build(project.words(page_id))
        for positions in find_in_page(page.words, key):
            words = [page.words[i] for i in positions]
            start, end = page.starts[positions[0]], page.ends[positions[-1]]
            hits.append(SearchHit(
                doc_id, names[doc_id], number, page_id, [w.id for w in words], [w.box for w in words],
                page.text[start:end], _snippet(page.text, start, end),
            ))
            if limit is not None and len(hits) >= limit:
                break
    return hits


def search_documents(project: Project, query: str) -> list[DocumentHits]:
    """The documents whose text holds `query`, with how many of their pages do, in id order."""
    key = query_key(query)
    counts = project.matching_page_counts(key)
    return [DocumentHits(doc_id, project.document(doc_id).name, pages, first)
            for doc_id, pages, first in counts]


def _snippet(text: str, start: int, end: int) -> str:
    left = max(0, start - SNIPPET_CONTEXT)
    right = min(len(text), end + SNIPPET_CONTEXT)
    # Start and end on word boundaries where the context allows.
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    snippet = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")
