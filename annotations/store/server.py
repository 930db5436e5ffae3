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

import contextlib
import functools
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .. import errors
from ..processes import pipes
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
    "restore_rejected_spans", "unaccept", "unaccept_spans", "rejections", "add_suggestions", "rules", "keep_rule",
    "drop_rule",
    "region_suggestions", "accept_region_suggestions", "reject_region_suggestions", "restore_rejected_region",
    "unaccept_region", "unaccept_regions", "restore_rejected_regions", "region_rejected",
    # Adjudication (annotations/store/adjudications.py): the window's review of two analysts.
    "annotators", "settled", "unsettle", "settled_regions", "settle_regions", "unsettle_regions",
    "settled_relations", "settle_relations", "unsettle_relations", "relations_unplaced",
    "suggested_relations", "accept_relations", "reject_relations", "restore_rejected_relations", "relation_rejected",
    "relations_to_review", "unaccept_relations",
    # Documents whole (annotations/store/documents.py): removing one and its undo, undoing a new reading.
    "document_contents", "remove_document", "restore_document", "put_back_contents", "default_lang",
    "set_default_lang",
    # Relations (annotations/store/relations.py).
    "relations", "relation", "relations_of", "relations_by_id", "add_relation", "update_relation", "delete_relation",
    "restore_relations", "relations_removed_with",
    # A rule of a layer above the store, run here on the project (see Project.run).
    "run", "run_reading",
})

PROBES = frozenset({"data_version", "last_change"})
"""Calls answered at once by any child that is not stopped or stuck: a caller with `answer_within`
gives up on them at its deadline even when the child is running."""

REPEATABLE = frozenset({
    "labels", "label", "label_usage", "documents", "document", "document_for_source", "summaries", "pages", "page",
    "page_by_number", "words", "word", "word_rows", "words_by_id", "document_text", "source_data", "spans", "span",
    "located_spans", "regions", "region", "regions_by_id", "last_change", "data_version", "changes_since",
    "checkpoint", "backup", "schema_version", "cached_words", "search", "search_documents", "suggestions",
    "suggestion_counts", "rejections", "rules", "region_suggestions", "region_rejected", "annotators", "settled",
    "settled_regions", "run_reading",
    "relations", "relation", "relations_of", "relations_by_id", "relations_removed_with", "relations_to_review",
})
"""Calls that change nothing in the project (or nothing twice): sent again as they are after a restart."""

_ERRORS: dict[str, type[errors.ScanspanError]] = {
    cls.__name__: cls
    for cls in (errors.ScanspanError, errors.ProjectError, errors.NotFoundError, errors.ProjectBusy,
                errors.ReadOnlyProject, errors.WriteFailed, errors.OcrError)
}


class StoreStopped(errors.ProjectError):
    """The child holding the project ended (killed, crashed); the last change may not have been stored."""


class StoreRestarted(errors.ProjectError):
    """The child died while storing a change and was restarted; whether that change reached the file
    cannot be told (another program wrote meanwhile), so it is reported as not stored."""


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
                if name in ("run", "run_reading"):
                    _check_rule(args[0])
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


