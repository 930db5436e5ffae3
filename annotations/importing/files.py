"""Import files into a project: read, render, OCR pages in parallel, store each file all or nothing."""

from __future__ import annotations

import os
import threading
import traceback
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import Cancelled, ScanspanError, SourceError, first_line
from ..ingest import languages, ocr, reading_order
from ..records import Document, Provenance, RawWord
from ..store import NewPage
from ..wording import counted

if TYPE_CHECKING:
    from ..ingest.sources import SourcePage
    from ..ingest.words_in.words_file import WordsFile

Progress = Callable[[int, int, str], None]
"""(pages done, pages known so far, file name)"""
CancelCheck = Callable[[], bool]

IMPORT_ANALYST = "import"
"""The analyst a words file's spans and regions are recorded as (their source names the file and its maker)."""

DEFAULT_OCR_TIMEOUT = 120.0
"""Seconds one page's tesseract may run: a letter page takes a few seconds on one core."""


@dataclass(frozen=True)
class ImportOptions:
    dpi: float = 300.0
    force_ocr: bool = False
    ocr: ocr.OcrSettings = field(default_factory=ocr.OcrSettings)
    jobs: int = 0
    """Parallel tesseract processes; 0 means one per CPU."""
    ocr_timeout: float = DEFAULT_OCR_TIMEOUT
    """Seconds a page's tesseract may run before it is killed and its file fails; 0 means no limit."""
    cluster: str | None = None
    """A Dask scheduler's address: pages are OCRed on its workers instead of here (see cluster.py)."""
    letter_parts: bool = False
    """Suggest the parts of a letter for the documents imported, now and later: the project keeps
    it (letter_parts.keep_on_import), like a kept term list; turning it off is keep_on_import(False)."""
    words: Mapping[Path, Path] = field(default_factory=dict)
    """An image's words file (hOCR, ALTO or PAGE), by the image's path as given: its pages take their
    words from it instead of OCR. (A words file given alone names its image itself.)"""

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
    words_source: str = ""
    """Where the pages' words came from when not from OCR or a PDF's text layer ("words from ALTO v4 file a.xml")."""
    spans_in: int = 0
    regions_in: int = 0
    """Spans and regions the words file brought, stored accepted as IMPORT_ANALYST's."""
    warnings: list[str] = field(default_factory=list)
    """What the libraries reading the file warned about (damaged metadata they skipped), one line each."""
    details: str = ""
    """For an unexpected failure (a bug somewhere), its traceback: for a log, not for the user's line."""


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an import. Files stored before it stay stored; `outcomes` says which."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__()
        self.outcomes = outcomes


