"""The selection belongs to the page on screen: what of it another page keeps, and the one check every edit of it goes through.

Keys, clicks and menus act on what the analyst sees. A selection made on one page and left behind
when another page or document is shown (a click in Documents, Alt+PgDown, a search hit, undo going
elsewhere) must never be deleted, relabelled or accepted off-screen, so every edit asks here for the
selected annotation or words, and gets them only when part of them is on the page shown.
"""

from __future__ import annotations

from annotations.records import Region, Relation, Span
from app.editing.selection import AnnotationRef, Selection, TextRange
from app.project.session import ProjectSession


def find_annotation(session: ProjectSession, ref: AnnotationRef) -> Span | Region | Relation | None:
    """The span, region or relation a reference names, when the window has read it."""
    if ref.kind == "span":
        return session.find_span(ref.id)
    if ref.kind == "region":
        return session.find_region(ref.id)
    return session.find_relation(ref.id)


def annotation_pages(session: ProjectSession, ref: AnnotationRef) -> tuple[int, int, int] | None:
    """(document id, first page, last page) of an annotation the window has read; None when it has
    not read it (it is then on no page shown) or it is gone. A relation spans the pages of both its
    ends and those between (where it is drawn, and so acted on, is annotation_on's)."""
    if ref.kind == "relation":
        relation = session.find_relation(ref.id)
        if relation is None:
            return None
        start = annotation_pages(session, AnnotationRef(*relation.from_end))
        end = annotation_pages(session, AnnotationRef(*relation.to_end))
        if start is None or end is None:
            return None
        return relation.document_id, min(start[1], end[1]), max(start[2], end[2])
    if ref.kind == "span":
        span = session.find_span(ref.id)
        if span is None:
            return None
        first, _, last, _ = session.extent(span)
        return span.document_id, first, last
    region = session.find_region(ref.id)
    if region is None:
        return None
    page = session.region_page(region)
    return page.document_id, page.number, page.number


def annotation_on(session: ProjectSession, ref: AnnotationRef, page: tuple[int, int] | None) -> bool:
    """Whether part of the annotation is on the page (document id, page number). A relation is where
    it is drawn: on its ends' pages (an arrow, or a stub toward the other end), not on those between."""
    if page is None:
        return False
    if ref.kind == "relation":
        relation = session.find_relation(ref.id)
        return relation is not None and any(
            annotation_on(session, AnnotationRef(*end), page) for end in (relation.from_end, relation.to_end))
    where = annotation_pages(session, ref)
    return where is not None and where[0] == page[0] and where[1] <= page[1] <= where[2]


def ranges_reach(ranges: tuple[TextRange, ...], page: tuple[int, int] | None) -> bool:
    """Whether some of the selected words are on the page."""
    return page is not None and any(r.doc_id == page[0] and r.start[0] <= page[1] <= r.end[0] for r in ranges)


def shown_annotation(session: ProjectSession, selection: Selection) -> AnnotationRef | None:
    """The selected annotation, only when part of it is on the page shown."""
    ref = selection.annotation
    return ref if ref is not None and annotation_on(session, ref, selection.page) else None


def shown_ranges(selection: Selection) -> tuple[TextRange, ...]:
    """The selected words, only when some of them are on the page shown: a selection may run on from
    there to another page of the document (Shift+click after a page turn), and is then tagged whole."""
    ranges = selection.ranges
    return ranges if ranges_reach(ranges, selection.page) else ()


def follow_page(session: ProjectSession, selection: Selection, doc_id: int, number: int) -> None:
    """Another page is shown: the selection keeps an annotation only when part of it is on that page,
    and words only of the same document. Words left on another page stay selected, unshown and not
    taggable from here, so that Shift+click on this page can extend them across the page break."""
    ref = selection.annotation
    if ref is not None and not annotation_on(session, ref, (doc_id, number)):
        selection.set_annotation(None)
    ranges = selection.ranges
    if ranges and ranges[0].doc_id != doc_id:
        selection.set_range(None, "page")
    # The page last: dropping the selection clears the status bar's message, and what the new page
    # ends says so after that (linking: "Linking cancelled: its first end is not on this page").
    selection.set_page((doc_id, number))
