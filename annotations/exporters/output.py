"""Where a writer writes: the main file (atomically), files beside it, and page images in a folder."""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from PIL import Image, ImageChops

from ..model import Page
from ..store import Project
from .base import ExportDocument, ExportOptions, ExportReport


def temporary(path: Path) -> tuple[int, str]:
    """A temporary file beside `path`, with the permissions a plain open() would give the result."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)  # mkstemp makes files private; an export is meant to be shared like any file
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return fd, tmp


def _atomic_bytes(path: Path, data: bytes) -> None:
    fd, tmp = temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _grey_if_neutral(image: Image.Image) -> Image.Image:
    # Most letters are scanned in grey; a grey PNG is a third of the RGB one, and every consumer
    # (LayoutLM processors, Label Studio, COCO tools) reads it. Colour scans stay in colour.
    if image.mode != "RGB":
        return image
    r, g, b = image.split()
    if ImageChops.difference(r, g).getbbox() is None and ImageChops.difference(g, b).getbbox() is None:
        return r
    return image


def slug(name: str) -> str:
    stem = Path(name).stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "document"


@dataclass
class Target:
    """One output file being written, with what the writer needs beside the stream.

    `stream` is text or binary as the format asks. Page images go to `image_dir` and are named in
    the output by their path relative to the output file's folder, so the folder can be moved whole.
    """

    project: Project
    path: Path
    stream: IO[Any]
    options: ExportOptions
    report: ExportReport
    image_dir: Path
    _beside: dict[Path, bytes] = field(default_factory=dict, init=False)
    _images: dict[int, str] = field(default_factory=dict, init=False)

    def beside(self, suffix: str, text: str) -> Path:
        """Queue a file named like the output with `suffix` instead of its extension."""
        path = self.path.with_name(self.path.stem + suffix)
        self._beside[path] = text.encode("utf-8")
        return path

    def page_image(self, doc: ExportDocument, page: Page) -> str:
        """Render the page at its box resolution (page.width x page.height) once; its relative path."""
        rel = self._images.get(page.id)
        if rel is None:
            self.image_dir.mkdir(parents=True, exist_ok=True)
            name = f"{doc.document.id}-{slug(doc.document.name)}-p{page.number}.png"
            path = self.image_dir / name
            image = _grey_if_neutral(self.project.page_image(page))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", compress_level=3, dpi=(page.dpi_x, page.dpi_y))
            _atomic_bytes(path, buffer.getvalue())
            rel = os.path.relpath(path, self.path.parent).replace(os.sep, "/")
            self._images[page.id] = rel
            self.report.images += 1
        return rel

    def commit_beside(self) -> None:
        for path, data in self._beside.items():
            _atomic_bytes(path, data)
            self.report.files.append(str(path))
