"""OCR-tolerant phrase look-ups over a document's words: normalised exact matches, then fuzzy ones."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .layer import DocumentText

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
    """A phrase as look-ups compare it: see normalise_char; runs of whitespace become one space.

    Composed first, so an accent typed as a combining character (macOS writes é as e and U+0301)
    compares equal to the one character, as `TextIndex` composes the document's words."""
    return " ".join("".join(normalise_char(c, fold) for c in unicodedata.normalize("NFC", text)).split())


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
    reason: str = ""
    """Why it matched, for the analyst: "exact", "case", "1 OCR edit: 'Justlce' for 'Justice'" (see `describe`)."""

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
        ends: list[int] = []  # and the end of what it stands for (past a combining accent composed into it)
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
                    ends.pop()
                    self.word_end[-1] = len(chars)
                    joiner = ""
                if joiner:
                    chars.append(joiner)
                    pos.append(text.ends[i - 1])
                    ends.append(text.ends[i - 1] + 1)
            self.word_start.append(len(chars))
            for k, ch in enumerate(word.text):
                for c in normalise_char(ch, ignore_case):
                    if c == " ":
                        continue
                    if unicodedata.combining(c) and len(chars) > self.word_start[-1]:
                        # A text layer may write é as e and a combining accent: one key character,
                        # as the phrase (composed by `normalise`) has it.
                        composed = unicodedata.normalize("NFC", chars[-1] + c)
                        if len(composed) == 1:
                            chars[-1] = composed
                            ends[-1] = text.starts[i] + k + 1
                            continue
                    chars.append(c)
                    pos.append(text.starts[i] + k)
                    ends.append(text.starts[i] + k + 1)
            if self.word_start[-1] == len(chars) and chars and chars[-1] == " ":
                # A word with nothing left after normalising: drop its joiner too.
                chars.pop()
                pos.pop()
                ends.pop()
                self.word_start[-1] = len(chars)
            self.word_end.append(len(chars))
            prev_line = line
        self.key = "".join(chars)
        self.pos = pos
        self.ends = ends
        self._token_cache: list[tuple[int, int, str, str, str]] | None = None
        # Key position -> word index, for mapping a key range back to words.
        self._word_of = [0] * len(chars)
        for i, (s, e) in enumerate(zip(self.word_start, self.word_end)):
            for k in range(s, e):
                self._word_of[k] = i

    def match_at(self, ks: int, ke: int, distance: int = 0, length: int = 0) -> Match:
        """The match covering key characters [ks, ke) (as `key` positions; spaCy over `key` gives them)."""
        first, last = self._word_of[ks], self._word_of[ke - 1]
        score = 1.0 - distance / max(1, length or ke - ks)
        return Match(self.pos[ks], self.ends[ke - 1], first, last, distance, round(score, 4))

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

    def _tokens(self) -> list[tuple[int, int, str, str, str]]:
        """The key's words as (key start, key end, leading punctuation, core, trailing punctuation)."""
        if self._token_cache is None:
            tokens, start = [], 0
            for part in self.key.split(" "):
                lead, core, trail = split_token(part)
                tokens.append((start, start + len(part), lead, core, trail))
                start += len(part) + 1
            self._token_cache = [t for t in tokens if t[1] > t[0]]
        return self._token_cache

    def occurrences(self, phrase: str) -> list[Match]:
        """A tagged phrase's other occurrences, as propagation proposes them: runs of as many whole words
        as the phrase has, each the phrase's word exactly, in other case, or within its OCR edits
        (`token_match`), with the punctuation between them the phrase's own (so never across a
        sentence's end). Exact occurrences first; each with its `reason`; in document order."""
        query = join_broken(normalise(phrase, self.ignore_case))
        if not query:
            return []
        wanted = [split_token(t) for t in query.split(" ")]
        n = len(wanted)
        taken = self._exact_ranges(phrase)
        chosen = [replace(self.match_at(s, e, 0, len(query)), reason="exact") for s, e in taken]
        tokens = self._tokens()
        candidates: list[tuple[int, int, int, int, str]] = []  # (edits, case changes, key start, key end, reason)
        for i in range(len(tokens) - n + 1):
            edits = cased = 0
            for k in range(n):
                found = token_match(wanted[k], tokens[i + k][2:], k == 0, k == n - 1)
                if found is None:
                    break
                edits += found
                cased += found == 0 and tokens[i + k][3] != wanted[k][1]
            else:
                first, last = tokens[i], tokens[i + n - 1]
                s = first[0] + (len(first[2]) if not wanted[0][0] else 0)
                e = last[1] - (len(last[4]) if not wanted[-1][2] else 0)
                if wanted[-1][2] == "" and self.key[s:e].endswith("'s") and not wanted[-1][1].endswith("'s"):
                    e -= 2  # a possessive is the same name ("Prevention's")
                if e > s:
                    candidates.append((edits, cased, s, e, describe(query, self.key[s:e])))
        for edits, cased, s, e, reason in sorted(candidates):
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            score = max(0.0, 1.0 - edits / len(query) - (CASE_COST if cased else 0.0))
            chosen.append(replace(self.match_at(s, e, edits, len(query)), score=round(score, 4), reason=reason))
        return sorted(chosen, key=lambda m: m.start)


