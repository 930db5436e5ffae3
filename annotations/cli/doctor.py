"""`scanspan doctor`: what this installation has and lacks, with the exact fix for each problem."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import sqlite3
import sys
from dataclasses import dataclass

from .. import __version__
from ..errors import OcrError
from ..ingest import ocr

NEEDED_LANGUAGE = "eng"
"""The OCR language every import uses unless told otherwise (`--lang`)."""


@dataclass(frozen=True)
class Check:
    name: str
    found: str
    problem: bool = False
    fix: str = ""
    needed: bool = True
    """A problem with a check that is not needed (the window's, on a headless machine) is only reported."""


def _install(what: str) -> str:
    if sys.platform == "darwin":
        return {"tesseract-ocr": "brew install tesseract", "lang": "brew install tesseract-lang"}[what]
    if sys.platform == "win32":
        return ("install Tesseract from https://github.com/UB-Mannheim/tesseract/wiki (its installer offers the "
                "languages), or set SCANSPAN_TESSERACT to your tesseract.exe")
    return {"tesseract-ocr": "sudo apt-get install tesseract-ocr tesseract-ocr-eng",
            "lang": f"sudo apt-get install tesseract-ocr-{NEEDED_LANGUAGE}"}[what]


def _distribution_version(*names: str) -> str | None:
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _tesseract() -> list[Check]:
    path, how = ocr.find_tesseract()
    if path is None:
        setting = how.split("=", 1)[0]
        fix = f"set {setting} to a tesseract executable, or unset it" if "=" in how else _install("tesseract-ocr")
        return [Check("tesseract", f"not found ({how})", True, fix)]
    try:
        version = ocr.engine_version()
        languages = ocr.languages()
    except OcrError as exc:
        return [Check("tesseract", f"{path}: {exc}", True, f"reinstall tesseract: {_install('tesseract-ocr')}")]
    checks = [Check("tesseract", f"{version} at {path} (from {how})")]
    if NEEDED_LANGUAGE in languages:
        checks.append(Check("languages", ", ".join(languages)))
    else:
        checks.append(Check("languages", f"{', '.join(languages) or 'none'}; no {NEEDED_LANGUAGE}", True,
                            _install("lang")))
    from ..ingest.languages import missing_seen, package

    lacking = [code for code in missing_seen() if code not in languages and code.split("-")[-1] not in languages]
    if lacking:
        fix = (f"sudo apt-get install {' '.join(package(code) for code in lacking)}" if sys.platform.startswith("linux")
               else _install("lang"))
        checks.append(Check("languages seen", f"pages in {', '.join(lacking)} were imported without its data "
                            "(read as the languages installed)", True, fix, needed=False))
    return checks


def _qt(qt_version: str | None) -> Check:
    pyside = _distribution_version("PySide6-Essentials", "PySide6")
    if qt_version is None and importlib.util.find_spec("PySide6") is None:
        return Check("Qt", "PySide6 is not installed (needed for the window only)", True,
                     "pip install 'scanspan[gui]'", needed=False)
    parts = [f"Qt {qt_version}" if qt_version else None, f"PySide6 {pyside}" if pyside else None]
    return Check("Qt", ", ".join(p for p in parts if p) or "PySide6 (version unknown)")


def _display() -> Check:
    if sys.platform in ("win32", "darwin"):
        return Check("display", "the desktop's")
    platform_name = os.environ.get("QT_QPA_PLATFORM", "")
    if platform_name:
        return Check("display", f"QT_QPA_PLATFORM={platform_name}")
    fix = ("run Scanspan from a desktop session, or `xvfb-run scanspan open ...` "
           "(`scanspan open P --screenshot out.png` and the other commands need no display)")
    wayland, x11 = os.environ.get("WAYLAND_DISPLAY"), os.environ.get("DISPLAY")
    if wayland:
        socket = os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""), wayland)
        if os.path.exists(socket):
            return Check("display", f"WAYLAND_DISPLAY={wayland}")
    if x11:
        # A local X display ":N" listens on /tmp/.X11-unix/XN; a remote one ("host:N", ssh -X) cannot be seen from here.
        local = x11.startswith(":") and x11[1:].split(".")[0].isdigit()
        if not local or os.path.exists(f"/tmp/.X11-unix/X{x11[1:].split('.')[0]}"):
            return Check("display", f"DISPLAY={x11}")
        return Check("display", f"DISPLAY={x11}, but no X server listens there", True, fix, needed=False)
    return Check("display", "none (DISPLAY and WAYLAND_DISPLAY are unset; the window cannot open)", True, fix,
                 needed=False)


def checks(qt_version: str | None = None) -> list[Check]:
    """Everything `scanspan doctor` reports; `qt_version` is the running Qt's, when a window asks."""
    pymupdf_version = _distribution_version("PyMuPDF", "pymupdf")
    try:
        import pymupdf

        pymupdf_found = f"{pymupdf.__version__} (MuPDF {pymupdf.mupdf_version})"
        pymupdf_problem = False
    except ImportError as exc:
        pymupdf_found, pymupdf_problem = f"cannot be imported ({exc}; installed: {pymupdf_version})", True
    return [
        Check("Scanspan", __version__),
        Check("Python", f"{platform.python_version()} ({sys.executable})"),
        Check("PyMuPDF", pymupdf_found, pymupdf_problem, "pip install --force-reinstall 'pymupdf>=1.26,<2'"),
        Check("SQLite", f"{sqlite3.sqlite_version} (sqlite-utils {_distribution_version('sqlite-utils') or '?'})"),
        _qt(qt_version),
        *_tesseract(),
        _display(),
    ]


def report(found: list[Check]) -> str:
    """The report as printed: one line per check, the fix under each problem, a verdict."""
    width = max(len(c.name) for c in found) + 2
    lines = []
    for check in found:
        mark = ("problem" if check.needed else "note") if check.problem else "ok"
        lines.append(f"{check.name:<{width}}{check.found}  [{mark}]")
        if check.problem:
            lines.append(f"{'':<{width}}fix: {check.fix}")
    failing = [c.name for c in found if c.problem and c.needed]
    lines.append("")
    lines.append(f"Missing: {', '.join(failing)}." if failing else "Everything Scanspan needs is here.")
    return "\n".join(lines)


def healthy(found: list[Check]) -> bool:
    return not any(c.problem and c.needed for c in found)
