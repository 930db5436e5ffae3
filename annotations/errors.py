"""Domain errors; each prints as one line that names the file or thing and the cause."""

from __future__ import annotations

import re
from pathlib import Path


class ScanspanError(Exception):
    """Base of every error the core reports to a user."""


class SourceError(ScanspanError):
    """A file that cannot be imported, with the reason."""

    def __init__(self, path: str | Path, cause: str) -> None:
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")


class OcrError(ScanspanError):
    """Tesseract is missing, lacks language data, or failed on a page."""


class ProjectError(ScanspanError):
    """A project file that cannot be opened or a request it cannot satisfy."""


class NotFoundError(ProjectError):
    """A document, page, label, span or region that does not exist."""


class ProjectBusy(ProjectError):
    """Another process kept the project's write lock for longer than this one would wait."""


class ReadOnlyProject(ProjectError):
    """A change asked of a project opened read-only (the file, its folder or the disk cannot be written)."""


class WriteFailed(ProjectError):
    """The disk refused a change (full, I/O error); the change was rolled back."""


class Cancelled(ScanspanError):
    """Long work stopped because the caller asked it to; `done` is what it finished before, where it
    can say (an import: each file's Outcome, those it did not reach "cancelled")."""

    def __init__(self, done: object = None) -> None:
        super().__init__("cancelled")
        self.done = done

    def __reduce__(self) -> tuple[type[Cancelled], tuple[object]]:
        return type(self), (self.done,)  # pickled (from a child process), it keeps `done`, not its message


def first_line(exc: BaseException) -> str:
    """An exception as one line for a user: its first line, without Python object addresses."""
    text = str(exc).strip() or type(exc).__name__
    # Pillow names the in-memory buffer ("<_io.BytesIO object at 0x...>"): noise to a user.
    line = re.sub(r"\s*<[^<>]* object at 0x[0-9a-f]+>", "", text.splitlines()[0])
    # MuPDF prefixes its messages with its error number: "code=7: premature end of data in png image".
    return re.sub(r"^code=\d+:\s*", "", line) or type(exc).__name__


def no_folder(folder: Path) -> str:
    """Why `folder` cannot hold a new file: missing, or a part of its path is a file."""
    for part in (folder, *folder.parents):
        if part.exists() or part.is_symlink():
            if not part.is_dir():
                return f"{part} is a file, not a folder"
            break
    return f"folder {folder} does not exist"