@dataclass
class _Pending:
    outcome: Outcome
    name: str
    data: bytes
    sha256: str
    words: WordsFile | None = None
    """Where the pages' words come from instead of OCR."""
    pages: list[tuple[int, NewPage | Future[NewPage]]] = field(default_factory=list)
    """(page number, the page or the OCR job that makes it)"""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set once the file has failed: its pages waiting for tesseract are dropped, running ones killed."""
    choices: dict[int, languages.Choice] = field(default_factory=dict)
    """With `--lang auto`: the languages each page was read with (set by the page's worker)."""

    def futures(self) -> list[Future[NewPage]]:
        return [page for _, page in self.pages if isinstance(page, Future)]

    def done(self) -> bool:
        return all(f.done() for f in self.futures())


def run_import(
    paths: Sequence[str | Path],
    options: ImportOptions,
    lookup: Lookup,
    deliver: Callable[[Prepared], Document],
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    planned: dict[Path, int] | None = None,
) -> list[Outcome]:
    """Import every path; a bad file is reported in its Outcome and the others still go in.

    Pages are rendered on the calling thread and OCRed on a pool of `options.jobs` threads (by
    default one per CPU, or per thread of the cluster's workers with `options.cluster`), each
    driving one single-threaded tesseract process here or waiting for one on the cluster. `deliver` stores a finished file; it and
    `progress` are always called on the calling thread, files in order.

    Whatever fails in one file, at any stage and whether foreseen or not, is that file's Outcome.
    Only `cancel` (Cancelled) and Ctrl-C (ImportInterrupted) end the run early; either way every
    tesseract it started is killed before this returns, and the exception holds the Outcomes (the
    files not reached "cancelled").
    """
    stop = threading.Event()
    engine = _engine(options)
    try:
        # With a cluster, as many pages are in flight as its workers have threads.
        workers = options.jobs or engine.slots()
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
        try:
            run = _ImportRun(options, lookup, deliver, progress, cancel, pool, stop, planned or {}, engine, workers)
            return run.run(paths)
        finally:
            # Running pages see `stop` within a fraction of a second and kill their tesseract; waiting
            # ones never start, so the pool is not left waiting on work nobody wants.
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        engine.close()


class Engine(Protocol):
    """Where pages are OCRed: tesseract here (the `ocr` module), or on a cluster (cluster.ClusterOcr)."""

    def slots(self) -> int: ...

    def check_ready(self, settings: ocr.OcrSettings) -> None: ...

    def engine_version(self) -> str: ...

    def ocr_image(self, image: Any, settings: ocr.OcrSettings, plan: ocr.OcrPlan | None = None,
                  timeout: float | None = None, cancel: CancelCheck | None = None) -> list[RawWord]: ...

    def close(self) -> None: ...


class _LocalOcr:
    def slots(self) -> int:
        return os.cpu_count() or 1

    def check_ready(self, settings: ocr.OcrSettings) -> None:
        ocr.check_ready(settings)

    def engine_version(self) -> str:
        return ocr.engine_version()

    def ocr_image(self, image: Any, settings: ocr.OcrSettings, plan: ocr.OcrPlan | None = None,
                  timeout: float | None = None, cancel: CancelCheck | None = None) -> list[RawWord]:
        return ocr.ocr_image(image, settings, plan, timeout=timeout, cancel=cancel)

    def close(self) -> None:
        pass


def _engine(options: ImportOptions) -> Engine:
    if options.cluster:
        from ..ingest.cluster import ClusterOcr  # Dask only for imports that use it

        return ClusterOcr(options.cluster)
    return _LocalOcr()


class _ImportRun:
    def __init__(
        self,
        options: ImportOptions,
        lookup: Lookup,
        deliver: Callable[[Prepared], Document],
        progress: Progress | None,
        cancel: CancelCheck | None,
        pool: ThreadPoolExecutor,
        stop: threading.Event,
        planned: dict[Path, int],
        engine: Engine,
        workers: int,
    ) -> None:
        self.engine = engine
        self.workers = workers
        self.options = options
        self.lookup = lookup
        self.deliver = deliver
        self.progress = progress
        self.cancel = cancel
        self.pool = pool
        self.stop = stop
        self.queue: deque[_Pending] = deque()
        self.seen: set[str] = set()
        self.planned = planned
        """Pages each file is expected to have, known before the run: progress counts them from the start."""
        self.total = sum(planned.values())
        self.done_ready = 0  # pages that needed no tesseract run, and the pages of files that failed early
        self.ocr_error: ScanspanError | None = None
        self.ocr_checked = False
        self.current = ""
        self.delivered_ocr = 0  # OCRed pages of files already handed to `deliver`

    def run(self, paths: Sequence[str | Path]) -> list[Outcome]:
        outcomes = [Outcome(Path(p), "failed") for p in paths]
        try:
            for outcome in outcomes:
                self._check_cancel()
                self._import_file(outcome)
            self._flush(block=True)
            self._report()  # the last pages may have needed no OCR, so nothing reported them yet
        except BaseException as exc:  # cancel, Ctrl-C, or a failing callback: the run ends here
            self.stop.set()
            for outcome in outcomes:
                if outcome.document is None and outcome.status != "duplicate" and not outcome.message:
                    outcome.status = "cancelled"
            if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, ImportInterrupted):
                raise ImportInterrupted(outcomes) from exc
            if isinstance(exc, Cancelled) and exc.done is None:  # so the caller can say what was stored
                raise Cancelled(outcomes) from exc
            raise
        return outcomes

    def _import_file(self, outcome: Outcome) -> None:
        """Read, render and queue one file's pages; whatever goes wrong stays this file's failure."""
        from ..ingest.sources import (  # PyMuPDF and Pillow: only when files are read
            open_pages,
            read_file,
            read_source,
            sniff,
        )
        from ..ingest.words_in import looks_like_markup, read_words

        pending: _Pending | None = None
        count = 0
        planned = self.planned.get(outcome.path, 0)
        try:
            path = outcome.path
            self.current = path.name
            words: WordsFile | None = None
            if path in self.options.words:
                words_path = self.options.words[path]
                words = read_words(words_path, read_file(words_path))
                source = read_source(path)
            else:
                data = read_file(path)
                if sniff(data) is None and looks_like_markup(data):
                    words = read_words(path, data)
                    source = read_source(words.image_path())
                else:
                    source = read_source(path, data)
            outcome.warnings = source.warnings  # the same list: warnings of later stages show too
            existing = self.lookup.document_for_source(source.sha256)
            if existing is not None or source.sha256 in self.seen:
                outcome.status = "duplicate"
                outcome.document = existing
                where = f"document {existing.id} ({existing.name})" if existing else "an earlier file of this import"
                outcome.message = f"{path}: already in the project as {where}; not imported again"
                self.done_ready += planned
                self._report()
                return
            count, pages = open_pages(source, dpi=self.options.dpi, force_ocr=self.options.force_ocr)
            if words is not None and len(words.pages) != count:
                raise SourceError(words.path, f"{_pages(len(words.pages))}, but {source.name} has {_pages(count)}; "
                                              "its pages are matched in order")
            pending = _Pending(outcome, source.name, source.data, source.sha256, words)
            self.total += count - planned
            planned = 0
            self._report()
            for page in pages:
                self._check_cancel()
                pending.pages.append((page.number, self._page_job(page, pending)))
                self._throttle(pending)
                self._flush(block=False)
            self.seen.add(source.sha256)
            self.queue.append(pending)
            pending = None
            self._flush(block=False)
        except BaseException as exc:
            self.done_ready += planned  # a file that failed before it was opened: its pages are done with
            if pending is not None:
                pending.stop.set()
                # Its pages count as done (none of them will be), so progress still reaches the total.
                self.done_ready += count - sum(not isinstance(p, Future) for _, p in pending.pages)
            if isinstance(exc, Cancelled) or not isinstance(exc, Exception):
                raise
            _fail(outcome, exc)
            self._report()

    def _check_cancel(self) -> None:
        if self.cancel and self.cancel():
            raise Cancelled()

    def _futures(self, extra: _Pending | None = None) -> list[Future[NewPage]]:
        pendings = [*self.queue, extra] if extra else list(self.queue)
        return [f for pend in pendings for f in pend.futures()]

    def _report(self, extra: _Pending | None = None) -> None:
        if self.progress:
            ocr_done = sum(f.done() for f in self._futures(extra))
            self.progress(self.done_ready + ocr_done + self.delivered_ocr, self.total, self.current)

    def _throttle(self, current: _Pending) -> None:
        """Keep at most a few rendered pages waiting for tesseract, so long documents stay small in memory."""
        running = [f for f in self._futures(current) if not f.done()]
        while len(running) > 2 * self.workers:
            self._wait(running, current)
            running = [f for f in running if not f.done()]

    def _wait(self, futures: list[Future[NewPage]], current: _Pending | None) -> None:
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
            self.delivered_ocr += len(head.futures())
            _finish(head, self.deliver)

    def _page_job(self, page: SourcePage, pending: _Pending) -> NewPage | Future[NewPage]:
        outcome = pending.outcome
        if pending.words is not None:
            return self._file_words(page, pending)
        if page.words is not None:
            from ..ingest.sources import pymupdf_version

            outcome.pages_text_layer += 1
            self.done_ready += 1
            prov = Provenance("pymupdf", pymupdf_version(), "", None, page.dpi_x, text_layer=True)
            return NewPage(page.number, page.width, page.height, page.dpi_x, page.dpi_y, "", prov, page.words)
        assert page.image is not None
        self._check_ocr()
        settings = self.options.ocr
        auto = settings.lang == languages.AUTO
        installed = self._installed() if auto else frozenset()
        if auto:
            settings = replace(settings, lang=languages.first_pass(installed))
        image_sha = ocr.image_hash(page.image)
        plan = ocr.plan_page(page.image, page.dpi_x, page.dpi_y, settings)
        scale = plan.scale
        version = self.engine.engine_version()
        key = ocr.cache_key(image_sha, settings, plan, version)
        prov = Provenance(
            "tesseract", version, settings.lang, settings.psm,
            round(page.dpi_x * scale[0], 1), text_layer=False, upscale=round(max(scale), 3),
            reading_order=reading_order.METHOD, ocr_input=plan.describe(),
        )

        def new_page(words: list[RawWord], choice: languages.Choice | None = None,
                     also: list[tuple[str, list[RawWord]]] | None = None) -> NewPage:
            words = reading_order.order_words(words)
            if choice is None:
                return NewPage(page.number, page.width, page.height, page.dpi_x, page.dpi_y, image_sha, prov, words, key)
            pending.choices[page.number] = choice
            # The key names the languages chosen, so a page read as tur+eng is never taken for its eng reading.
            chosen = replace(settings, lang=choice.lang)
            described = "; ".join(part for part in (plan.describe(), choice.reason) if part)
            return NewPage(page.number, page.width, page.height, page.dpi_x, page.dpi_y, image_sha,
                           replace(prov, lang=choice.lang, ocr_input=described), words,
                           ocr.cache_key(image_sha, chosen, plan, version), also=also or [])

        cached = self.lookup.cached_words(key)
        if cached is not None and auto and not self._needs_script(cached):
            choice = languages.choose(cached, installed)
            again = cached if choice.lang == settings.lang else self.lookup.cached_words(
                ocr.cache_key(image_sha, replace(settings, lang=choice.lang), plan, version))
            if again is not None:
                outcome.pages_cached += 1
                self.done_ready += 1
                return new_page(again, choice)
        elif cached is not None and not auto:
            outcome.pages_cached += 1
            self.done_ready += 1
            return new_page(cached)
        outcome.pages_ocr += 1
        image = page.image
        page.image = None  # the worker then holds the only reference: pixels go as soon as it is done
        timeout = self.options.ocr_timeout or None

        def stopped() -> bool:
            return self.stop.is_set() or pending.stop.is_set()

        def job() -> NewPage:
            if stopped():
                raise Cancelled()
            first = cached if cached is not None else self.engine.ocr_image(image, settings, plan, timeout=timeout,
                                                                            cancel=stopped)
            if not auto:
                return new_page(first)
            script = None
            if self._needs_script(first) and isinstance(self.engine, _LocalOcr):
                script = ocr.detect_script(image, plan, timeout=timeout, cancel=stopped)
            choice = languages.choose(first, installed, script)
            if choice.lang == settings.lang:
                return new_page(first, choice)
            words = self.engine.ocr_image(image, replace(settings, lang=choice.lang), plan, timeout=timeout,
                                          cancel=stopped)
            return new_page(words, choice, also=[(key, first)])

        def on_done(future: Future[NewPage]) -> None:
            # One failed page fails the file: stop spending tesseract time on its other pages.
            if future.cancelled() or future.exception() is not None:
                pending.stop.set()

        future = self.pool.submit(job)
        future.add_done_callback(on_done)
        return future

    def _installed(self) -> frozenset[str]:
        """The tesseract languages `auto` chooses among (this machine's, also for a cluster's workers)."""
        return frozenset(ocr.languages())

    @staticmethod
    def _needs_script(words: list[RawWord]) -> bool:
        """Whether a first reading is poor enough to ask which script the page is in."""
        letters = sum(len(w.text) for w in words)
        conf = sum(w.conf * len(w.text) for w in words) / letters if letters else 0.0
        return conf < languages.POOR_FIRST_PASS

    def _file_words(self, page: SourcePage, pending: _Pending) -> NewPage:
        """The page's words from its hOCR, ALTO or PAGE file, in the file's order, in the image's pixels."""
        words_file = pending.words
        assert words_file is not None
        words, regions = words_file.page_content(page.number - 1, page.width, page.height, page.dpi_x, page.dpi_y,
                                                 not page.dpi_guessed, pending.name)
        pending.outcome.words_source = words_file.described
        if page.number == 1:
            pending.outcome.warnings.extend(words_file.warnings)
        pending.outcome.spans_in += len(words_file.pages[page.number - 1].spans)
        pending.outcome.regions_in += len(regions)
        self.done_ready += 1
        image_sha = ocr.image_hash(page.image) if page.image is not None else ""
        page.image = None
        kind = f"{words_file.kind} {words_file.version}".strip()
        prov = Provenance(kind, words_file.creator, "", None, page.dpi_x, text_layer=False,
                          words_source=words_file.described)
        # The file's spans and regions come in accepted, as an analyst's: an archive's tags (Transkribus's, or
        # a Scanspan export's) are annotations someone made, not a model's guesses to review one by one.
        return NewPage(page.number, page.width, page.height, page.dpi_x, page.dpi_y, image_sha, prov, words,
                       spans=words_file.pages[page.number - 1].spans, regions=regions, annotator=IMPORT_ANALYST,
                       source=words_file.described)

    def _check_ocr(self) -> None:
        """Check tesseract and its language data once per import, on the first page that needs them."""
        if not self.ocr_checked:
            self.ocr_checked = True
            try:
                self.engine.check_ready(self.options.ocr)
            except ScanspanError as exc:
                self.ocr_error = exc
        if self.ocr_error is not None:
            raise self.ocr_error


