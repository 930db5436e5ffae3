"""Test documents made on the spot: vector PDFs drawn with PyMuPDF's built-in fonts, their
rasterisations (image-only PDFs, PNG, JPEG, TIFF, bilevel G4 fax), and where every word was drawn.

The "truth" here never comes from Scanspan: a word's position is computed from the font metrics
of the text we drew, and its ink box is read from the pixels of the image we made.
"""

from __future__ import annotations

import difflib
import fcntl
import functools
import io
import os
import pty
import resource
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
from PIL import Image
from rapidfuzz.distance import Levenshtein

from annotations.importing.files import Outcome
from annotations.store import Project

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class DrawnWord:
    text: str
    page: int  # 1-based
    line: int  # 0-based line on its page
    box: Box  # in PDF points: x from the font's advance widths, y from its ascender/descender


@dataclass
class Drawn:
    """A vector PDF and the words we put on it."""

    pdf: bytes
    size: tuple[float, float]  # page width, height in points
    lines: list[list[str]]  # per page, the lines as drawn
    words: list[list[DrawnWord]]  # per page

    def text(self, page: int | None = None) -> str:
        pages = self.lines if page is None else [self.lines[page - 1]]
        return "\n".join(line for lines in pages for line in lines)

    def doc(self) -> pymupdf.Document:
        return pymupdf.open(stream=self.pdf, filetype="pdf")


def draw_pdf(
    pages: Sequence[Sequence[str]],
    size: tuple[float, float] = (4 * 72, 3 * 72),
    fontname: str = "tiro",
    fontsize: float = 12,
    margin: float = 20,
    leading: float = 1.7,
) -> Drawn:
    """A born-digital PDF with one text line per entry, and the box of every word."""
    font = pymupdf.Font(fontname)
    asc, desc = font.ascender, font.descender  # fractions of the font size; desc is negative
    space = font.text_length(" ", fontsize=fontsize)
    doc = pymupdf.open()
    all_words: list[list[DrawnWord]] = []
    for p, lines in enumerate(pages, start=1):
        page = doc.new_page(width=size[0], height=size[1])
        words: list[DrawnWord] = []
        y = margin + fontsize
        for n, line in enumerate(lines):
            page.insert_text((margin, y), line, fontname=fontname, fontsize=fontsize)
            x = margin
            for token in line.split(" "):
                width = font.text_length(token, fontsize=fontsize)
                if token:
                    words.append(DrawnWord(token, p, n, (x, y - asc * fontsize, x + width, y - desc * fontsize)))
                x += width + space
            y += fontsize * leading
        assert y - fontsize * leading < size[1] - margin / 2, "lines do not fit on the page"
        all_words.append(words)
    return Drawn(doc.tobytes(), size, [list(lines) for lines in pages], all_words)


def render(drawn: Drawn, page: int, dpi_x: float, dpi_y: float | None = None) -> Image.Image:
    """Rasterise one page of a drawn PDF to an 8-bit grey image at (dpi_x, dpi_y)."""
    dpi_y = dpi_x if dpi_y is None else dpi_y
    with drawn.doc() as doc:
        pix = doc[page - 1].get_pixmap(matrix=pymupdf.Matrix(dpi_x / 72, dpi_y / 72), colorspace=pymupdf.csGRAY)
        return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def image_pdf(images: Sequence[Image.Image], dpi: float = 300) -> bytes:
    """A scanned-style PDF: every page is one image and nothing else (no text layer)."""
    doc = pymupdf.open()
    for image in images:
        page = doc.new_page(width=image.width * 72 / dpi, height=image.height * 72 / dpi)
        page.insert_image(page.rect, stream=png_bytes(image))
    return doc.tobytes()


def png_bytes(image: Image.Image, dpi: tuple[float, float] | None = None) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **({"dpi": dpi} if dpi else {}))
    return out.getvalue()


