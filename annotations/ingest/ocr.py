"""Tesseract, one process per page: words with boxes in page pixels; every run can be stopped."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from ..errors import Cancelled, OcrError
from ..records import RawWord

if TYPE_CHECKING:
    from PIL import Image

OCR_TARGET_DPI = 300.0
LOW_DPI = 200.0
"""Scans below this (fax, phone photos) read better upscaled to OCR_TARGET_DPI."""
MAX_UPSCALE = 4.0
MAX_OCR_PIXELS = 60_000_000
"""Upscaling never makes the image handed to tesseract larger than this (a letter at 600 dpi is 34 MP)."""
PROBE_TIMEOUT = 30.0
"""Seconds `tesseract --version` and `--list-langs` may take before tesseract counts as broken."""
_POLL = 0.05
"""How often a running page checks its deadline and the cancel callback, in seconds."""


PIPELINE = "poor-scans-1"
"""Names the adaptive pipeline in cache keys: a change to how it chooses or reads the input bumps it."""
RULES = "form-lines-1"
"""Names how form lines are found and removed, in the cache keys of pages that had them."""
X_HEIGHT_LOW, X_HEIGHT_HIGH = 15.0, 45.0
"""Tesseract reads text whose x-height is in this range (pixels) as it is; outside it the page is resampled."""
X_HEIGHT_TARGET = 20.0
"""The x-height a page outside that range is resampled to (measured best on faxes and large typewriting)."""
REPASS_CONF = 70.0
"""Lines whose mean word confidence is below this are read again (second pass)."""
REPASS_LINES = 8
"""At most this many lines per page are read again, the least confident first."""
SPECKS = 0.01
"""A page whose ink is this much isolated specks (scanstats.ScanStats.specks) is despeckled before OCR."""
REPASS_BUDGET = 1.0
"""The second pass may take at most this fraction of the first pass's time (and 3 s at least); it only
runs on pages that look poor, and with less (0.3) it often ran out of time on a busy machine."""


@dataclass(frozen=True)
class OcrSettings:
    lang: str = "eng"
    psm: int = 3
    adaptive: bool = True
    """Choose each page's input from the page (x-height, noise) and read weak lines again; False: the
    input from the resolution alone, as before (kept for comparison)."""

    @property
    def config(self) -> str:
        return f"--psm {self.psm}"


@dataclass(frozen=True)
class OcrPlan:
    """How one page is handed to tesseract, decided from its pixels and resolution before the OCR."""

    scale: tuple[float, float] = (1.0, 1.0)
    despeckle: int = 0
    """The median filter's window that removes specks of noise after resampling (0: none), for noisy bilevel pages."""
    repass: bool = False
    """Lines with low confidence are read again from a larger crop, and kept when read better."""
    x_height: float | None = None
    """Of the image's text, in pixels of the image after `reduce`."""
    reduce: tuple[float, float] = (1, 1)
    """The image is first taken back to its own pixels, this many times fewer (scanstats.ScanStats.replication,
    scanstats.own_pixels)."""
    rules: bool = False
    """Thin form lines (underlines, boxes) are painted out before OCR: touching letters, they make
    tesseract drop the words or stretch their boxes along the line."""

    def describe(self) -> str:
        """What was done, for the page's provenance, e.g. "x-height 6 px; scale 3.33x3.33; despeckle 5; line re-read"."""
        if not self.repass and self.x_height is None:
            return ""
        parts = [f"x-height {self.x_height:.0f} px" if self.x_height else "x-height unknown",
                 f"scale {self.scale[0]:.2f}x{self.scale[1]:.2f}"]
        if self.reduce != (1, 1):
            parts.insert(0, f"rendered {self.reduce[0]:g}x{self.reduce[1]:g} reduced")
        if self.despeckle:
            parts.append(f"despeckle {self.despeckle}")
        if self.rules:
            parts.append("form lines removed")
        if self.repass:
            parts.append("line re-read")
        return "; ".join(parts)


