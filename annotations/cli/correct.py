"""The `correct` command: one OCR word corrected from the shell, as the window's Correct OCR does it."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import NotFoundError, ProjectError
from ..records import Document, Page, Word
from ..store import Project
from .common import PROJECT_OPTION, echo, open_project, require_project

MAX_LISTED = 5
"""Where an ambiguous --find occurs, how many of its places the error names."""


@click.command("correct")
@PROJECT_OPTION
@click.option("--document", "-d", "doc_ref", required=True, help="Document id or name.")
@click.option("--word", "word_id", type=int, help="The word's id (as exports give it).")
@click.option("--find", "find", metavar="TEXT", help="The word that reads exactly TEXT now (OCR errors included).")
@click.option("--occurrence", type=click.IntRange(1), metavar="N",
              help="With --find: its Nth occurrence in reading order (needed when it occurs more than once).")
@click.option("--text", "new_text", required=True, help="What the word should read: one word, no spaces.")
def correct_cmd(project_path: Path, doc_ref: str, word_id: int | None, find: str | None, occurrence: int | None,
                new_text: str) -> None:
    """Correct one OCR word in place, as F2 does in the window.

    The word's box stays, spans over it stay anchored to it (they read the corrected text), and the
    OCR's own reading is kept beside the correction. Windows open on the project show it within a
    second; undo there undoes only their own edits.
    """
    if (word_id is None) == (find is None):
        raise click.UsageError("say which word: --word ID or --find TEXT")
    if occurrence is not None and find is None:
        raise click.UsageError("--occurrence goes with --find")
    require_project(project_path)
    with open_project(project_path) as project:
        doc = project.document(doc_ref)
        page, word = _target(project, doc, word_id, find, occurrence)
        old = word.text
        if new_text.strip() == old:
            echo(f"word {word.id} on page {page.number} of document {doc.id} ({doc.name}) already reads {old!r}; "
                 "nothing changed")
            return
        corrected = project.correct_word(word.id, new_text)
    original = f" (OCR read {corrected.ocr_text!r})" if corrected.corrected else " (the OCR's own reading again)"
    echo(f"corrected word {corrected.id} on page {page.number} of document {doc.id} ({doc.name}): "
         f"{old!r} -> {corrected.text!r}{original}")


def _target(project: Project, doc: Document, word_id: int | None, find: str | None,
            occurrence: int | None) -> tuple[Page, Word]:
    pages = project.pages(doc.id)
    where = f"document {doc.id} ({doc.name})"
    if word_id is not None:
        for page in pages:
            for word in project.words(page.id):
                if word.id == word_id:
                    return page, word
        raise NotFoundError(f"{where} has no word {word_id}")
    assert find is not None
    hits = [(page, word) for page in pages for word in project.words(page.id) if word.text == find]
    if not hits:
        folded = find.casefold()
        near = [f"{w.text!r} (word {w.id}, page {p.number})" for p in pages for w in project.words(p.id)
                if folded in w.text.casefold()][:MAX_LISTED]
        hint = f"; words containing it: {', '.join(near)}" if near else ""
        raise NotFoundError(f"no word of {where} reads exactly {find!r}{hint}")
    if occurrence is None:
        if len(hits) == 1:
            return hits[0]
        places = ", ".join(f"page {p.number} (word {w.id})" for p, w in hits[:MAX_LISTED])
        more = f" and {len(hits) - MAX_LISTED} more" if len(hits) > MAX_LISTED else ""
        raise ProjectError(f"{find!r} occurs {len(hits)} times in {where}: {places}{more}; "
                           f"say which with --occurrence N (1-{len(hits)}) or --word ID")
    if occurrence > len(hits):
        raise ProjectError(f"{find!r} occurs {len(hits)} time{'s' if len(hits) > 1 else ''} in {where}, "
                           f"not {occurrence}")
    return hits[occurrence - 1]
