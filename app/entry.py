"""The `scanspan` command: the core's commands, plus `open` (the desktop window) and a `demo`
that opens the window on the sample after the headless part.

Importing this module never imports Qt, so every headless command works on a machine without
PySide6 or a display; Qt is loaded only when a window is about to open.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from annotations import __version__
from annotations.cli import cli as core_cli
from annotations.cli import main as core_main
from annotations.cli import run_demo
from annotations.cli.common import echo
from app.paths import is_project_file

DEFAULT_PROJECT = Path("scanspan.db")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scanspan")
def cli() -> None:
    """Scanspan: OCR scanned letters and label spans and regions for training data."""


for _name, _command in core_cli.commands.items():
    if _name != "demo":
        cli.add_command(_command, _name)


def display_problem(screenshot: bool = False) -> str | None:
    """Why a window cannot open here, in a few words; None when it can."""
    if importlib.util.find_spec("PySide6") is None:
        return "PySide6 is not installed (pip install 'scanspan[gui]')"
    if screenshot or sys.platform in ("win32", "darwin"):
        return None
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "no display (DISPLAY and WAYLAND_DISPLAY are unset)"
    return None


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not WIDTHxHEIGHT, e.g. 1400x900", param_hint="--size") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise click.BadParameter(f"{text!r}: each side must be 200-10000 pixels", param_hint="--size")
    return w, h


def launch(project: Path | None, files: list[Path], screenshot: Path | None, size: str, page: int = 1,
           fit: str = "width") -> int:
    """Open the window; with `screenshot`, render it off-screen when there is no display."""
    problem = display_problem(screenshot is not None)
    if problem:
        echo(f"error: cannot open the window: {problem}", err=True)
        return 1
    if screenshot is not None and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.application import LaunchOptions, run  # Qt is imported here, and only here

    return run(LaunchOptions(project, files, screenshot, _parse_size(size), page, fit))


SCREENSHOT = click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
                          help="Render the window with the first page and its annotations to this PNG, then exit.")
SIZE = click.option("--size", default="1400x900", show_default=True, help="Window size for --screenshot.")


@cli.command("open")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--project", "-p", "project_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The project to open, or to import FILES into (default: scanspan.db when FILES are given).")
@SCREENSHOT
@SIZE
@click.option("--page", type=click.IntRange(1), default=1, help="Show this page of the first document.")
@click.option("--fit", type=click.Choice(["width", "page"]), default="width", show_default=True, help="Initial zoom.")
def open_cmd(paths: tuple[Path, ...], project_path: Path | None, screenshot: Path | None, size: str, page: int,
             fit: str) -> None:
    """Open the desktop window on a project; scanned letters given as FILES are imported into it."""
    projects = [p for p in paths if is_project_file(p)]
    files = [p for p in paths if p not in projects]
    if project_path is None:
        if len(projects) > 1:
            raise click.UsageError("give one project at a time (or --project PATH)")
        project_path = projects[0] if projects else (DEFAULT_PROJECT if files else None)
    elif projects:
        raise click.UsageError(f"{projects[0]} is a project; give it with --project, or leave --project out")
    missing = [p for p in files if not p.exists()]
    if missing:
        raise click.BadParameter(f"{missing[0]}: no such file", param_hint="FILES")
    sys.exit(launch(project_path, files, screenshot, size, page, fit))


@cli.command("demo")
@click.option("--project", "-p", "project_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("scanspan-demo.db"), show_default=True, help="The demo project file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("scanspan-demo.jsonl"), show_default=True, help="Where to write the JSONL export.")
@click.option("--no-window", is_flag=True, help="Only the headless part: import, tag, list, export.")
@SCREENSHOT
@SIZE
def demo_cmd(project_path: Path, output: Path, no_window: bool, screenshot: Path | None, size: str) -> None:
    """Import the bundled sample letter, tag it, export JSONL, then open it in the window."""
    run_demo(project_path, output)
    if no_window:
        return
    problem = display_problem(screenshot is not None)
    if problem:
        echo(f"not opening the window: {problem}; later, run: scanspan open {project_path}")
        return
    sys.exit(launch(project_path, [], screenshot, size))


def main(argv: list[str] | None = None) -> None:
    """The console script `scanspan`."""
    core_main(argv, group=cli)


def gui_main() -> None:
    """The gui-script `scanspan-gui`: the same as `scanspan open ARGS`."""
    main(["open", *sys.argv[1:]])


if __name__ == "__main__":
    main()
