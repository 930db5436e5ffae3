"""The `scanspan` command line: a thin layer over the core that maps errors to one-line messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from .. import __version__
from ..errors import ProjectError, ScanspanError, first_line
from ..exporters import export
from ..importing.files import import_into
from ..wording import counted
from .common import echo, log_crash, open_project, printable, progress_bar


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scanspan")
def cli() -> None:
    """Scanspan: OCR scanned letters and label spans and regions for training data."""


@cli.command("demo")
@click.option(
    "--project", "-p", "project_path", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("scanspan-demo.db"), show_default=True, help="The demo project file.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("scanspan-demo.jsonl"), show_default=True, help="Where to write the JSONL export.",
)
def demo_cmd(project_path: Path, output: Path) -> None:
    """Import the bundled sample letter, tag a few phrases, list the project and export JSONL."""
    run_demo(project_path, output)


def run_demo(project_path: Path, output: Path) -> int:
    """The headless demo; returns the sample's document id."""
    from .demo import apply_sample_tags, sample_pdf

    with open_project(project_path) as project, progress_bar("OCR") as progress:
        outcome = import_into(project, [sample_pdf()], progress=progress)[0]
        if outcome.status == "failed" or outcome.document is None:
            raise ProjectError(outcome.message)
        echo(outcome.message)
        if not project.spans(outcome.document.id) and not project.regions(outcome.document.id):
            result = apply_sample_tags(project, outcome.document)
            echo(f"tagged {counted(result.added, 'span or region', 'spans and regions')}")
            for phrase in result.missing:
                echo(f"not found in the OCR text (left untagged): {phrase!r}", err=True)
        for r in project.summaries():
            echo(f"document {r.id} {r.name}: {counted(r.pages, 'page')}, {counted(r.spans, 'span')}, "
                 f"{counted(r.regions, 'region')}, {r.status}")
        report = export(project, "jsonl", output)
    echo(f"wrote {output}: {counted(report.documents, 'document')}, {counted(report.spans, 'span')}, "
         f"{counted(report.regions, 'region')}")
    return outcome.document.id


@cli.command("doctor")
def doctor_cmd() -> None:
    """Check what Scanspan needs (tesseract and its languages, PyMuPDF, Qt, a display); print the fix for each problem."""
    from . import doctor

    found = doctor.checks()
    for line in doctor.report(found).splitlines():
        echo(line)
    sys.exit(0 if doctor.healthy(found) else 1)


def main(argv: list[str] | None = None, group: click.Group | None = None) -> None:
    """Entry point: domain errors become one line on stderr and exit status 1.

    `group` is the command group to run (the desktop app passes its own, which adds `open`).
    """
    try:
        (group or cli).main(args=argv, prog_name="scanspan", standalone_mode=False)
    except click.exceptions.Abort:
        echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        # It quotes what was typed (a file name, an option's value); click declares the message final.
        setattr(exc, "message", printable(exc.message))  # noqa: B010
        exc.show()
        sys.exit(exc.exit_code)
    except ScanspanError as exc:
        echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OverflowError as exc:
        if "SQLite INTEGER" not in str(exc):
            _internal_error(exc, argv)
        # An id typed with more digits than any id can have: it names nothing.
        echo("error: a number given is too large to be an id (the largest is 9223372036854775807)", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        # Every change is committed as it is made, so what was done before Ctrl-C is kept.
        echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the user, the traceback in a log file
        _internal_error(exc, argv)


def _internal_error(exc: Exception, argv: list[str] | None) -> NoReturn:
    import traceback

    log = log_crash(traceback.format_exc(), "scanspan " + " ".join(sys.argv[1:] if argv is None else argv))
    where = f" (details in {log})" if log else ""
    echo(f"internal error: {type(exc).__name__}: {first_line(exc)}{where}", err=True)
    sys.exit(2)



from .correct import correct_cmd  # noqa: E402
from .documents import annotate_cmd, labels_cmd, list_cmd, search_cmd  # noqa: E402 - commands need `cli` defined
from .exporting import backup_cmd, export_cmd  # noqa: E402
from .importing import import_annotations_cmd, import_cmd  # noqa: E402
from .relations import relations_group  # noqa: E402
from .reocr import remove_cmd, reocr_cmd  # noqa: E402
from .reorder import reorder_cmd  # noqa: E402
from .suggest import suggest_cmd, suggestions_group  # noqa: E402
from .team import adjudicate_cmd, agreement_cmd, merge_cmd  # noqa: E402

for command in (import_cmd, list_cmd, search_cmd, annotate_cmd, export_cmd, import_annotations_cmd, backup_cmd,
                labels_cmd, suggest_cmd, suggestions_group, agreement_cmd, merge_cmd, adjudicate_cmd, reorder_cmd,
                correct_cmd, reocr_cmd, remove_cmd, relations_group):
    cli.add_command(command)

if __name__ == "__main__":
    main()