def tiff_bytes(images: Sequence[Image.Image], dpi: tuple[float, float], compression: str = "tiff_lzw") -> bytes:
    out = io.BytesIO()
    first, *rest = images
    first.save(out, format="TIFF", dpi=dpi, compression=compression, save_all=True, append_images=rest)
    return out.getvalue()


def bilevel(image: Image.Image, threshold: int = 150) -> Image.Image:
    return image.point(lambda v: 255 if v >= threshold else 0).convert("1", dither=Image.Dither.NONE)


def to_pixels(box: Box, dpi_x: float, dpi_y: float) -> Box:
    sx, sy = dpi_x / 72, dpi_y / 72
    return box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy


def ink_box(image: Image.Image, around: Box, pad: float = 2) -> Box | None:
    """Bounding box, in the image's pixels, of the dark pixels inside `around` (grown by `pad`)."""
    x0, y0 = max(0, int(around[0] - pad)), max(0, int(around[1] - pad))
    x1, y1 = min(image.width, int(around[2] + pad + 1)), min(image.height, int(around[3] + pad + 1))
    crop = image.convert("L").crop((x0, y0, x1, y1)).point(lambda v: 255 if v < 128 else 0)
    bbox = crop.getbbox()
    if bbox is None:
        return None
    return bbox[0] + x0, bbox[1] + y0, bbox[2] + x0, bbox[3] + y0


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def similarity(a: str, b: str) -> float:
    """1.0 for equal texts after collapsing whitespace; the normalised Levenshtein similarity otherwise."""
    return Levenshtein.normalized_similarity(" ".join(a.split()), " ".join(b.split()))


def aligned(found: Sequence[str], expected: Sequence[str]) -> list[tuple[int, int]]:
    """(i, j) pairs where found[i] == expected[j] in the longest common alignment of two word lists."""
    matcher = difflib.SequenceMatcher(a=list(found), b=list(expected), autojunk=False)
    return [(blk.a + k, blk.b + k) for blk in matcher.get_matching_blocks() for k in range(blk.size)]


