"""What `backup` and `export -f funsd` killed half-way leave beside their target, and how the next run
removes it without touching a run still going: real `scanspan` processes, killed and stopped."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest
from helpers import draw_pdf, run_scanspan, start_scanspan, wait_until

from annotations.records import Provenance
from annotations.store import NewPage, Project


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding a 100 MB source file, so that copying it takes a moment."""
    path = tmp_path_factory.mktemp("big") / "big.scanspan"
    data = os.urandom(100 * 1024 * 1024)  # random: nothing on the way compresses it
    sha = hashlib.sha256(data).hexdigest()
    prov = Provenance("pymupdf", pymupdf.VersionBind, "eng", None, 100, True)
    with Project(path) as project:
        project.add_document("big.pdf", data, sha, [NewPage(1, 500, 400, 100, 100, f"{sha}-1", prov, [])])
    return path


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one born-digital letter of 150 pages, so that rendering them all takes a moment."""
    folder = tmp_path_factory.mktemp("pages")
    pdf = folder / "long.pdf"
    pdf.write_bytes(draw_pdf([[f"Page {n} of the quarterly report", "Department of Justice"] for n in range(150)],
                             size=(8.5 * 72, 11 * 72)).pdf)
    path = folder / "pages.scanspan"
    run = run_scanspan(["import", pdf, "-p", path], folder)
    assert run.code == 0, run.err
    return path


def temporaries(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern))


def kill_while(proc: subprocess.Popen[str], present: Callable[[], bool], sig: signal.Signals) -> bool:
    """Send `sig` to `proc` as soon as `present()` holds; False when it finished first."""
    wait_until(lambda: proc.poll() is not None or present(), timeout=120, interval=0.002)
    if proc.poll() is not None:
        return False
    proc.send_signal(sig)
    return True


def killed_run(args: list[str], tmp: Path, present: Callable[[], bool], before: Callable[[], None]) -> None:
    """Start `scanspan ARGS` and SIGKILL it while `present()` holds (retrying, after `before()`, when it won)."""
    for _attempt in range(10):
        before()
        proc = start_scanspan(args, tmp)
        killed = kill_while(proc, present, signal.SIGKILL)
        proc.communicate(timeout=120)
        if killed and proc.returncode == -signal.SIGKILL:
            return
    pytest.fail(f"scanspan {args[0]} always finished before it could be killed")


def stopped_run(args: list[str], tmp: Path, present: Callable[[], bool]) -> subprocess.Popen[str]:
    """`scanspan ARGS` started and stopped (SIGSTOP) while `present()` holds; the caller continues it."""
    for _attempt in range(10):
        proc = start_scanspan(args, tmp)
        if kill_while(proc, present, signal.SIGSTOP):
            return proc
        proc.communicate(timeout=120)
    pytest.fail(f"scanspan {args[0]} always finished before it could be stopped")


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_a_killed_backup_leaves_a_partial_copy_the_next_backup_removes(big_project: Path, tmp_path: Path) -> None:
    dest = tmp_path / "b.db"
    killed_run(["backup", "-p", big_project, dest], tmp_path,
               lambda: bool(temporaries(tmp_path, ".b.db.*.partial")), lambda: dest.unlink(missing_ok=True))
    left = temporaries(tmp_path, ".b.db.*.partial")
    assert len(left) == 1 and not dest.exists()  # what a killed backup may leave, as the README says
    again = run_scanspan(["backup", "-p", big_project, dest], tmp_path)
    assert again.code == 0, again.err
    assert not left[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".b.db")) == []
    assert integrity(dest) == "ok"
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("select length(data) from sources").fetchall() == [(100 * 1024 * 1024,)]
    finally:
        conn.close()


def test_a_backup_keeps_the_partial_copy_of_a_backup_still_running(big_project: Path, tmp_path: Path) -> None:
    dest = tmp_path / "b.db"
    first = stopped_run(["backup", "-p", big_project, dest], tmp_path,
                        lambda: bool(temporaries(tmp_path, ".b.db.*.partial")))
    try:
        partial = temporaries(tmp_path, ".b.db.*.partial")
        second = run_scanspan(["backup", "-p", big_project, dest], tmp_path)
        assert second.code == 0, second.err
        assert [p.exists() for p in partial] == [True]  # the stopped one's copy is its own, and it is alive
    finally:
        first.send_signal(signal.SIGCONT)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0 and "wrote" in out, err
    assert integrity(dest) == "ok"
    assert temporaries(tmp_path, ".b.db.*") == []


def test_a_partial_copy_whose_pid_now_names_another_process_is_removed(big_project: Path, tmp_path: Path) -> None:
    # The pid of a killed backup, handed to a process started after it: that process did not write the copy.
    other = subprocess.Popen(["sleep", "60"])
    try:
        stale = tmp_path / f".b.db.{other.pid}.partial"
        stale.write_bytes(b"half a copy")
        long_ago = time.time() - 3600
        os.utime(stale, (long_ago, long_ago))
        run = run_scanspan(["backup", "-p", big_project, tmp_path / "b.db"], tmp_path)
        assert run.code == 0, run.err
        assert not stale.exists()
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize("existing", [True, False], ids=["into-a-folder", "a-new-folder"])
def test_a_killed_funsd_export_leaves_a_staging_folder_the_next_export_removes(
    many_pages: Path, tmp_path: Path, existing: bool,
) -> None:
    out = tmp_path / "out"
    # Into a folder that is there, staged inside it; for a new one, beside it (then renamed into place).
    staged, pattern = (out, ".export.*.tmp") if existing else (tmp_path, ".out.*.tmp")

    def fresh() -> None:
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        if existing:
            out.mkdir()

    def rendering() -> bool:  # killed once it has written a page image, so the folder holds something
        return any(next(folder.glob("images/*.png"), None) for folder in temporaries(staged, pattern))

    killed_run(["export", "-p", many_pages, "-f", "funsd", "-o", out], tmp_path, rendering, fresh)
    left = temporaries(staged, pattern)
    assert len(left) == 1 and list(left[0].glob("images/*.png"))
    assert not (out / "annotations").exists()
    again = run_scanspan(["export", "-p", many_pages, "-f", "funsd", "-o", out], tmp_path)
    assert again.code == 0, again.err
    assert not left[0].exists() and temporaries(staged, pattern) == []
    assert len(list((out / "images").glob("*.png"))) == len(list((out / "annotations").glob("*.json"))) == 150


def test_a_funsd_export_keeps_the_staging_folder_of_an_export_still_running(many_pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = ["export", "-p", many_pages, "-f", "funsd", "-o", out, "--force"]
    first = stopped_run(args, tmp_path, lambda: bool(temporaries(out, ".export.*.tmp")))
    try:
        staging = temporaries(out, ".export.*.tmp")
        second = run_scanspan(args, tmp_path)
        assert second.code == 0, second.err
        assert [p.exists() for p in staging] == [True]
    finally:
        first.send_signal(signal.SIGCONT)
    out_text, err = first.communicate(timeout=120)
    assert first.returncode == 0 and "wrote" in out_text, err
    assert temporaries(out, ".export.*") == []
    assert len(list((out / "images").glob("*.png"))) == len(list((out / "annotations").glob("*.json"))) == 150


def test_a_killed_coco_export_leaves_temporaries_the_next_export_removes(many_pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "boxes.json"

    def rendering() -> bool:  # its page images are staged in a hidden folder beside boxes-images/
        return any(next(folder.iterdir(), None) for folder in temporaries(tmp_path, ".boxes-images.*.tmp"))

    killed_run(["export", "-p", many_pages, "-f", "coco", "-o", out], tmp_path, rendering, lambda: None)
    left = temporaries(tmp_path, ".boxes*.tmp")
    assert {p.name.split(".")[1] for p in left} == {"boxes", "boxes-images"} and not out.exists()
    again = run_scanspan(["export", "-p", many_pages, "-f", "coco", "-o", out], tmp_path)
    assert again.code == 0, again.err
    assert temporaries(tmp_path, ".boxes*") == []
    assert len(list((tmp_path / "boxes-images").glob("*.png"))) == 150