def _install_locations() -> list[str]:
    """Where the usual installers put tesseract, for a program started without them on its PATH
    (an app opened from the macOS Finder or the Windows Start menu)."""
    if sys.platform == "win32":  # the UB Mannheim installer, for all users or for one
        env = os.environ.get
        places = [(env("ProgramFiles"),), (env("ProgramFiles(x86)"),), (env("LOCALAPPDATA"), "Programs")]
        return [os.path.join(*place, "Tesseract-OCR", "tesseract.exe") for place in places if place[0]]
    if sys.platform == "darwin":  # Homebrew (Apple silicon, Intel), MacPorts
        return ["/opt/homebrew/bin/tesseract", "/usr/local/bin/tesseract", "/opt/local/bin/tesseract"]
    return []


def find_tesseract() -> tuple[str | None, str]:
    """(the tesseract executable or None, how it was looked for), in order: $SCANSPAN_TESSERACT,
    pytesseract's `tesseract_cmd`, PATH, the usual install locations."""
    explicit = os.environ.get("SCANSPAN_TESSERACT")
    if explicit:
        return shutil.which(explicit), f"SCANSPAN_TESSERACT={explicit}"
    # pytesseract's documented setting for a tesseract outside PATH is honoured, so a program that
    # configured it configures us; looked up without importing pytesseract (which loads pandas).
    configured = getattr(sys.modules.get("pytesseract.pytesseract"), "tesseract_cmd", None)
    if configured and configured != "tesseract":
        return shutil.which(str(configured)), f"pytesseract.tesseract_cmd={configured}"
    found = shutil.which("tesseract")
    if found is not None:
        return found, "PATH"
    for candidate in _install_locations():
        if shutil.which(candidate):
            return candidate, "the usual install location"
    return None, "PATH and the usual install locations"


def _tesseract() -> str:
    """The tesseract executable; raises OcrError when there is none."""
    found, how = find_tesseract()
    if found is None:
        if "=" in how:  # set explicitly, to something that is not there
            raise OcrError(f"{how}: no such executable")
        raise OcrError("tesseract is not installed or not on PATH (Debian/Ubuntu: apt-get install tesseract-ocr; "
                       "or set SCANSPAN_TESSERACT to its path)")
    return found


@functools.cache
def _launcher() -> tuple[str, ...]:
    """What tesseract is started through, so that it dies with the thread that started it.

    On Linux, setpriv sets the parent-death signal and then execs tesseract (the same process), so
    an import killed outright (SIGKILL, the OOM killer) takes its tesseracts with it. Setting it
    with prctl in a preexec_fn would do the same, but preexec_fn is unsafe in a process with
    threads. The signal follows the starting *thread*: each page's thread waits for its tesseract,
    so it never exits first. macOS and Windows have no parent-death signal (Windows's job objects
    could do it; not used here): there a killed import's tesseracts finish their page on their own
    and a hung one stays, while timeouts, cancel, Ctrl-C and a normal exit still kill them.
    """
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    if setpriv is None:
        return ()
    launcher = (setpriv, "--pdeathsig", "KILL", "--")
    try:  # util-linux before 2.33 has setpriv without --pdeathsig
        ok = subprocess.run([*launcher, setpriv, "--version"], capture_output=True, timeout=PROBE_TIMEOUT).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return launcher if ok else ()


