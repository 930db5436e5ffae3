"""OCR-tolerant phrase look-ups over a document's words: normalised exact matches, then fuzzy ones."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
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


def phrase_pattern(query: str) -> re.Pattern[str] | None:
    """The regular expression finding a normalised phrase as whole words of a `TextIndex.key`.

    A hyphen inside the phrase may be missing from a word joined across a line end, and a phrase
    copied from the text as shown ("Delin- quency") may keep the line break as a space.
    """
    if not query:
        return None
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
    return re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")


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
        pattern = phrase_pattern(normalise(phrase, self.ignore_case))
        if pattern is None:
            return []
        return [(m.start(), m.end()) for m in pattern.finditer(self.key) if m.end() > m.start()]

    def fuzzy(self, phrase: str, rate: float = MAX_ERROR_RATE) -> list[Match]:
        """Runs of whole words within `max_distance` edits of the phrase, none overlapping, in document order.

        Exact occurrences always come first: a fuzzy candidate overlapping one is dropped.
        """
        query = normalise(phrase, self.ignore_case)
        taken = self._exact_ranges(phrase)
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
        return self.choose(len(query), taken, candidates)

    def choose(self, length: int, taken: list[tuple[int, int]], candidates: list[tuple[int, int, int, int]]) -> list[Match]:
        """The exact ranges `taken`, then the best fuzzy (distance, length gap, start, end) candidates
        not overlapping one chosen before; in document order."""
        taken = list(taken)
        chosen = [self.match_at(s, e, 0, length) for s, e in taken]
        for d, _gap, s, e in sorted(candidates):
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            chosen.append(self.match_at(s, e, d, length))
        return sorted(chosen, key=lambda m: m.start)

    def find(self, phrase: str, fuzzy: bool = False, rate: float = MAX_ERROR_RATE) -> list[Match]:
        """Exact (normalised) matches, plus fuzzy ones with `fuzzy`; in document order."""
        return self.fuzzy(phrase, rate) if fuzzy else self.exact(phrase)


_START = re.compile(r"(?<!\w).", re.S)
"""A character a phrase may begin at: phrase_pattern's matches start after no word character."""
_SIGNATURE = 8
"""Characters (after the first, spaces and hyphens left out) a term list files its phrases under."""
_QUERIES_PER_CALL = 1000
"""Phrases compared in one rapidfuzz call: its result is a phrases x stretches matrix."""


def _signature(text: str) -> str:
    # Every character a phrase's match may lack (an optional hyphen, the space of "Delin- quency")
    # is a space or a hyphen, and never the first: without them, a match begins as the phrase does.
    return text[:1] + text[1:].replace(" ", "").replace("-", "")[: _SIGNATURE - 1]


