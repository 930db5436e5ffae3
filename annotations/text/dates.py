"""Dates written on letters, found in OCR text and kept only when they are dates on a calendar."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

_MONTH_NAMES = {
    1: ("january", "jan", "janvier", "janv", "januar", "jän", "ocak", "enero", "gennaio"),
    2: ("february", "feb", "février", "fevrier", "fév", "fev", "févr", "fevr", "februar", "şubat", "subat",
        "febrero", "febbraio"),
    3: ("march", "mar", "mars", "märz", "marz", "mart", "marzo"),
    4: ("april", "apr", "avril", "avr", "nisan", "abril", "aprile"),
    5: ("may", "mai", "mayıs", "mayis", "mayo", "maggio"),
    6: ("june", "jun", "juin", "juni", "haziran", "junio", "giugno"),
    7: ("july", "jul", "juillet", "juil", "juli", "temmuz", "julio", "luglio"),
    8: ("august", "aug", "août", "aout", "ağustos", "agustos", "agosto"),
    9: ("september", "sep", "sept", "septembre", "eylül", "eylul", "septiembre", "settembre"),
    10: ("october", "oct", "octobre", "oktober", "okt", "ekim", "octubre", "ottobre"),
    11: ("november", "nov", "novembre", "kasım", "kasim", "noviembre"),
    12: ("december", "dec", "décembre", "decembre", "déc", "dezember", "dez", "aralık", "aralik", "diciembre",
         "dicembre"),
}
_BY_NAME = {name: month for month, names in _MONTH_NAMES.items() for name in names}
_LONG = {name: month for name, month in _BY_NAME.items() if len(name) >= 6}
_WORD = r"[^\W\d_]{3,10}"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?P<year>\d{4})"
_NAMED = [
    re.compile(rf"(?P<month>{_WORD})\.?\s+{_DAY},?\s+{_YEAR}(?!\d)"),  # December 3, 2015
    re.compile(rf"(?<!\d){_DAY}\s+(?P<month>{_WORD})\.?,?\s+{_YEAR}(?!\d)"),  # 3 December 2015, 11 FEV. 2021
]
_NUMERIC = re.compile(r"(?<![\d.,/-])(?P<a>\d{1,4})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2}|\d{4})(?![\d/-]|\.\d)")
_EARLIEST, _LATEST = 1700, 2100


@dataclass(frozen=True)
class FoundDate:
    """A date in a text: where it is (characters) and the day it names."""

    start: int
    end: int
    date: datetime.date


def month_number(word: str) -> int | None:
    """The month a (possibly misread) month name stands for: exact for abbreviations, one letter
    off (or two swapped) for full names, since OCR and typists slip on long names, not short ones."""
    word = word.lower().rstrip(".")
    if word in _BY_NAME:
        return _BY_NAME[word]
    if len(word) >= 6:
        close = [month for name, month in _LONG.items() if OSA.distance(word, name, score_cutoff=1) <= 1]
        if len(set(close)) == 1:
            return close[0]
    return None


def _day(year: int, month: int, day: int) -> datetime.date | None:
    if not _EARLIEST <= year <= _LATEST:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # a typed 2-digit year on an archive letter is of the 20th century or this one
        year += 2000 if year < 30 else 1900
    return year


def find_date(text: str) -> FoundDate | None:
    """The first date in `text` that names a real day: "December 3, 2015", "3 December 2015",
    "11 FÉV. 2021", "12/03/2015", "2015-12-03". Numbers that merely look like one ("0.13.00",
    "45/12/2015", a year out of range) are not dates."""
    found: list[FoundDate] = []
    for pattern in _NAMED:
        for m in pattern.finditer(text):
            month = month_number(m["month"])
            if month is not None:
                day = _day(int(m["year"]), month, int(m["day"]))
                if day is not None:
                    found.append(FoundDate(m.start(), m.end(), day))
                    break
    for m in _NUMERIC.finditer(text):
        a, b, c = m["a"], m["b"], m["c"]
        if len(a) == 4:  # ISO: year first
            day = _day(int(a), int(b), int(c)) if len(c) <= 2 else None
        elif len(a) <= 2:
            year = _year(c)
            # Month first (American) or day first: either reading may be the real one.
            day = _day(year, int(a), int(b)) or _day(year, int(b), int(a))
        else:
            day = None
        if day is not None:
            found.append(FoundDate(m.start(), m.end(), day))
            break
    return min(found, key=lambda f: f.start) if found else None
