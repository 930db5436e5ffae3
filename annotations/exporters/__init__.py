"""Exporters, one module per format, all reading the same store API."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO

from ..errors import ProjectError
from ..store import Project
from . import csv, jsonl
from .base import ExportDocument, ExportReport, export_documents

Writer = Callable[[Iterable[ExportDocument], IO[str], ExportReport], None]

FORMATS: dict[str, Writer] = {"jsonl": jsonl.write, "csv": csv.write}


def export(project: Project, fmt: str, out: str | Path, documents: Sequence[int] | None = None) -> ExportReport:
    """Write one export file; it appears complete or not at all."""
    try:
        writer = FORMATS[fmt]
    except KeyError:
        raise ProjectError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    out = Path(out)
    report = ExportReport()
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise ProjectError(f"{out}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=directory)
    try:
        newline = "" if fmt == "csv" else None
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            writer(export_documents(project, documents), handle, report)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    report.files.append(str(out))
    return report


__all__ = ["FORMATS", "ExportDocument", "ExportReport", "export", "export_documents"]
