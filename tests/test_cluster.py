"""OCR on a real Dask cluster: a LocalCluster with worker processes, and a `dask scheduler` with
`dask worker`s, one of them killed while its tesseract reads a page."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from helpers import cli_env, draw_pdf, image_pdf, orphans, render, similarity, start_scanspan, wait_until

from annotations.importing.files import ImportOptions, import_into
from annotations.ingest import ocr
from annotations.store import Project
from annotations.text.search import search

distributed = pytest.importorskip("distributed", reason="the cluster extra: pip install 'scanspan[cluster]'")

LINES = [
    ["The Department of Justice wrote", "to the Mission in Geneva"],
    ["Minutes of the meeting held", "on the second day of March"],
    ["Child Online Protection initiative", "reported by the regional office"],
    ["Federal Aviation Administration", "Flight Standards District Office"],
]
DASK = Path(sys.executable).with_name("dask")


def scans(pages: list[list[str]]) -> tuple[bytes, list]:
    drawn = draw_pdf(pages, size=(6 * 72, 2 * 72))
    images = [render(drawn, n, 300) for n in range(1, len(pages) + 1)]
    return image_pdf(images), images


def page_text(project: Project, doc_id: int) -> list[str]:
    return [" ".join(w.text for w in project.words(p.id)) for p in project.pages(doc_id)]


def test_local_cluster_ocr_gives_the_words_and_cache_keys_of_local_ocr(tmp_path: Path) -> None:
    pdf, images = scans(LINES[:2])
    (tmp_path / "scan.pdf").write_bytes(pdf)
    # The same two pages and one more, in another file: its first pages must come from the cache.
    (tmp_path / "more.pdf").write_bytes(image_pdf([*images, render(draw_pdf(LINES[2:3], size=(6 * 72, 2 * 72)), 1, 300)]))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Project(tmp_path / "p.db") as project:
            (outcome,) = import_into(project, [tmp_path / "scan.pdf"], ImportOptions(cluster=cluster.scheduler_address))
            assert outcome.status == "imported" and outcome.pages_ocr == 2, outcome.message
            (local,) = import_into(project, [tmp_path / "more.pdf"], ImportOptions(jobs=1))  # tesseract here
            assert (local.pages_cached, local.pages_ocr) == (2, 1), local.message
            texts = page_text(project, outcome.document.id)
            for text, lines in zip(texts, LINES):
                assert similarity(text, " ".join(lines)) > 0.9, text
            found = [(h.document_id, h.page) for h in search(project, "Mission in Geneva")]
            assert found == [(outcome.document.id, 1), (local.document.id, 1)]
            ours = project.pages(outcome.document.id)[0].provenance
            theirs = project.pages(local.document.id)[2].provenance
            assert (ours.engine, ours.engine_version, ours.lang) == (theirs.engine, theirs.engine_version, theirs.lang)


def test_a_poor_scan_goes_through_the_same_pipeline_on_the_cluster(tmp_path: Path) -> None:
    from degrade import fax_like
    from helpers import png_bytes

    drawn = draw_pdf([LINES[0] + LINES[1]], size=(6 * 72, 2 * 72), fontname="cour", fontsize=11)
    fax = fax_like(render(drawn, 1, 300), 300, (200, 100), noise=0.01)
    (tmp_path / "fax.png").write_bytes(png_bytes(fax, dpi=(200, 100)))
    (tmp_path / "copy.png").write_bytes(png_bytes(fax, dpi=(200, 100)) + b"another file")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Project(tmp_path / "p.db") as project:
            (remote,) = import_into(project, [tmp_path / "fax.png"], ImportOptions(cluster=cluster.scheduler_address))
            assert remote.status == "imported" and remote.pages_ocr == 1, remote.message
            # Here, the same pixels are a cache hit: the key (and so the pipeline) is the cluster's.
            (local,) = import_into(project, [tmp_path / "copy.png"], ImportOptions(jobs=1))
            assert (local.pages_cached, local.pages_ocr) == (1, 0), local.message
            (page,) = project.pages(remote.document.id)
            assert "despeckle" in page.provenance.ocr_input and "line re-read" in page.provenance.ocr_input
            assert similarity(page_text(project, remote.document.id)[0], " ".join(LINES[0] + LINES[1])) > 0.9
            # The worker's words are those of the whole pipeline run here (despeckled, weak lines re-read).
            grey = fax.convert("L")
            plan = ocr.plan_page(grey, 200, 100, ocr.OcrSettings())
            here = ocr.ocr_image(grey, ocr.OcrSettings(), plan)
            assert sorted(w.text for w in project.words(page.id)) == sorted(w.text for w in here)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A `dask scheduler` and `dask worker`s in subprocesses of their own, as on real machines."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []
        self.scheduler = self._start(["scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1],
                                      "--no-dashboard"], "scheduler")
        self.workers: list[subprocess.Popen] = []

    def _start(self, args: list[str], name: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        with (self.tmp / f"{name}.log").open("w") as log:  # the child keeps its own copy of the handle
            proc = subprocess.Popen([str(DASK), *args], stdout=log, stderr=subprocess.STDOUT, env=env or os.environ.copy())
        self.processes.append(proc)
        return proc

    def add_worker(self, env: dict[str, str] | None = None) -> subprocess.Popen:
        # No nanny: the worker is this process, so killing it kills the worker, not a restartable child.
        worker = self._start(["worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                              "--name", f"w{len(self.workers)}"], f"worker{len(self.workers)}", env)
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, n: int) -> None:
        with distributed.Client(self.address, timeout=60) as client:
            client.wait_for_workers(n, timeout=60)

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.stop()


def no_tesseract_path(tmp: Path) -> str:
    """A PATH on which there is no tesseract: the importing machine needs none."""
    empty = tmp / "bin"
    empty.mkdir()
    return str(empty)


def test_a_worker_killed_mid_page_and_the_page_is_done_elsewhere(cluster: Cluster, tmp_path: Path) -> None:
    pdf, _ = scans(LINES)
    (tmp_path / "scan.pdf").write_bytes(pdf)
    victim = cluster.add_worker()
    cluster.add_worker()
    cluster.wait_for_workers(2)
    proc = start_scanspan(["import", "scan.pdf", "-p", "p.db", "--cluster", cluster.address], tmp_path,
                          path=no_tesseract_path(tmp_path))

    def reading_a_page() -> bool:
        try:
            return any(c.name() == "tesseract" for c in psutil.Process(victim.pid).children(recursive=True))
        except psutil.Error:
            return False

    assert wait_until(reading_a_page, timeout=60, interval=0.01), "the worker never started tesseract"
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert out.startswith("scan.pdf: imported as document 1, 4 pages (OCR 4, cached 0, text layer 0)")
    with Project(tmp_path / "p.db", read_only=True) as project:
        texts = page_text(project, 1)
        assert len(texts) == 4
        for text, lines in zip(texts, LINES):
            assert similarity(text, " ".join(lines)) > 0.9, text
    assert orphans(tmp_path / "p.db") == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}


def test_workers_without_tesseract_fail_the_file_in_one_line(cluster: Cluster, tmp_path: Path) -> None:
    pdf, _ = scans(LINES[:1])
    (tmp_path / "scan.pdf").write_bytes(pdf)
    cluster.add_worker(env={**os.environ, "PATH": no_tesseract_path(tmp_path)})
    cluster.wait_for_workers(1)
    # The cluster named by the environment variable this time.
    env_run = subprocess.run(
        [str(Path(sys.executable).with_name("scanspan")), "import", "scan.pdf", "-p", "p.db"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**cli_env(tmp_path), "SCANSPAN_CLUSTER": cluster.address},
    )
    assert env_run.returncode == 1
    assert env_run.stderr.splitlines() == [
        f"error: scan.pdf: on the cluster at {cluster.address}: tesseract is not installed or not on PATH "
        "(Debian/Ubuntu: apt-get install tesseract-ocr; or set SCANSPAN_TESSERACT to its path)"
    ]
    assert not (tmp_path / "p.db").exists()



def test_a_bad_cluster_address_is_one_line(tmp_path: Path) -> None:
    pdf, _ = scans(LINES[:1])
    (tmp_path / "scan.pdf").write_bytes(pdf)
    proc = start_scanspan(["import", "scan.pdf", "-p", "p.db", "--cluster", "tcp://scheduler"], tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert err.splitlines() == [
        "error: 'tcp://scheduler' is not a Dask scheduler address like tcp://HOST:8786 "
        "(missing port number in address 'scheduler')"
    ]
    assert not (tmp_path / "p.db").exists()


def test_a_cluster_without_workers_is_one_line(cluster: Cluster, tmp_path: Path) -> None:
    pdf, _ = scans(LINES[:1])
    (tmp_path / "scan.pdf").write_bytes(pdf)
    with distributed.Client(cluster.address, timeout=60):
        pass  # the scheduler is up
    proc = start_scanspan(["import", "scan.pdf", "-p", "p.db", "--cluster", cluster.address], tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.splitlines() == [f"error: scan.pdf: the Dask cluster at {cluster.address} has no workers"]
