"""A document's text addressed by (page, offset): page data, ranges, word anchors and selection by geometry."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..records import Page, Span, Word
from .layer import PAGE_SEPARATOR, DocumentText, PageText, ResolvedSpan, SpatialIndex
from .normalise import fold

Pos = tuple[int, int]
"""(page number, character offset in that page's text)"""

# What a selection's edges shed: a drag that starts a character early must not store ", Committee".
_LEADING = "([{\"'“‘«<,;:.!?-–—"
_TRAILING = ")]}\"'”’»>,;:!?-–—"
_POSSESSIVE = ("'s", "’s")


@dataclass
class PageData:
    """One page's words in reading order, its text and a rectangle -> words index."""

    page: Page
    text: PageText
    index: SpatialIndex
    single: DocumentText  # the page alone, to resolve spans that lie on it
    position: dict[int, int]  # word id -> index in text.words
    cache: dict[str, object] = field(default_factory=dict)  # what views derive once per page (geometry)

    @classmethod
    def build(cls, page: Page, text: PageText, index: SpatialIndex | None = None) -> PageData:
        return cls(page, text, index or SpatialIndex(text.words), DocumentText([text]),
                   {w.id: i for i, w in enumerate(text.words)})

    @property
    def words(self) -> list[Word]:
        return self.text.words

    def word_range(self, first: int, last: int) -> TextRange:
        """The text of words first..last (indices on this page) as a range."""
        n = self.page.number
        return TextRange(self.page.document_id, (n, self.text.starts[first]), (n, self.text.ends[last]))


@dataclass(frozen=True)
class SpanOnPage:
    """The part of a span on one page: word indices and character range in that page's text."""

    span: Span
    first: int
    last: int
    start: int
    end: int


@dataclass(frozen=True)
class TextRange:
    """A run of a document's text from one (page, offset) to another; it may cross pages."""

    doc_id: int
    start: Pos
    end: Pos

    @classmethod
    def between(cls, doc_id: int, a: Pos, b: Pos) -> TextRange:
        return cls(doc_id, min(a, b), max(a, b))

    @property
    def empty(self) -> bool:
        return self.start >= self.end

    def on_page(self, number: int, length: int) -> tuple[int, int] | None:
        """The part of this range on page `number` (whose text has `length` characters)."""
        if not self.start[0] <= number <= self.end[0]:
            return None
        start = self.start[1] if number == self.start[0] else 0
        end = self.end[1] if number == self.end[0] else length
        return (start, end) if end > start else None


@dataclass(frozen=True)
class Anchor:
    """A text range snapped to words, as the core stores a span."""

    first_word_id: int
    last_word_id: int
    head: int
    tail: int


PageDataOf = Callable[[Page], PageData]


def anchor(rng: TextRange, pages: Sequence[Page], data: PageDataOf) -> Anchor | None:
    """The words a range covers (partial words keep head/tail offsets); None when it covers none."""
    first: tuple[int, int] | None = None  # (word id, head)
    last: tuple[int, int] | None = None  # (word id, tail)
    for number in range(rng.start[0], rng.end[0] + 1):
        text = data(pages[number - 1]).text
        part = rng.on_page(number, len(text.text))
        if part is None:
            continue
        hits = text.words_in_range(*part)
        if not hits:
            continue
        if first is None:
            i = hits[0]
            first = (text.words[i].id, max(0, part[0] - text.starts[i]))
        j = hits[-1]
        last = (text.words[j].id, max(0, text.ends[j] - part[1]))
    if first is None or last is None:
        return None
    return Anchor(first[0], last[0], first[1], last[1])


def _core_of(word: str) -> tuple[int, int] | None:
    """Offsets of a word without its edge punctuation (and a possessive 's); None if nothing is left."""
    start, end = 0, len(word)
    while start < end and word[start] in _LEADING:
        start += 1
    for suffix in _POSSESSIVE:
        if word[start:end].endswith(suffix) and end - start > len(suffix):
            end -= len(suffix)
            break
    while end > start and word[end - 1] in _TRAILING:
        end -= 1
    # A final full stop belongs to abbreviations ("U.S.", "Inc.") but not to a sentence's last word.
    if end > start and word[end - 1] == "." and "." not in word[start:end - 1] and not _abbreviation(word[start:end]):
        end -= 1
    return (start, end) if end > start else None


def _abbreviation(token: str) -> bool:
    """ "Ms.", "Inc.", "Jr." or an initial ("J."), whose full stop is part of the word."""
    stem = token[:-1]
    return stem.isalpha() and stem[0].isupper() and (len(stem) == 1 or (len(stem) <= 3 and stem[1:].islower()))


def snap(rng: TextRange, pages: Sequence[Page], data: PageDataOf) -> TextRange | None:
    """The range grown to whole words, then its edge punctuation trimmed; None when no word is left.

    This is what a span made from the selection stores, so a view previews exactly this.
    """
    words: list[tuple[int, int]] = []  # (page number, word index) in the range, in reading order
    for number in range(rng.start[0], rng.end[0] + 1):
        text = data(pages[number - 1]).text
        part = rng.on_page(number, len(text.text))
        if part is not None:
            # A word counts when the selection covers one of its letters or digits, not just its
            # edge punctuation (a drag starting on the full stop of "U.S." does not take "U.S.").
            words += [(number, i) for i in text.words_in_range(*part)
                      if any(ch.isalnum() for ch in text.text[max(part[0], text.starts[i]) : min(part[1], text.ends[i])])]
    cores = [(pos, _core_of(data(pages[pos[0] - 1]).words[pos[1]].text)) for pos in words]
    kept = [(pos, core) for pos, core in cores if core is not None]
    if not kept:
        return None
    (p1, i1), core1 = kept[0]
    (p2, i2), core2 = kept[-1]
    t1, t2 = data(pages[p1 - 1]).text, data(pages[p2 - 1]).text
    assert core1 is not None and core2 is not None
    start, end = t1.starts[i1] + core1[0], t2.starts[i2] + core2[1]
    # Trimming must not leave a bracket without its partner: "Justice (DOJ)" keeps its ")" and
    # "(DOJ) Office" its "(".
    inner = "".join(data(pages[n - 1]).text.text[start if n == p1 else 0 : end if n == p2 else None]
                    for n in range(p1, p2 + 1))
    for opening, closing in ("()", "[]", "{}"):
        balance = inner.count(opening) - inner.count(closing)
        if balance > 0 and t2.text[end : end + 1] == closing:
            end += 1
        elif balance < 0 and start > 0 and t1.text[start - 1 : start] == opening:
            start -= 1
    return TextRange(rng.doc_id, (p1, start), (p2, end))


def words_in(rng: TextRange, pages: Sequence[Page], data: PageDataOf) -> int:
    """How many words the range touches."""
    count = 0
    for number in range(rng.start[0], rng.end[0] + 1):
        text = data(pages[number - 1]).text
        part = rng.on_page(number, len(text.text))
        if part is not None:
            count += len(text.words_in_range(*part))
    return count


def runs(data: PageData, indices: Sequence[int]) -> list[TextRange]:
    """Word indices of one page as the fewest ranges of consecutive words (in reading order)."""
    out: list[TextRange] = []
    ordered = sorted(set(indices))
    start = 0
    for k in range(1, len(ordered) + 1):
        if k == len(ordered) or ordered[k] != ordered[k - 1] + 1:
            out.append(data.word_range(ordered[start], ordered[k - 1]))
            start = k
    return out


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _same_line(word: Word, other: Word) -> bool:
    """Two words share a printed line when their boxes overlap by half the smaller height."""
    h = min(word.box[3] - word.box[1], other.box[3] - other.box[1])
    return _overlap((word.box[1], word.box[3]), (other.box[1], other.box[3])) >= 0.5 * max(h, 1.0)


def between_words(data: PageData, a: int, b: int) -> list[int]:
    """The words from word `a` to word `b` as the page shows them, not as the OCR ordered them.

    Lines (the OCR's, which follow a skewed scan) run from the upper word's to the lower word's: the
    first from the upper word rightwards, the last up to the lower word, those between whole; and on
    every line only the columns the two words are in (runs of words split where a gap is wider than
    a column gutter), so a letterhead's name column beside the body is never crossed. Indices come
    back in reading order.
    """
    words = data.words
    if a == b:
        return [a]
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, w in enumerate(words):
        lines.setdefault((w.block, w.par, w.line), []).append(i)

    def key(i: int) -> tuple[int, int, int]:
        return (words[i].block, words[i].par, words[i].line)

    def middle(line: list[int]) -> float:
        return sum(words[i].box[1] + words[i].box[3] for i in line) / (2 * len(line))

    top, bottom = sorted((a, b), key=lambda i: (middle(lines[key(i)]), words[i].box[0]))
    wt, wb = words[top], words[bottom]
    if key(top) == key(bottom) or _same_line(wt, wb):
        x0, x1 = min(wt.box[0], wb.box[0]), max(wt.box[2], wb.box[2])
        return [i for i in sorted(set(lines[key(top)] + lines[key(bottom)]))
                if words[i].box[0] >= x0 - 0.5 and words[i].box[2] <= x1 + 0.5]
    y_top, y_bottom = middle(lines[key(top)]), middle(lines[key(bottom)])
    chosen_lines = [line for k, line in lines.items()
                    if k in (key(top), key(bottom)) or y_top < middle(line) < y_bottom]
    clusters = [c for line in chosen_lines for c in _clusters(line, words)]
    own = [c for c in clusters if top in c or bottom in c]
    col0 = min(words[i].box[0] for c in own for i in c)
    col1 = max(words[i].box[2] for c in own for i in c)
    chosen = []
    for cluster in clusters:
        if min(words[i].box[0] for i in cluster) > col1 or max(words[i].box[2] for i in cluster) < col0:
            continue
        for i in cluster:
            w = words[i]
            if key(i) == key(top) and w.box[0] < wt.box[0] - 0.5:
                continue
            if key(i) == key(bottom) and w.box[2] > wb.box[2] + 0.5:
                continue
            chosen.append(i)
    return sorted(chosen)


def _clusters(row: list[int], words: Sequence[Word]) -> list[list[int]]:
    """A printed line split into its columns: wherever the gap between words is a gutter."""
    ordered = sorted(row, key=lambda i: words[i].box[0])
    heights = sorted(words[i].box[3] - words[i].box[1] for i in ordered)
    gutter = 2.5 * max(heights[len(heights) // 2], 1.0)
    out = [[ordered[0]]]
    for prev, i in zip(ordered, ordered[1:]):
        if words[i].box[0] - words[prev].box[2] > gutter:
            out.append([])
        out[-1].append(i)
    return out


def span_on_page(span: Span, resolved: ResolvedSpan, extent: tuple[int, int], page: PageData,
                 page_text: Callable[[int], PageText]) -> SpanOnPage | None:
    """The part on `page` of a span resolved over its pages extent[0]..extent[1]."""
    p1, p2 = extent
    number = page.page.number
    if not p1 <= number <= p2:
        return None
    # Offsets of this page inside the text the span was resolved in (its pages joined).
    base = sum(len(page_text(n).text) + len(PAGE_SEPARATOR) for n in range(p1, number)) if p1 != p2 else 0
    start = max(resolved.start - base, 0)
    end = min(resolved.end - base, len(page.text.text))
    hits = page.text.words_in_range(start, end)
    if not hits:
        return None
    return SpanOnPage(span, hits[0], hits[-1], start, end)


@dataclass(frozen=True)
class Hit:
    """Where a phrase was found: a page number and a character range in that page's text."""

    page: int
    start: int
    end: int


def find(texts: Sequence[tuple[int, PageText]], phrase: str) -> list[Hit]:
    """Every occurrence of `phrase` on the given (page number, text) pages, in page order.

    Whole words at the edges (so "ICE" is not found inside "SERVICE"); any run of spaces or line
    breaks matches any other; dashes, quotes, accents and case are folded (see normalise.fold).
    """
    words = fold(phrase).split()
    if not words:
        return []
    body = r"\s+".join(re.escape(w) for w in words)
    head = r"(?<!\w)" if words[0][0].isalnum() else ""
    tail = r"(?!\w)" if words[-1][-1].isalnum() else ""
    pattern = re.compile(head + body + tail)
    hits = []
    for number, text in texts:
        hits += [Hit(number, m.start(), m.end()) for m in pattern.finditer(fold(text.text))]
    return hits
