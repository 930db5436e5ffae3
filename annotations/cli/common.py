"""What the command modules share: the project option, opening a project, parsing and progress."""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import NotFoundError, ProjectError, ScanspanError, no_folder
from ..store import Project


def named_path(ctx: click.Context, param: click.Parameter, value: str | Path | None) -> Path | None:
    """A click callback: the path typed, refusing an empty one (an unset shell variable), which
    Path would turn into "." (the current folder) and the commands would then act on."""
    if value is None:
        return None
    if value == "":
        name = param.opts[0] if param.param_type_name == "option" else (param.metavar or str(param.name).upper())
        raise ProjectError(f"{name}: an empty name was given (an unset shell variable?)")
    return Path(value)


def _project_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--project", "-p", "project_path", type=click.Path(dir_okay=False), callback=named_path,
        default="scanspan.db", show_default=True, help=help,
    )


PROJECT_OPTION = _project_option("The project file (SQLite); it must exist (scanspan import creates one).")
"""--project of every command that works on a project already there."""
NEW_PROJECT_OPTION = _project_option("The project file (SQLite); created when the first file is stored.")
"""--project of `import`, the one command that creates a project."""


_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
"""What a terminal would act on rather than show: C0 and C1 controls (ESC starts a title change or a
screen clear), DEL, line breaks of any kind, bidirectional overrides that reorder what is shown,
and the surrogates a file name that is not UTF-8 leaves (which would stop the output with an error)."""
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8, as Python keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """`text` as a terminal may show it: every character it would act on instead, written as an
    escape (ESC as \\x1b, a newline as \\n), so a name cannot change the title, clear the screen or
    fake another line of output."""
    return _UNSAFE.sub(_escape, str(text))


def label_name(project: Project, name: str) -> str:
    """The project's own spelling of the label typed as `name`: "état" typed as "e" and a combining
    accent (as macOS terminals and some copy-pastes give it) is the label "état". A name the project
    has no label for comes back as typed, for the command to refuse in its own words."""
    try:
        return project.label(name).name
    except NotFoundError:
        return name


def echo(message: object = "", err: bool = False) -> None:
    """Print one line of output (on stderr with `err`); names and texts in it are printed escaped."""
    click.echo(printable(message), err=err)


def echo_json(data: object, ensure_ascii: bool = False) -> None:
    """Print `data` as indented JSON with no character a terminal acts on (see printable).

    json escapes C0 controls itself; the others can only occur inside strings, where a \\uXXXX
    escape reads back as the same character.
    """
    text = json.dumps(data, indent=2, ensure_ascii=ensure_ascii)
    click.echo(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def open_project(project_path: Path, read_only: bool = False) -> Project:
    """The project; commands that only read open it read-only, so they never wait for writers."""

    def waiting() -> None:
        echo(f"waiting for another program writing to {project_path}…", err=True)

    return Project(project_path, read_only=read_only, on_wait=waiting)


def csv_list(value: str | None, option: str) -> list[str] | None:
    """The items of a comma-separated option, or None when the option was not given.

    An option given but naming nothing (`--documents "$IDS"` with IDS empty) is refused: taken as
    "not given" it would widen to every document, and a write such as reorder would touch them all.
    """
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise ScanspanError(f"{option} '{printable(value)}' names nothing; give one or more, comma-separated")
    return items


def check_layer(project: Project, layer: str | None) -> None:
    from ..layers import ADJUDICATED, UNION

    if layer not in (None, ADJUDICATED, UNION) and layer not in project.annotators():
        raise ProjectError(f"--layer {layer}: no annotator of that name in {project.path.name}; "
                           f"the annotators are {', '.join(project.annotators()) or 'none'}")


def require_project(project_path: Path) -> None:
    if not project_path.exists():
        if not project_path.parent.is_dir():  # import could not create it there either
            raise ProjectError(f"{project_path}: no such project ({no_folder(project_path.parent)})")
        raise ProjectError(f"{project_path}: no such project (create one with: scanspan import FILE --project {project_path})")
    # SQLite takes an empty file for an empty database, and opening it would write a whole project
    # into what may be a placeholder or a mistyped name; only import makes a project.
    wal = project_path.with_name(project_path.name + "-wal")
    if _size(project_path) == 0 and _size(wal) <= 0:
        raise ProjectError(f"{project_path}: an empty file, not a Scanspan project "
                           f"(scanspan import FILE --project {project_path} makes it one)")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else -1
    except OSError:
        return -1


def parse_box(text: str) -> tuple[float, float, float, float]:
    parts = text.replace(" ", "").split(",")
    try:
        values = tuple(float(v) for v in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise click.BadParameter(f"{text!r} is not X0,Y0,X1,Y1", param_hint="--box")
    return values


def progress_bar(label: str, unit: str = "page") -> AbstractContextManager[Callable[[int, int, str], None] | None]:
    """A progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not sys.stdout.isatty():
        return nullcontext(None)
    from tqdm import tqdm

    class _Bar:
        def __enter__(self) -> Callable[[int, int, str], None]:
            # Drawn where the decision was made: on stdout, and only when it is a terminal.
            self.bar = tqdm(total=0, unit=unit, desc=label, leave=False, file=sys.stdout)
            return self.update

        def update(self, done: int, total: int, name: str) -> None:
            self.bar.total = total
            self.bar.n = done
            self.bar.set_postfix_str(printable(name), refresh=False)
            self.bar.refresh()

        def __exit__(self, *exc: Any) -> None:
            self.bar.close()

    return _Bar()


def log_crash(details: str, context: str = "") -> Path | None:
    """Append a traceback to the crash log; its path, or None when the log cannot be written."""
    from datetime import datetime

    folder = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "scanspan"
    log = folder / "crash.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().isoformat(timespec='seconds')} scanspan {__version__} {context}\n")
            handle.write(details.rstrip("\n") + "\n\n")
    except OSError:  # a read-only home must not turn one failure into a second one
        return None
    return log
