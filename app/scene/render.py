"""Page scans rendered lazily, off the GUI thread, into a bounded cache.

A page is rendered only when it is shown (and the next one is prefetched), at the smallest of a
few fixed scales that is sharp at the current zoom, on a one-thread pool. Rendered images live in
an LRU bounded in bytes, so paging through a long document keeps memory flat.

MuPDF keeps Python's GIL while it renders (20-60 ms at screen scales, ~0.2 s for a scan at full
resolution), which would pause the GUI's Python code however the work is threaded. So pages are
rendered in a child process (app/scene/render_process.py); the render thread only waits for it. The
source files come from the project's own process (annotations/store/server.py), so this process
never opens the project file. Until the child has started (the first page of a session) or if it
cannot run, pages render on the render thread instead. The view asks for a sharper render only once zooming has paused, showing
the best cached image, scaled, meanwhile.
"""

from __future__ import annotations

import atexit
import pickle
import subprocess
import threading
from collections import OrderedDict
from typing import Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from annotations.errors import ScanspanError
from annotations.ingest.render import render_page
from annotations.processes import pipes
from annotations.records import Page
from app.scene import render_process

SCALES = (0.125, 0.177, 0.25, 0.354, 0.5, 0.707, 1.0)
"""Render scales relative to the page's scan resolution, a factor of sqrt(2) apart."""

DEFAULT_BUDGET = 96 * 1024 * 1024
"""Bytes of rendered pages kept; 1.0 is the scan's own resolution (34 MB for a letter at 300 dpi)."""


def scale_for(zoom: float) -> float:
    """The smallest render scale at least as sharp as `zoom` (device pixels per page pixel)."""
    for scale in SCALES:
        if scale >= zoom * 0.95:
            return scale
    return SCALES[-1]


