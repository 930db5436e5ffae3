"""A project opened in a child process of its own, so that no other code can drop its SQLite locks.

SQLite's locks are POSIX advisory locks, which belong to a process, not to a connection: when
ANY file descriptor of the project file is closed anywhere in that process (a file dialog
listing the folder, a thumbnailer, a plain `open()` check), every lock the process holds on it
is gone. Another process may then checkpoint and delete the -wal file while this connection goes
on writing into it, and edits are lost without an error (sqlite.org, "How To Corrupt An SQLite
Database File", 2.2). A window runs plenty of code that opens files, so its connection lives
here instead: a child that runs nothing but this loop. `ProjectProcess` is the caller's handle;
every public method of `Project` listed in SERVED is called on it as if it were local.
"""

from __future__ import annotations

import functools
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .. import errors, pipes
from .project import Project

IDLE_CHECKPOINT = 5.0
"""Seconds without a request, after a write, before the WAL is copied into the project file."""

SERVED = frozenset({
    "labels", "label", "add_label", "update_label", "delete_label", "label_usage", "documents", "document", "document_for_source", "summaries", "set_status",
    "pages", "page", "page_by_number", "words", "word", "word_rows", "words_by_id", "correct_word",
    "document_text", "source_data", "spans", "span", "located_spans", "add_span", "add_span_chars",
    "update_span", "accept_span", "delete_span", "regions", "region", "regions_by_id", "add_region",
    "update_region", "accept_region", "delete_region", "last_change", "data_version", "changes_since",
    "checkpoint", "backup", "schema_version", "cached_words", "search", "search_documents",
    # Suggestions (annotations/store/suggestions.py): review in the window.
    "suggestions", "suggestion_counts", "accept_suggestions", "reject_suggestions", "restore_rejected",
    "unaccept", "rejections", "add_suggestions", "rules", "keep_rule", "drop_rule",
    "region_suggestions", "accept_region_suggestions", "reject_region_suggestions", "restore_rejected_region",
    "unaccept_region", "region_rejected",
    # Adjudication (annotations/store/adjudications.py): the window's review of two analysts.
    "annotators", "settled", "unsettle", "open_disagreements", "adopt_agreed", "keep_disagreement",
    "open_region_disagreements", "adopt_agreed_regions", "settled_regions", "settle_regions",
    "keep_region_disagreement", "unsettle_regions",
})

_ERRORS: dict[str, type[errors.ScanspanError]] = {
    cls.__name__: cls
    for cls in (errors.ScanspanError, errors.ProjectError, errors.NotFoundError, errors.ProjectBusy,
                errors.ReadOnlyProject, errors.WriteFailed, errors.OcrError)
}


class StoreStopped(errors.ProjectError):
    """The child holding the project ended (killed, crashed); the last change may not have been stored."""


class RemoteCrash(RuntimeError):
    """A bug inside the project process; the message is its traceback."""


@dataclass(frozen=True)
class Opened:
    """What the child tells its parent once the project is open."""

    read_only: str | None


def serve(path: str, wait: float) -> None:
    """The child's loop: requests on stdin, answers on stdout, until stdin closes or "close" comes."""
    # Ctrl-C in the terminal that started the window reaches the whole process group; the window
    # decides what it means, and this child ends when the window closes its end of the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    source, sink = pipes.channel()
    try:
        project = Project(path, wait=wait)
    except errors.ScanspanError as exc:
        pipes.send(sink, ("error", type(exc).__name__, str(exc)))
        return
    except Exception:  # noqa: BLE001 - reported to the parent, which logs it
        pipes.send(sink, ("crash", traceback.format_exc()))
        return
    pipes.send(sink, ("ok", Opened(project.read_only)))
    # A thread reads the requests so that waiting for the next one can time out (portably) into
    # an idle checkpoint.
    requests: queue.Queue[Any] = queue.Queue()
    threading.Thread(target=lambda: _read(source, requests), name="requests", daemon=True).start()
    dirty = False
    try:
        while True:
            try:
                request = requests.get(timeout=IDLE_CHECKPOINT if dirty else None)
            except queue.Empty:
                dirty = not project.checkpoint()
                continue
            if request is None or request[0] == "close":
                break  # the parent closed the pipe (or died), or asked
            name, args, kwargs = request
            try:
                reply: tuple[Any, ...] = ("ok", getattr(project, name)(*args, **kwargs))
            except errors.ScanspanError as exc:
                reply = ("error", type(exc).__name__, str(exc))
            except Exception:  # noqa: BLE001
                reply = ("crash", traceback.format_exc())
            dirty = True
            try:
                pipes.send(sink, reply)
            except (OSError, ValueError):
                break
    finally:
        project.close()


def _read(source: IO[bytes], requests: queue.Queue[Any]) -> None:
    while True:
        try:
            request = pipes.receive(source)
        except (OSError, ValueError, EOFError):
            request = None
        requests.put(request)
        if request is None:
            return


class ProjectProcess:
    """A `Project` living in a child process; safe to call from several threads (one call at a time).

    A write that waits for other processes longer than `wait` seconds raises ProjectBusy, so a
    caller with a window to keep alive can say so and try again instead of freezing.
    """

    def __init__(self, path: str | Path, wait: float = 2.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._closed = False
        try:
            self._process = pipes.start("annotations.store_process", str(self.path), str(wait))
        except OSError as exc:
            raise errors.ProjectError(f"{self.path}: cannot start the project's process ({exc.strerror or exc})") from None
        assert self._process.stdin is not None and self._process.stdout is not None
        self._out, self._in = self._process.stdin, self._process.stdout
        try:
            opened = self._unpack(self._answer())
        except BaseException:
            self._stop()
            raise
        self.read_only: str | None = opened.read_only

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def _answer(self) -> Any:
        reply = pipes.receive(self._in)
        if reply is None:
            self._closed = True
            raise StoreStopped(
                f"{self.path}: the project's process stopped; the last change may not have been stored"
            )
        return reply

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._closed:
                raise errors.ProjectError(f"{self.path}: the project is closed")
            try:
                pipes.send(self._out, (name, args, kwargs))
            except (OSError, ValueError):
                self._closed = True
                raise StoreStopped(f"{self.path}: the project's process stopped; nothing was changed") from None
            reply = self._answer()
        return self._unpack(reply)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name in SERVED:
            return functools.partial(self.call, name)
        raise AttributeError(name)

    def alive(self) -> bool:
        return not self._closed and self._process.poll() is None

    def close(self) -> None:
        """Ask the child to checkpoint and close the project, and wait for it."""
        with self._lock:
            if not self._closed:
                self._closed = True
                try:
                    pipes.send(self._out, ("close",))
                except (OSError, ValueError):
                    pass
        self._stop()

    def _stop(self) -> None:
        pipes.stop(self._process)

    def __enter__(self) -> ProjectProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _unpack(reply: tuple[Any, ...]) -> Any:
        kind = reply[0]
        if kind == "ok":
            return reply[1]
        if kind == "error":
            raise _ERRORS.get(reply[1], errors.ProjectError)(reply[2])
        raise RemoteCrash(reply[1])
