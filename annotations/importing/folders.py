"""Importing folders: the page files found in them by content, page counts up front, one report per file."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .files import CancelCheck, ImportOptions, Outcome, Progress, import_into

if TYPE_CHECKING:
    from ..store import Project

SNIFF_BYTES = 1024
"""Enough of a file's start to recognise a PDF (its header may follow some junk), TIFF, PNG or JPEG."""
WORDS_SUFFIXES = (".xml", ".hocr", ".html", ".htm", ".xhtml")
"""Names under which a folder may hold an hOCR, ALTO or PAGE file (an archive's, or a Scanspan export's)."""


@dataclass
class Found:
    """What a set of files and folders holds: the page files, in order, and the other files left out."""

    files: list[Path] = field(default_factory=list)
    other: list[Path] = field(default_factory=list)
    """Files in the folders that are not PDFs or images (explicitly named files are always kept)."""
    empty: list[Path] = field(default_factory=list)
    """Folders given that hold no page file at all (a mistake worth a line of its own)."""
    words: dict[Path, Path] = field(default_factory=dict)
    """An image's words file found in the folders (the hOCR, ALTO or PAGE file that names it), by the image."""


@dataclass
class FolderImport:
    outcomes: list[Outcome]
    other: list[Path]
    empty: list[Path] = field(default_factory=list)


def page_kind(path: Path) -> str | None:
    """"pdf", "tiff", "png" or "jpeg" by the file's first bytes (never its name); None for anything else."""
    return _head(path)[0]


def _head(path: Path) -> tuple[str | None, int]:
    """The kind of a regular file by its first bytes, and its size; (None, 0) for anything else."""
    from ..errors import SourceError
    from ..ingest.sources import open_file, sniff

    try:
        with open_file(path) as (fd, size):
            if size is None:  # a pipe can be read only once: by its import, which tells its kind then
                return None, 0
            head = os.read(fd, SNIFF_BYTES)
    except (SourceError, OSError):  # named, its import says what is wrong with it; in a folder, it is left out
        return None, 0
    return (sniff(head) if head else None), size


def find_files(paths: Sequence[str | Path], recursive: bool = False) -> Found:
    """The files to import from `paths`: files as given, and the page files inside folders (their
    subfolders too when `recursive`), recognised by content, each once, in name order per folder.

    A named file is kept whatever it holds, so that the import reports what is wrong with it; in
    folders, other files (notes, spreadsheets, .DS_Store) are only counted.
    """
    found = Found()
    seen: set[Path] = set()
    words_files: list[Path] = []

    def add(path: Path, named: bool) -> None:
        # A file named twice is imported (and reported) twice as asked; one found again in a folder is not.
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: its import says so, in its own line
            key = path.absolute()
        if key in seen and not named:
            return
        seen.add(key)
        if named or page_kind(path) is not None:
            found.files.append(path)
        else:
            found.other.append(path)

    for item in map(Path, paths):
        if not item.is_dir():
            add(item, named=True)
            continue
        before = len(found.files)
        if recursive:
            walk = os.walk(item, onerror=None, followlinks=False)
        else:
            try:
                walk = iter([(str(item), [], sorted(os.listdir(item)))])
            except OSError:  # unreadable: reported as a folder without page files, like os.walk's
                walk = iter([])
        for folder, dirs, names in walk:
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                path = Path(folder) / name
                if not name.startswith(".") and path.is_file():
                    if name.lower().endswith(WORDS_SUFFIXES):
                        words_files.append(path)
                    else:
                        add(path, named=False)
        _pair_words(found, words_files)
        words_files.clear()
        if len(found.files) == before:
            found.empty.append(item)
    return found


def _pair_words(found: Found, candidates: list[Path]) -> None:
    """Give each image found its words file: the image is then imported once, with the file's words and
    annotations, not OCRed. A words file whose image lies elsewhere is imported itself (it finds its image);
    other XML and HTML files, and a second words file for one image, are left alone."""
    from ..errors import ScanspanError
    from ..ingest.sources import read_file
    from ..ingest.words_in import looks_like_markup, read_words

    images: dict[Path, Path] = {}
    alone: set[Path] = set()  # words files imported themselves, their image not among the files
    for path in found.files:
        try:
            images.setdefault(path.resolve(), path)
        except (OSError, RuntimeError):
            continue
    for path in candidates:
        try:
            data = read_file(path)
            if not looks_like_markup(data):
                raise ScanspanError(f"{path}: not markup")
            image = read_words(path, data).image_path().resolve()
        except (ScanspanError, OSError, RuntimeError):
            found.other.append(path)
            continue
        target = images.get(image)
        if target is None:
            images[image] = path
            alone.add(path)
            found.files.append(path)
        elif target in alone or target in found.words:
            found.other.append(path)
        else:
            found.words[target] = path


def count_pages(path: Path) -> int:
    """How many pages a file will give, cheaply (no rendering); 0 when it cannot be told here."""
    from ..ingest.sources import MAX_FILE_BYTES

    kind, size = _head(path)
    if size > MAX_FILE_BYTES:  # its import refuses it unread; MuPDF would read it all to count its pages
        return 0
    # Warnings about a damaged file are reported with its import, in its own line, not here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _count(path, kind)


def _count(path: Path, kind: str | None) -> int:
    try:
        if kind == "pdf":
            import pymupdf

            from ..ingest.sources import MUPDF_LOCK

            with MUPDF_LOCK:
                with pymupdf.open(path) as doc:
                    return 0 if doc.needs_pass else doc.page_count
        if kind == "tiff":
            from PIL import Image

            with Image.open(path) as image:
                return int(getattr(image, "n_frames", 1))
        return 1 if kind else 0
    except Exception:  # a damaged file: the import itself says what is wrong with it
        return 0


def import_paths(
    project: Project,
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    recursive: bool = False,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> FolderImport:
    """Import files and folders into an open project (what a folder dropped on the window needs).

    Files already in the project (by content) are reported as duplicates and not read further;
    progress counts the pages of the whole run from the start.
    """
    found = find_files(paths, recursive)
    planned = {path: count_pages(path) for path in found.files}
    if found.words:
        options = options or ImportOptions()
        options = replace(options, words={**found.words, **options.words})
    outcomes = import_into(project, found.files, options, progress=progress, cancel=cancel, planned=planned)
    return FolderImport(outcomes, found.other, found.empty)
