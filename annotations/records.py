"""Plain dataclasses for documents, pages, words, labels, spans, regions and relations."""

from __future__ import annotations

from dataclasses import dataclass, field

Box = tuple[float, float, float, float]
"""[x0, y0, x1, y1] in page pixels at the page's scan resolution, origin top-left."""

COORDINATES = "page pixels at the page's scan resolution (dpi), origin top-left, [x0, y0, x1, y1]"


REGION_IOU = 0.5
"""Two regions of one label on one page agree when their intersection over union reaches this."""


def box_iou(p: Box, q: Box) -> float:
    """Intersection over union of two boxes (0 when they do not overlap)."""
    w = min(p[2], q[2]) - max(p[0], q[0])
    h = min(p[3], q[3]) - max(p[1], q[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
    return inter / union if union > 0 else 0.0


def box_cover(p: Box, q: Box) -> float:
    """Intersection over the smaller box's area: 1 when one box lies inside the other (0 when they do not overlap)."""
    w = min(p[2], q[2]) - max(p[0], q[0])
    h = min(p[3], q[3]) - max(p[1], q[1])
    smaller = min((p[2] - p[0]) * (p[3] - p[1]), (q[2] - q[0]) * (q[3] - q[1]))
    if w <= 0 or h <= 0 or smaller <= 0:
        return 0.0
    return w * h / smaller


@dataclass(frozen=True)
class RawWord:
    """A word as an engine or a PDF text layer produced it, before it is stored."""

    text: str
    box: Box
    conf: float
    block: int
    par: int
    line: int
    ocr_text: str = ""
    """What the engine read, where a file brings a word already corrected ("" when `text` is the engine's)."""


@dataclass(frozen=True)
class RawSpan:
    """A span a words file brings with its page: its label over the page's words `first` to `last` (indices)."""

    label: str
    first: int
    last: int
    head: int = 0
    tail: int = 0
    note: str = ""


@dataclass(frozen=True)
class RawRegion:
    """A region a words file brings with its page, its box in the page's pixels."""

    label: str
    box: Box
    text: str = ""
    note: str = ""


@dataclass(frozen=True)
class Word:
    """One OCR (or text-layer) word; `text` is what exports see, `ocr_text` what the engine read."""

    id: int
    page_id: int
    index: int
    text: str
    ocr_text: str
    box: Box
    conf: float
    block: int
    par: int
    line: int

    @property
    def corrected(self) -> bool:
        return self.text != self.ocr_text


@dataclass(frozen=True)
class Provenance:
    """How a page's words were obtained."""

    engine: str
    engine_version: str
    lang: str
    psm: int | None
    dpi: float
    text_layer: bool
    upscale: float = 1.0
    reading_order: str = ""
    """How the words were put in reading order: "" the engine's own order, else a method of annotations.ingest.reading_order."""
    ocr_input: str = ""
    """How the image was prepared for the engine (annotations.ingest.ocr.OcrPlan.describe); "" from the resolution alone."""
    words_source: str = ""
    """Where the words came from when no engine of ours read them, e.g. "words from ALTO v4 file a.xml made by
    ABBYY"; "" for OCR and PDF text layers. `engine` then names the format and `engine_version` its maker."""


@dataclass(frozen=True)
class Page:
    id: int
    document_id: int
    number: int
    width: int
    height: int
    dpi_x: float
    dpi_y: float
    image_sha256: str
    provenance: Provenance


@dataclass(frozen=True)
class Document:
    id: int
    name: str
    source_sha256: str
    page_count: int
    status: str
    created: str


LABEL_KINDS = ("span", "relation")
"""A label tags spans and regions ("span"), or links two of them ("relation")."""

ANNOTATION_KINDS = ("span", "region")
"""What either end of a relation may be."""


@dataclass(frozen=True)
class Label:
    """A label of the project; a relation label may say which labels its ends may carry (empty: any)."""

    name: str
    color: str
    shortcut: str | None = None
    description: str = ""
    layer: str = "entity"  # what its annotations describe: "entity" or "structure" (labels.LAYERS)
    kind: str = "span"
    directed: bool = True
    """Whether a relation of this label reads from -> to (exports say "right"), or either way."""
    from_labels: tuple[str, ...] = ()
    to_labels: tuple[str, ...] = ()

    @property
    def is_relation(self) -> bool:
        return self.kind == "relation"


@dataclass(frozen=True)
class Span:
    """A run of document text anchored to words.

    `head` is how many characters of the first word lie before the span, `tail` how many of the
    last word lie after it, so a span over whole words survives any correction of their text.
    A `suggested` span is a pre-annotation (from `source`, e.g. a model's output file) that the
    analyst has not accepted yet; `score` (0-1) is how sure its source was, None for spans made by hand,
    and `reason` why it was proposed.
    """

    id: int
    document_id: int
    label: str
    first_word_id: int
    last_word_id: int
    head: int = 0
    tail: int = 0
    note: str = ""
    annotator: str = ""
    created: str = ""
    updated: str = ""
    source: str = ""
    suggested: bool = False
    score: float | None = None
    reason: str = ""
    """Why a suggestion's source proposed it ("exact", "case", "1 OCR edit: 'Justlce' for 'Justice'")."""


@dataclass(frozen=True)
class Region:
    """A labelled rectangle on one page, for what is not text (a handwritten signature, a stamp).

    Like a span, a `suggested` region is a pre-annotation (from `source`) not yet accepted.
    """

    id: int
    page_id: int
    label: str
    box: Box
    text: str = ""
    note: str = ""
    annotator: str = ""
    created: str = ""
    updated: str = ""
    source: str = ""
    suggested: bool = False


@dataclass(frozen=True)
class Relation:
    """A labelled link between two annotations of one document: span or region at either end.

    `from_kind`/`to_kind` are "span" or "region", `from_id`/`to_id` the annotation's id. Like a
    span, a `suggested` relation is a pre-annotation (from `source`) not yet accepted.
    """

    id: int
    document_id: int
    label: str
    from_kind: str
    from_id: int
    to_kind: str
    to_id: int
    note: str = ""
    annotator: str = ""
    created: str = ""
    updated: str = ""
    source: str = ""
    suggested: bool = False

    @property
    def from_end(self) -> tuple[str, int]:
        return (self.from_kind, self.from_id)

    @property
    def to_end(self) -> tuple[str, int]:
        return (self.to_kind, self.to_id)


@dataclass
class DocumentSummary:
    """What `scanspan list` shows for one document."""

    id: int
    name: str
    pages: int
    status: str
    ocr: dict[str, int] = field(default_factory=dict)
    spans: int = 0
    regions: int = 0
    tags: int = 0
    """Spans and regions made or accepted by analysts (annotations.layers.is_tag)."""
    suggestions: int = 0
    """Suggested spans and regions still to review."""
    links: int = 0
    """Relations made or accepted by analysts (adjudication's copies not again)."""

    @property
    def annotations(self) -> int:
        return self.spans + self.regions


DOCUMENT_STATUSES = ("new", "in progress", "done")