def _check_rule(rule: Any) -> None:
    """Run only Scanspan's own functions: a request names its rule by module and name, and any importable
    function could be named."""
    module = getattr(rule, "__module__", None) or ""
    if not callable(rule) or not (module == "annotations" or module.startswith("annotations.")):
        raise errors.ProjectError(f"{getattr(rule, '__qualname__', rule)!r} is not one of Scanspan's rules")


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
        self._wait = wait
        self._lock = threading.Lock()
        self._closed = False
        self._stopped: str | None = None  # why it closed itself: said again to every later call
        self.restarts = 0
        """How many times the child died and another was started on the same file."""
        self.stored_again = 0
        """Writes that found their child dead and were then stored by the next one."""
        self.not_stored = 0
        """Writes in flight when a child died whose fate the file cannot tell: reported as not stored."""
        self._hurried: tuple[int, float] | None = None  # (thread, seconds): see answer_within
        self._change: list[Any] | None = None  # [thread, its write stored]: see one_change
        self.on_wait: Callable[[bool], None] | None = None
        """Told True when a call from the hurried thread (see answer_within) has waited past its
        patience for a child that is running (a long read, another thread's request, a write
        waiting for another program's lock), and False when that call is over: a window says it
        is waiting, since it cannot answer the analyst until then."""
        self._holder: int | None = None  # the thread whose request is in the child
        self._wait_told = False
        self._owed = 0  # answers to requests that were given up waiting for, still to come
        self._start()
        self.read_only: str | None = self._opened.read_only

    def _start(self) -> None:
        try:
            self._process = pipes.start("annotations.workers.store_process", str(self.path), str(self._wait))
        except OSError as exc:
            raise errors.ProjectError(f"{self.path}: cannot start the project's process ({exc.strerror or exc})") from None
        assert self._process.stdin is not None and self._process.stdout is not None
        self._out, self._in = self._process.stdin, self._process.stdout
        self._receiver = pipes.Receiver(self._in)
        self._owed = 0
        try:
            reply = self._receiver.receive()
            if reply is None:
                raise errors.ProjectError(f"{self.path}: the project's process ended before opening the project")
            self._opened: Opened = self._unpack(reply)
        except BaseException:
            self._stop()
            raise

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def answer_within(self, seconds: float) -> None:
        """Calls from this thread (a window's) do not wait for a child that has stopped (SIGSTOP,
        a debugger) or is stuck on another thread's request longer than `seconds`: they raise
        ProjectBusy. A write is then not sent (the child is first asked for the file's last change,
        always with this patience), so the caller can queue it; `data_version`, the window's poll,
        is likewise given up on. A read from a child that is running is waited for as long as it
        takes (a slow read costs time, not an error the window has no answer for), and so is a
        write once sent; past `seconds`, `on_wait` is told, so that the window can say so."""
        self._hurried = (threading.get_ident(), seconds)

    @contextlib.contextmanager
    def one_change(self) -> Iterator[None]:
        """The calls inside make one change of the caller's (a write and the reads that follow it).
        Once its write has reached the child, those reads are waited for rather than given up on: a
        caller that retries a change on ProjectBusy (the window's write queue) would otherwise store
        it twice when the child stops between answering the write and the read after it."""
        self._change = [threading.get_ident(), False]
        try:
            yield
        finally:
            self._change = None

    def _patience(self) -> float | None:
        change = self._change
        if change is not None and change[0] == threading.get_ident() and change[1]:
            return None  # this change's write is stored: what follows it must not fail
        hurried = self._hurried
        return hurried[1] if hurried is not None and hurried[0] == threading.get_ident() else None

    def _running(self) -> bool:
        """The child is not stopped (SIGSTOP, a debugger).

        Told by its state in /proc. Where there is no /proc (macOS, Windows) a child is always
        taken to be running: there a stopped child's reads are waited for as a slow child's are
        (the window's status line says it is waiting), only writes and polls give up at their
        deadline (on Windows, whose pipes take no time-out, not even those), and closing waits
        its `within` seconds before killing it."""
        try:
            state = Path(f"/proc/{self._process.pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        return state not in (b"T", b"t")

    def _busy(self) -> errors.ProjectBusy:
        return errors.ProjectBusy(f"{self.path}: the project's process is not answering (stopped, or busy)")

    def _exchange(self, request: tuple[Any, ...], timeout: float | None = None,
                  strict: bool = True, until_answered: bool = False) -> tuple[bool, Any]:
        """(sent, reply): reply None when the child is gone, LATER when it did not answer within
        `timeout` (it is owed, and read before the next answer; not `strict`: only when the child
        is stopped too; `until_answered`: never, it is waited for, in steps of `timeout`); sent
        False when the child was gone before the request reached it (so nothing of it was done)."""
        try:
            pipes.send(self._out, request)
        except (OSError, ValueError):
            return False, None
        try:
            reply = self._receiver.receive(timeout)
            while reply is pipes.LATER and (until_answered or (not strict and self._running())):
                self._waiting()
                reply = self._receiver.receive(timeout)
        except (OSError, ValueError):
            return True, None
        if reply is pipes.LATER:
            self._owed += 1
        return True, reply

    def _settle(self, timeout: float | None) -> bool:
        """Read the answers still owed (to requests given up on); False if they are still not all in."""
        while self._owed:
            try:
                reply = self._receiver.receive(timeout)
            except (OSError, ValueError):
                reply = None
            if reply is pipes.LATER:
                return False
            if reply is None:
                return True  # the child is gone: the next request finds it so, and restarts it
            self._owed -= 1
        return True

    def _restart(self) -> None:
        """Start another child on the same file, which holds everything any child committed."""
        self._stop()
        self._closed = True  # until a child answers again
        if not self.path.exists():  # a new child would create an empty project in its place
            self._stopped = (f"{self.path}: the project's process stopped and cannot be restarted: "
                             "the file is gone; the project was closed")
            raise StoreStopped(self._stopped)
        try:
            self._start()
        except errors.ScanspanError as exc:
            self._stopped = (f"{self.path}: the project's process stopped and cannot be restarted ({exc}); "
                             "the project was closed")
            raise StoreStopped(self._stopped) from None
        self._closed = False
        self.restarts += 1

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call `Project.name` in the child. A child found dead is replaced by a new one on the same
        file and the call made there: at once when it never reached the old one or changes nothing;
        a write the old one may have stored only when the file shows that nothing was stored since
        it was sent (a write is never applied twice)."""
        patience = self._patience()
        if patience is None:
            self._lock.acquire()
        else:
            if self._holder == threading.get_ident():
                # Called from on_wait, while this thread's own request is in the child: it would
                # wait for itself.
                raise self._busy()
            try:
                # Another thread's request may hold the child: wait for it only while the child works.
                while not self._lock.acquire(timeout=patience):
                    if not self._running():
                        raise self._busy()
                    self._waiting()
            except BaseException:
                self._waited()
                raise
        self._holder = threading.get_ident()
        try:
            if self._stopped is not None:
                raise StoreStopped(self._stopped)
            if self._closed:
                raise errors.ProjectError(f"{self.path}: the project is closed")
            # Still waiting for an earlier answer: a child that has not caught up by now will not
            # answer this one in time either.
            if not self._settle(None if patience is None else 0):
                raise self._busy()
            request = (name, args, kwargs)
            restarts = self.restarts
            before = None if name in REPEATABLE else self._last_change(patience)
            # A write that the child had time to ask about is waited for: it has been sent.
            sent, reply = self._exchange(request, patience, strict=name in PROBES,
                                         until_answered=name not in REPEATABLE)
            if reply is pipes.LATER:
                raise self._busy()
            if reply is None:
                self._restart()
                if sent and before is not None and self._last_change() != before:
                    self.not_stored += 1
                    raise StoreRestarted(f"{self.path}: the project's process stopped while storing this change; "
                                         "it was not stored")
                sent, reply = self._exchange(request)
                if reply is None:
                    self._give_up()
            if before is not None and self.restarts != restarts:
                self.stored_again += 1
            change = self._change
            if name not in REPEATABLE and change is not None and change[0] == threading.get_ident():
                change[1] = True
        finally:
            self._holder = None
            self._lock.release()
            self._waited()
        return self._unpack(reply)

    def _waiting(self) -> None:
        """The hurried thread waits on past its patience for a child that works: say so, once a call."""
        if self._wait_told or self._patience() is None:
            return
        self._wait_told = True
        self._tell(True)

    def _waited(self) -> None:
        if self._wait_told and self._patience() is not None:
            self._wait_told = False
            self._tell(False)

    def _tell(self, waiting: bool) -> None:
        if self.on_wait is None:
            return
        try:
            self.on_wait(waiting)
        except Exception as exc:  # noqa: BLE001 - the request in flight must still be read whole
            sys.excepthook(type(exc), exc, exc.__traceback__)

    def _last_change(self, patience: float | None = None) -> int:
        """The file's newest change number, from this child or (when it is dead) a new one."""
        reply = self._exchange(("last_change", (), {}), patience)[1]
        if reply is pipes.LATER:
            raise self._busy()
        if reply is None:
            self._restart()
            reply = self._exchange(("last_change", (), {}))[1]
            if reply is None:
                self._give_up()
        return int(self._unpack(reply))

    def _give_up(self) -> None:
        """A new child died at once too: stop rather than start children in a loop."""
        self._stop()
        self._closed = True
        self._stopped = f"{self.path}: the project's process stopped again at once; the project was closed"
        raise StoreStopped(self._stopped)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name in SERVED:
            return functools.partial(self.call, name)
        raise AttributeError(name)

    def alive(self) -> bool:
        return not self._closed and self._process.poll() is None

    def close(self, within: float = 30) -> None:
        """Ask the child to checkpoint and close the project, and wait for it up to `within`
        seconds; one still there then, or stopped (SIGSTOP, a debugger) now, is killed. A kill
        loses nothing answered: every write the child answered is committed, and SQLite's WAL
        keeps the file consistent whatever a kill interrupts (the next opener recovers it)."""
        # Another thread's request may hold the lock for as long as the child does not answer.
        running = self._running()
        locked = running and self._lock.acquire(timeout=within)
        try:
            # A stopped child reads nothing: a request could fill its pipe and block this thread.
            if locked and not self._closed:
                try:
                    pipes.send(self._out, ("close",))
                except (OSError, ValueError):
                    pass
            self._closed = True
        finally:
            if locked:
                self._lock.release()
        pipes.stop(self._process, within if running and locked else 0)

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