class TermMatcher:
    """A term list's phrases looked up together, each document read once: the results of
    `TextIndex.find` for every phrase, at a cost that barely grows with the number of phrases.

    Exact matching files the phrases under their first characters (spaces and hyphens left out, see
    `_signature`) and tries only those filed under what follows each place a match may begin, with
    the same regular expression `TextIndex.exact` runs over the whole text. spaCy's PhraseMatcher
    (an extra, not always installed) works on tokens, so a word broken at a line end or a hyphen
    that is missing would need tokens of their own. Fuzzy matching compares each phrase, in C
    (rapidfuzz), only with the runs of words whose length it allows, as `TextIndex.fuzzy` does.
    """

    def __init__(self, phrases: Sequence[str], ignore_case: bool = False, rate: float = MAX_ERROR_RATE) -> None:
        self.ignore_case = ignore_case
        self.rate = rate
        self.queries = [normalise(phrase, ignore_case) for phrase in phrases]
        self._filed: dict[str, list[int]] = {}
        for n, query in enumerate(self.queries):
            if query:
                self._filed.setdefault(_signature(query), []).append(n)
        self._sizes = sorted({len(k) for k in self._filed})
        self._patterns: dict[int, re.Pattern[str]] = {}
        # Phrases fuzzy matching applies to (a phrase of fewer than five characters allows no edit),
        # by how their runs of words are trimmed, then by length.
        self._fuzzy: dict[tuple[bool, bool], dict[int, list[int]]] = {}
        for n, query in enumerate(self.queries):
            if max_distance(len(query), rate):
                trims = (query[:1].isalnum(), query[-1:].isalnum())
                self._fuzzy.setdefault(trims, {}).setdefault(len(query), []).append(n)
        self._longest = max((length + max_distance(length, rate) + 2 for group in self._fuzzy.values()
                             for length in group), default=0)

    def exact_ranges(self, index: TextIndex) -> dict[int, list[tuple[int, int]]]:
        """Phrase number -> key ranges of its exact matches, as `TextIndex.exact` finds them."""
        key = index.key
        kept = key.replace(" ", "").replace("-", "")
        before = [0]  # characters of `kept` before each key position
        for c in key:
            before.append(before[-1] + (c != " " and c != "-"))
        starts: dict[int, list[int]] = {}
        sizes = self._sizes
        for m in _START.finditer(key):
            p = m.start()
            here = key[p] + kept[before[p + 1]: before[p + 1] + _SIGNATURE - 1]
            for size in sizes:
                if size > len(here):
                    break
                for n in self._filed.get(here[:size], ()):
                    starts.setdefault(n, []).append(p)
        found: dict[int, list[tuple[int, int]]] = {}
        for n, places in starts.items():
            pattern = self._patterns.get(n) or phrase_pattern(self.queries[n])
            if pattern is None:
                continue
            self._patterns[n] = pattern
            ranges, end = [], 0
            for p in places:  # in order, and after the previous match, as finditer goes
                if p < end:
                    continue
                hit = pattern.match(key, p)
                if hit is not None and hit.end() > p:
                    ranges.append((p, hit.end()))
                    end = hit.end()
            if ranges:
                found[n] = ranges
        return found

    def _fuzzy_candidates(self, index: TextIndex) -> dict[int, list[tuple[int, int, int, int]]]:
        """Phrase number -> (distance, length gap, key start, key end) of the runs of words within its
        edits, exactly the candidates `TextIndex.fuzzy` weighs."""
        import numpy as np
        from rapidfuzz.process import cdist

        key, word_start, word_end = index.key, index.word_start, index.word_end
        runs: list[tuple[int, int]] = []
        n = len(word_start)
        for i in range(n):
            ks = word_start[i]
            if ks == word_end[i]:
                continue
            for j in range(i, n):
                if word_end[j] - ks > self._longest:
                    break
                runs.append((ks, word_end[j]))
        found: dict[int, list[tuple[int, int, int, int]]] = {}
        for (trim_head, trim_tail), by_length in self._fuzzy.items():
            trimmed = []
            for ks, ke in runs:
                s, e = ks, ke
                while trim_head and s < e and not key[s].isalnum():
                    s += 1
                while trim_tail and e > s and not key[e - 1].isalnum():
                    e -= 1
                trimmed.append((e - s, ke - ks, s, e))
            trimmed.sort()
            lengths = [t[0] for t in trimmed]
            texts = [key[s:e] for _, _, s, e in trimmed]
            spans = np.array([t[1] for t in trimmed], dtype=np.int64)
            for length, numbers in by_length.items():
                limit = max_distance(length, self.rate)
                a, b = bisect_left(lengths, length - limit), bisect_right(lengths, length + limit)
                if a == b:
                    continue
                # A run longer than the phrase allows before trimming is not tried (TextIndex.fuzzy stops there).
                fits = spans[a:b] <= length + limit + 2
                for c in range(0, len(numbers), _QUERIES_PER_CALL):
                    chunk = numbers[c:c + _QUERIES_PER_CALL]
                    scores = cdist([self.queries[k] for k in chunk], texts[a:b], scorer=Levenshtein.distance,
                                   score_cutoff=limit, dtype=np.int32)
                    for q, r in zip(*np.nonzero((scores <= limit) & fits)):
                        _, _, s, e = trimmed[a + int(r)]
                        found.setdefault(chunk[int(q)], []).append(
                            (int(scores[q, r]), abs(e - s - length), s, e))
        return found

    def find(self, index: TextIndex, fuzzy: bool = False) -> list[tuple[int, list[Match]]]:
        """(phrase number, its matches in document order) for each phrase found, in phrase order."""
        exact = self.exact_ranges(index)
        if not fuzzy:
            return [(n, [index.match_at(s, e, 0, len(self.queries[n])) for s, e in exact[n]]) for n in sorted(exact)]
        candidates = self._fuzzy_candidates(index)
        return [(n, index.choose(len(self.queries[n]), exact.get(n, []), candidates.get(n, [])))
                for n in sorted(exact.keys() | candidates.keys())]


def find_phrase(
    text: DocumentText, phrase: str, *, fuzzy: bool = False, ignore_case: bool = False, rate: float = MAX_ERROR_RATE
) -> list[Match]:
    """Where `phrase` occurs in the document, tolerant of OCR variants; see TextIndex."""
    return TextIndex(text, ignore_case).find(phrase, fuzzy, rate)


def best_first(matches: list[Match]) -> list[Match]:
    """Matches ordered exact first, then by distance, then by position."""
    return sorted(matches, key=lambda m: (m.distance, m.start))