def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of width x height pixels that compresses to a few kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte, then white pixels
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row * 500) for _ in range(height // 500))
    body += comp.compress(row * (height % 500)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def document_names(project: Path) -> list[str]:
    """The names of the project's documents, in id order, read straight from the file."""
    conn = sqlite3.connect(project)
    try:
        return [r[0] for r in conn.execute("select name from documents order by id")]
    finally:
        conn.close()


def row_counts(path: Path) -> dict[str, int]:
    """Rows per table, read through a separate connection (what another process would see)."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("sources", "documents", "pages", "words", "spans", "regions")
        }
    finally:
        conn.close()


def orphans(path: Path) -> dict[str, int]:
    """Rows that belong to no document: what a half-stored import would leave behind."""
    conn = sqlite3.connect(path)
    try:
        q = {
            "sources": "select count(*) from sources s where not exists "
            "(select 1 from documents d where d.source_sha256 = s.sha256)",
            "pages": "select count(*) from pages p where not exists (select 1 from documents d where d.id = p.document_id)",
            "words": "select count(*) from words w where not exists (select 1 from pages p where p.id = w.page_id)",
            "empty documents": "select count(*) from documents d where not exists "
            "(select 1 from pages p where p.document_id = d.id)",
        }
        return {name: conn.execute(sql).fetchone()[0] for name, sql in q.items()}
    finally:
        conn.close()


SCANSPAN = Path(sys.executable).with_name("scanspan")
"""The console script installed beside the interpreter running the tests."""

# --- the letters we draw ------------------------------------------------------------------------

BORN = [
    [
        "Department of Health and Human Services",
        "Centers for Disease Control and Prevention",
        "Atlanta, Georgia 30333",
        "Dear Dr. Marchetti:",
    ],
    [
        "The Vaccines for Children program reached",
        "4,500 clinics in 2014, reported by the",
        "Centers for Disease Control and Prevention.",
        "Sincerely yours,",
    ],
]
SCAN = [
    [
        "United States Mission to the United Nations",
        "Office of the High Commissioner",
        "Geneva, Switzerland",
    ],
    [
        "Thank you for your inquiry regarding the",
        "Child Online Protection initiative of 2015.",
        "Respectfully submitted,",
    ],
]
MIXED = [
    ["Bureau of Labor Statistics", "Washington, District of Columbia", "Annual survey of employers"],
    ["The enclosed tables cover", "seventeen industries and", "nine regional offices."],
]
PNG = [["Environmental Protection Agency", "Region Nine Superfund Division", "San Francisco, California"]]
JPEG = [["National Park Service", "Yellowstone visitor counts rose", "by eleven percent in March."]]
TIFF = [
    ["Federal Aviation Administration", "Flight Standards District Office"],
    ["Inspection of runway lighting", "was completed on schedule."],
    ["Please direct any questions to", "the regional administrator."],
]
FAX = [["Please find enclosed the quarterly report", "on immunization coverage for Region Four."]]
LOW = [["Social Security Administration", "Baltimore, Maryland 21235", "Claims are processed weekly."]]


@dataclass
class Corpus:
    """Good files of every kind, and what was drawn on them."""

    root: Path
    paths: dict[str, Path] = field(default_factory=dict)
    truth: dict[str, Drawn] = field(default_factory=dict)
    images: dict[str, list] = field(default_factory=dict)  # per page, the pixels we rasterised (None: vector)

    def add(self, name: str, data: bytes, truth: Drawn, images: list | None = None) -> None:
        path = self.root / name
        path.write_bytes(data)
        self.paths[name] = path
        self.truth[name] = truth
        self.images[name] = images or []


def make_corpus(root: Path) -> Corpus:
    corpus = Corpus(root)
    born = draw_pdf(BORN)
    corpus.add("born.pdf", born.pdf, born)

    scan = draw_pdf(SCAN)
    scan_images = [render(scan, n, 300) for n in (1, 2)]
    corpus.add("scan.pdf", image_pdf(scan_images, 300), scan, scan_images)

    # Page 1 keeps its vector text; page 2 is only a picture of text.
    mixed = draw_pdf(MIXED)
    with mixed.doc() as src, pymupdf.open() as out:
        out.insert_pdf(src, from_page=0, to_page=0)
        page2 = render(mixed, 2, 300)
        page = out.new_page(width=mixed.size[0], height=mixed.size[1])
        page.insert_image(page.rect, stream=png_bytes(page2))
        corpus.add("mixed.pdf", out.tobytes(), mixed, [None, page2])

    png = draw_pdf(PNG)
    png_image = render(png, 1, 300)
    corpus.add("letter.png", png_bytes(png_image, (300, 300)), png, [png_image])

    jpeg = draw_pdf(JPEG)
    jpeg_image = render(jpeg, 1, 300)
    buf = root / "tmp.jpg"
    jpeg_image.save(buf, format="JPEG", quality=92, dpi=(300, 300))
    corpus.add("photo.jpg", buf.read_bytes(), jpeg, [jpeg_image])
    buf.unlink()

    tiff = draw_pdf(TIFF)
    tiff_images = [render(tiff, n, 300) for n in (1, 2, 3)]
    corpus.add("pages.tif", tiff_bytes(tiff_images, (300, 300)), tiff, tiff_images)

    # A fax: letter-width strip, bilevel, CCITT G4, 204 x 196 dpi, typewriter font.
    fax = draw_pdf(FAX, size=(612, 150), fontname="cour", fontsize=12, margin=24)
    fax_image = bilevel(render(fax, 1, 204, 196))
    corpus.add("fax.tif", tiff_bytes([fax_image], (204, 196), "group4"), fax, [fax_image])
    # Standard-mode fax: half the vertical resolution, so every pixel is twice as tall as wide.
    fax_std_image = bilevel(render(fax, 1, 204, 98))
    corpus.add("fax-standard.tif", tiff_bytes([fax_std_image], (204, 98), "group4"), fax, [fax_std_image])

    low = draw_pdf(LOW, fontsize=14)
    low_image = render(low, 1, 100)
    corpus.add("low.png", png_bytes(low_image, (100, 100)), low, [low_image])
    return corpus


@dataclass
class Imported:
    path: Path
    project: Project
    outcomes: dict[str, Outcome]
    progress: list[tuple[int, int, str]]

    def pages(self, name: str):
        return self.project.pages(self.outcomes[name].document.id)

    def words(self, name: str, number: int = 1):
        return self.project.words(self.pages(name)[number - 1].id)


def copy_project(src: Path, dest: Path) -> Path:
    """Copy a closed project file (its WAL was checkpointed on close)."""
    assert not Path(str(src) + "-wal").exists() or Path(str(src) + "-wal").stat().st_size == 0
    shutil.copyfile(src, dest)
    return dest


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def shared() -> Path:
    """The team's shared/ folder beside the repository (CI has a copy of it beside its clone)."""
    return Path(__file__).resolve().parents[1].parent / "shared"


def real_scans() -> Path:
    """Real pages nobody on the team made, with their ground truth (see its README); never copied here."""
    return shared() / "data" / "real-scans"


def cli_env(tmp: Path, path: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "PYTEST"))}
    env["XDG_STATE_HOME"] = str(tmp / "state")
    env["PATH"] = os.environ.get("PATH", "") if path is None else path
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def run_scanspan(args: list[str], tmp: Path, path: str | None = None, timeout: float = 120) -> Run:
    """The installed `scanspan` console script in a real subprocess (stdout is a pipe, not a terminal)."""
    proc = subprocess.run(
        [str(SCANSPAN), *map(str, args)],
        capture_output=True,
        text=True,
        env=cli_env(tmp, path),
        cwd=tmp,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)