def _pages(n: int) -> str:
    return f"{n} page{'' if n == 1 else 's'}"


def _fail(outcome: Outcome, exc: Exception, where: str = "") -> None:
    """Record `exc` as the file's one-line failure; `where` (e.g. "page 3: ") says at which page."""
    outcome.status = "failed"
    if isinstance(exc, ScanspanError):
        text = str(exc)
        if text.startswith(f"{outcome.path}: "):
            text = text[len(f"{outcome.path}: "):]
        outcome.message = f"{outcome.path}: {where}{text}"
    else:  # a bug, or a library failing in a way nobody foresaw: still only this file's failure
        outcome.message = (
            f"{outcome.path}: {where}unexpected error ({type(exc).__name__}: {first_line(exc)}); "
            "nothing of it was stored"
        )
        outcome.details = "".join(traceback.format_exception(exc))


def _finish(pending: _Pending, deliver: Callable[[Prepared], Document]) -> None:
    outcome = pending.outcome
    failed: list[tuple[int, BaseException]] = []
    for number, page in pending.pages:
        if isinstance(page, Future):
            error = Cancelled() if page.cancelled() else page.exception()
            if error is not None:
                failed.append((number, error))
    if failed:
        # Pages stopped because another page failed are not the cause: name the first that failed itself.
        causes = [(n, e) for n, e in failed if not isinstance(e, Cancelled)] or failed
        number, error = causes[0]
        if not isinstance(error, Exception):
            raise error
        _fail(outcome, error, f"page {number}: ")
        if len(causes) > 1:
            outcome.message += f" (and {len(causes) - 1} more page{'s' if len(causes) > 2 else ''})"
        return
    try:
        pages = [page.result() if isinstance(page, Future) else page for _, page in pending.pages]
        _language_warnings(pending)
        outcome.document = deliver(Prepared(pending.name, pending.data, pending.sha256, pages))
        outcome.status = "imported"
        outcome.message = f"{outcome.path}: imported as document {outcome.document.id}, {counted(len(pages), 'page')}"
    except Exception as exc:  # storing is the file's own stage too
        _fail(outcome, exc)


def _language_warnings(pending: _Pending) -> None:
    """One line per language a file's pages needed and tesseract lacked, naming the pages and the package."""
    lines: dict[str, list[int]] = {}
    for number, choice in sorted(pending.choices.items()):
        if choice.missing:
            lines.setdefault(choice.warning(), []).append(number)
            languages.remember_missing(choice.missing)
    for line, numbers in lines.items():
        where = f"page {numbers[0]}" if len(numbers) == 1 else f"pages {', '.join(map(str, numbers))}"
        pending.outcome.warnings.append(f"{where} {line}")


def import_into(
    project: Lookup,
    paths: Sequence[str | Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    cancel: CancelCheck | None = None,
    planned: dict[Path, int] | None = None,
) -> list[Outcome]:
    """Import files into an open Project on the calling thread; `planned` gives each file's expected
    page count, so that progress counts the whole run's pages from the start."""

    def deliver(prepared: Prepared) -> Document:
        document: Document = project.add_document(  # type: ignore[attr-defined]
            prepared.name, prepared.data, prepared.sha256, prepared.pages)
        return document

    return run_import(paths, options or ImportOptions(), project, deliver, progress, cancel, planned)
