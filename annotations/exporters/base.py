"""What every exporter reads (documents with text, pages, spans, regions, relations) and what it reports back."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..labels import ENTITY, LAYERS, STRUCTURE
from ..layers import default_layer, in_layer
from ..records import Box, Document, Label, Page, Region, Relation, Word, box_cover
from ..store import Project
from ..text.layer import DocumentText, ResolvedSpan
from ..wording import counted, counted_phrase

SUGGESTION_POLICIES = ("include", "exclude", "only")
SNAP_POLICIES = ("expand", "contract", "strict")
SCHEMES = ("iob2", "bilou")
ALL_LAYERS = "all"
LABEL_LAYERS = (*LAYERS, ALL_LAYERS)

SAME_OBJECT = 0.5
"""Two regions of one label whose intersection covers at least this share of the smaller box are one
object drawn twice. Not intersection over union: the commonest double is one analyst's tight box
inside another's generous one (a 300x80 signature in a 400x150 box has IoU 0.4, yet lies wholly
inside), while two distinct objects of one label on a page (two signatures side by side) seldom
overlap at all, let alone over half of one of them."""
RELATION_END_OUT = "relations with an end not exported (label, layer or suggestion filters)"
MAX_NAMED = 5
"""Documents a warning names before it counts the rest."""


@dataclass
class ExportOptions:
    """Filters shared by every format, the split, and the few options particular to one format.

    `suggestions=None` means the format's default: training formats leave unaccepted
    pre-annotations out (and count them); jsonl, csv and labelstudio keep them, marked.
    """

    labels: Sequence[str] | None = None
    documents: Sequence[int | str] | None = None
    statuses: Sequence[str] | None = None
    suggestions: str | None = None
    split: str | None = None
    seed: int = 0
    scheme: str = "iob2"  # conll
    snap: str = "expand"  # spacy: how a character span snaps to tokens (Doc.char_span alignment_mode)
    lang: str = "en"  # spacy: the language of spacy.blank
    include_spans: bool = False  # coco: span word boxes besides regions
    image_url: str = ""  # labelstudio: prefix for image paths, e.g. "/data/local-files/?d=export/"
    layer: str | None = None  # "adjudicated", "union" or an annotator; None: see layers.default_layer
    # Which labels' layer ("entity", "structure" or "all"); None: the format's default (entity for
    # the flat formats, which tag each word once, all for the rest). Set by `export` before writing.
    label_layer: str | None = None
    replace: bool = False  # funsd: replace the folders an earlier export wrote in the output folder
    images: bool = False  # alto, page, hocr: each page's image beside its file
    highlights: bool = False  # pdf: a highlight annotation per span
    corrected_only: bool = False  # ocr-lines: only lines with a corrected word, or of documents marked done


@dataclass
class ExportDocument:
    document: Document
    pages: list[Page]
    text: DocumentText
    spans: list[ResolvedSpan]
    regions: list[Region]
    relations: list[Relation] = field(default_factory=list)
    """The relations whose both ends are among `spans` and `regions`."""
    relation_labels: dict[str, Label] = field(default_factory=dict)
    # Spans of the layers the export did not choose, for a format with room for them beside (spaCy's
    # span groups); empty unless asked for.
    beside: list[ResolvedSpan] = field(default_factory=list)
    layers: dict[str, str] = field(default_factory=dict)  # label name -> its layer
    # Page lookups by id, built once: exporters ask per span and per region, and a scan of the
    # pages each time made a 200-page document cost pages x annotations.
    _index: dict[int, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {p.id: i for i, p in enumerate(self.pages)}

    def layer_of(self, r: ResolvedSpan) -> str:
        return self.layers.get(r.span.label, ENTITY)

    def layer_spans(self, layer: str) -> list[ResolvedSpan]:
        """The spans of `layer`, whether chosen or beside, in document order."""
        chosen = [r for r in self.spans + self.beside if self.layer_of(r) == layer]
        return sorted(chosen, key=lambda r: (r.start, r.end, r.span.id))

    def page_of(self, page_id: int) -> Page:
        return self.pages[self._index[page_id]]

    def page_index(self, page_id: int) -> int:
        return self._index[page_id]

    def span_boxes(self, span: ResolvedSpan) -> list[tuple[int, Box]]:
        """(page number, word box) for every word a span covers."""
        return [(self.page_of(w.page_id).number, w.box) for w in span.words]

    def span_pages(self, span: ResolvedSpan) -> list[tuple[int, int, int]]:
        """(page index, start, end) of the parts of a span on each page, in document offsets."""
        parts = []
        # Only the pages the span can touch: from the page its start lies on, while pages begin before its end.
        i = max(0, bisect_right(self.text.page_offsets, span.start) - 1)
        while i < len(self.pages) and self.text.page_offsets[i] < span.end:
            lo, hi = self.text.page_range(i)
            start, end = max(span.start, lo), min(span.end, hi)
            if start < end:
                parts.append((i, start, end))
            i += 1
        return parts


@dataclass
class ExportReport:
    """What an export wrote, what it had to change, and what it could not represent.

    Nothing is dropped silently: `skipped` counts what is not in the output, `adjusted` what is
    there in a changed form (a span snapped to tokens, split at a page break).
    """

    documents: int = 0
    spans: int = 0
    regions: int = 0
    files: list[str] = field(default_factory=list)
    images: int = 0
    image_folders: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    adjusted: dict[str, int] = field(default_factory=dict)
    splits: dict[str, int] = field(default_factory=dict)
    overlaps: dict[str, dict[str, int]] = field(default_factory=dict)  # label -> document name -> regions
    placed: dict[tuple[str, str], int] = field(default_factory=dict)  # (layer, where in the format) -> spans
    left_out_layers: set[str] = field(default_factory=set)  # layers whose spans --label-layer left out
    lines: int = 0  # ocr-lines: the text lines written
    relations: int = 0
    warnings: list[str] = field(default_factory=list)  # each a line of its own, after the rest

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def adjust(self, reason: str, count: int = 1) -> None:
        if count:
            self.adjusted[reason] = self.adjusted.get(reason, 0) + count

    def place(self, layer: str, where: str, count: int) -> None:
        """Count `count` spans of `layer` written `where` ("as entities", 'in doc.spans["structure"]')."""
        if count:
            self.placed[(layer, where)] = self.placed.get((layer, where), 0) + count

    def overlap(self, label: str, document: str, count: int) -> None:
        if count:
            per_document = self.overlaps.setdefault(label, {})
            per_document[document] = per_document.get(document, 0) + count

    def summary(self) -> list[str]:
        """Lines for a person: what was written, then every adjustment and omission, then what to check."""
        lines = [f"{counted(self.documents, 'document')}, {counted(self.spans, 'span')}, "
                 f"{counted(self.regions, 'region')}"
                 + (f", {counted(self.relations, 'relation')}" if self.relations else "")
                 + (f", {counted(self.lines, 'text line')}" if self.lines else "")]
        if self.splits:
            lines.append("split: " + ", ".join(f"{name} {counted(n, 'document')}" for name, n in self.splits.items()))
        # Said where the letter's structure is in play; an export of entities alone reads as before.
        if self.placed and (self.left_out_layers or any(layer != ENTITY for layer, _ in self.placed)):
            lines.append("; ".join(f"{n} {layer} span{'s' if n != 1 else ''} {where}"
                                   for (layer, where), n in self.placed.items()))
        lines += [f"adjusted: {counted_phrase(n, reason)}" for reason, n in self.adjusted.items()]
        lines += [f"not exported: {counted_phrase(n, reason)}" for reason, n in self.skipped.items()]
        for label, per_document in self.overlaps.items():
            n = sum(per_document.values())
            names = list(per_document)
            named = ", ".join(names[:MAX_NAMED]) + (f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else "")
            lines.append(f'warning: {n} region{"s" if n != 1 else ""} of "{label}" overlap{"" if n != 1 else "s"} '
                         f"another analyst's region on the same page (documents: {named}); adjudicate them to keep one")
        lines += [f"warning: {line}" for line in self.warnings]
        return lines


def duplicated_regions(regions: Sequence[Region]) -> dict[str, int]:
    """Per label, the regions that are another analyst's drawing of an object already there.

    Regions of one label on one page that cover each other by SAME_OBJECT, drawn by different
    analysts, form a group (transitively); what one analyst drew in it stands, the rest count.
    Suggestions are nobody's drawing and are left out; so is one analyst's own pair of boxes.
    """
    by_place: dict[tuple[int, str], list[Region]] = {}
    for region in regions:
        if not region.suggested:
            by_place.setdefault((region.page_id, region.label), []).append(region)
    counts: dict[str, int] = {}
    for (_page, label), drawn in by_place.items():
        for group in _same_objects(drawn):
            extra = len(group) - max(Counter(g.annotator for g in group).values())
            if extra:
                counts[label] = counts.get(label, 0) + extra
    return counts


def _same_objects(drawn: list[Region]) -> list[list[Region]]:
    """`drawn` in groups joined, transitively, by two analysts' boxes covering each other by SAME_OBJECT."""
    parent = list(range(len(drawn)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i] = parent[parent[i]]
        return i

    for i, p in enumerate(drawn):
        for j, q in enumerate(drawn[:i]):
            if p.annotator != q.annotator and box_cover(p.box, q.box) >= SAME_OBJECT:
                parent[root(i)] = root(j)
    groups: dict[int, list[Region]] = {}
    for i, region in enumerate(drawn):
        groups.setdefault(root(i), []).append(region)
    return list(groups.values())


def layer_hint(layer: str, all_layers: bool = True) -> str:
    """How to export what a `--label-layer` choice left out of `layer`."""
    return f"--label-layer {layer}" + (" or all" if all_layers else "") + " exports them"


def export_documents(
    project: Project, documents: Sequence[int] | None = None, options: ExportOptions | None = None,
    report: ExportReport | None = None, suggestions: str = "include", regions_out: bool = True,
    beside: bool = False, all_layers: bool = True,
) -> Iterator[ExportDocument]:
    """Every selected document, one at a time so a large project never sits in memory at once.

    `options.labels` keeps spans and regions of those labels; `suggestions` says what happens to
    spans and regions not yet accepted ("exclude" counts them in `report`). Where the format writes
    regions (`regions_out`), two analysts' boxes around one object are counted in `report`.
    `options.label_layer` keeps the spans (and, where written, regions) of labels of that layer; the
    other layer's spans go to `beside` where the format has room for them, else are counted.
    """
    ids = list(documents) if documents is not None else [d.id for d in project.documents()]
    labels = set(options.labels) if options and options.labels else None
    label_layer = (options.label_layer if options else None) or ALL_LAYERS
    layer_of = {label.name: label.layer for label in project.labels()}
    for doc_id in ids:
        doc = project.document(doc_id)
        text = project.document_text(doc_id, keep=False)
        all_spans, all_regions = project.spans(doc_id), project.regions(doc_id)
        # Each document, and its spans and regions, on their own: adjudicated spans do not hide the
        # regions of a document whose regions nobody adjudicated (nor the other way round).
        chosen = options.layer if options else None
        layer = chosen or default_layer(all_spans)
        spans, others = [], []
        for span in all_spans:
            if not in_layer(span, layer):
                if report is not None:
                    report.skip(f"spans outside the {layer} layer (--layer union exports them)")
                continue
            if labels is not None and span.label not in labels:
                continue
            if suggestions == "exclude" and span.suggested:
                if report is not None:
                    report.skip("suggested spans not yet accepted (--suggestions include exports them)")
                continue
            if suggestions == "only" and not span.suggested:
                continue
            span_layer = layer_of.get(span.label, ENTITY)
            if label_layer not in (ALL_LAYERS, span_layer):
                if beside:
                    others.append(text.resolve(span))
                elif report is not None:
                    report.skip(f"{span_layer} spans ({layer_hint(span_layer, all_layers)})")
                    report.left_out_layers.add(span_layer)
                continue
            spans.append(text.resolve(span))
        spans.sort(key=lambda r: (r.start, r.end, r.span.id))
        others.sort(key=lambda r: (r.start, r.end, r.span.id))
        regions = []
        layer = chosen or default_layer(all_regions)
        for region in all_regions:
            if not in_layer(region, layer):
                if report is not None:
                    report.skip(f"regions outside the {layer} layer (--layer union exports them)")
                continue
            if labels is not None and region.label not in labels:
                continue
            if suggestions == "exclude" and region.suggested:
                if report is not None:
                    report.skip("suggested regions not yet accepted (--suggestions include exports them)")
                continue
            if suggestions == "only" and not region.suggested:
                continue
            region_layer = layer_of.get(region.label, ENTITY)
            # Formats without regions count them all as theirs to leave out, whatever their layer.
            if regions_out and label_layer not in (ALL_LAYERS, region_layer):
                if report is not None:
                    report.skip(f"{region_layer} regions ({layer_hint(region_layer, all_layers)})")
                continue
            regions.append(region)
        if report is not None and regions_out:
            for label, count in duplicated_regions(regions).items():
                report.overlap(label, doc.name, count)
        relations = _relations(project, doc_id, spans, regions, labels, suggestions, report)
        relation_labels = {label.name: label for label in project.labels() if label.is_relation}
        yield ExportDocument(doc, project.pages(doc_id), text, spans, regions, relations, relation_labels,
                             others, layer_of)


def _relations(project: Project, doc_id: int, spans: Sequence[ResolvedSpan], regions: Sequence[Region],
               labels: set[str] | None, suggestions: str, report: ExportReport | None) -> list[Relation]:
    """The document's relations between exported annotations, under the same filters as spans (counted)."""
    out = {("span", r.span.id) for r in spans} | {("region", g.id) for g in regions}
    # --labels filters relations only when it names a relation label: naming span labels alone keeps
    # the relations between the spans it keeps.
    relation_names = {label.name for label in project.labels() if label.is_relation}
    chosen = labels & relation_names if labels is not None else set()
    kept = []
    for relation in project.relations(doc_id):
        if chosen and relation.label not in chosen:
            continue
        if suggestions == "exclude" and relation.suggested:
            if report is not None:
                report.skip("suggested relations not yet accepted (--suggestions include exports them)")
            continue
        if suggestions == "only" and not relation.suggested:
            continue
        if relation.from_end not in out or relation.to_end not in out:
            if report is not None:
                report.skip(RELATION_END_OUT)
            continue
        kept.append(relation)
    return kept


def no_place_for_relations(docs: Iterable[ExportDocument], report: ExportReport, fmt: str) -> Iterator[ExportDocument]:
    """`docs` without their relations, counted as not exported: `fmt` has no place for them."""
    for doc in docs:
        report.skip(f"relations ({fmt} has no place for them)", len(doc.relations))
        doc.relations = []
        yield doc


def primary_layer(options: ExportOptions) -> str:
    """The layer a flat format tags first: the one chosen, or the entities when all are."""
    return STRUCTURE if options.label_layer == STRUCTURE else ENTITY


def words_of_page(doc: ExportDocument, page_index: int) -> list[Word]:
    return doc.text.pages[page_index].words
