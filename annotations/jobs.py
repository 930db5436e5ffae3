"""Long work (import, export, backup) in a child process of its own, reporting over a pipe.

A window must not hold a connection to its project in its own process (see store/server.py),
and must not freeze while a 200-page file is stored. So an import started from the window runs
here, as one more writer beside the window, like `scanspan import` would; the window learns of
the new documents from the project's change log. Cancel is cooperative: the child's import polls
the pipe, and stops its tesseract processes when asked or when the parent disappears.
"""

from __future__ import annotations

import multiprocessing
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from . import errors

Message = tuple[Any, ...]
"""("progress", done, total, name) | ("result", value) | ("error", message) | ("crash", traceback) | ("cancelled",)"""


def import_files(project_path: Path, paths: Sequence[Path], options: Any, progress: Callable[..., None],
                 cancel: Callable[[], bool]) -> list[Any]:
    from .importer import import_into
    from .store import Project

    with Project(project_path) as project:
        return import_into(project, paths, options, progress=progress, cancel=cancel)


def export_project(project_path: Path, fmt: str, output: Path, documents: Sequence[int] | None, options: Any,
                   progress: Callable[..., None], cancel: Callable[[], bool]) -> Any:
    from .exporters import export
    from .store import ProjectReader

    with ProjectReader(project_path) as reader:
        if options is None:
            return export(reader, fmt, output, documents)
        return export(reader, fmt, output, documents, options)


def backup_project(project_path: Path, output: Path, progress: Callable[..., None], cancel: Callable[[], bool]) -> Path:
    from .store import ProjectReader

    with ProjectReader(project_path) as reader:
        return reader.backup(output)


def _child(conn: Connection, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    asked = False

    def cancel() -> bool:
        nonlocal asked
        try:
            # A closed pipe (the parent died) counts as being asked to stop.
            while not asked and conn.poll():
                asked = conn.recv() == "cancel"
        except (EOFError, OSError):
            asked = True
        return asked

    def progress(*values: Any) -> None:
        conn.send(("progress", *values))

    try:
        result = work(*args, progress=progress, cancel=cancel)
        reply: Message = ("result", result)
    except errors.Cancelled:
        reply = ("cancelled",)
    except errors.ScanspanError as exc:
        reply = ("error", str(exc))
    except OSError as exc:
        reply = ("error", f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
    except BaseException:  # noqa: BLE001 - a bug: the parent logs it
        reply = ("crash", traceback.format_exc())
    try:
        conn.send(reply)
    except (OSError, ValueError):
        pass


@dataclass
class Job:
    """A child process running one function; read its messages, ask it to stop."""

    process: Any
    conn: Connection

    @classmethod
    def start(cls, work: Callable[..., Any], *args: Any) -> Job:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_child, args=(child, work, args), name=f"scanspan-{work.__name__}",
                                  daemon=True)
        process.start()
        child.close()
        return cls(process, parent)

    def messages(self, poll: float = 0.1) -> Iterator[Message | None]:
        """Every message until the last; None between messages every `poll` seconds (a chance to cancel)."""
        while True:
            try:
                if not self.conn.poll(poll):
                    if not self.process.is_alive() and not self.conn.poll():
                        yield ("crash", f"the background process stopped (exit status {self.process.exitcode})")
                        return
                    yield None
                    continue
                message = self.conn.recv()
            except (EOFError, OSError):
                self.process.join(timeout=5)
                yield ("crash", f"the background process stopped (exit status {self.process.exitcode})")
                return
            yield message
            if message[0] != "progress":
                return

    def cancel(self) -> None:
        try:
            self.conn.send("cancel")
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        self.conn.close()
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
