"""Import files into a project: read, render, OCR pages in parallel, store each file all or nothing."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import ocr
from .errors import Cancelled, ScanspanError
from .model import Document, Provenance, RawWord
from .sources import SourcePage, open_pages, pymupdf_version, read_source
from .store import NewPage

Progress = Callable[[int, int, str], None]
"""(pages done, pages known so far, file name)"""
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class ImportOptions:
    dpi: float = 300.0
    force_ocr: bool = False
    ocr: ocr.OcrSettings = field(default_factory=ocr.OcrSettings)
    jobs: int = 0
    """Parallel tesseract processes; 0 means one per CPU."""

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


class Lookup(Protocol):
    """What an import reads from the project: already-imported sources and cached OCR."""

    def document_for_source(self, sha256: str) -> Document | None: ...

    def cached_words(self, key: str) -> list[RawWord] | None: ...


@dataclass
class Prepared:
    """A file read and OCRed, ready to be stored in one transaction."""

    name: str
    data: bytes
    sha256: str
    pages: list[NewPage]


@dataclass
class Outcome:
    path: Path
    status: str  # imported | duplicate | failed | cancelled
    message: str = ""
    document: Document | None = None
    pages_ocr: int = 0
    pages_cached: int = 0
    pages_text_layer: int = 0


@dataclass
class _Pending:
    outcome: Outcome
    name: str
    data: bytes
    sha256: str
    pages: list[NewPage | Future] = field(default_factory=list)

    def done(self) -> bool:
        return all(not isinstance(p, Future) or p.done() for p in self.pages)


def run_import(
    paths: Sequence[str | Path],
    options: ImportOptions,
    lookup: Lookup,
    deliver: Callable[[Prepared], Document],
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> list[Outcome]:
    """Import every path; a bad file is reported in its Outcome and the others still go in.

    Pages are rendered on the calling thread and OCRed on a pool of `options.workers` threads,
    each driving one single-threaded tesseract process. `deliver` stores a finished file; it and
    `progress` are always called on the calling thread, files in order.
    """
    with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="ocr") as pool:
        return _ImportRun(options, lookup, deliver, progress, cancel, pool).run(paths)


class _ImportRun:
    def __init__(
        self,
        options: ImportOptions,
        lookup: Lookup,
        deliver: Callable[[Prepared], Document],
        progress: Progress | None,
        cancel: CancelCheck | None,
        pool: ThreadPoolExecutor,
    ) -> None:
        self.options = options
        self.lookup = lookup
        self.deliver = deliver
        self.progress = progress
        self.cancel = cancel
        self.pool = pool
        self.queue: deque[_Pending] = deque()
        self.seen: set[str] = set()
        self.total = 0
        self.done_ready = 0  # pages that needed no tesseract run
        self.ocr_error: ScanspanError | None = None
        self.ocr_checked = False
        self.current = ""
        self.delivered_ocr = 0  # OCRed pages of files already handed to `deliver`

    def run(self, paths: Sequence[str | Path]) -> list[Outcome]:
        outcomes = [Outcome(Path(p), "failed") for p in paths]
        try:
            for outcome in outcomes:
                self._check_cancel()
                try:
                    self._import_one(outcome)
                except ScanspanError as exc:
                    if isinstance(exc, Cancelled):
                        raise
                    outcome.status = "failed"
                    outcome.message = _one_line(outcome.path, exc)
            self._flush(block=True)
            self._report()  # the last pages may have needed no OCR, so nothing reported them yet
        except Cancelled:
            for pending in self.queue:
                for page in pending.pages:
                    if isinstance(page, Future):
                        page.cancel()
            for outcome in outcomes:
                if outcome.document is None and outcome.status not in ("duplicate",) and not outcome.message:
                    outcome.status = "cancelled"
            raise
        return outcomes

    def _import_one(self, outcome: Outcome) -> None:
        path = outcome.path
        self.current = path.name
        source = read_source(path)
        existing = self.lookup.document_for_source(source.sha256)
        if existing is not None or source.sha256 in self.seen:
            outcome.status = "duplicate"
            outcome.document = existing
            where = f"document {existing.id} ({existing.name})" if existing else "an earlier file of this import"
            outcome.message = f"{path}: already in the project as {where}; not imported again"
            return
        count, pages = open_pages(source, dpi=self.options.dpi, force_ocr=self.options.force_ocr)
        self.total += count
        self._report()
        pending = _Pending(outcome, path.name, source.data, source.sha256)
        for page in pages:
            self._check_cancel()
            pending.pages.append(self._page_job(page, outcome))
            self._throttle(pending)
            self._flush(block=False)
        self.seen.add(source.sha256)
        self.queue.append(pending)
        self._flush(block=False)

    def _check_cancel(self) -> None:
        if self.cancel and self.cancel():
            raise Cancelled()

    def _futures(self, extra: _Pending | None = None) -> list[Future]:
        pendings = [*self.queue, extra] if extra else list(self.queue)
        return [p for pend in pendings for p in pend.pages if isinstance(p, Future)]

    def _report(self, extra: _Pending | None = None) -> None:
        if self.progress:
            ocr_done = sum(f.done() for f in self._futures(extra))
            self.progress(self.done_ready + ocr_done + self.delivered_ocr, self.total, self.current)

    def _throttle(self, current: _Pending) -> None:
        """Keep at most a few rendered pages waiting for tesseract, so long documents stay small in memory."""
        running = [f for f in self._futures(current) if not f.done()]
        while len(running) > 2 * self.options.workers:
            self._wait(running, current)
            running = [f for f in running if not f.done()]

    def _wait(self, futures: list[Future], current: _Pending | None) -> None:
        while True:
            self._check_cancel()
            done, _ = wait(futures, timeout=0.2, return_when=FIRST_COMPLETED)
            if done:
                self._report(current)
                return

    def _flush(self, block: bool) -> None:
        while self.queue:
            head = self.queue[0]
            if not head.done():
                if not block:
                    return
                self._wait([f for f in self._futures() if not f.done()], None)
                continue
            self.queue.popleft()
            self.delivered_ocr += sum(isinstance(p, Future) for p in head.pages)
            _finish(head, self.deliver)

    def _page_job(self, page: SourcePage, outcome: Outcome) -> NewPage | Future:
        if page.words is not None:
            outcome.pages_text_layer += 1
            self.done_ready += 1
            prov = Provenance("pymupdf", pymupdf_version(), "", None, page.dpi_x, text_layer=True)
            return NewPage(page.number, page.width, page.height, page.dpi_x, page.dpi_y, "", prov, page.words)
        assert page.image is not None
        self._check_ocr()
        settings = self.options.ocr
        image_sha = ocr.image_hash(page.image)
        scale = ocr.ocr_scale(page.dpi_x, page.dpi_y)
        key = ocr.cache_key(image_sha, settings, scale)
        prov = Provenance(
            "tesseract", ocr.engine_version(), settings.lang, settings.psm,
            round(page.dpi_x * scale[0], 1), text_layer=False, upscale=round(max(scale), 3),
        )

        def new_page(words: list[RawWord]) -> NewPage:
            return NewPage(page.number, page.width, page.height, page.dpi_x, page.dpi_y, image_sha, prov, words, key)

        cached = self.lookup.cached_words(key)
        if cached is not None:
            outcome.pages_cached += 1
            self.done_ready += 1
            return new_page(cached)
        outcome.pages_ocr += 1
        image = page.image
        page.image = None  # the worker then holds the only reference: pixels go as soon as it is done
        return self.pool.submit(lambda: new_page(ocr.ocr_image(image, settings, scale)))

    def _check_ocr(self) -> None:
        """Check tesseract and its language data once per import, on the first page that needs them."""
        if not self.ocr_checked:
            self.ocr_checked = True
            try:
                ocr.check_ready(self.options.ocr)
            except ScanspanError as exc:
                self.ocr_error = exc
        if self.ocr_error is not None:
            raise self.ocr_error


def _one_line(path: Path, exc: ScanspanError) -> str:
    text = str(exc)
    return text if text.startswith(str(path)) else f"{path}: {text}"


def _finish(pending: _Pending, deliver: Callable[[Prepared], Document]) -> None:
    outcome = pending.outcome
    try:
        pages = [p.result() if isinstance(p, Future) else p for p in pending.pages]
        outcome.document = deliver(Prepared(pending.name, pending.data, pending.sha256, pages))
        outcome.status = "imported"
        outcome.message = f"{outcome.path}: imported as document {outcome.document.id}, {len(pages)} pages"
    except ScanspanError as exc:
        outcome.status = "failed"
        outcome.message = _one_line(outcome.path, exc)
    except Exception as exc:  # one file's unexpected failure must not take the others down
        outcome.status = "failed"
        outcome.message = f"{outcome.path}: unexpected error ({type(exc).__name__}: {exc}); nothing of it was stored"


def import_into(
    project: Lookup,
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
) -> list[Outcome]:
    """Import files into an open Project on the calling thread."""

    def deliver(prepared: Prepared) -> Document:
        return project.add_document(prepared.name, prepared.data, prepared.sha256, prepared.pages)  # type: ignore[attr-defined]

    return run_import(paths, options or ImportOptions(), project, deliver, progress, cancel)
