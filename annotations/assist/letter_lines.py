"""A document's OCR lines (`Line`), which letter parts are found in, and what was found (`LetterParts`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..records import Box, Word

if TYPE_CHECKING:
    from ..store import Project


@dataclass
class Line:
    """One OCR line of the document text: its words and the characters they span."""

    page: int
    words: list[Word]
    start: int
    end: int
    text: str

    @property
    def box(self) -> Box:
        return (min(w.box[0] for w in self.words), min(w.box[1] for w in self.words),
                max(w.box[2] for w in self.words), max(w.box[3] for w in self.words))


@dataclass
class LetterParts:
    """What was found in one document: spans as (label, start, end); the signature blocks and the
    handwritten signatures as regions (page index, box)."""

    spans: list[tuple[str, int, int]] = field(default_factory=list)
    signature_blocks: list[tuple[int, Box]] = field(default_factory=list)
    signatures: list[tuple[int, Box]] = field(default_factory=list)


def lines_of(project: Project, doc_id: int) -> list[Line]:
    text = project.document_text(doc_id)
    lines: list[Line] = []
    for p, page in enumerate(text.pages):
        base = text.page_offsets[p]
        key = None
        for i, word in enumerate(page.words):
            if (word.block, word.par, word.line) != key or not lines or lines[-1].page != p:
                key = (word.block, word.par, word.line)
                lines.append(Line(p, [], base + page.starts[i], 0, ""))
            lines[-1].words.append(word)
            lines[-1].end = base + page.ends[i]
    for line in lines:
        line.text = text.text[line.start:line.end]
    return lines


def legible(line: Line) -> bool:
    """Whether a line holds a word a reader would call text: two letters or more, read with some confidence."""
    return any(sum(ch.isalpha() for ch in w.text) >= 2 and w.conf >= 30 for w in line.words)
