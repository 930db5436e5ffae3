"""OCR-tolerant phrase look-ups over a document's words: normalised exact matches, then fuzzy ones."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .textlayer import DocumentText

MAX_ERROR_RATE = 0.2
"""A fuzzy match may differ from the phrase in at most this share of its characters."""

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys("‘’‚‛′´`", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        # Invisible characters OCR and PDF text layers leave inside words.
        **dict.fromkeys("\xad\u200b\u200c\u200d\u2060\ufeff", ""),
    }
)


@lru_cache(maxsize=4096)
def normalise_char(ch: str, fold: bool = False) -> str:
    """One character as look-ups compare it: ASCII dashes and quotes, ligatures spelled out, no soft hyphens."""
    out = unicodedata.normalize("NFKC", ch).translate(_TRANSLATE)
    out = "".join(" " if c.isspace() else c for c in out)
    return out.casefold() if fold else out


def normalise(text: str, fold: bool = False) -> str:
    """A phrase as look-ups compare it: see normalise_char; runs of whitespace become one space."""
    return " ".join("".join(normalise_char(c, fold) for c in text).split())


def max_distance(length: int, rate: float = MAX_ERROR_RATE) -> int:
    """Edits allowed in a fuzzy match of a phrase of `length` characters: one per five, rounded down."""
    return int(length * rate + 1e-9)


@dataclass(frozen=True)
class Match:
    """Where a phrase occurs: characters [start, end) of the document text, over words first..last.

    `first` and `last` index `DocumentText.words`; the range starts inside the first word and ends
    inside the last, so what gets tagged is always the document's own words. `distance` is the
    edit distance between the normalised phrase and the normalised text (0 for an exact match).
    """

    start: int
    end: int
    first: int
    last: int
    distance: int
    score: float

    @property
    def exact(self) -> bool:
        return self.distance == 0


class TextIndex:
    """A document's words normalised once, for many look-ups (term lists, a window's find)."""

    def __init__(self, text: DocumentText, ignore_case: bool = False) -> None:
        self.text = text
        self.ignore_case = ignore_case
        chars: list[str] = []
        pos: list[int] = []  # the document character each key character stands for
        self.word_start: list[int] = []  # key range of each word (empty words have start == end)
        self.word_end: list[int] = []
        prev_line: tuple[int, int, int, int] | None = None
        for i, word in enumerate(text.words):
            line = (word.page_id, word.block, word.par, word.line)
            if chars:
                joiner = " "
                # A word broken at a line end ("Delin-" / "quency") is read as one word.
                if chars[-1] == "-" and prev_line != line and len(chars) > 1 and chars[-2].isalpha():
                    chars.pop()
                    pos.pop()
                    self.word_end[-1] = len(chars)
                    joiner = ""
                if joiner:
                    chars.append(joiner)
                    pos.append(text.ends[i - 1])
            self.word_start.append(len(chars))
            for k, ch in enumerate(word.text):
                for c in normalise_char(ch, ignore_case):
                    if c != " ":
                        chars.append(c)
                        pos.append(text.starts[i] + k)
            if self.word_start[-1] == len(chars) and chars and chars[-1] == " ":
                # A word with nothing left after normalising: drop its joiner too.
                chars.pop()
                pos.pop()
                self.word_start[-1] = len(chars)
            self.word_end.append(len(chars))
            prev_line = line
        self.key = "".join(chars)
        self.pos = pos
        # Key position -> word index, for mapping a key range back to words.
        self._word_of = [0] * len(chars)
        for i, (s, e) in enumerate(zip(self.word_start, self.word_end)):
            for k in range(s, e):
                self._word_of[k] = i

    def match_at(self, ks: int, ke: int, distance: int = 0, length: int = 0) -> Match:
        """The match covering key characters [ks, ke) (as `key` positions; spaCy over `key` gives them)."""
        first, last = self._word_of[ks], self._word_of[ke - 1]
        score = 1.0 - distance / max(1, length or ke - ks)
        return Match(self.pos[ks], self.pos[ke - 1] + 1, first, last, distance, round(score, 4))

    def exact(self, phrase: str) -> list[Match]:
        """Every occurrence of the normalised phrase bounded by non-word characters, in document order."""
        length = len(normalise(phrase, self.ignore_case))
        return [self.match_at(s, e, 0, length) for s, e in self._exact_ranges(phrase)]

    def _exact_ranges(self, phrase: str) -> list[tuple[int, int]]:
        query = normalise(phrase, self.ignore_case)
        if not query:
            return []
        # A hyphen in the phrase may be missing from a word joined across a line end, and a phrase
        # copied from the text as shown ("Delin- quency") may keep the line break as a space.
        parts, i = [], 0
        while i < len(query):
            c = query[i]
            if c == "-" and 0 < i < len(query) - 1:
                if query[i + 1] == " ":
                    parts.append("(?:- |-)?")
                    i += 2
                    continue
                parts.append("-?")
            else:
                parts.append(re.escape(c))
            i += 1
        body = "".join(parts)
        pattern = re.compile(r"(?<!\w)" + body + r"(?!\w)")
        return [(m.start(), m.end()) for m in pattern.finditer(self.key) if m.end() > m.start()]

    def fuzzy(self, phrase: str, rate: float = MAX_ERROR_RATE) -> list[Match]:
        """Runs of whole words within `max_distance` edits of the phrase, none overlapping, in document order.

        Exact occurrences always come first: a fuzzy candidate overlapping one is dropped.
        """
        query = normalise(phrase, self.ignore_case)
        taken = self._exact_ranges(phrase)
        chosen = [self.match_at(s, e, 0, len(query)) for s, e in taken]
        limit = max_distance(len(query), rate)
        candidates: list[tuple[int, int, int, int]] = []  # (distance, length gap, key start, key end)
        if limit:
            lo, hi = len(query) - limit, len(query) + limit
            trim_head = query[:1].isalnum()
            trim_tail = query[-1:].isalnum()
            n = len(self.word_start)
            for i in range(n):
                ks = self.word_start[i]
                if ks == self.word_end[i]:
                    continue
                for j in range(i, n):
                    ke = self.word_end[j]
                    if ke - ks > hi + 2:
                        break
                    s, e = ks, ke
                    # Punctuation around the words ("(DOJ)", "Justice,") is not part of a plain phrase.
                    while trim_head and s < e and not self.key[s].isalnum():
                        s += 1
                    while trim_tail and e > s and not self.key[e - 1].isalnum():
                        e -= 1
                    if not lo <= e - s <= hi:
                        continue
                    d = Levenshtein.distance(query, self.key[s:e], score_cutoff=limit)
                    if d <= limit:
                        candidates.append((d, abs(e - s - len(query)), s, e))
        for d, _gap, s, e in sorted(candidates):
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            chosen.append(self.match_at(s, e, d, len(query)))
        return sorted(chosen, key=lambda m: m.start)

    def find(self, phrase: str, fuzzy: bool = False, rate: float = MAX_ERROR_RATE) -> list[Match]:
        """Exact (normalised) matches, plus fuzzy ones with `fuzzy`; in document order."""
        return self.fuzzy(phrase, rate) if fuzzy else self.exact(phrase)


def find_phrase(
    text: DocumentText, phrase: str, *, fuzzy: bool = False, ignore_case: bool = False, rate: float = MAX_ERROR_RATE
) -> list[Match]:
    """Where `phrase` occurs in the document, tolerant of OCR variants; see TextIndex."""
    return TextIndex(text, ignore_case).find(phrase, fuzzy, rate)


def best_first(matches: list[Match]) -> list[Match]:
    """Matches ordered exact first, then by distance, then by position."""
    return sorted(matches, key=lambda m: (m.distance, m.start))
