"""A tesseract that hangs, Ctrl-C, cancel and a killed import: no run waits forever, no tesseract outlives its import."""

from __future__ import annotations

import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import (
    Corpus,
    document_names,
    orphans,
    pid_running,
    run_scanspan,
    start_scanspan,
    wait_until,
)

from annotations.errors import Cancelled
from annotations.importing.files import ImportOptions, Prepared, import_into, run_import
from annotations.ingest import ocr, sources
from annotations.store import Project

REAL_TESSERACT = shutil.which("tesseract")

pytestmark = pytest.mark.skipif(REAL_TESSERACT is None, reason="needs tesseract")


class FakeTesseract:
    """A `tesseract` first on PATH: it answers --version and --list-langs as tesseract 5.3 does,
    then hangs (sleeps) on the OCR runs chosen by number, in the order they start, and hands the
    others to the real tesseract. Each OCR run leaves its pid and OMP_THREAD_LIMIT in `runs/N`."""

    def __init__(self, root: Path, hang: str) -> None:
        self.bin = root / "fake-bin"
        self.runs = root / "fake-runs"
        self.bin.mkdir()
        self.runs.mkdir()
        script = self.bin / "tesseract"
        script.write_text(
            f"""#!/bin/sh
case "$1" in
--version) printf 'tesseract 5.3.0\\n leptonica-1.82.0\\n  libgif 5.2.1 : libjpeg 6b : libpng 1.6.39 : libtiff 4.5.0\\n'; exit 0 ;;
--list-langs) printf 'List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (2):\\neng\\nosd\\n'; exit 0 ;;
esac
n=1
while ! mkdir "{self.runs}/$n" 2>/dev/null; do n=$((n + 1)); done
echo "$$ ${{OMP_THREAD_LIMIT:-unset}}" > "{self.runs}/$n/info.tmp"
mv "{self.runs}/$n/info.tmp" "{self.runs}/$n/info"
case " {hang} " in
*" $n "*|*" all "*) exec sleep 3600 ;;
esac
exec "{REAL_TESSERACT}" "$@"
"""
        )
        script.chmod(0o755)

    @property
    def path(self) -> str:
        return f"{self.bin}:/usr/bin:/bin"

    def started(self) -> list[tuple[int, str]]:
        """(pid, OMP_THREAD_LIMIT) of every OCR run so far, in the order they started."""
        infos = sorted((p for p in self.runs.glob("*/info")), key=lambda p: int(p.parent.name))
        return [(int(pid), omp) for pid, omp in (p.read_text().split() for p in infos)]

    def pids(self) -> list[int]:
        return [pid for pid, _ in self.started()]


def copy_files(corpus: Corpus, root: Path, *names: str) -> None:
    for name in names:
        shutil.copy(corpus.paths[name], root / name)


def test_a_hung_tesseract_fails_its_page_and_the_run_goes_on(corpus: Corpus, tmp_path: Path) -> None:
    copy_files(corpus, tmp_path, "pages.tif", "letter.png", "born.pdf")
    fake = FakeTesseract(tmp_path, hang="2")  # with one job, the second OCR run is page 2 of pages.tif
    started = time.monotonic()
    run = run_scanspan(
        ["import", "pages.tif", "letter.png", "born.pdf", "-p", "p.scanspan", "--jobs", "1", "--ocr-timeout", "2"],
        tmp_path,
        path=fake.path,
    )
    elapsed = time.monotonic() - started
    assert run.code == 1
    assert run.err_lines == ["error: pages.tif: page 2: tesseract did not finish within 2 s (stopped)"], run.err
    assert "letter.png: imported" in run.out and "born.pdf: imported" in run.out
    assert document_names(tmp_path / "p.scanspan") == ["letter.png", "born.pdf"]
    assert orphans(tmp_path / "p.scanspan") == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}
    # Page 3 of the failed file was never handed to tesseract: page 1, the hung page 2, letter.png.
    runs = fake.started()
    assert len(runs) == 3
    assert all(omp == "1" for _, omp in runs)
    assert not pid_running(runs[1][0]), "the hung tesseract was left running"
    assert elapsed < 60


