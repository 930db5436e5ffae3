"""Where a writer writes: the main file, files beside it and page images, all staged and put in place together."""

from __future__ import annotations

import errno
import io
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import ProjectError
from ..processes.leftovers import hold, release, remove_dead
from ..records import Page
from ..store import Project
from .base import ExportDocument, ExportOptions, ExportReport

if TYPE_CHECKING:
    from PIL import Image

_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)


def temporary_name(name: str) -> str:
    """A hidden name for a temporary of `name`, with the pid of this process: .NAME.PID.HEX.tmp."""
    return f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def remove_leftovers(out: Path) -> list[Path]:
    """Remove what exports to `out` killed before they finished left beside it and inside it.

    The temporaries of an export are named for what they become (the output; its splits, files
    beside it and images folder, all OUTSTEM-SOMETHING; `export` inside a folder output) and carry
    the writer's pid; those whose writer is gone are removed.
    """
    folder = out.parent if str(out.parent) else Path(".")
    removed = remove_dead(folder, lambda name: name == out.name or name.startswith(f"{out.stem}-"))
    if out.is_dir() and not out.is_symlink():
        removed += remove_dead(out, lambda name: name == "export")
    return removed


def temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path` under a hidden temporary name, with the permissions open() would give `path`."""
    for _ in range(100):
        tmp = path.with_name(temporary_name(path.name))
        try:
            # Created 0o666 with the kernel applying the umask, as open() does. mkstemp makes files
            # private, and widening them meant reading the umask, which can only be done by setting
            # it: for an instant the whole process (the GUI exports on a worker thread) had umask 0.
            fd = os.open(tmp, _OPEN_FLAGS, 0o666)
        except FileExistsError:
            continue
        return fd, str(tmp)
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def temporary_folder(path: Path) -> Path:
    """A new empty folder beside `path` under a hidden temporary name, with the permissions mkdir() gives."""
    for _ in range(100):
        tmp = path.with_name(temporary_name(path.name))
        try:
            # Not mkdtemp: its folders are private (0o700), and a staged folder is renamed into place whole.
            tmp.mkdir()
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))


def refuse_link(folder: Path) -> None:
    """Refuse an output folder that is a symbolic link: an export writes its folders itself, and
    writing through a link would put files wherever it points (another export, someone's data)."""
    if folder.is_symlink():
        raise ProjectError(f"{folder}: is a symbolic link; an export writes only into folders that are "
                           "really there (remove the link, or export elsewhere)")


def cannot_write(path: Path, exc: OSError) -> ProjectError:
    """The one-line error for an output that could not be written (no such folder, no permission, disk full)."""
    return ProjectError(f"{path}: cannot write ({exc.strerror or exc})")


class Staging:
    """Every file of one export, written under temporary names and moved into place by `commit`.

    An export is several files (one per split, a config beside, page images); until all of them
    are written none is visible, so a failure leaves no half-set behind and changes nothing that
    was there before. `discard` removes whatever was staged.
    """

    def __init__(self) -> None:
        self._early: list[tuple[str, Path]] = []  # (temporary, final): page images and files beside
        self._late: list[tuple[str, Path]] = []  # the main files, moved last so their images are there first
        self._folders: dict[Path, str] = {}  # final image folder -> the temporary folder staging it
        self._scratch: list[Path] = []  # temporary folders, removed at the end
        self._trees: list[tuple[Path, Path, bool]] = []  # (temporary, final, replace): whole folders, moved last
        self._locks: list[int | None] = []  # on every temporary beside a target, see `_hold`

    def open(self, path: Path, main: bool = True) -> int:
        """A descriptor for writing the staged `path`."""
        fd, tmp = temporary(path)
        (self._late if main else self._early).append((tmp, path))
        self._hold(Path(tmp))
        return fd

    def write(self, path: Path, data: bytes) -> None:
        """Stage a small file beside the main file."""
        with os.fdopen(self.open(path, main=False), "wb") as handle:
            handle.write(data)

    def write_in_folder(self, folder: Path, name: str, data: bytes) -> Path:
        """Stage `folder/name`; the folder itself is made (if missing) only at commit."""
        staging = self._folders.get(folder)
        if staging is None:
            refuse_link(folder)
            staging = str(self._hold(temporary_folder(folder)))
            self._folders[folder] = staging
        fd, tmp = temporary(Path(staging) / name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        self._early.append((tmp, folder / name))
        return folder / name

    def folder(self, near: Path, output: Path) -> Path:
        """A new temporary folder beside `near` (so on its file system) for writing `output`; removed at the end."""
        try:
            tmp = temporary_folder(near)
        except OSError as exc:
            raise cannot_write(output, exc) from None
        self._scratch.append(tmp)
        return self._hold(tmp)

    def _hold(self, tmp: Path) -> Path:
        # Locked until the export ends, so that another export to the same place, cleaning what
        # killed runs left, sees this one is alive (its lock is released by the kernel however it ends).
        self._locks.append(hold(tmp))
        return tmp

    def move(self, tmp: Path, final: Path, replace: bool) -> None:
        """At commit, the folder `tmp` becomes `final`; a folder already there is replaced if `replace`, else an error."""
        self._trees.append((tmp, final, replace))

    def commit(self) -> None:
        """Move everything into place: images and files beside first, then the main files, then whole folders.

        Each move is a rename within one folder; should one still fail, the files moved before it
        stay (a rename cannot be taken back without losing what it replaced) and the rest is removed.
        Whole folders are all or nothing: a folder they replace is moved aside, and back on failure.
        """
        try:
            for folder in self._folders:
                try:
                    folder.mkdir(exist_ok=True)
                except OSError as exc:
                    raise cannot_write(folder, exc) from None
                refuse_link(folder)  # again: a link may have been put there while the export ran
            for tmp, path in self._early + self._late:
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    raise cannot_write(path, exc) from None
            self._commit_trees()
        finally:
            self.discard()

    def _commit_trees(self) -> None:
        placed: list[tuple[Path, Path | None]] = []  # (final, the folder it replaced, moved aside)
        try:
            for tmp, final, replace in self._trees:
                old = None
                # Checked again here: an export takes a while, and another may have written the folder meanwhile.
                if (final.exists() or final.is_symlink()) and not replace:
                    raise FileExistsError(errno.EEXIST, "it appeared while exporting", str(final))
                if final.is_dir() and not final.is_symlink():
                    old = final.with_name(f".{final.name}.{secrets.token_hex(4)}.old")
                    os.rename(final, old)
                try:
                    os.rename(tmp, final)
                except OSError:
                    if old is not None:
                        os.rename(old, final)
                    raise
                placed.append((final, old))
        except OSError as exc:
            failed = final
            for done, old in reversed(placed):
                shutil.rmtree(done, ignore_errors=True)
                if old is not None:
                    os.rename(old, done)
            raise cannot_write(failed, exc) from None
        for _, old in placed:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        for tmp, _ in self._early + self._late:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        self._early.clear()
        self._late.clear()
        for staging in self._folders.values():
            shutil.rmtree(staging, ignore_errors=True)
        self._folders.clear()
        for scratch in self._scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        self._scratch.clear()
        self._trees.clear()
        for lock in self._locks:
            release(lock)
        self._locks.clear()


def _grey_if_neutral(image: Image.Image) -> Image.Image:
    # Most letters are scanned in grey; a grey PNG is a third of the RGB one, and every consumer
    # (LayoutLM processors, Label Studio, COCO tools) reads it. Colour scans stay in colour.
    from PIL import ImageChops  # only exports with page images load Pillow

    if image.mode != "RGB":
        return image
    r, g, b = image.split()
    if ImageChops.difference(r, g).getbbox() is None and ImageChops.difference(g, b).getbbox() is None:
        return r
    return image


def slug(name: str) -> str:
    stem = Path(name).stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "document"


class PageRenderer:
    """Page images as PNG bytes, exactly page.width x page.height pixels, rendered from the stored source."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._source: tuple[str, bytes] | None = None

    def image(self, doc: ExportDocument, page: Page) -> Image.Image:
        """The page at exactly page.width x page.height pixels, grey unless the scan has colour."""
        return _grey_if_neutral(self._render(doc, page))

    def png(self, doc: ExportDocument, page: Page) -> bytes:
        image = self.image(doc, page)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=3, dpi=(page.dpi_x, page.dpi_y))
        return buffer.getvalue()

    def _render(self, doc: ExportDocument, page: Page) -> Image.Image:
        # The source file is read from the store once per document, not once per page: a 200-page,
        # 72 MB scan spent 23 s in SQLite copying the same blob. Only the current document's is kept.
        sha = doc.document.source_sha256
        if self._source is None or self._source[0] != sha:
            self._source = None  # let the previous document's bytes go before reading the next
            self._source = (sha, self.project.source_data(sha))
        from ..ingest.render import render_page  # PyMuPDF only for exports with page images

        return render_page(page, sha, self._source[1])


@dataclass
class Target:
    """One output file being written, with what the writer needs beside the stream.

    `stream` is text or binary as the format asks. Page images go to `image_dir` and are named in
    the output by their path relative to the output file's folder, so the folder can be moved whole.
    Everything is written through `staging`, which puts it in place once the whole export succeeded.
    """

    project: Project
    path: Path
    stream: IO[Any]
    options: ExportOptions
    report: ExportReport
    image_dir: Path
    staging: Staging
    _beside: dict[Path, bytes] = field(default_factory=dict, init=False)
    _images: dict[int, str] = field(default_factory=dict, init=False)
    _renderer: PageRenderer | None = field(default=None, init=False, repr=False)

    def beside(self, suffix: str, text: str) -> Path:
        """Queue a file named like the output with `suffix` instead of its extension."""
        path = self.path.with_name(self.path.stem + suffix)
        self._beside[path] = text.encode("utf-8")
        return path

    def page_image(self, doc: ExportDocument, page: Page) -> str:
        """Render the page at its box resolution (page.width x page.height) once; its relative path."""
        rel = self._images.get(page.id)
        if rel is None:
            name = f"{doc.document.id}-{slug(doc.document.name)}-p{page.number}.png"
            if self._renderer is None:
                self._renderer = PageRenderer(self.project)
            try:
                path = self.staging.write_in_folder(self.image_dir, name, self._renderer.png(doc, page))
            except OSError as exc:
                raise cannot_write(self.image_dir / name, exc) from None
            rel = os.path.relpath(path, self.path.parent).replace(os.sep, "/")
            self._images[page.id] = rel
            self.report.images += 1
            if str(self.image_dir) not in self.report.image_folders:
                self.report.image_folders.append(str(self.image_dir))
        return rel

    def stage_beside(self) -> None:
        for path, data in self._beside.items():
            self.staging.write(path, data)
            self.report.files.append(str(path))