def run_bounded(args: list[str], tmp: Path, timeout: float = 60, cap: int = 1024**3) -> tuple[Run, int]:
    """`scanspan ARGS` under an address-space limit (so reading without end fails fast rather than
    filling the machine), with its peak resident memory in kB as /usr/bin/time measured it."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    rss = tmp / "rss.txt"
    # A session of its own, so that a time-out ends scanspan too, not only /usr/bin/time above it.
    proc = subprocess.Popen(
        ["/usr/bin/time", "-f", "%M", "-o", str(rss), str(SCANSPAN), *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(tmp), cwd=tmp,
        preexec_fn=limit, start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return Run(proc.returncode, out, err), int(rss.read_text().split()[-1])


def run_on_terminal(args: list[str], tmp: Path, timeout: float = 120) -> tuple[int, str]:
    """`scanspan ARGS` with a 100-column terminal as its stdout and stderr (so progress bars are
    drawn); its exit status and everything it put on the screen."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([str(SCANSPAN), *map(str, args)], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, cwd=tmp, env=cli_env(tmp))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=timeout), b"".join(chunks).decode()


def start_scanspan(args: list[str], tmp: Path, path: str | None = None) -> subprocess.Popen[str]:
    """`scanspan ARGS` started in a real subprocess and left running, for tests that signal it."""
    return subprocess.Popen(
        [str(SCANSPAN), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp, path),
        cwd=tmp,
    )


@functools.cache
def namespaces_problem() -> str | None:
    """Why this machine cannot give a test a mount namespace of its own (unshare -rm), or None."""
    if shutil.which("unshare") is None:
        return "the unshare command (util-linux) is missing"
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"unshare -rm is not allowed here ({probe.stderr.strip()})"


def pid_running(pid: int) -> bool:
    """Whether a process with this pid exists and has not exited (a zombie waiting to be reaped has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; whether it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True

