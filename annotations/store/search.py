"""The full-text index of page texts (SQLite FTS5, trigram) and the queries over it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlite_utils import Database

from ..text.normalise import normalise

if TYPE_CHECKING:
    from ..text.search import DocumentHits, SearchHit

FTS_TABLE = "page_search"
"""One row per page: rowid is the page id, `text` its words in reading order, normalised and joined."""

CREATE_FTS = (
    # Trigrams find any substring of three characters or more, so a phrase is found inside a word
    # OCR joined to its neighbour, or across a word OCR split. Text arrives already case- and accent-folded.
    f"create virtual table {FTS_TABLE} using fts5(text, tokenize = 'trigram case_sensitive 1')"
)


FTS_PROBE = 32
"""Characters of a longer needle looked up in the index; the rest is compared on the pages it finds.
FTS5 reads one doclist per trigram of a phrase, even a repeated one: a 5,000-character query of
"the the ..." held 100 MB, a 131 KB one 4.7 GB over a large project."""


def page_key(words: Iterable[str]) -> str:
    """What the index holds for a page whose words, in reading order, are `words`."""
    return "".join(normalise(w) for w in words)


def fts_phrase(needle: str) -> str:
    """`needle` as one FTS5 string: the user's quotes, operators and brackets are only characters."""
    return '"' + needle.replace('"', '""') + '"'


class SearchStore:
    """The search methods of `Project`; every write that changes a page's words keeps its row current."""

    db: Database

    def search(self, query: str, limit: int | None = 50) -> list[SearchHit]:
        """Hits of `query` across the project; see annotations.text.search.search (served to the window)."""
        from ..text.search import search

        return search(self, query, limit)  # type: ignore[arg-type]

    def search_documents(self, query: str) -> list[DocumentHits]:
        """The documents that hold `query`; see annotations.text.search.search_documents."""
        from ..text.search import search_documents

        return search_documents(self, query)  # type: ignore[arg-type]

    def _index_page(self, page_id: int, words: Iterable[str]) -> None:
        self.db.execute(f"delete from {FTS_TABLE} where rowid = ?", [page_id])
        self.db.execute(f"insert into {FTS_TABLE} (rowid, text) values (?, ?)", [page_id, page_key(words)])

    def _reindex_page(self, page_id: int) -> None:
        rows = self.db.execute("select text from words where page_id = ? order by idx", [page_id]).fetchall()
        self._index_page(page_id, (r[0] for r in rows))

    def _unindex_document(self, doc_id: int) -> None:
        self.db.execute(f"delete from {FTS_TABLE} where rowid in (select id from pages where document_id = ?)", [doc_id])

    def matching_pages(self, needle: str, documents: Iterable[int] | None = None) -> list[tuple[int, int, int]]:
        """(document id, page number, page id) of every page whose normalised text holds `needle`
        (already normalised), in document and page order."""
        params: list[object]
        if len(needle) < 3:  # trigrams cannot look up one or two characters: read the index's text instead
            where = f"instr({FTS_TABLE}.text, ?) > 0"
            params = [needle]
        elif len(needle) <= FTS_PROBE:
            where = f"{FTS_TABLE} match ?"
            params = [fts_phrase(needle)]
        else:
            where = f"{FTS_TABLE} match ? and instr({FTS_TABLE}.text, ?) > 0"
            params = [fts_phrase(needle[:FTS_PROBE]), needle]
        sql = (f"select p.document_id, p.number, p.id from {FTS_TABLE} join pages p on p.id = {FTS_TABLE}.rowid "
               f"join documents d on d.id = p.document_id where {where} and d.complete = 1")
        if documents is not None:
            ids = list(documents)
            sql += f" and d.id in ({', '.join('?' * len(ids))})"
            params += ids
        # Read at once: a cursor left half-read would hold its snapshot (and the WAL) while hits are built.
        return self.db.execute(sql + " order by p.document_id, p.number", params).fetchall()

    def matching_page_counts(self, needle: str) -> list[tuple[int, int, int]]:
        """(document id, pages that hold `needle`, first such page number) per document, in id order."""
        counts: dict[int, list[int]] = {}
        for doc_id, number, _ in self.matching_pages(needle):
            entry = counts.setdefault(doc_id, [0, number])
            entry[0] += 1
        return [(doc_id, n, first) for doc_id, (n, first) in counts.items()]

