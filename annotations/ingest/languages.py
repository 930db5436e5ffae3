"""Choosing a page's OCR languages from its first reading (`--lang auto`): script and language identification."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..records import RawWord

AUTO = "auto"
FIRST_PASS = "eng"
"""What an `auto` page is read with first: the Latin script's most common language, and the one most
archives are in, so that an English page is read once."""
MIN_LETTERS = 40
"""Fewer letters than this in confident words are too little text to tell a language by."""
CONFIDENT_WORD = 50.0
"""Words read with less confidence than this are left out of the text the language is told from."""
LANGUAGE_CONFIDENCE = 0.5
"""The identifier's share for the most likely language at which it is taken."""
SECOND_LANGUAGE = 0.25
"""A second language as likely as this is read too (a bilingual page)."""
POOR_FIRST_PASS = 40.0
"""Below this mean word confidence the first reading may be another script: tesseract's script
detection (osd) is asked, which costs a run of its own and so only on such pages."""

# Lingua's ISO 639-3 codes where tesseract's data is named otherwise.
_TESSERACT_CODE = {"zho": "chi_sim", "nob": "nor", "nno": "nor", "msa": "msa", "srp": "srp"}

# Tesseract's script detection names a script; these installed languages read it.
_SCRIPT_LANGUAGES = {
    "Cyrillic": ("rus", "ukr", "bul", "srp", "mkd", "bel", "kaz", "mon"),
    "Arabic": ("ara", "fas", "urd"),
    "Greek": ("ell",),
    "Han": ("chi_sim", "chi_tra"),
    "Japanese": ("jpn",),
    "Hangul": ("kor",),
    "Hebrew": ("heb",),
    "Devanagari": ("hin", "mar", "nep", "san"),
    "Thai": ("tha",),
    "Armenian": ("hye",),
    "Georgian": ("kat",),
    "Bengali": ("ben",),
    "Tamil": ("tam",),
}
_SCRIPT_PACKAGE = {"Cyrillic": "cyrl", "Arabic": "arab", "Greek": "grek", "Han": "hans", "Japanese": "jpan",
                   "Hangul": "hang", "Hebrew": "hebr", "Devanagari": "deva", "Thai": "thai", "Armenian": "armn",
                   "Georgian": "geor", "Bengali": "beng", "Tamil": "taml"}
OSD_SCRIPT_CONFIDENCE = 3.0
"""Tesseract's script confidence below which its script is not taken (a Latin letter scored 1.8 for Cyrillic)."""


def package(code: str) -> str:
    """The Debian/Ubuntu package with tesseract's data for a language code, e.g. tesseract-ocr-tur."""
    return f"tesseract-ocr-{code.lower().replace('_', '-')}"


@dataclass(frozen=True)
class Choice:
    """The languages a page is read with, and why."""

    lang: str
    """Tesseract's -l, e.g. "tur+eng"."""
    reason: str
    """For the page's provenance, e.g. "auto: Turkish 0.98 from the first reading"."""
    missing: tuple[str, ...] = ()
    """Tesseract languages the page looks written in that are not installed (codes, e.g. "tur")."""
    missing_names: tuple[str, ...] = ()
    """The same, as names for a message ("Turkish")."""

    def warning(self) -> str:
        """One line for an import that read the page without the language it needs."""
        if not self.missing:
            return ""
        names = ", ".join(self.missing_names)
        packages = " ".join(package(code) for code in self.missing)
        return (f"reads as {names}, but tesseract has no {names} data; read as {self.lang} "
                f"(Debian/Ubuntu: apt-get install {packages})")


def first_pass(installed: Iterable[str]) -> str:
    """The languages an `auto` page is read with first."""
    have = [code for code in installed if code != "osd" and "/" not in code]
    if FIRST_PASS in have:
        return FIRST_PASS
    return have[0] if have else FIRST_PASS


def _text(words: list[RawWord]) -> str:
    return " ".join(w.text for w in words if w.conf >= CONFIDENT_WORD and any(ch.isalpha() for ch in w.text))


