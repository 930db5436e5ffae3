"""Letters drawn as born-digital PDFs and stored with their words (no OCR), for the tests that need known words."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence

import pymupdf

from annotations.records import Provenance, RawWord
from annotations.store import NewPage, Project

DPI = 100
PAGE_SIZE = (420.0, 300.0)
FONT_SIZE = 10.0


def draw_letter(pages: Sequence[Sequence[str]], tag: str = "",
                page_size: tuple[float, float] = PAGE_SIZE) -> tuple[bytes, list[list[RawWord]]]:
    """A born-digital PDF and its words in page pixels at DPI; an empty line starts a paragraph.

    Word boxes come from the font's advance widths and ascender/descender, as drawn.
    """
    font = pymupdf.Font("helv")
    scale = DPI / 72
    space = font.text_length(" ", fontsize=FONT_SIZE)
    pdf = pymupdf.open()
    all_words: list[list[RawWord]] = []
    for lines in pages:
        page = pdf.new_page(width=page_size[0], height=page_size[1])
        words: list[RawWord] = []
        y, par, line_no = 24.0, 0, 0
        for line in lines:
            if not line:
                par += 1
                y += FONT_SIZE
                continue
            page.insert_text((18, y), line, fontname="helv", fontsize=FONT_SIZE)
            x = 18.0
            for token in line.split():
                width = font.text_length(token, fontsize=FONT_SIZE)
                top, bottom = y - font.ascender * FONT_SIZE, y - font.descender * FONT_SIZE
                words.append(RawWord(token, (x * scale, top * scale, (x + width) * scale, bottom * scale), 96.0, 0, par, line_no))
                x += width + space
            line_no += 1
            y += FONT_SIZE * 1.6
        all_words.append(words)
    pdf.set_metadata({"title": tag})  # a distinct file (and content hash) per tag
    return pdf.tobytes(no_new_id=True), all_words  # the same drawing is the same file, run after run


def add_letter(project: Project, name: str, pages: Sequence[Sequence[str]], status: str = "new",
               page_size: tuple[float, float] = PAGE_SIZE) -> int:
    """Store a drawn letter with its words, as a text-layer import would; the document id."""
    data, all_words = draw_letter(pages, name, page_size)
    sha = hashlib.sha256(data).hexdigest()
    width, height = round(page_size[0] * DPI / 72), round(page_size[1] * DPI / 72)
    prov = Provenance("pymupdf", pymupdf.VersionBind, "eng", None, DPI, True)
    new_pages = [NewPage(n, width, height, DPI, DPI, f"{sha}-{n}", prov, w) for n, w in enumerate(all_words, start=1)]
    doc_id = project.add_document(name, data, sha, new_pages).id
    if status != "new":
        project.set_status(doc_id, status)
    return doc_id


def tag_phrase(project: Project, doc_id: int, label: str, phrase: str, occurrence: int = 0, **kwargs: str | bool) -> int:
    """A span over the n-th occurrence of the phrase (any whitespace between its words, even inside a word); its id."""
    text = project.document_text(doc_id).text
    pattern = r"\s+".join(re.escape(w) for w in phrase.split())
    start, end = list(re.finditer(pattern, text))[occurrence].span()
    return project.add_span_chars(doc_id, label, start, end, **kwargs).id


AGENCIES = ["Department of Justice", "Department of Homeland Security", "Internal Revenue Service",
            "Federal Bureau of Investigation"]
OPENINGS = ["We thank the", "As requested by the", "A report from the", "Officials of the"]


def agency_letter(rng: random.Random) -> tuple[list[str], list[str]]:
    """A short letter naming two agencies: its lines and the agencies."""
    a, b = rng.sample(AGENCIES, 2)
    lines = ["Dear Ms. Delgado,", "", f"{rng.choice(OPENINGS)} {a} for its work,", f"together with the {b},",
             "over the last year.", "", "Sincerely,"]
    return lines, [a, b]


def add_agency_letters(project: Project, done: int, new: int, seed: int = 7) -> dict[int, list[str]]:
    """`done` letters marked done with their agencies tagged, then `new` ones untagged; the new ones'
    agencies (the truth a model should find) by document id."""
    rng = random.Random(seed)
    truth = {}
    for n in range(done + new):
        lines, agencies = agency_letter(rng)
        doc = add_letter(project, f"letter-{n}.pdf", [lines], "done" if n < done else "new")
        if n < done:
            for agency in agencies:
                tag_phrase(project, doc, "agency", agency)
        else:
            truth[doc] = agencies
    return truth
