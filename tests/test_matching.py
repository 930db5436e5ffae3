"""OCR-tolerant look-ups: normalisation, fuzzy matching, and that a match is always the document's own words."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import assume, given
from hypothesis import strategies as st

from annotations.records import Word
from annotations.text.layer import DocumentText
from annotations.text.matching import TermMatcher, TextIndex, find_phrase, max_distance, normalise


def document(*lines: str) -> DocumentText:
    """A one-page document whose lines are OCR lines (one paragraph), words split on spaces."""
    words, idx = [], 0
    for n, line in enumerate(lines):
        for token in line.split():
            words.append(Word(idx + 1, 1, idx, token, token, (0, 0, 1, 1), 90.0, 0, 0, n))
            idx += 1
    return DocumentText.from_words([words])


def found(text: DocumentText, phrase: str, **kwargs: object) -> list[str]:
    return [text.text[m.start:m.end] for m in find_phrase(text, phrase, **kwargs)]  # type: ignore[arg-type]


def test_normalise_maps_ocr_variants_to_ascii() -> None:
    assert normalise("Guerras\u2014Delgado \u2018quoted\u2019 \u201cdouble\u201d") == "Guerras-Delgado 'quoted' \"double\""
    assert normalise("\ufb01nancial o\ufb03ce") == "financial office"  # ligatures spelled out
    assert normalise("Delin\u00adquency") == "Delinquency"  # a soft hyphen is invisible
    assert normalise("  U.S.\t\nDepartment  ") == "U.S. Department"
    assert normalise("DOJ", fold=True) == "doj"


def test_dashes_quotes_and_ligatures_in_the_scan_match_plain_queries() -> None:
    text = document("Dear Ms. Imma Guerras\u2014Delgado:", "the Prevention\u2019s of\ufb01ce")
    assert found(text, "Ms. Imma Guerras-Delgado") == ["Ms. Imma Guerras\u2014Delgado"]
    assert found(text, "Prevention's office") == ["Prevention\u2019s of\ufb01ce"]
    assert found(text, "Delgado") == ["Delgado"]  # a part of a hyphenated word, as a whole word


def test_words_broken_at_a_line_end_and_line_breaks_inside_a_phrase() -> None:
    text = document("Office of Juvenile Justice and Delin-", "quency Prevention in Guerras-", "Delgado's office")
    assert found(text, "Delinquency Prevention") == ["Delin-\nquency Prevention"]
    assert found(text, "Guerras-Delgado") == ["Guerras-\nDelgado"]
    assert found(text, "Justice and Delinquency") == ["Justice and Delin-\nquency"]
    assert found(text, "Delin- quency") == ["Delin-\nquency"]  # as copied from the text shown
    assert found(text, "Delin") == found(text, "Delin-") == []  # half a word is not a whole word


def test_whole_words_only_and_optional_case_folding() -> None:
    text = document("SERVICE of ICE and ICE's agents", "Immigration and Customs Enforcement (ICE)")
    assert found(text, "ICE") == ["ICE", "ICE", "ICE"]  # never inside SERVICE
    assert found(text, "immigration and customs enforcement") == []
    assert found(text, "immigration and customs enforcement", ignore_case=True) == ["Immigration and Customs Enforcement"]


def test_fuzzy_tolerates_ocr_errors_up_to_a_fifth_of_the_characters() -> None:
    text = document("the U.S. Department of Justice (DOJ) Office", "and the Departmental Office")
    assert found(text, "Departrnent of Justlce") == []
    assert found(text, "Departrnent of Justlce", fuzzy=True) == ["Department of Justice"]
    [match] = find_phrase(text, "Departrnent of Justlce", fuzzy=True)
    assert match.distance == 3 and not match.exact and 0 < match.score < 1
    # Too many errors for a short phrase: "Offlce" (6 characters) allows one edit, "0ffIce" has two.
    assert found(text, "Offlce", fuzzy=True) == ["Office", "Office"]
    assert found(text, "0ffIce", fuzzy=True) == []
    assert [max_distance(n) for n in (4, 5, 9, 10, 22, 50)] == [0, 1, 1, 2, 4, 10]


def test_fuzzy_prefers_whole_words_without_their_punctuation() -> None:
    text = document("the Department of Justice, and (DOJ) again")
    assert found(text, "Departmant of Justice", fuzzy=True) == ["Department of Justice"]
    assert found(text, "D0J", fuzzy=True) == []  # three characters allow no edit
    assert found(text, "(DOJ)", fuzzy=True) == ["(DOJ)"]


# -- properties ---------------------------------------------------------------------------------

WORD = st.text(alphabet="abcdeABCDE-.,'\u2014\u2019\ufb01", min_size=1, max_size=7)


def is_run_of_words(text: DocumentText, start: int, end: int, first: int, last: int) -> bool:
    covered = text.words_in_range(start, end)
    return (
        covered == text.words[first:last + 1]
        and text.starts[first] <= start < text.ends[first]
        and text.starts[last] < end <= text.ends[last]
    )


def noisy(phrase: str, edits: Sequence[tuple[int, str]]) -> str:
    chars = list(phrase)
    for pos, ch in edits:
        if chars:
            chars[pos % len(chars)] = ch
    return "".join(chars)


@given(
    lines=st.lists(st.lists(WORD, min_size=1, max_size=6), min_size=1, max_size=4),
    pick=st.tuples(st.integers(0, 50), st.integers(1, 4)),
    edits=st.lists(st.tuples(st.integers(0, 40), st.sampled_from("xyz -")), max_size=3),
    fuzzy=st.booleans(),
    fold=st.booleans(),
)
def test_a_match_is_always_a_run_of_the_documents_words(
    lines: list[list[str]], pick: tuple[int, int], edits: list[tuple[int, str]], fuzzy: bool, fold: bool
) -> None:
    text = document(*(" ".join(words) for words in lines))
    words = [w.text for w in text.words]
    i = pick[0] % len(words)
    phrase = noisy(" ".join(words[i:i + pick[1]]), edits)
    for m in find_phrase(text, phrase, fuzzy=fuzzy, ignore_case=fold):
        assert is_run_of_words(text, m.start, m.end, m.first, m.last), (phrase, m, text.text)
        assert 0 <= m.distance <= max_distance(len(normalise(phrase, fold)))


@given(
    lines=st.lists(st.lists(WORD, min_size=1, max_size=6), min_size=1, max_size=4),
    pick=st.tuples(st.integers(0, 50), st.integers(1, 4)),
)
def test_exact_matches_always_win_over_fuzzy_ones(lines: list[list[str]], pick: tuple[int, int]) -> None:
    text = document(*(" ".join(words) for words in lines))
    words = [w.text for w in text.words]
    i = pick[0] % len(words)
    j = min(i + pick[1], len(words)) - 1
    phrase = " ".join(words[i:j + 1])
    index = TextIndex(text)
    # A word broken at a line end ("Delin-" / "quency") is one word to look-ups: half of it is not
    # a whole word, as "Delin" is not one in "Delinquency".
    joined = [index.word_end[k] == index.word_start[k + 1] for k in range(len(words) - 1)]
    assume(not (i > 0 and joined[i - 1]) and not (j < len(joined) and joined[j]))
    exact = index.find(phrase)
    fuzzy = index.find(phrase, fuzzy=True)
    assert exact, phrase  # the phrase is taken from the document
    assert all(m in fuzzy for m in exact)
    for m in fuzzy:
        if not m.exact:
            assert not any(m.start < e.end and e.start < m.end for e in exact), (phrase, m, exact)
    assert all(m.score == 1.0 for m in exact)


def test_a_lone_dash_or_punctuation_is_found_as_itself() -> None:
    text = document("pages 1 \u2014 2 and 3 - 4")
    assert found(text, "-") == ["\u2014", "-"]
    assert found(text, "1 - 2") == ["1 \u2014 2"]


@given(
    lines=st.lists(st.lists(WORD, min_size=1, max_size=6), min_size=1, max_size=4),
    picks=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 4),
                             st.lists(st.tuples(st.integers(0, 40), st.sampled_from("xyz -")), max_size=3)),
                   min_size=1, max_size=6),
    others=st.lists(st.text(alphabet="abcdeABCDE -.,'\u2014", min_size=1, max_size=12), max_size=6),
    fuzzy=st.booleans(),
    fold=st.booleans(),
)
def test_a_term_list_finds_what_each_of_its_phrases_finds_alone(
    lines: list[list[str]], picks: list[tuple[int, int, list[tuple[int, str]]]], others: list[str], fuzzy: bool,
    fold: bool,
) -> None:
    text = document(*(" ".join(words) for words in lines))
    words = [w.text for w in text.words]
    phrases = [noisy(" ".join(words[i % len(words):i % len(words) + k]), edits) for i, k, edits in picks] + others
    index = TextIndex(text, fold)
    together = dict(TermMatcher(phrases, fold).find(index, fuzzy))
    for n, phrase in enumerate(phrases):
        assert together.get(n, []) == index.find(phrase, fuzzy), (phrase, text.text)


def test_a_term_list_handles_broken_words_hyphens_and_punctuation_like_single_phrases() -> None:
    text = document("Office of Juvenile Justice and Delin-", "quency Prevention in Guerras-", "Delgado's office",
                    "the (DOJ) and Department of Justice, Departrnent of Justlce", "pages 1 \u2014 2 and 3 - 4")
    phrases = ["Delinquency Prevention", "Guerras-Delgado", "Delin- quency", "Delin", "DOJ", "(DOJ)",
               "Department of Justice", "-", "1 - 2", "office", "Office", "of"]
    for fold in (False, True):
        index = TextIndex(text, fold)
        for fuzzy in (False, True):
            together = dict(TermMatcher(phrases, fold).find(index, fuzzy))
            for n, phrase in enumerate(phrases):
                assert together.get(n, []) == index.find(phrase, fuzzy), (phrase, fold, fuzzy)


def occurrences(text: DocumentText, phrase: str) -> list[tuple[str, str]]:
    return [(text.text[m.start:m.end], m.reason) for m in TextIndex(text).occurrences(phrase)]


def test_propagated_occurrences_are_whole_words_misread_only_where_no_other_word_is_made() -> None:
    text = document("The Department of Justice, the Departrnent of Justlce, and the Department of Justices.",
                    "Bill 1997 and Will 1998; the DEPARTMENT OF JUSTICE's view; a Department. Of Justice")
    assert occurrences(text, "Department of Justice") == [
        ("Department of Justice", "exact"),
        ("Departrnent of Justlce", "2 OCR edits: 'Departrnent' for 'Department', 'Justlce' for 'Justice'"),
        ("DEPARTMENT OF JUSTICE", "case"),  # its possessive is the same name
    ]  # not "Justices" (letters added at the end: another word), nor across "Department. Of"
    assert occurrences(text, "Bill 1997") == [("Bill 1997", "exact")]  # four letters, a digit: never misread
    assert occurrences(text, "Justice, the") == [("Justice, the", "exact")]  # punctuation inside the phrase is kept
