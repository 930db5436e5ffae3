"""Long work (import, export, backup, training a model, term lists, counting occurrences) in a child process of its own, reporting over a pipe.

A window must not hold a connection to its project in its own process (see store/server.py),
and must not freeze while a 200-page file is stored. So an import started from the window runs
here, as one more writer beside the window, like `scanspan import` would; the window learns of
the new documents from the project's change log. Cancel is cooperative: the child's import polls
the pipe, and stops its tesseract processes when asked or when the parent disappears.
"""

from __future__ import annotations

import queue
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from ..processes import pipes

if TYPE_CHECKING:
    from ..importing.files import Outcome
    from ..store import Project

Message = tuple[Any, ...]
"""("progress", done, total, name) | ("result", value) | ("error", message) | ("crash", traceback)
| ("cancelled", what was finished before, or None)"""


def import_files(project_path: Path, paths: Sequence[Path], options: Any, progress: Callable[..., None],
                 cancel: Callable[[], bool]) -> list[Any]:
    from ..importing.files import import_into
    from ..store import Project

    with Project(project_path) as project:
        outcomes = import_into(project, paths, options, progress=progress, cancel=cancel)
        suggest_after_import(project, options, outcomes)
        return outcomes


def import_folders(project_path: Path, paths: Sequence[Path], options: Any, recursive: bool,
                   progress: Callable[..., None], cancel: Callable[[], bool]) -> Any:
    """Files and folders (a folder dropped on the window): see folders.import_paths."""
    from ..importing.folders import import_paths
    from ..store import Project

    with Project(project_path) as project:
        found = import_paths(project, paths, options, recursive=recursive, progress=progress, cancel=cancel)
        suggest_after_import(project, options, found.outcomes)
        return found


def suggest_after_import(project: Project, options: Any, outcomes: Sequence[Outcome]) -> None:
    """What `scanspan import` does after storing the files: the letter parts kept on when the
    options ask for them, then the project's kept suggestions over the documents imported."""
    from ..assist.kept import apply_kept
    from ..assist.letter_parts import keep_on_import

    imported = [o for o in outcomes if o.status == "imported" and o.document is not None]
    try:
        if getattr(options, "letter_parts", False):
            keep_on_import(project)
        if imported and project.rules():
            report = apply_kept(project, [o.document.id for o in imported if o.document is not None])
            for outcome in imported:
                if outcome.document is not None and outcome.document.id in report.skipped:
                    outcome.warnings.append(report.skipped[outcome.document.id])
    except errors.ScanspanError as exc:  # the files are stored: their import did not fail
        for outcome in imported:
            outcome.warnings.append(f"no suggestions made: {exc}")


def export_project(project_path: Path, fmt: str, output: Path, documents: Sequence[int] | None, options: Any,
                   progress: Callable[..., None], cancel: Callable[[], bool]) -> Any:
    from ..exporters import export
    from ..store import ProjectReader

    with ProjectReader(project_path) as reader:
        if options is None:
            return export(reader, fmt, output, documents)
        return export(reader, fmt, output, documents, options)


def backup_project(project_path: Path, output: Path, progress: Callable[..., None], cancel: Callable[[], bool]) -> Path:
    from ..store import ProjectReader

    with ProjectReader(project_path) as reader:
        return reader.backup(output)


def suggest_with_model(project_path: Path, iterations: int, progress: Callable[..., None],
                       cancel: Callable[[], bool]) -> Any:
    """Train on the accepted spans and store the model's suggestions, as `scanspan suggest --model` does."""
    from ..assist.spacy_model import TrainingCancelled, train_and_suggest
    from ..store import Project

    with Project(project_path) as project:
        try:
            return train_and_suggest(project, iterations=iterations, progress=progress, cancel=cancel)
        except TrainingCancelled:
            raise errors.Cancelled() from None


