"""Tesseract through pytesseract: one image_to_data call per page, words with boxes in page pixels."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from types import ModuleType

from PIL import Image

from .errors import OcrError
from .model import RawWord

OCR_TARGET_DPI = 300.0
LOW_DPI = 200.0
"""Scans below this (fax, phone photos) read better upscaled to OCR_TARGET_DPI."""
MAX_UPSCALE = 4.0


@dataclass(frozen=True)
class OcrSettings:
    lang: str = "eng"
    psm: int = 3

    @property
    def config(self) -> str:
        return f"--psm {self.psm}"


def _pytesseract() -> ModuleType:
    # pytesseract imports pandas when it is installed, a second of start-up for every command;
    # only commands that OCR pay for it.
    import pytesseract

    return pytesseract


@functools.cache
def engine_version() -> str:
    """Tesseract's version, e.g. "5.3.0"; raises OcrError when the binary is missing."""
    pytesseract = _pytesseract()
    try:
        return str(pytesseract.get_tesseract_version()).strip()
    except pytesseract.TesseractNotFoundError:
        raise OcrError(
            "tesseract is not installed or not on PATH (Debian/Ubuntu: apt-get install tesseract-ocr)"
        ) from None


@functools.cache
def _languages() -> frozenset[str]:
    engine_version()
    return frozenset(_pytesseract().get_languages(config=""))


def check_ready(settings: OcrSettings) -> None:
    """Fail early, in one line, when tesseract or a requested language is missing."""
    installed = _languages()
    missing = [code for code in settings.lang.split("+") if code and code not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code.lower().replace('_', '-')}" for code in missing)
        raise OcrError(
            f"tesseract language data not installed: {', '.join(missing)} "
            f"(Debian/Ubuntu: apt-get install {packages})"
        )


def ocr_scale(dpi_x: float, dpi_y: float) -> tuple[float, float]:
    """Per-axis resampling factors for OCR: upscale low resolutions and square non-square pixels."""
    if min(dpi_x, dpi_y) >= LOW_DPI and abs(dpi_x - dpi_y) / max(dpi_x, dpi_y) < 0.1:
        return 1.0, 1.0
    target = max(OCR_TARGET_DPI if min(dpi_x, dpi_y) < LOW_DPI else max(dpi_x, dpi_y), dpi_x, dpi_y)
    return min(target / dpi_x, MAX_UPSCALE), min(target / dpi_y, MAX_UPSCALE)


def image_hash(image: Image.Image) -> str:
    digest = hashlib.sha256(f"{image.mode}:{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def cache_key(image_sha256: str, settings: OcrSettings, scale: tuple[float, float]) -> str:
    """Identifies one OCR result: the same pixels, engine and settings always give the same words."""
    raw = f"{image_sha256}|tesseract {engine_version()}|{settings.lang}|psm {settings.psm}|{scale[0]:.4f}x{scale[1]:.4f}"
    return hashlib.sha256(raw.encode()).hexdigest()


def ocr_image(image: Image.Image, settings: OcrSettings, scale: tuple[float, float] = (1.0, 1.0)) -> list[RawWord]:
    """OCR one page image; boxes come back in the image's own pixels whatever the resampling."""
    # Tesseract's OpenMP threads fight each other on small machines (a page was 4.5x slower on
    # 2 cores); we parallelise across pages instead. pytesseract passes os.environ to the child.
    if os.environ.get("OMP_THREAD_LIMIT") != "1":
        os.environ["OMP_THREAD_LIMIT"] = "1"
    sx, sy = scale
    work = image
    if (sx, sy) != (1.0, 1.0):
        work = image.resize((round(image.width * sx), round(image.height * sy)), Image.Resampling.LANCZOS)
    # An uncompressed PGM file costs far less to write than the PNG pytesseract would encode.
    pytesseract = _pytesseract()
    try:
        with tempfile.NamedTemporaryFile(suffix=".pgm", prefix="scanspan-") as tmp:
            work.convert("L").save(tmp, format="PPM")
            tmp.flush()
            data = pytesseract.image_to_data(
                tmp.name, lang=settings.lang, config=settings.config, output_type=pytesseract.Output.DICT
            )
    except pytesseract.TesseractNotFoundError:
        raise OcrError("tesseract is not installed or not on PATH") from None
    except pytesseract.TesseractError as exc:
        last = (str(exc.message).strip().splitlines() or ["no message"])[-1]
        raise OcrError(f"tesseract failed: {last}") from None
    except OSError as exc:
        raise OcrError(f"could not hand the page to tesseract ({exc.strerror or exc})") from None
    return _words_from_data(data, sx, sy)


def _words_from_data(data: dict[str, list], sx: float, sy: float) -> list[RawWord]:
    words: list[RawWord] = []
    for i, text in enumerate(data["text"]):
        if int(data["level"][i]) != 5:
            continue
        text = str(text).strip()
        if not text:
            continue
        left, top = data["left"][i], data["top"][i]
        right, bottom = left + data["width"][i], top + data["height"][i]
        words.append(
            RawWord(
                text=text,
                box=(left / sx, top / sy, right / sx, bottom / sy),
                conf=float(data["conf"][i]),
                block=int(data["block_num"][i]),
                par=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
            )
        )
    return words