def _environment() -> dict[str, str]:
    # Tesseract's OpenMP threads fight each other on small machines (a page was 4.5x slower on
    # 2 cores); we parallelise across pages instead.
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _probe(argument: str) -> str:
    """The output of `tesseract ARGUMENT`, for the quick queries that need no image."""
    try:
        proc = subprocess.run(
            [*_launcher(), _tesseract(), argument],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=_environment(), timeout=PROBE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise OcrError(f"tesseract did not answer {argument} within {PROBE_TIMEOUT:g} s") from None
    except OSError as exc:
        raise OcrError(f"tesseract cannot be run ({exc.strerror or exc})") from None
    output = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise OcrError(f"tesseract {argument} failed: {_last_line(output, proc.returncode)}")
    return output


@functools.cache
def engine_version() -> str:
    """Tesseract's version, e.g. "5.3.0"; raises OcrError when the binary is missing or broken."""
    # "tesseract 5.3.0" or "tesseract v5.0.0-alpha.20201127": the numbers, as pytesseract read them.
    match = re.search(r"\d+(?:\.\d+)+", _probe("--version").split("\n", 1)[0])
    if match is None:
        raise OcrError("tesseract --version did not name a version")
    return match.group()


def languages() -> list[str]:
    """The language data tesseract has, e.g. ["eng", "fra", "osd"]; raises OcrError like engine_version."""
    return sorted(_languages())


@functools.cache
def _languages() -> frozenset[str]:
    engine_version()
    lines = _probe("--list-langs").splitlines()[1:]  # after 'List of available languages in "..." (3):'
    return frozenset(line.strip() for line in lines if re.fullmatch(r"[\w/-]+", line.strip()))


def check_ready(settings: OcrSettings) -> None:
    """Fail early, in one line, when tesseract or a requested language is missing."""
    lang = settings.lang
    if lang == "auto":  # any one language will do for the first reading: languages.first_pass
        if _languages() - {"osd"}:
            return
        lang = "eng"
    missing = [code for code in lang.split("+") if code and code not in _languages()]
    if missing:  # asked again, in case the language data was installed while this process ran
        _languages.cache_clear()
        missing = [code for code in missing if code not in _languages()]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code.lower().replace('_', '-')}" for code in missing)
        raise OcrError(
            f"tesseract language data not installed: {', '.join(missing)} "
            f"(Debian/Ubuntu: apt-get install {packages})"
        )


def ocr_scale(dpi_x: float, dpi_y: float, size: tuple[int, int] | None = None) -> tuple[float, float]:
    """Per-axis resampling factors for OCR: upscale low resolutions and square non-square pixels.

    With the image's `size`, the upscaled image stays within MAX_OCR_PIXELS.
    """
    if not (math.isfinite(dpi_x) and math.isfinite(dpi_y) and dpi_x > 0 and dpi_y > 0):
        raise ValueError(f"no usable resolution: {dpi_x} x {dpi_y} dpi")
    if min(dpi_x, dpi_y) >= LOW_DPI and abs(dpi_x - dpi_y) / max(dpi_x, dpi_y) < 0.1:
        return 1.0, 1.0
    target = max(OCR_TARGET_DPI if min(dpi_x, dpi_y) < LOW_DPI else max(dpi_x, dpi_y), dpi_x, dpi_y)
    sx, sy = min(target / dpi_x, MAX_UPSCALE), min(target / dpi_y, MAX_UPSCALE)
    if size is not None and size[0] * size[1] * sx * sy > MAX_OCR_PIXELS:
        shrink = math.sqrt(MAX_OCR_PIXELS / (size[0] * size[1] * sx * sy))
        sx, sy = max(1.0, sx * shrink), max(1.0, sy * shrink)
    return sx, sy