def suggest_from_file(project_path: Path, request: Any, progress: Callable[..., None],
                      cancel: Callable[[], bool]) -> Any:
    """A term list or pattern file's suggestions (suggest.FileRequest), as `scanspan suggest --terms`
    or `--patterns` makes them; cancelled while a term list reads the documents, nothing is stored."""
    from ..assist.suggest import suggest_from_file as run
    from ..store import Project

    def step(*values: Any) -> None:
        if cancel():
            raise errors.Cancelled()
        progress(*values)

    with Project(project_path) as project:
        return run(project, request, step)


def plan_propagation(project_path: Path, span_id: int, progress: Callable[..., None], cancel: Callable[[], bool]) -> Any:
    """What tagging every other occurrence of a span would add (`suggest.plan_hits`), stored nowhere."""
    from ..assist.suggest import plan_hits, propagation_hits
    from ..store import ProjectReader

    with ProjectReader(project_path) as reader:
        return plan_hits(reader, propagation_hits(reader, span_id))[0]


def reocr_document(project_path: Path, doc_id: int, options: Any, progress: Callable[..., None],
                   cancel: Callable[[], bool]) -> Any:
    """Read a document again as `scanspan reocr` does: (what it did, the document before, the document after)."""
    from ..importing.reocr import reread
    from ..store import Project

    with Project(project_path) as project:
        before = project.document_contents(doc_id, source=False)
        result = reread(project, doc_id, options, progress=progress, cancel=cancel)
        return result, before, project.document_contents(doc_id, source=False)


WORKS: dict[str, Callable[..., Any]] = {
    "reocr": reocr_document, "import": import_files, "import-folders": import_folders, "export": export_project,
    "backup": backup_project, "model": suggest_with_model, "propagation": plan_propagation, "suggest-file": suggest_from_file,
}


def _child() -> None:
    """`python -m annotations.workers.jobs`: one (work, args) request on stdin, messages on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    source, sink = pipes.channel()
    request = pipes.receive(source)
    if request is None:
        return
    name, args = request
    stop = threading.Event()

    def watch() -> None:
        # "cancel", or the parent closing the pipe (it died), both mean stop.
        while pipes.receive(source) not in (None, "cancel"):
            pass
        stop.set()

    threading.Thread(target=watch, name="cancel", daemon=True).start()

    def progress(*values: Any) -> None:
        pipes.send(sink, ("progress", *values))

    try:
        result = WORKS[name](*args, progress=progress, cancel=stop.is_set)
        reply: Message = ("result", result)
    except errors.Cancelled as cancelled:
        reply = ("cancelled", cancelled.done)
    except errors.ScanspanError as exc:
        reply = ("error", str(exc))
    except OSError as exc:
        reply = ("error", f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except BaseException:  # noqa: BLE001 - a bug: the parent logs it
        reply = ("crash", traceback.format_exc())
    try:
        pipes.send(sink, reply)
    except (OSError, ValueError):
        pass


class Job:
    """A child process running one of WORKS; read its messages, ask it to stop."""

    def __init__(self, name: str, *args: Any) -> None:
        self.process = pipes.start("annotations.workers.jobs")
        assert self.process.stdin is not None and self.process.stdout is not None
        self._out, self._in = self.process.stdin, self.process.stdout
        self._messages: queue.Queue[Message | None] = queue.Queue()
        threading.Thread(target=self._read, name="job-messages", daemon=True).start()
        pipes.send(self._out, (name, args))

    def _read(self) -> None:
        while True:
            try:
                message = pipes.receive(self._in)
            except (OSError, ValueError):
                message = None
            self._messages.put(message)
            if message is None:
                return

    def messages(self, poll: float = 0.1) -> Iterator[Message | None]:
        """Every message until the last; None between messages every `poll` seconds (a chance to cancel)."""
        while True:
            try:
                message = self._messages.get(timeout=poll)
            except queue.Empty:
                yield None
                continue
            if message is None:
                self.process.wait()
                yield ("crash", f"the background process stopped (exit status {self.process.returncode})")
                return
            yield message
            if message[0] != "progress":
                return

    def cancel(self) -> None:
        try:
            pipes.send(self._out, "cancel")
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        pipes.stop(self.process)


if __name__ == "__main__":
    _child()
