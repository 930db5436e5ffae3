"""The text folding that Find and search share (accents, dashes, quotes, case), and search's normal form."""

from __future__ import annotations

import unicodedata


class _Accents(dict[int, int]):
    """A letter without its accents, one character for one ("é" is "e", "ş" "s", "İ" "I"), found when
    first met: OCR without the language's data reads "SAĞLIK" as "SAGLIK", and an analyst on an
    English keyboard types "prefecture" for the page's "préfecture"."""

    def __missing__(self, code: int) -> int:
        parts = unicodedata.normalize("NFD", chr(code))
        base = ord(parts[0]) if len(parts) > 1 and all(unicodedata.combining(c) for c in parts[1:]) else code
        self[code] = base
        return base


# Letters whose plain form is not a decomposition: Turkish dotless i, Polish ł, Nordic ø, đ.
_ACCENTS = _Accents({ord("ı"): ord("i"), ord("ł"): ord("l"), ord("Ł"): ord("L"), ord("ø"): ord("o"),
                     ord("Ø"): ord("O"), ord("đ"): ord("d"), ord("Đ"): ord("D")})


def without_accents(text: str) -> str:
    """`text` with every letter's accents taken off, one character for one: the rule both Find
    (`fold`) and search (`normalise`) compare by, so the two always agree on what an accent is."""
    return text.translate(_ACCENTS)


# One character for one character, so offsets in Find's folded text are offsets in the page text.
_FIND_TABLE = str.maketrans({
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "­": "-",
    "‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', " ": " ",
})


def fold(text: str) -> str:
    """Text compared as a reader would (Find): dashes, quotes, accents and case alike, each character kept in place."""
    folded = without_accents(text.translate(_FIND_TABLE))
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)


# OCR and word processors give the same text with different dashes and quotes; a search for
# "Co-operation" must find "Co‑operation" (non-breaking hyphen) and "Co—operation". Dashes are
# made ASCII and then removed with the spaces.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_TABLE = str.maketrans({**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SINGLE_QUOTES, "'"),
                        **dict.fromkeys(_DOUBLE_QUOTES, '"')})
# All normalise does to plain ASCII text but case: its quotes (the backtick) made plain, and its
# spaces, control characters and hyphens removed.
_ASCII_TABLE = {**{k: v for k, v in _TABLE.items() if k < 128}, **dict.fromkeys([*range(33), ord("-"), 127])}


def normalise(text: str) -> str:
    """`text` in the form search compares: ligatures and full-width forms split (NFKC), quotes made
    ASCII, accents taken off (as Find does, see without_accents), case folded, and every space, dash
    and control character removed.

    Removing spaces lets a phrase match words that OCR split or joined ("Depart ment"); removing
    dashes lets it match a word hyphenated at a line end ("Depart-" "ment") and either spelling of
    a compound ("co-operation", "cooperation").
    """
    if text.isascii():  # most words of most pages: nothing to compose, fold or take off but case
        return text.lower().translate(_ASCII_TABLE)
    # Accents come off before case is folded: "İ" is "I" and so "i", where casefold makes it "i̇".
    folded = without_accents(unicodedata.normalize("NFKC", text).translate(_TABLE)).casefold()
    # casefold can make new compatibility forms (e.g. from U+0345), and with them accented letters.
    folded = without_accents(unicodedata.normalize("NFKC", folded))
    return "".join(ch for ch in folded
                   if not (ch.isspace() or ch == "-" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")))


def same_text(a: str, b: str) -> bool:
    """Whether two names are one text written two ways: "é" as one character or as "e" and a
    combining accent (NFC against NFD), which look alike and which a person cannot tell apart."""
    return a == b or unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)
