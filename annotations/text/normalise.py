"""One normal form for searching OCR text: NFKC, ASCII quotes, folded case, no spaces or dashes."""

from __future__ import annotations

import unicodedata

# OCR and word processors give the same text with different dashes and quotes; a search for
# "Co-operation" must find "Co‑operation" (non-breaking hyphen) and "Co—operation". Dashes are
# made ASCII and then removed with the spaces.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_TABLE = str.maketrans({**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SINGLE_QUOTES, "'"),
                        **dict.fromkeys(_DOUBLE_QUOTES, '"')})


def normalise(text: str) -> str:
    """`text` in the form search compares: ligatures and full-width forms split (NFKC), quotes made
    ASCII, case folded, and every space, dash and control character removed.

    Removing spaces lets a phrase match words that OCR split or joined ("Depart ment"); removing
    dashes lets it match a word hyphenated at a line end ("Depart-" "ment") and either spelling of
    a compound ("co-operation", "cooperation").
    """
    folded = unicodedata.normalize("NFKC", text).translate(_TABLE).casefold()
    # casefold can make new compatibility forms (e.g. from U+0345), so NFKC once more.
    folded = unicodedata.normalize("NFKC", folded)
    return "".join(ch for ch in folded
                   if not (ch.isspace() or ch == "-" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")))


def same_text(a: str, b: str) -> bool:
    """Whether two names are one text written two ways: "é" as one character or as "e" and a
    combining accent (NFC against NFD), which look alike and which a person cannot tell apart."""
    return a == b or unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)