MIN_FUZZY_WORD = 6
"""Characters a word of a propagated phrase needs before one OCR edit is allowed in it (one more per
six more): a shorter word is one edit away from too many other words ("Senate", "Senator" aside,
"of"/"or", "Bill"/"Will")."""
CASE_COST = 0.05
"""What a change of case takes off a propagated occurrence's score: "UNITED STATES SENATE" in a
letterhead is the same name, but it could be a heading rather than the name."""
OCR_CONFUSIONS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
"""Letter pairs OCR reads for one letter: each counts as one OCR edit, not two."""
_TOKEN = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)


def split_token(token: str) -> tuple[str, str, str]:
    """A word as (leading punctuation, core, trailing punctuation): "(DOJ)," -> ("(", "DOJ", "),")."""
    m = _TOKEN.match(token)
    assert m is not None
    return m.group(1), m.group(2), m.group(3)


def join_broken(text: str) -> str:
    """A phrase copied across a line end ("Delin- quency") as TextIndex reads the text: one word."""
    return re.sub(r"(?<=[^\W\d_])- (?=\w)", "", text)


def _fold_confusions(text: str) -> str:
    for pair, one in OCR_CONFUSIONS:
        text = text.replace(pair, one)
    return text


def ocr_edits(a: str, b: str) -> int:
    """Edits between two words, a pair in OCR_CONFUSIONS read for its one letter counting as one."""
    plain = Levenshtein.distance(a, b)
    fa, fb = _fold_confusions(a), _fold_confusions(b)
    if fa == a and fb == b:
        return plain
    return min(plain, Levenshtein.distance(fa, fb) + (fa != a) + (fb != b))


def word_edits(wanted: str, found: str) -> int | None:
    """OCR edits between a phrase's word and a document's (case aside), or None where a difference
    cannot be an OCR error: the word is under MIN_FUZZY_WORD characters or holds a digit (a changed
    digit is another number), one only adds letters at the other's end ("Senate", "Senator",
    "Senates": another word, not a misread one), or more edits than one per six characters."""
    a, b = wanted.casefold(), found.casefold()
    if a == b:
        return 0
    allowed = len(wanted) // MIN_FUZZY_WORD
    if not allowed or any(c.isdigit() for c in a + b) or a.startswith(b) or b.startswith(a):
        return None
    edits = ocr_edits(a, b)
    return edits if edits <= allowed else None


def token_match(wanted: tuple[str, str, str], found: tuple[str, str, str], first: bool, last: bool) -> int | None:
    """OCR edits between a phrase's word and a document's (see word_edits), None when they differ more
    or in their punctuation: only the phrase's outer edges may have punctuation the phrase lacks
    ("(DOJ)", "Justice,")."""
    (w_lead, w_core, w_trail), (f_lead, f_core, f_trail) = wanted, found
    if f_lead != w_lead and not (first and not w_lead):
        return None
    if f_trail != w_trail and not (last and not w_trail):
        return None
    if last and not w_trail and f_core.endswith("'s") and not w_core.endswith("'s"):
        f_core = f_core[:-2]
    return word_edits(w_core, f_core)


def describe(phrase: str, found: str) -> str:
    """Why `found` (normalised text) matched `phrase`: "exact", "case", or its OCR edits word by word
    ("1 OCR edit: 'Justlce' for 'Justice'"), or the edits over the whole phrase where the words do
    not pair up."""
    phrase, found = join_broken(phrase), join_broken(found)
    if phrase == found:
        return "exact"
    if phrase.casefold() == found.casefold():
        return "case"
    wanted, got = phrase.split(" "), found.split(" ")
    if len(wanted) != len(got):
        edits = ocr_edits(phrase.casefold(), found.casefold())
        return f"{edits} edit{'s' if edits != 1 else ''}"
    changed, total, cased = [], 0, False
    for w, g in zip(wanted, got):
        if w == g:
            continue
        if w.casefold() == g.casefold():
            cased = True
            continue
        edits = ocr_edits(w.casefold(), g.casefold())
        total += edits
        changed.append(f"{g!r} for {w!r}")
    what = f"{total} OCR edit{'s' if total != 1 else ''}: {', '.join(changed)}"
    return what + (", case" if cased else "")


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
        self.phrases = list(phrases)
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