@functools.cache
def _detector() -> object:
    """Lingua's detector over every language it knows (its models load on first use and stay)."""
    from lingua import LanguageDetectorBuilder

    # Low accuracy mode uses the trigram models only: a page of text is far longer than the short
    # phrases the larger models are for, and it loads in a fraction of the time.
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def tesseract_code(iso639_3: str) -> str:
    """Tesseract's code for a language's ISO 639-3 code."""
    return _TESSERACT_CODE.get(iso639_3, iso639_3)


def identify(text: str) -> list[tuple[str, str, float]]:
    """(tesseract code, language name, share) of the likely languages of `text`, most likely first."""
    detector = _detector()
    values = detector.compute_language_confidence_values(text)  # type: ignore[attr-defined]
    out = []
    for value in values[:3]:
        if value.value <= 0:
            break
        language = value.language
        code = tesseract_code(language.iso_code_639_3.name.lower())
        out.append((code, language.name.title(), float(value.value)))
    return out


def choose(words: list[RawWord], installed: Iterable[str], script: tuple[str, float] | None = None) -> Choice:
    """The languages to read a page with, from its first reading's `words` (read with first_pass),
    the `installed` tesseract languages, and tesseract's detected `script` (name, confidence) where asked."""
    have = {code for code in installed if code != "osd"}
    first = first_pass(have)
    if script is not None and script[0] not in ("Latin", "") and script[1] >= OSD_SCRIPT_CONFIDENCE:
        name = script[0]
        fits = [code for code in _SCRIPT_LANGUAGES.get(name, ()) if code in have]
        if fits:
            return Choice("+".join(fits[:2]), f"auto: {name} script ({script[1]:.1f}) by tesseract")
        pkg = _SCRIPT_PACKAGE.get(name, name.lower())
        return Choice(first, f"auto: {name} script ({script[1]:.1f}), no language for it installed",
                      (f"script-{pkg}",), (f"{name} script",))
    text = _text(words)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return Choice(first, "auto: too little text to tell the language")
    found = identify(text)
    if not found or found[0][2] < LANGUAGE_CONFIDENCE:
        return Choice(first, "auto: language not clear")
    code, name, share = found[0]
    chosen = [code]
    for other, _, other_share in found[1:]:
        if other_share >= SECOND_LANGUAGE and other not in chosen:
            chosen.append(other)
    missing = [c for c in chosen if c not in have]
    names = {c: n for c, n, _ in found}
    readable = [c for c in chosen if c in have]
    if first in have and first not in readable:
        readable.append(first)  # names, addresses and English terms in a letter in another language
    lang = "+".join(readable) or first
    reason = f"auto: {name} {share:.2f} from the first reading"
    if missing:
        reason += f"; {', '.join(names[c] for c in missing)} not installed"
    return Choice(lang, reason, tuple(missing), tuple(names[c] for c in missing))


_OSD_SCRIPT = re.compile(r"^Script:\s*(\S+)\s*$", re.MULTILINE)
_OSD_CONF = re.compile(r"^Script confidence:\s*([\d.]+)", re.MULTILINE)


def parse_osd(output: str) -> tuple[str, float] | None:
    """(script, confidence) from `tesseract --psm 0` output, or None when it named none."""
    script, conf = _OSD_SCRIPT.search(output), _OSD_CONF.search(output)
    if script is None:
        return None
    return script.group(1), float(conf.group(1)) if conf else 0.0


def _seen_file() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "scanspan" / "missing-languages"


def remember_missing(codes: Iterable[str]) -> None:
    """Note languages pages needed and tesseract lacked, for `scanspan doctor`."""
    new = set(codes)
    if not new:
        return
    path = _seen_file()
    try:
        seen = set(path.read_text(encoding="utf-8").split()) if path.exists() else set()
        if new <= seen:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(sorted(seen | new)) + "\n", encoding="utf-8")
    except OSError:  # a read-only home: the import's own warning said it already
        pass


def missing_seen() -> list[str]:
    """Languages that imports found pages in and tesseract lacked (still lacks or not: the caller checks)."""
    try:
        return sorted(set(_seen_file().read_text(encoding="utf-8").split()))
    except OSError:
        return []