def image_hash(image: Image.Image) -> str:
    digest = hashlib.sha256(f"{image.mode}:{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def plan_page(image: Image.Image, dpi_x: float, dpi_y: float, settings: OcrSettings) -> OcrPlan:
    """How to hand this page to tesseract: from its resolution alone, or (adaptive) from its measured
    x-height and noise, resampled so the x-height is X_HEIGHT_TARGET when it is outside the range
    tesseract reads well."""
    scale = ocr_scale(dpi_x, dpi_y, image.size)
    if not settings.adaptive:
        return OcrPlan(scale)
    from . import form_lines, scanstats

    stats = scanstats.measure(image)
    reduce = stats.replication
    own = scanstats.own_pixels(image, reduce)
    if reduce != (1, 1):  # measured, resampled and despeckled from its own pixels, not the rendered blocks
        stats = scanstats.measure(own)
        scale = (scale[0] * reduce[0], scale[1] * reduce[1])
    x_height = stats.x_height
    poor = x_height is not None and not X_HEIGHT_LOW <= x_height * scale[1] <= X_HEIGHT_HIGH
    if poor:
        assert x_height is not None
        factor = X_HEIGHT_TARGET / (x_height * scale[1])
        sx, sy = scale[0] * factor, scale[1] * factor
        big = max(sx, sy)
        if big > MAX_UPSCALE:
            sx, sy = sx * MAX_UPSCALE / big, sy * MAX_UPSCALE / big
        pixels = image.width * image.height / (reduce[0] * reduce[1])
        if pixels * sx * sy > MAX_OCR_PIXELS:
            shrink = math.sqrt(MAX_OCR_PIXELS / (pixels * sx * sy))
            sx, sy = sx * shrink, sy * shrink
        scale = (sx, sy)
    # Tesseract's own binarisation stays (Otsu): its thresholding_method 1 (Leptonica Otsu) and 2
    # (Sauvola) read fewer words on every scan measured (word recall on the 150-dpi Huckleberry Finn
    # page 96.9% Otsu, 26.4% Leptonica Otsu, 95.9% Sauvola; on its 100-dpi fax 40.7/33.9/39.0%).
    despeckle = 0
    if stats.specks >= SPECKS:
        # A speck grows with the upscaling, and the window with it (measured on faxes: 3 at their own
        # resolution, 5 upscaled 1.5-3x; 7 eats the strokes too).
        despeckle = 3 if max(scale) < 1.5 else 5
    # Measured on the bundled sample, a second pass over a clean page's few weak lines (logos,
    # rules) costs time and changes good words: it is kept for the pages that look poor.
    # Without text to measure, nothing tells a rule from a drawing.
    rules = x_height is not None and form_lines.has_rules(own.convert("L"), x_height)
    return OcrPlan((scale[0] / reduce[0], scale[1] / reduce[1]), despeckle=despeckle, repass=poor or bool(despeckle),
                   x_height=x_height, reduce=reduce, rules=rules)


def cache_key(image_sha256: str, settings: OcrSettings, plan: OcrPlan, version: str | None = None) -> str:
    """Identifies one OCR result: the same pixels, engine, settings and plan always give the same words.

    `version` is the tesseract that does the OCR (a cluster's workers'); by default the one here.
    """
    scale = plan.scale
    raw = f"{image_sha256}|tesseract {version or engine_version()}|{settings.lang}|psm {settings.psm}|{scale[0]:.4f}x{scale[1]:.4f}"
    if settings.adaptive:  # keys of the resolution-only pipeline stay what they were
        raw += f"|{PIPELINE}|despeckle {plan.despeckle}|repass {int(plan.repass)}|reduce {plan.reduce[0]:g}x{plan.reduce[1]:g}"
        if plan.rules:  # pages without form lines read as before, so their cached words stay good
            raw += f"|{RULES}"
    return hashlib.sha256(raw.encode()).hexdigest()


def prepare(image: Image.Image, plan: OcrPlan) -> Image.Image:
    """The grey image tesseract reads: resampled, and despeckled when the plan says so."""
    from PIL import Image, ImageFilter

    sx, sy = plan.scale
    work = image.convert("L")
    if plan.reduce != (1, 1):
        from . import scanstats

        work = scanstats.own_pixels(work, plan.reduce)
    if plan.rules:
        from . import form_lines

        work = form_lines.remove_rules(work, plan.x_height)
    size = (max(1, round(image.width * sx)), max(1, round(image.height * sy)))
    if work.size != size:
        work = work.resize(size, Image.Resampling.LANCZOS)
    if plan.despeckle:
        work = work.filter(ImageFilter.MedianFilter(plan.despeckle))
    return work


def ocr_image(
    image: Image.Image,
    settings: OcrSettings,
    plan: OcrPlan | None = None,
    timeout: float | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[RawWord]:
    """OCR one page image; boxes come back in the image's own pixels whatever the resampling.

    Tesseract is killed when it runs longer than `timeout` seconds (OcrError) or `cancel()` turns
    true (Cancelled), and on any exception in the calling thread: no run outlives this call.
    """
    plan = plan or OcrPlan()
    work = prepare(image, plan)
    started = time.monotonic()
    words = _read(work, settings.lang, settings.config, timeout, cancel)
    if plan.repass:
        spent = time.monotonic() - started
        budget = max(3.0, REPASS_BUDGET * spent)
        if timeout:
            budget = min(budget, timeout - spent)
        if budget > 0:
            words = repass(work, words, settings.lang, budget, cancel)
    sx, sy = plan.scale
    return [RawWord(w.text, (w.box[0] / sx, w.box[1] / sy, w.box[2] / sx, w.box[3] / sy), w.conf, w.block, w.par, w.line)
            for w in words]


def detect_script(image: Image.Image, plan: OcrPlan | None = None, timeout: float | None = None,
                  cancel: Callable[[], bool] | None = None) -> tuple[str, float] | None:
    """Tesseract's script detection (its osd data) on a page: (script, confidence), or None when it
    has no osd data or finds no script."""
    if "osd" not in _languages():
        return None
    from .languages import parse_osd

    work = prepare(image, plan or OcrPlan())
    with tempfile.TemporaryFile(prefix="scanspan-") as pgm:
        work.save(pgm, format="PPM")
        pgm.flush()
        pgm.seek(0)
        args = [*_launcher(), _tesseract(), "stdin", "stdout", "-l", "osd", "--psm", "0"]
        try:
            output = _run(args, pgm, timeout, cancel)
        except OcrError:  # too little text to find a script in: osd fails rather than answering
            return None
    return parse_osd(output)


def _read(work: Image.Image, lang: str, config: str, timeout: float | None,
          cancel: Callable[[], bool] | None) -> list[RawWord]:
    """Tesseract's words on a prepared image, boxes in its pixels."""
    # An uncompressed PGM costs far less to write than a PNG. It reaches tesseract as its standard
    # input from a file without a name, so even an import killed outright leaves no file behind,
    # and no pipe can block while tesseract hangs. The arguments are those of pytesseract's image_to_data.
    with tempfile.TemporaryFile(prefix="scanspan-") as pgm:
        try:
            work.save(pgm, format="PPM")
            pgm.flush()
            pgm.seek(0)
        except OSError as exc:
            raise OcrError(f"could not hand the page to tesseract ({exc.strerror or exc})") from None
        args = [*_launcher(), _tesseract(), "stdin", "stdout", "-l", lang,
                *shlex.split(f"-c tessedit_create_tsv=1 {config}")]
        tsv = _run(args, pgm, timeout, cancel)
    return _words_from_tsv(tsv, 1.0, 1.0)


def _line_conf(words: list[RawWord]) -> float:
    # Weighted by length: a confident long word outweighs a stray mark read as "|".
    return sum(w.conf * len(w.text) for w in words) / max(1, sum(len(w.text) for w in words))


def repass(work: Image.Image, words: list[RawWord], lang: str, budget: float,
           cancel: Callable[[], bool] | None = None) -> list[RawWord]:
    """Read the least confident lines again, each from a crop twice as large, in one tesseract run
    (the crops stacked, --psm 6), and keep a line's new words where their confidence is higher.

    Runs within `budget` seconds: a second pass that does not finish in time changes nothing.
    """
    from PIL import Image

    lines: dict[tuple[int, int, int], list[RawWord]] = {}
    for w in words:
        lines.setdefault((w.block, w.par, w.line), []).append(w)
    weak = sorted((_line_conf(ws), key) for key, ws in lines.items()
                  if _line_conf(ws) < REPASS_CONF and sum(len(w.text) for w in ws) >= 3)[:REPASS_LINES]
    if not weak:
        return words
    crops, slots, y = [], [], 0
    for _, key in weak:
        ws = lines[key]
        x0, y0 = min(w.box[0] for w in ws), min(w.box[1] for w in ws)
        x1, y1 = max(w.box[2] for w in ws), max(w.box[3] for w in ws)
        pad = max(4.0, 0.4 * (y1 - y0))
        box = (max(0, int(x0 - pad)), max(0, int(y0 - pad)), min(work.width, int(x1 + pad) + 1), min(work.height, int(y1 + pad) + 1))
        crop = work.crop(box)
        crop = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)
        crops.append(crop)
        slots.append((key, box, y))
        y += crop.height + 2 * int(pad)
    sheet = Image.new("L", (max(c.width for c in crops), y), 255)
    for crop, (_, _, top) in zip(crops, slots):
        sheet.paste(crop, (0, top))
    try:
        found = _read(sheet, lang, "--psm 6", budget, cancel)
    except OcrError:  # out of time (or a failure of the optional pass): the first reading stands
        return words
    better: dict[tuple[int, int, int], list[RawWord]] = {}
    for key, box, top in slots:
        bottom = top + 2 * (box[3] - box[1])
        # The margin catches bits of the lines above and below: only the line nearest the middle counts.
        read: dict[tuple[int, int, int], list[RawWord]] = {}
        for w in found:
            if top <= (w.box[1] + w.box[3]) / 2 < bottom:
                read.setdefault((w.block, w.par, w.line), []).append(w)
        middle = (top + bottom) / 2
        new = min(read.values(), key=lambda ws: abs(sum(w.box[1] + w.box[3] for w in ws) / (2 * len(ws)) - middle),
                  default=[])
        if new and _line_conf(new) > _line_conf(lines[key]):
            better[key] = [
                RawWord(w.text, (box[0] + w.box[0] / 2, box[1] + (w.box[1] - top) / 2,
                                 box[0] + w.box[2] / 2, box[1] + (w.box[3] - top) / 2), w.conf, *key)
                for w in new
            ]
    if not better:
        return words
    replaced = set(better)
    out: list[RawWord] = []
    for w in words:
        key = (w.block, w.par, w.line)
        if key not in replaced:
            out.append(w)
        elif key in better:  # the new words take the place of the line's first word
            out.extend(better.pop(key))
    return out


def _run(args: list[str], stdin: IO[bytes], timeout: float | None, cancel: Callable[[], bool] | None) -> str:
    try:
        proc = subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_environment())
    except OSError as exc:
        raise OcrError(f"tesseract cannot be run ({exc.strerror or exc})") from None
    deadline = time.monotonic() + timeout if timeout else math.inf
    try:
        while True:
            try:  # a retried communicate() loses no output
                out, err = proc.communicate(timeout=max(0.0, min(_POLL, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                pass
            if cancel is not None and cancel():
                raise Cancelled()
            if time.monotonic() >= deadline:
                raise OcrError(f"tesseract did not finish within {timeout:g} s (stopped)")
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
            # communicate() would wait for EOF, which never comes if tesseract left a child holding its output.
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
    if proc.returncode != 0:
        raise OcrError(f"tesseract failed: {_last_line(err.decode('utf-8', 'replace'), proc.returncode)}")
    return out.decode("utf-8", "replace")


def _last_line(output: str, returncode: int) -> str:
    if returncode < 0:
        try:
            return f"stopped by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"stopped by signal {-returncode}"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {returncode}"


def _words_from_tsv(tsv: str, sx: float, sy: float) -> list[RawWord]:
    words: list[RawWord] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top, width, height = (int(row[k]) for k in ("left", "top", "width", "height"))
        words.append(
            RawWord(
                text=text,
                box=(left / sx, top / sy, (left + width) / sx, (top + height) / sy),
                # Whole numbers, as pytesseract gave them: cached pages stay comparable with new ones.
                conf=float(int(float(row["conf"]))),
                block=int(row["block_num"]),
                par=int(row["par_num"]),
                line=int(row["line_num"]),
            )
        )
    return words
