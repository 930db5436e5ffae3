"""Text layer: reading-order text from words, char ranges <-> words, rectangles -> words, span anchors.

Words are generated (hypothesis) with their block/paragraph/line structure; every expectation is
checked against the rule in the issue or a brute-force reference, never against the fast path.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from annotations.records import Span, Word
from annotations.text.layer import PAGE_SEPARATOR, DocumentText, PageText, SpatialIndex

# Word text: letters, digits, punctuation and symbols from all of Unicode; never whitespace.
word_texts = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Po", "Pd", "Sm", "Sc")),
    min_size=1,
    max_size=9,
)
# How a word follows the previous one.
breaks = st.sampled_from(["space", "line", "par", "block"])

_ids = itertools.count(1)


def make_page(texts: list[str], steps: list[str], page_id: int) -> list[Word]:
    words = []
    block, par, line = 1, 1, 1
    for i, text in enumerate(texts):
        step = steps[i] if i else "space"
        if step == "line":
            line += 1
        elif step == "par":
            par, line = par + 1, 1
        elif step == "block":
            block, par, line = block + 1, 1, 1
        x = 10 + 60 * (i % 30)
        y = 20 + 40 * line + 200 * par + 1000 * block
        words.append(Word(next(_ids), page_id, i, text, text, (x, y, x + 50, y + 30), 90.0, block, par, line))
    return words


@st.composite
def pages_of_words(draw, min_pages: int = 1, max_pages: int = 3, min_words: int = 1, max_words: int = 25):
    pages = []
    for p in range(draw(st.integers(min_pages, max_pages))):
        texts = draw(st.lists(word_texts, min_size=min_words, max_size=max_words))
        steps = draw(st.lists(breaks, min_size=len(texts), max_size=len(texts)))
        pages.append(make_page(texts, steps, page_id=p + 1))
    return pages


def expected_separator(prev: Word, word: Word) -> str:
    """The rule from the issue: a space inside a line, newline between lines, blank line between
    paragraphs and blocks."""
    if (prev.block, prev.par) != (word.block, word.par):
        return "\n\n"
    return "\n" if prev.line != word.line else " "


# --- page text ------------------------------------------------------------------------------------


def test_page_text_joins_words_lines_and_paragraphs() -> None:
    w = lambda i, text, block, par, line: Word(i, 1, i, text, text, (0, 0, 1, 1), 90, block, par, line)  # noqa: E731
    words = [
        w(0, "Dear", 1, 1, 1),
        w(1, "Ms.", 1, 1, 1),
        w(2, "Guerras:", 1, 1, 1),
        w(3, "Thank", 1, 2, 1),
        w(4, "you", 1, 2, 1),
        w(5, "for", 1, 2, 2),
        w(6, "writing.", 1, 2, 2),
        w(7, "Sincerely,", 2, 1, 1),
    ]
    page = PageText.build(list(reversed(words)))  # reading order comes from the word index
    assert page.text == "Dear Ms. Guerras:\n\nThank you\nfor writing.\n\nSincerely,"
    assert [page.text[s:e] for s, e in zip(page.starts, page.ends)] == [x.text for x in words]


def test_empty_page_has_empty_text() -> None:
    page = PageText.build([])
    assert page.text == "" and page.words_in_range(0, 5) == range(0)
    doc = DocumentText.from_words([[], make_page(["only"], ["space"], 2), []])
    assert doc.text == PAGE_SEPARATOR + "only" + PAGE_SEPARATOR
    assert doc.page_range(1) == (len(PAGE_SEPARATOR), len(PAGE_SEPARATOR) + 4)


@given(pages_of_words(max_pages=1, min_words=1))
def test_word_offsets_and_separators_follow_the_joining_rule(pages: list[list[Word]]) -> None:
    (words,) = pages
    page = PageText.build(words)
    assert page.starts[0] == 0 and page.ends[-1] == len(page.text)
    for i, word in enumerate(words):
        assert page.text[page.starts[i] : page.ends[i]] == word.text
        if i:
            assert page.text[page.ends[i - 1] : page.starts[i]] == expected_separator(words[i - 1], word)


@given(pages_of_words(min_pages=1, max_pages=4, min_words=0))
def test_document_text_is_page_texts_joined_by_the_separator(pages: list[list[Word]]) -> None:
    doc = DocumentText.from_words(pages)
    page_texts = [PageText.build(p).text for p in pages]
    assert doc.text == PAGE_SEPARATOR.join(page_texts)
    for i, text in enumerate(page_texts):
        start, end = doc.page_range(i)
        assert doc.text[start:end] == text
    # Every word knows where it is in the document text.
    flat = [w for p in pages for w in p]
    assert [doc.text[s:e] for s, e in zip(doc.starts, doc.ends)] == [w.text for w in flat]
    assert [w.id for w in doc.words] == [w.id for w in flat]


# --- character range -> words ---------------------------------------------------------------------


def brute_words(doc: DocumentText, start: int, end: int) -> list[int]:
    if end <= start:  # an empty (or reversed) range holds no character, so no word
        return []
    return [w.id for w, s, e in zip(doc.words, doc.starts, doc.ends) if s < end and e > start]


@given(pages_of_words(), st.data())
def test_words_in_range_matches_brute_force(pages: list[list[Word]], data: st.DataObject) -> None:
    doc = DocumentText.from_words(pages)
    n = len(doc.text)
    start = data.draw(st.integers(-2, n + 2), label="start")
    end = data.draw(st.integers(-2, n + 2), label="end")
    assert [w.id for w in doc.words_in_range(start, end)] == brute_words(doc, start, end)
    for p, words in enumerate(pages):
        page = PageText.build(words)
        base = doc.page_offsets[p]
        got = [page.words[i].id for i in page.words_in_range(start - base, end - base)]
        assert got == [w for w in brute_words(doc, start, end) if w in {x.id for x in words}]


# --- rectangle -> words ---------------------------------------------------------------------------

coords = st.floats(-300, 3000, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw):
    x0, y0 = draw(coords), draw(coords)
    w, h = draw(st.floats(0, 400)), draw(st.floats(0, 150))
    return (x0, y0, x0 + w, y0 + h)


def brute_query(words: list[Word], rect, mode: str) -> list[int]:
    rx0, rx1 = sorted((rect[0], rect[2]))
    ry0, ry1 = sorted((rect[1], rect[3]))
    hits = []
    for i, w in enumerate(words):
        x0, y0, x1, y1 = w.box
        if mode == "center":
            ok = rx0 <= (x0 + x1) / 2 <= rx1 and ry0 <= (y0 + y1) / 2 <= ry1
        elif mode == "overlap":
            ok = x0 < rx1 and x1 > rx0 and y0 < ry1 and y1 > ry0
        else:
            ok = rx0 <= x0 and x1 <= rx1 and ry0 <= y0 and y1 <= ry1
        if ok:
            hits.append(i)
    return hits


@given(
    st.lists(boxes(), max_size=60),
    st.tuples(coords, coords, coords, coords),
    st.sampled_from(["center", "overlap", "contain"]),
)
def test_spatial_query_matches_brute_force(word_boxes, rect, mode: str) -> None:
    words = [Word(i, 1, i, f"w{i}", f"w{i}", box, 90, 1, 1, 1) for i, box in enumerate(word_boxes)]
    assert SpatialIndex(words).query(rect, mode) == brute_query(words, rect, mode)


def test_spatial_query_rejects_unknown_mode() -> None:
    index = SpatialIndex([Word(1, 1, 0, "a", "a", (0, 0, 10, 10), 90, 1, 1, 1)])
    with pytest.raises(ValueError, match="mode"):
        index.query((0, 0, 20, 20), "nearby")


# --- anchors --------------------------------------------------------------------------------------


def covering_range(doc: DocumentText, data: st.DataObject) -> tuple[int, int]:
    """A random character range that covers at least one character of some word."""
    n = len(doc.text)
    start = data.draw(st.integers(0, n - 1), label="start")
    end = data.draw(st.integers(start + 1, n), label="end")
    assume(doc.text[start:end].strip())
    return start, end


@given(pages_of_words(min_words=1), st.data())
def test_anchor_then_resolve_gives_back_the_selected_text(pages, data: st.DataObject) -> None:
    doc = DocumentText.from_words(pages)
    start, end = covering_range(doc, data)
    first, last, head, tail = doc.anchor(start, end)
    resolved = doc.resolve(Span(1, 1, "agency", first, last, head, tail))
    selected = doc.text[start:end]
    # A selection that begins or ends in the space between words snaps to the words.
    assert resolved.text == selected.strip()
    assert resolved.start == start + len(selected) - len(selected.lstrip())
    assert doc.text[resolved.start : resolved.end] == resolved.text
    assert [w.id for w in resolved.words] == brute_words(doc, resolved.start, resolved.end)


@given(pages_of_words(min_words=1), st.data())
def test_anchor_refuses_a_range_of_only_whitespace(pages, data: st.DataObject) -> None:
    doc = DocumentText.from_words(pages)
    gaps = [(e, s) for e, s in zip(doc.ends, doc.starts[1:]) if s > e]
    assume(gaps)
    gap_start, gap_end = data.draw(st.sampled_from(gaps))
    start = data.draw(st.integers(gap_start, gap_end - 1))
    end = data.draw(st.integers(start + 1, gap_end))
    with pytest.raises(ValueError, match="cover no word"):
        doc.anchor(start, end)


def corrected(pages: list[list[Word]], word_id: int, text: str) -> list[list[Word]]:
    return [[replace(w, text=text) if w.id == word_id else w for w in page] for page in pages]


@given(pages_of_words(min_words=2), st.data())
def test_correcting_a_word_moves_no_other_span(pages, data: st.DataObject) -> None:
    """Spans survive an OCR correction of a different length: spans that do not contain the word
    keep their text; spans that contain it cover its new text; every span is text[start:end]."""
    before = DocumentText.from_words(pages)
    spans = []
    for n in range(data.draw(st.integers(1, 6), label="spans")):
        start, end = covering_range(before, data)
        spans.append(Span(n, 1, "agency", *before.anchor(start, end)))
    target = data.draw(st.sampled_from(before.words), label="corrected word")
    new_text = data.draw(word_texts.filter(lambda t: len(t) != len(target.text)), label="new text")
    after = DocumentText.from_words(corrected(pages, target.id, new_text))
    k = before.word_index(target.id)
    new_start, new_end = after.starts[k], after.ends[k]
    assert after.text[new_start:new_end] == new_text

    for span in spans:
        old, new = before.resolve(span), after.resolve(span)
        assert after.text[new.start : new.end] == new.text
        i, j = before.word_index(span.first_word_id), before.word_index(span.last_word_id)
        if not i <= k <= j:
            assert new.text == old.text
            continue
        assert target.id in [w.id for w in new.words]
        # The span still overlaps the corrected word...
        assert new.start < new_end and new.end > new_start
        # ...covers all of it unless the selection cut into that very word...
        cut_head = k == i and span.head > 0
        cut_tail = k == j and span.tail > 0
        if not cut_head:
            assert new.start <= new_start
        if not cut_tail:
            assert new.end >= new_end
        if k not in (i, j) or not (cut_head or cut_tail):
            # ...and is exactly the old text with the word replaced.
            offset = before.starts[k] - old.start
            assert new.text == old.text[:offset] + new_text + old.text[offset + len(target.text) :]
        # What lies outside the corrected word is untouched on both sides.
        if k != i:
            assert new.text[: before.starts[k] - old.start] == old.text[: before.starts[k] - old.start]
        if k != j:
            assert new.text[new_end - new.start :] == old.text[before.ends[k] - old.start :]


def test_span_over_a_partial_word_keeps_its_cut() -> None:
    """Selecting "Prevention" inside "Prevention's" stores a tail; correcting another word keeps it."""
    words = make_page(["Centers", "for", "Disease", "Control", "and", "Prevention's", "staff"], ["space"] * 7, 1)
    doc = DocumentText.from_words([words])
    start = doc.text.index("Prevention")
    span = Span(1, 1, "agency", *doc.anchor(doc.text.index("Centers"), start + len("Prevention")))
    assert doc.resolve(span).text == "Centers for Disease Control and Prevention"
    fixed = DocumentText.from_words(corrected([words], words[2].id, "Disease,"))
    assert fixed.resolve(span).text == "Centers for Disease, Control and Prevention"


def test_find_matches_phrases_across_line_and_page_breaks() -> None:
    doc = DocumentText.from_words(
        [make_page(["Centers", "for", "Disease"], ["space", "space", "line"], 1), make_page(["Control"], ["space"], 2)]
    )
    hits = doc.find("for  Disease Control")
    assert len(hits) == 1
    start, end = hits[0]
    assert doc.text[start:end].split() == ["for", "Disease", "Control"]
    assert doc.find("Disease Centers") == [] and doc.find("   ") == []


def test_find_matches_whole_words_only() -> None:
    """Tagging "ICE" --all must not tag the end of "JUSTICE" or "SERVICE"."""
    words = "DEPARTMENT OF JUSTICE and the ICE office ; ICE's agents ; SERVICES (ICE)".split()
    doc = DocumentText.from_words([make_page(words, ["space"] * len(words), 1)])
    hits = [doc.text[s - 1 : e + 1] for s, e in doc.find("ICE")]
    assert hits == [" ICE ", " ICE'", "(ICE)"]
    assert doc.find("Service") == [] and len(doc.find("services")) == 0