def test_ctrl_c_stops_the_import_at_once_and_keeps_what_was_stored(corpus: Corpus, tmp_path: Path) -> None:
    copy_files(corpus, tmp_path, "born.pdf", "letter.png", "scan.pdf")
    fake = FakeTesseract(tmp_path, hang="all")
    proc = start_scanspan(
        ["import", "born.pdf", "letter.png", "scan.pdf", "-p", "p.scanspan", "--jobs", "2"], tmp_path, path=fake.path
    )
    try:
        assert wait_until(lambda: len(fake.started()) == 2, timeout=60), "tesseract was never started"
        hung = fake.pids()
        assert all(pid_running(pid) for pid in hung)
        interrupted = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        stopped_after = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    assert stopped_after < 5
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == ["interrupted: 1 of 3 files imported and saved (born.pdf); nothing of the other 2 was stored"], err
    assert out == ""
    assert not any(pid_running(pid) for pid in hung), "a tesseract outlived the interrupted import"
    assert len(fake.started()) == 2, "OCR went on after Ctrl-C"
    assert document_names(tmp_path / "p.scanspan") == ["born.pdf"]
    assert orphans(tmp_path / "p.scanspan") == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("setpriv") is None,
    reason="the parent-death signal is Linux's, set through setpriv",
)
def test_a_killed_import_leaves_no_tesseract_running_and_no_file(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_files(corpus, tmp_path, "letter.png", "scan.pdf")
    fake = FakeTesseract(tmp_path, hang="all")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # where the import's temporary files would go
    proc = start_scanspan(["import", "letter.png", "scan.pdf", "-p", "p.scanspan", "--jobs", "2"], tmp_path, path=fake.path)
    try:
        assert wait_until(lambda: len(fake.started()) == 2, timeout=60), "tesseract was never started"
        hung = fake.pids()
        assert all(pid_running(pid) for pid in hung)
        proc.kill()  # SIGKILL: the import gets no chance to clean up
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert wait_until(lambda: not any(pid_running(pid) for pid in hung), timeout=5), "tesseract outlived a killed import"
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.fixture
def fake_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """This process finds the fake first on PATH; tesseract's version and languages are asked again."""

    def install(hang: str) -> FakeTesseract:
        fake = FakeTesseract(tmp_path, hang)
        monkeypatch.setenv("PATH", fake.path)
        ocr.engine_version.cache_clear()
        ocr._languages.cache_clear()
        return fake

    yield install
    ocr.engine_version.cache_clear()
    ocr._languages.cache_clear()


def test_cancel_kills_the_running_tesseracts(corpus: Corpus, tmp_path: Path, fake_on_path) -> None:
    """The window's Cancel: the cancel callback turns true while every page hangs in tesseract."""
    fake = fake_on_path("all")
    with Project(tmp_path / "p.scanspan") as project:
        started = time.monotonic()
        with pytest.raises(Cancelled):
            import_into(
                project, [corpus.paths["scan.pdf"], corpus.paths["letter.png"]], ImportOptions(jobs=2),
                cancel=lambda: len(fake.started()) == 2,
            )
        assert time.monotonic() - started < 30
        assert project.documents() == []
    assert len(fake.started()) == 2
    assert not any(pid_running(pid) for pid in fake.pids())


def test_a_timed_out_page_fails_only_its_file(corpus: Corpus, tmp_path: Path, fake_on_path) -> None:
    fake = fake_on_path("1")
    with Project(tmp_path / "p.scanspan") as project:
        hung, good = import_into(
            project, [corpus.paths["letter.png"], corpus.paths["photo.jpg"]], ImportOptions(jobs=1, ocr_timeout=1)
        )
        assert (hung.status, good.status) == ("failed", "imported"), (hung.message, good.message)
        assert hung.message == f"{corpus.paths['letter.png']}: page 1: tesseract did not finish within 1 s (stopped)"
        assert [d.name for d in project.documents()] == ["photo.jpg"]
    assert not pid_running(fake.pids()[0])


def test_no_timeout_lets_a_slow_page_finish(corpus: Corpus, tmp_path: Path) -> None:
    """--ocr-timeout 0 means no limit; a real page well inside a short limit is unaffected."""
    copy_files(corpus, tmp_path, "letter.png", "photo.jpg")
    run = run_scanspan(["import", "letter.png", "-p", "p.scanspan", "--ocr-timeout", "0"], tmp_path)
    assert run.code == 0, run.err
    run = run_scanspan(["import", "photo.jpg", "-p", "p.scanspan", "--ocr-timeout", "60"], tmp_path)
    assert run.code == 0, run.err
    assert document_names(tmp_path / "p.scanspan") == ["letter.png", "photo.jpg"]


def test_ocr_timeout_must_not_be_negative(tmp_path: Path) -> None:
    run = run_scanspan(["import", "x.png", "-p", "p.scanspan", "--ocr-timeout", "-1"], tmp_path)
    assert run.code == 2 and "--ocr-timeout" in run.err
    assert not (tmp_path / "p.scanspan").exists()



# --- an unforeseen failure in one file: injected, since every one found so far is fixed -----------


def fail_on_call(real, n: int, error: Exception):
    """`real`, except that its n-th call raises `error` (calls are counted across threads)."""
    calls = 0
    lock = threading.Lock()

    def wrapper(*args, **kwargs):
        nonlocal calls
        with lock:
            calls += 1
            now = calls
        if now == n:
            raise error
        return real(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize("stage", ["open", "scale", "ocr", "store"])
def test_an_unexpected_failure_at_any_stage_fails_only_that_file(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    paths = [corpus.paths["pages.tif"], corpus.paths["letter.png"], corpus.paths["born.pdf"]]
    error = ZeroDivisionError("float division by zero")
    if stage == "open":
        monkeypatch.setattr(sources, "open_pages", fail_on_call(sources.open_pages, 1, error))
    elif stage == "scale":  # pages.tif's page 2: page 1 is already with tesseract
        monkeypatch.setattr(ocr, "ocr_scale", fail_on_call(ocr.ocr_scale, 2, error))
    elif stage == "ocr":  # one job: the third run is pages.tif's page 3
        monkeypatch.setattr(ocr, "ocr_image", fail_on_call(ocr.ocr_image, 3, error))
    calls: list[tuple[int, int, str]] = []
    with Project(tmp_path / "p.scanspan") as project:

        def deliver(prepared: Prepared):
            if stage == "store" and prepared.name == "pages.tif":
                raise error
            return project.add_document(prepared.name, prepared.data, prepared.sha256, prepared.pages)

        victim, *others = run_import(
            paths, ImportOptions(jobs=1), project, deliver, progress=lambda *a: calls.append(a)
        )
        assert [o.status for o in others] == ["imported", "imported"], [o.message for o in others]
        assert victim.status == "failed"
        where = "page 3: " if stage == "ocr" else ""
        assert victim.message == (
            f"{paths[0]}: {where}unexpected error (ZeroDivisionError: float division by zero); nothing of it was stored"
        )
        assert victim.details.startswith("Traceback") and "ZeroDivisionError" in victim.details
        assert [d.name for d in project.documents()] == ["letter.png", "born.pdf"]
    assert calls[-1][0] == calls[-1][1], "progress never reached the total"
    assert orphans(tmp_path / "p.scanspan") == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}


def test_an_unexpected_failure_is_one_line_with_its_traceback_in_the_crash_log(
    cli, corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "open_pages", fail_on_call(sources.open_pages, 1, ZeroDivisionError("float division by zero")))
    run = cli("import", corpus.paths["fax.tif"], corpus.paths["born.pdf"], "-p", tmp_path / "p.scanspan")
    assert run.code == 1
    log = tmp_path / "state" / "scanspan" / "crash.log"
    assert run.err_lines == [
        f"error: {corpus.paths['fax.tif']}: unexpected error (ZeroDivisionError: float division by zero); "
        f"nothing of it was stored (details in {log})"
    ]
    assert "born.pdf: imported" in run.out
    text = log.read_text()
    assert f"import of {corpus.paths['fax.tif']}" in text and "Traceback" in text and "open_pages" in text