class ImageCache:
    """(page id, scale) -> QImage, least recently used first out, bounded in bytes."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self.used = 0
        self._images: OrderedDict[tuple[int, float], QImage] = OrderedDict()

    def get(self, key: tuple[int, float]) -> QImage | None:
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
        return image

    def best(self, page_id: int) -> tuple[float, QImage] | None:
        """The sharpest cached image of a page, whatever its scale."""
        found = [(scale, img) for (pid, scale), img in self._images.items() if pid == page_id]
        return max(found, key=lambda f: f[0]) if found else None

    def put(self, key: tuple[int, float], image: QImage) -> None:
        old = self._images.pop(key, None)
        if old is not None:
            self.used -= old.sizeInBytes()
        self._images[key] = image
        self.used += image.sizeInBytes()
        while self.used > self.budget and len(self._images) > 1:
            _, dropped = self._images.popitem(last=False)
            self.used -= dropped.sizeInBytes()

    def clear(self) -> None:
        self._images.clear()
        self.used = 0

    def __len__(self) -> int:
        return len(self._images)


class _Signals(QObject):
    rendered = Signal(int, float, QImage)
    failed = Signal(int, str)


class _Child:
    """This process's one rendering child, started on first use and shared by every window."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # one request at a time
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready = threading.Event()
        self.broken = False
        self.holds: OrderedDict[str, None] = OrderedDict()  # sources the child keeps (as it does)
        self.served = 0  # pages the child has rendered

    def start(self) -> None:
        with self.lock:
            if self.proc is not None or self.broken:
                return
            try:
                self.proc = pipes.start("app.scene.render_process")
            except OSError:
                self.broken = True
                return
        threading.Thread(target=self._handshake, name="render-child", daemon=True).start()

    def _handshake(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            hello = pipes.receive(self.proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            hello = None
        if hello == ("ready",):
            self.ready.set()
        else:  # a frozen build, a broken interpreter: render in-process instead
            self.broken = True

    def render(self, page: Page, sha256: str, data: bytes, scale: float) -> tuple[int, int, bytes] | None:
        """(width, height, BGRX pixels) of the page; None when the child is not (or no longer) available.

        Raises RuntimeError with the child's message when the source cannot be rendered."""
        if self.broken or not self.ready.is_set():
            return None
        with self.lock:
            proc = self.proc
            if proc is None or proc.stdin is None or proc.stdout is None:
                return None
            try:
                pipes.send(proc.stdin, ("render", page, sha256, None if sha256 in self.holds else data, scale))
                answer = pipes.receive(proc.stdout)
                if answer == ("need",):
                    pipes.send(proc.stdin, ("render", page, sha256, data, scale))
                    answer = pipes.receive(proc.stdout)
            except (OSError, EOFError, pickle.UnpicklingError):
                answer = None
            if answer is None:
                self.broken = True
                return None
            self.holds[sha256] = None
            self.holds.move_to_end(sha256)
            while len(self.holds) > render_process.KEEP:
                self.holds.popitem(last=False)
            if answer[0] == "ok":
                _, width, height, size = answer
                raw = proc.stdout.read(size)
                if len(raw) < size:
                    self.broken = True
                    return None
        if answer[0] == "error":
            raise RuntimeError(answer[1])
        self.served += 1
        return width, height, raw

    def shutdown(self) -> None:
        with self.lock:
            proc, self.proc = self.proc, None
            self.ready.clear()
            self.holds.clear()
        if proc is not None:
            pipes.stop(proc, timeout=2)


CHILD = _Child()
atexit.register(CHILD.shutdown)


class SourceReader(Protocol):
    def source_data(self, sha256: str) -> bytes: ...


class _Source:
    """Where the render thread reads source files (the project, thread-safe), and the last one it read."""

    def __init__(self, project: SourceReader) -> None:
        self.project = project
        self.lock = threading.Lock()
        self.data: tuple[str, bytes] | None = None

    def render(self, page: Page, sha256: str, scale: float) -> QImage:
        with self.lock:
            if self.data is None or self.data[0] != sha256:
                self.data = (sha256, self.project.source_data(sha256))
            data = self.data[1]
        rendered = CHILD.render(page, sha256, data, scale)
        if rendered is None:  # no child (yet): render here, holding the GIL meanwhile
            image = render_page(page, sha256, data, scale=scale).convert("RGB")
            rendered = (image.width, image.height, image.tobytes("raw", "BGRX"))
        width, height, raw = rendered
        return QImage(raw, width, height, 4 * width, QImage.Format.Format_RGB32).copy()  # owns its pixels

    def close(self) -> None:
        with self.lock:
            self.data = None


class _RenderTask(QRunnable):
    def __init__(self, renderer: PageRenderer, page: Page, sha256: str, scale: float) -> None:
        super().__init__()
        self.renderer = renderer
        self.source = renderer._source
        self.signals = renderer._signals
        self.page = page
        self.sha256 = sha256
        self.scale = scale

    def run(self) -> None:
        key = (self.page.id, self.scale)
        if not self.renderer.wanted(key):
            return
        try:
            image = self.source.render(self.page, self.sha256, self.scale)
        except (ScanspanError, RuntimeError, ValueError, OSError) as exc:  # a damaged source file
            self.signals.failed.emit(self.page.id, str(exc))
            return
        finally:
            self.renderer.done(key)
        self.signals.rendered.emit(self.page.id, self.scale, image)


class PageRenderer(QObject):
    """Asks for page images; `rendered` fires on the GUI thread when one is ready."""

    rendered = Signal(int, float)  # page id, scale
    failed = Signal(int, str)

    def __init__(self, project: SourceReader, budget: int = DEFAULT_BUDGET, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = ImageCache(budget)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # MuPDF renders one page at a time anyway
        self._source = _Source(project)
        self._signals = _Signals(self)
        self._signals.rendered.connect(self._on_rendered)
        self._signals.failed.connect(self.failed)
        self._lock = threading.Lock()
        self._wanted: set[tuple[int, float]] = set()
        self._queued: set[tuple[int, float]] = set()

    def image(self, page: Page, sha256: str, scale: float, prefetch: list[tuple[Page, str]] = ()) -> QImage | None:
        """The image at `scale` if cached; otherwise it is requested (after any older request is
        forgotten) and None is returned. `prefetch` pages are rendered next, at the same scale."""
        image = self.cache.get((page.id, scale))
        with self._lock:
            self._wanted = set()
            jobs = [] if image is not None else [(page, sha256)]
            jobs += [(p, s) for p, s in prefetch if self.cache.get((p.id, scale)) is None]
            for p, s in jobs:
                key = (p.id, scale)
                self._wanted.add(key)
                if key not in self._queued:
                    self._queued.add(key)
                    self._pool.start(_RenderTask(self, p, s, scale))
        return image

    def fallback(self, page_id: int) -> tuple[float, QImage] | None:
        return self.cache.best(page_id)

    def wanted(self, key: tuple[int, float]) -> bool:
        with self._lock:
            if key in self._wanted:
                return True
            self._queued.discard(key)
            return False

    def done(self, key: tuple[int, float]) -> None:
        with self._lock:
            self._queued.discard(key)
            self._wanted.discard(key)

    def idle(self) -> bool:
        with self._lock:
            return not self._queued

    def _on_rendered(self, page_id: int, scale: float, image: QImage) -> None:
        self.cache.put((page_id, scale), image)
        self.rendered.emit(page_id, scale)
        CHILD.start()  # after the first page (rendered here), so starting it never delays that one

    def close(self) -> None:
        with self._lock:
            self._wanted = set()
        self._pool.clear()
        self._pool.waitForDone()
        self._source.close()
