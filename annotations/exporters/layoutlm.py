"""LayoutLM: one record per page (words, 0-1000 boxes, IOB2 tags, relations) and the page entities FUNSD shares."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..labels import STRUCTURE
from ..records import Box, Page, Word
from ..text.layer import ResolvedSpan
from .base import ALL_LAYERS, ExportDocument, ExportReport, primary_layer
from .output import Target
from .tagging import check_tag_labels, iob2, longest_wins

OVERLAP = "overlapping spans set aside (the longest one kept)"
WIDENED = "spans widened to whole words (an edge fell inside a word)"
PAGE_SPLIT = "spans split at a page break (one entity per page)"
PART_ASIDE = "parts of spans over a page break set aside by a longer overlap on their page (the other parts are exported)"
REGIONS = "regions (layoutlm tags words; coco or labelstudio export regions)"
RELATIONS_OUT = ("relations not between two spans on one page (a layoutlm record is one page and tags words; "
                 "jsonl and labelstudio export them all)")


def scale_box(box: Box, page: Page) -> list[int]:
    """A page-pixel box as integers 0-1000 of the page size (the LayoutLMv2/v3 convention)."""

    def scale(v: float, size: int) -> int:
        return min(1000, max(0, int(1000 * v / size)))

    x0, y0, x1, y1 = box
    return [scale(x0, page.width), scale(y0, page.height), scale(x1, page.width), scale(y1, page.height)]


def pixel_box(box: Box, page: Page) -> list[int]:
    """A box in whole page pixels, clamped to the page."""
    x0, y0, x1, y1 = box
    return [
        max(0, min(page.width, round(x0))), max(0, min(page.height, round(y0))),
        max(0, min(page.width, round(x1))), max(0, min(page.height, round(y1))),
    ]


@dataclass
class PageEntities:
    """One page's words and the span entities on it as word ranges [first, last) with a label."""

    page: Page
    words: list[Word]
    entities: list[tuple[int, int, str]]
    span_ids: list[int] = field(default_factory=list)
    """The span of each entity, in the same order."""

    def entity_of(self, end: tuple[str, int]) -> int | None:
        """The index of the entity a relation's end is on this page, or None."""
        kind, ident = end
        if kind != "span" or ident not in self.span_ids:
            return None
        return self.span_ids.index(ident)


def page_entities(
    doc: ExportDocument, report: ExportReport, spans: Sequence[ResolvedSpan] | None = None,
) -> tuple[list[PageEntities], int]:
    """Spans (the document's, or `spans`) cut at page breaks and widened to words, overlaps resolved
    per page (all counted).

    Returns the pages and how many spans lost every part of themselves to a longer overlap.
    """
    spans = doc.spans if spans is None else spans
    text = doc.text
    offsets = [0]
    for page_text in text.pages:
        offsets.append(offsets[-1] + len(page_text.words))
    parts: list[list[tuple[int, int, str, int]]] = [[] for _ in doc.pages]
    for n, r in enumerate(spans):
        pieces = doc.span_pages(r)
        report.adjust(PAGE_SPLIT, int(len(pieces) > 1))
        first_word, last_word = text.word_index(r.words[0].id), text.word_index(r.words[-1].id)
        report.adjust(WIDENED, int(r.start > text.starts[first_word] or r.end < text.ends[last_word]))
        for i, start, end in pieces:
            words = text.words_in_range(start, end)
            first = text.word_index(words[0].id) - offsets[i]
            last = text.word_index(words[-1].id) - offsets[i] + 1
            parts[i].append((first, last, r.span.label, n))
    result = []
    survivors: set[int] = set()
    lost: list[int] = []  # span of each part set aside
    for i, page in enumerate(doc.pages):
        kept, dropped = longest_wins(parts[i], [(a, b) for a, b, _, _ in parts[i]])
        survivors.update(n for *_, n in kept)
        lost += [n for *_, n in dropped]
        result.append(PageEntities(page, text.pages[i].words, [(a, b, label) for a, b, label, _ in kept],
                                   [spans[n].span.id for *_, n in kept]))
    aside = len(spans) - len(survivors)
    report.skip(OVERLAP, aside)
    # A span over a page break is exported if any of its parts is; a part that lost to an overlap on
    # its page is missing from the output all the same, so it is counted too.
    report.skip(PART_ASIDE, sum(1 for n in lost if n in survivors))
    return result, aside


def _page_fields(doc: ExportDocument, pe: PageEntities, image: str) -> dict[str, Any]:
    """What both page records start with: which page, its image and its size in pixels."""
    page = pe.page
    return {
        "id": f"{doc.document.id}-{page.number}",
        "document": doc.document.name,
        "page": page.number,
        "image": image,
        "width": page.width,
        "height": page.height,
    }


def layoutlm_record(doc: ExportDocument, pe: PageEntities, image: str,
                    structure: PageEntities | None = None) -> dict[str, Any]:
    page = pe.page
    record = {
        **_page_fields(doc, pe, image),
        "words": [w.text for w in pe.words],
        "bboxes": [scale_box(w.box, page) for w in pe.words],
        "ner_tags": iob2(len(pe.words), pe.entities),
        "relations": page_relations(doc, pe),
    }
    if structure is not None:
        record["structure_tags"] = iob2(len(structure.words), structure.entities)
    return record


def page_relations(doc: ExportDocument, pe: PageEntities) -> list[dict[str, Any]]:
    """The relations between two entities of the page: each end as its word range [start, end) and label."""
    found = []
    for relation in doc.relations:
        head, tail = pe.entity_of(relation.from_end), pe.entity_of(relation.to_end)
        if head is None or tail is None:
            continue
        (h0, h1, h_label), (t0, t1, t_label) = pe.entities[head], pe.entities[tail]
        directed = doc.relation_labels[relation.label].directed if relation.label in doc.relation_labels else True
        found.append({"id": relation.id, "label": relation.label, "directed": directed, "head": [h0, h1],
                      "head_label": h_label, "tail": [t0, t1], "tail_label": t_label})
    return found


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    report, options = target.report, target.options
    primary = primary_layer(options)
    for doc in docs:
        check_tag_labels((r.span.label for r in doc.spans), "layoutlm")
        tagged = doc.layer_spans(primary)
        pages, aside = page_entities(doc, report, tagged)
        report.place(primary, "as ner_tags", len(tagged) - aside)
        report.spans += len(tagged) - aside
        # With every layer, the structure gets a tag list of its own beside the entities' ner_tags.
        structure: list[PageEntities | None] = [None] * len(pages)
        if options.label_layer == ALL_LAYERS:
            parts = doc.layer_spans(STRUCTURE)
            structure_pages, structure_aside = page_entities(doc, report, parts)
            structure = list(structure_pages)
            report.place(STRUCTURE, "as structure_tags", len(parts) - structure_aside)
            report.spans += len(parts) - structure_aside
        written: set[int] = set()
        for pe, parts_on_page in zip(pages, structure):
            image = target.page_image(doc, pe.page)
            record = layoutlm_record(doc, pe, image, parts_on_page)
            written.update(r["id"] for r in record["relations"])
            target.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        report.relations += len(written)
        report.skip(RELATIONS_OUT, len(doc.relations) - len(written))
        report.documents += 1
        report.skip(REGIONS, len(doc.regions))
