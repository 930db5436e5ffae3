"""Page-addressed text: selections snapped to whole words, and selection by the page's geometry."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotations.records import Page, Provenance, Word
from annotations.text.layer import PageText
from annotations.text.ranges import PageData, TextRange, between_words, runs, snap


def page_of(lines: list[list[tuple[str, float, float]]], column_blocks: bool = False) -> PageData:
    """Words at (x, y) positions; each entry of `lines` is one OCR line (block, par, line)."""
    words = []
    for n, line in enumerate(lines):
        for text, x, y in line:
            block = n if column_blocks else 0
            words.append(Word(len(words) + 1, 1, len(words), text, text, (x, y, x + 10 * len(text), y + 20), 95.0, block, 0, n))
    page = Page(1, 1, 1, 2000, 2000, 300.0, 300.0, "", Provenance.__new__(Provenance))  # provenance unused here
    return PageData.build(page, PageText.build(words))


def stored(data: PageData, rng: TextRange | None) -> str:
    assert rng is not None and rng.start[0] == rng.end[0] == 1
    return data.text.text[rng.start[1] : rng.end[1]]


def selected(data: PageData, start: int, end: int) -> str:
    rng = snap(TextRange(1, (1, start), (1, end)), [data.page], lambda _p: data)
    return stored(data, rng) if rng else ""


LINE = [("Committee", 0, 0), ("on", 200, 0), ("the", 260, 0), ("Judiciary,", 330, 0), ("Prevention's", 600, 0)]


def test_a_drag_a_character_early_or_short_stores_whole_words_without_edge_punctuation() -> None:
    data = page_of([[(",", -40, 0), *LINE]])
    text = data.text.text
    # From the comma before "Committee" to the middle of "Judiciary,".
    assert selected(data, text.index(","), text.index("Judic") + 3) == "Committee on the Judiciary"
    # Double-click then Shift+click inside words: "tee on the Judicia".
    assert selected(data, text.index("tee"), text.index("Judicia") + 7) == "Committee on the Judiciary"
    # A possessive is not part of a name; a lone punctuation word at the edge is dropped.
    assert selected(data, text.index("Prev"), len(text)) == "Prevention"
    assert selected(data, 0, 1) == ""


def test_trimming_keeps_brackets_in_pairs() -> None:
    data = page_of([[("Justice", 0, 0), ("(DOJ)", 100, 0), ("Office", 200, 0)]])
    text = data.text.text
    assert selected(data, 0, len(text)) == "Justice (DOJ) Office"
    assert selected(data, 0, text.index("Office") - 1) == "Justice (DOJ)"
    assert selected(data, text.index("(DOJ)"), len(text)) == "(DOJ) Office"
    assert selected(data, text.index("(DOJ)"), text.index("(DOJ)") + 5) == "DOJ"


def test_abbreviations_keep_their_full_stop_and_a_sentence_does_not() -> None:
    data = page_of([[("U.S.", 0, 0), ("Mission", 80, 0), ("Ms.", 300, 0), ("Smith.", 360, 0)]])
    assert selected(data, 0, len(data.text.text)) == "U.S. Mission Ms. Smith"
    assert selected(data, data.text.text.index("Ms."), data.text.text.index("Ms.") + 3) == "Ms."


@given(st.lists(st.sampled_from(["(DOJ)", "ICE,", "the", "U.S.", "—", "Program.", "CyberTipline's", "6.5", "\"NCMEC\""]),
                min_size=1, max_size=8), st.data())
def test_a_snapped_selection_is_whole_words_but_edge_punctuation(words: list[str], draw: st.DataObject) -> None:
    data = page_of([[(w, 100 * i, 0) for i, w in enumerate(words)]])
    text = data.text.text
    start = draw.draw(st.integers(0, len(text) - 1))
    end = draw.draw(st.integers(start + 1, len(text)))
    rng = snap(TextRange(1, (1, start), (1, end)), [data.page], lambda _p: data)
    if rng is None:
        return
    got = stored(data, rng)
    touched = [data.words[i].text for i in data.text.words_in_range(start, end)]
    # Inner words are whole; only the edges lose punctuation (or a possessive), never letters or digits.
    inner = " ".join(touched)
    assert got in inner
    # Only a bracket kept for its partner may stand before the first letter or after the last one.
    assert got.lstrip("([{")[:1].isalnum() and got.rstrip(")]}.")[-1:].isalnum()


def laid_out(text: str, x: float, y: float) -> list[tuple[str, float, float]]:
    """Words of one printed line from x, a space (12 px) apart, 10 px a character, 20 px high."""
    out = []
    for word in text.split():
        out.append((word, x, y))
        x += 10 * len(word) + 12
    return out


# A letterhead: a column of partner names beside the body (a 400 px gutter).
NAMES = ["Partners", "Adams", "Baker", "Clark"]
BODY = ["Dear Senator Grassley,", "I am enclosing the answers", "to the written questions", "posed to me information"]
LETTERHEAD = [laid_out(name, 0, 50 * n) + laid_out(body, 600, 50 * n) for n, (name, body) in enumerate(zip(NAMES, BODY))]


def words_of(data: PageData, indices: list[int]) -> list[str]:
    return [data.words[i].text for i in indices]


def index_of(data: PageData, text: str, nth: int = 0) -> int:
    return [i for i, w in enumerate(data.words) if w.text == text][nth]


def test_shift_click_on_the_scan_follows_the_page_not_the_reading_order() -> None:
    # Each printed line is one OCR line here, the names in it: the reading order interleaves them.
    data = page_of([line[1:] for line in LETTERHEAD] + [line[:1] for line in LETTERHEAD], column_blocks=True)
    a, b = index_of(data, "Senator"), index_of(data, "written")
    picked = words_of(data, between_words(data, a, b))
    assert picked == ["Senator", "Grassley,", "I", "am", "enclosing", "the", "answers", "to", "the", "written"]
    assert not {"Adams", "Baker", "Partners"} & set(picked)
    # The same, clicked bottom-up.
    assert words_of(data, between_words(data, b, a)) == picked


def test_shift_click_on_one_printed_line_takes_only_the_words_between() -> None:
    data = page_of(LETTERHEAD)  # names and body on one OCR line each
    a, b = index_of(data, "posed"), index_of(data, "information")
    assert words_of(data, between_words(data, a, b)) == ["posed", "to", "me", "information"]


def test_shift_click_follows_the_ocr_lines_of_a_skewed_scan() -> None:
    # As on the sample's second page: each line climbs 15 px from left to right, so a line's first
    # words sit lower than its last ones (by geometry alone "Since" is not on the line of "6.5").
    def skewed(text: str, y: float) -> list[tuple[str, float, float]]:
        return [(w, x, y + 15 - 15 * x / 900) for w, x, _ in laid_out(text, 0, y)]

    data = page_of([skewed("Since its inception the CyberTipline received 6.5", 0),
                    skewed("million reports from the public, as well", 40)])
    a, b = index_of(data, "6.5"), index_of(data, "reports")
    assert words_of(data, between_words(data, a, b)) == ["6.5", "million", "reports"]
    assert words_of(data, between_words(data, b, index_of(data, "its"))) == [
        "its", "inception", "the", "CyberTipline", "received", "6.5", "million", "reports"]


def test_words_not_consecutive_in_the_reading_order_make_several_ranges() -> None:
    interleaved = page_of(LETTERHEAD)  # name first on every OCR line
    a, b = index_of(interleaved, "Dear"), index_of(interleaved, "questions")
    picked = between_words(interleaved, a, b)
    assert len(runs(interleaved, picked)) == 3  # the names between the body lines are left out
    ranges = runs(interleaved, picked)
    assert [stored(interleaved, r) for r in ranges] == [
        "Dear Senator Grassley,", "I am enclosing the answers", "to the written questions"]
