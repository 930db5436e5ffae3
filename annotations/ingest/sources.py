"""Opening PDFs, TIFF, PNG and JPEG files with PyMuPDF into page images or text-layer words."""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
from PIL import Image

from ..errors import SourceError, first_line  # noqa: F401 - first_line was defined here
from ..records import RawWord

MAX_PIXELS = 200_000_000
"""Pages above this many pixels are refused: a decompression bomb or a scan nobody can annotate."""

USABLE_DPI = (20.0, 10_000.0)
"""A resolution tag outside this range (0, 1/64, 1e9 dpi: damaged or nonsense) is treated as missing."""
MAX_PIXEL_ASPECT = 4.0
"""Nor is a tag whose pixels are more than this many times taller than wide (standard fax: about 2)."""

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Files larger than this are refused before they are read: the project stores each file whole,
in one SQLite value (at most 1 GB), and an import holds it in memory while it works."""

MIN_TEXT_LAYER_WORDS = 3
"""A PDF page with fewer real words than this is treated as a scan and OCRed."""

# MuPDF otherwise prints its own warnings about damaged files on stderr, next to our one-line message.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)
MUPDF_LOCK = threading.RLock()
"""MuPDF shares one context per process and is not safe to call from two threads at once."""

# Pillow's own limit would raise a warning first; we check the size ourselves before decoding.
Image.MAX_IMAGE_PIXELS = None

_IMAGE_KINDS = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"II*\x00": "tiff", b"MM\x00*": "tiff"}


@dataclass
class SourcePage:
    """One page: either words from a PDF text layer, or an image to OCR."""

    number: int
    width: int
    height: int
    dpi_x: float
    dpi_y: float
    words: list[RawWord] | None = None
    image: Image.Image | None = None
    # Resolution is a guess (no usable dpi tag): only the pixel size is known for sure.
    dpi_guessed: bool = False


@dataclass
class Source:
    """A file read into memory, identified by the SHA-256 of its bytes."""

    path: Path
    data: bytes
    sha256: str
    kind: str
    warnings: list[str] = field(default_factory=list)
    """What the libraries reading it warned about (damaged metadata they skipped), one line each."""

    @property
    def name(self) -> str:
        return self.path.name


def read_source(path: str | Path, data: bytes | None = None) -> Source:
    """Read a file (unless its bytes are given) and recognise its format from its content, not its name."""
    path = Path(path)
    if data is None:
        data = read_file(path)
    if not data:
        raise SourceError(path, "empty file")
    kind = sniff(data)
    if kind is None:
        raise SourceError(path, f"not a PDF, TIFF, PNG or JPEG file ({describe_content(data)})")
    return Source(path, data, hashlib.sha256(data).hexdigest(), kind)


def read_file(path: Path) -> bytes:
    """The bytes of a regular file, or of a pipe given as /dev/fd/N (`<(...)`), read once and whole
    within MAX_FILE_BYTES.

    Anything else named (a FIFO on disk, a device, a socket, a symlink loop, a file over the size
    limit) is a SourceError saying what it is, before a byte of it is read: a FIFO would wait for
    a writer forever, and /dev/zero never ends.
    """
    with open_file(path) as (fd, size):
        if size is not None and size > MAX_FILE_BYTES:
            raise SourceError(path, f"{_size(size)}; files over {_size(MAX_FILE_BYTES)} are not imported")
        chunks: list[bytes] = []
        got = 0
        try:
            while got <= MAX_FILE_BYTES:
                chunk = os.read(fd, min(MAX_FILE_BYTES + 1 - got, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        except OSError as exc:
            raise SourceError(path, f"cannot be read ({exc.strerror})") from None
    if got > MAX_FILE_BYTES:  # a pipe, or a file that grew since it was measured
        raise SourceError(path, f"more than {_size(MAX_FILE_BYTES)}; files over that are not imported")
    return b"".join(chunks)


@contextmanager
def open_file(path: Path) -> Iterator[tuple[int, int | None]]:
    """A descriptor open for reading on `path`, and its size (None for a pipe); see read_file."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise SourceError(path, _open_failure(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(path, "is a directory, not a file")
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise SourceError(path, f"{_special(path, info.st_mode)}, not a file; only regular files are imported")
    try:
        # Non-blocking, so that a file swapped for a FIFO since it was looked at cannot hang the open.
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise SourceError(path, _open_failure(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISFIFO(info.st_mode) and _anonymous_pipe(fd, path):
            _blocking(fd)  # the other end is still writing: wait for it
            yield fd, None
        elif stat.S_ISREG(info.st_mode):
            _blocking(fd)
            yield fd, info.st_size
        else:
            raise SourceError(path, f"{_special(path, info.st_mode)}, not a file; only regular files are imported")
    finally:
        os.close(fd)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # Windows has no FIFOs to hang on, nor the flag


def _blocking(fd: int) -> None:
    if _NONBLOCK:
        os.set_blocking(fd, True)


def _anonymous_pipe(fd: int, path: Path) -> bool:
    """Whether `fd` is a pipe that a shell's process substitution made (rather than a FIFO on disk)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:")
    except OSError:  # no /proc (macOS, the BSDs): their process substitutions are /dev/fd/N
        return str(path).startswith("/dev/fd/")


def _special(path: Path, mode: int) -> str:
    what = (
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a file"
    )
    target = os.path.realpath(path)
    return f"{what} ({target})" if os.path.islink(path) and target != str(path) else what


def _open_failure(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop (the links never reach a file)"
    if exc.errno == errno.EISDIR:
        return "is a directory, not a file"
    return f"cannot be read ({exc.strerror or exc})"


def _size(n: int) -> str:
    return f"{n / 1024 ** 2:,.0f} MiB" if n >= 1024 ** 2 else f"{n:,} bytes"


def sniff(data: bytes) -> str | None:
    if data[:1024].lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
        return "pdf"
    for magic, kind in _IMAGE_KINDS.items():
        if data.startswith(magic):
            return kind
    return None


def describe_content(data: bytes) -> str:
    """A few words on what a file that is not a page image actually holds."""
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:4096]:
            return "it is a Word .docx document; save it as PDF first"
        return "it is a ZIP archive"
    head = data[:2048]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised binary content"
    return "it is plain text"


def open_pages(source: Source, dpi: float = 300, force_ocr: bool = False) -> tuple[int, Iterator[SourcePage]]:
    """Validate `source` and return its page count and a lazy iterator over its pages.

    Everything that can be checked without rendering is checked here, so a bad file fails before
    any OCR is spent on it.
    """
    if source.kind == "pdf":
        doc = _open_pdf(source)
        _check_pdf_pages(source, doc, dpi)
        return doc.page_count, _pdf_pages(source, doc, dpi, force_ocr)
    frames = _image_frames(source)
    return len(frames), _image_pages(source, frames)


def _open_pdf(source: Source) -> pymupdf.Document:
    tail = source.data[-2048:]
    if b"%%EOF" not in tail:
        raise SourceError(source.path, "truncated PDF (the end of the file is missing)")
    try:
        with mupdf_calls(source.warnings):
            doc = pymupdf.open(stream=source.data, filetype="pdf")
            locked = doc.needs_pass or doc.is_encrypted
            count = 0 if locked else doc.page_count
    except Exception as exc:  # MuPDF raises plain RuntimeError/FileDataError for damaged files
        raise SourceError(source.path, f"damaged PDF ({first_line(exc)})") from None
    if locked:
        raise SourceError(source.path, "encrypted PDF: a password is needed to open it")
    if count == 0:
        raise SourceError(source.path, "PDF has no pages")
    return doc


def _load_page(source: Source, doc: pymupdf.Document, number: int) -> pymupdf.Page:
    """Page `number` (0-based), called under mupdf_calls(). A damaged page tree fails here."""
    try:
        return doc[number]
    except Exception as exc:
        raise SourceError(source.path, f"page {number + 1} cannot be read ({first_line(exc)})") from None


def _check_pdf_pages(source: Source, doc: pymupdf.Document, dpi: float) -> None:
    for number in range(doc.page_count):
        with mupdf_calls(source.warnings):
            rect = _load_page(source, doc, number).rect
        w, h = rect.width * dpi / 72, rect.height * dpi / 72
        if not (math.isfinite(w) and math.isfinite(h) and round(w) >= 1 and round(h) >= 1):
            raise SourceError(source.path, f"page {number + 1} has no area ({rect.width:g} x {rect.height:g} points)")
        if w * h > MAX_PIXELS:
            raise SourceError(
                source.path,
                f"page {number + 1} would be {w * h / 1e6:.0f} megapixels at {dpi:g} dpi "
                f"(limit {MAX_PIXELS / 1e6:.0f})",
            )


def _pdf_pages(source: Source, doc: pymupdf.Document, dpi: float, force_ocr: bool) -> Iterator[SourcePage]:
    scale = dpi / 72
    for number in range(doc.page_count):
        with mupdf_calls(source.warnings):
            page = _load_page(source, doc, number)
            try:
                width = round(page.rect.width * scale)
                height = round(page.rect.height * scale)
                words = None if force_ocr else _text_layer_words(page, scale)
                image = None
                if words is None:
                    matrix = pymupdf.Matrix(scale, scale)
                    pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
                    image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
                    width, height = pix.width, pix.height
            except Exception as exc:
                raise SourceError(source.path, f"page {number + 1} cannot be read ({first_line(exc)})") from None
        yield SourcePage(number + 1, width, height, dpi, dpi, words=words, image=image)


def _text_layer_words(page: pymupdf.Page, scale: float) -> list[RawWord] | None:
    raw = page.get_text("words", sort=False)
    real = [w for w in raw if any(ch.isalnum() for ch in w[4])]
    if len(real) < MIN_TEXT_LAYER_WORDS:
        return None
    # MuPDF numbers blocks and lines in content order; sort=True would reorder by position.
    raw.sort(key=lambda w: (w[5], w[6], w[7]))
    # Words come in the unrotated page's coordinates; the page is rendered and shown rotated.
    to_page = page.rotation_matrix * pymupdf.Matrix(scale, scale)
    words = []
    for w in raw:
        r = pymupdf.Rect(w[:4]) * to_page
        words.append(RawWord(text=w[4], box=(r.x0, r.y0, r.x1, r.y1), conf=100.0, block=w[5], par=0, line=w[6]))
    return words


@contextmanager
def mupdf_calls(into: list[str] | None = None) -> Iterator[None]:
    """Hold MUPDF_LOCK; what C libraries print straight to stderr meanwhile goes to `into` (or nowhere).

    MuPDF's image loader leaves libjpeg's messages ("Corrupt JPEG data: 40 extraneous bytes before
    marker 0xda") on the process's stderr. File descriptor 2 is process-wide, so it is diverted only
    for these short calls, under the lock that already serialises them.
    """
    with MUPDF_LOCK, tempfile.TemporaryFile() as sink:
        try:
            if sys.stderr is not None:
                sys.stderr.flush()
            saved = os.dup(2)
        except OSError:  # no standard error at all (a windowed process on Windows): nothing to divert
            saved = -1
        if saved < 0:
            yield
            return
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            for line in sink.read().decode("utf-8", "replace").splitlines():
                line = " ".join(line.split())
                if into is not None and line and line not in into:
                    into.append(line)


@contextmanager
def _warnings_into(source: Source) -> Iterator[None]:
    """Library warnings (Pillow's "Corrupt EXIF data", ...) become lines of the file's report.

    warnings.catch_warnings swaps process-wide state, so it is kept around the short header reads.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                line = " ".join(first_line(w.message).split())  # type: ignore[arg-type]  # a Warning instance
                if line not in source.warnings:
                    source.warnings.append(line)


def usable_dpi(dpi_x: float | None, dpi_y: float | None) -> bool:
    """Whether a resolution tag can be believed (see USABLE_DPI and MAX_PIXEL_ASPECT)."""
    if dpi_x is None or dpi_y is None:
        return False
    low, high = USABLE_DPI
    if not all(math.isfinite(v) and low <= v <= high for v in (dpi_x, dpi_y)):
        return False
    return max(dpi_x, dpi_y) / min(dpi_x, dpi_y) <= MAX_PIXEL_ASPECT


def _image_frames(source: Source) -> list[tuple[int, int, float | None, float | None]]:
    """(width, height, dpi_x, dpi_y) of every frame, read from the headers without decoding."""
    try:
        with _warnings_into(source), Image.open(io.BytesIO(source.data)) as im:
            frames = []
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i)
                w, h = im.size
                if w < 1 or h < 1:
                    raise SourceError(source.path, f"page {i + 1} has no pixels ({w}x{h})")
                if w * h > MAX_PIXELS:
                    raise SourceError(
                        source.path,
                        f"image is {w}x{h} = {w * h / 1e6:.0f} megapixels (limit {MAX_PIXELS / 1e6:.0f}); "
                        "refusing a possible decompression bomb",
                    )
                dpi = im.info.get("dpi")
                # PNG stores pixels per metre, so 100 dpi comes back as 99.9994: round it off.
                dx, dy = (round(float(dpi[0]), 1), round(float(dpi[1]), 1)) if dpi else (None, None)
                if not usable_dpi(dx, dy):
                    dx = dy = None
                frames.append((w, h, dx, dy))
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(source.path, f"damaged {source.kind.upper()} image ({first_line(exc)})") from None
    return frames


def _image_pages(source: Source, frames: list[tuple[int, int, float | None, float | None]]) -> Iterator[SourcePage]:
    try:
        with mupdf_calls(source.warnings):
            doc = pymupdf.open(stream=source.data, filetype=source.kind)
    except Exception as exc:
        raise SourceError(source.path, f"damaged {source.kind.upper()} image ({first_line(exc)})") from None
    for i, (w, h, dx, dy) in enumerate(frames):
        try:
            with mupdf_calls(source.warnings):
                page = doc[i]
                if page.rect.is_empty:
                    raise ValueError("the image has no size")
                # Render at the image's own resolution, per axis, so we get its native pixels back
                # (fax scans are often 204x196 or 204x98 dpi).
                mat = pymupdf.Matrix(w / page.rect.width, h / page.rect.height)
                pymupdf.TOOLS.mupdf_warnings(reset=True)
                pix = page.get_pixmap(matrix=mat, colorspace=pymupdf.csGRAY, alpha=False)
                _raise_if_cut_short(pymupdf.TOOLS.mupdf_warnings(reset=True))
            image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        except Exception as exc:
            raise SourceError(source.path, f"page {i + 1} cannot be decoded ({first_line(exc)})") from None
        if image.size != (w, h):
            image = image.resize((w, h))
        # Equal 72 or 96 dpi is what software writes when it does not know: treat it as missing.
        # Unequal axes are a real tag (standard fax is 204x98 dpi).
        guessed = dx is None or dy is None or (dx == dy and dx < 100)
        if dx is None or dy is None or guessed:
            dx = dy = estimate_dpi(w, h)
        yield SourcePage(i + 1, w, h, dx, dy, image=image, dpi_guessed=guessed)


_CUT_SHORT = re.compile(r"premature end|unexpected end|truncated", re.IGNORECASE)


def _raise_if_cut_short(warned: str) -> None:
    """MuPDF decodes a cut-off JPEG with a mere warning and paints the missing rows grey, which
    would store half a letter without a word said; a file that ends early is a damaged file."""
    for line in warned.splitlines():
        if _CUT_SHORT.search(line):
            raise ValueError(f"the file ends early: {' '.join(line.split())}")


def estimate_dpi(width: int, height: int) -> float:
    """Resolution of an untagged image, assuming it shows a whole letter-size page."""
    return round(max(width / 8.5, height / 11.0), 1)


def pymupdf_version() -> str:
    return str(pymupdf.VersionBind)
