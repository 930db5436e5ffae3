"""Files named on the command line that are not plain files, through the real `scanspan`: a FIFO, a
socket, a link to a device or to itself, a file over the size limit, a pipe from the shell, and an
export whose images folder is a link elsewhere. Each fails alone in one line; nothing hangs."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import SCANSPAN, Run, cli_env, document_names, draw_pdf, png_bytes, render, run_bounded, run_scanspan

from annotations.ingest.sources import MAX_FILE_BYTES
from annotations.store import Project

"""Address space a child may use: an import of a small file needs about a third of it."""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """good.pdf (a text layer, no OCR) and good.png (a small scan) in tmp_path."""
    letter = draw_pdf([["Environmental Protection Agency", "Region Nine Superfund Division"]])
    (tmp_path / "good.pdf").write_bytes(letter.pdf)
    (tmp_path / "good.png").write_bytes(png_bytes(render(letter, 1, 150), (150, 150)))
    return tmp_path


def one_line_each(run: Run, causes: dict[str, str]) -> None:
    """One stderr line per failed name, saying what it is; no traceback, no internal error."""
    assert run.code == 1, run.err
    assert "Traceback" not in run.err and "internal error" not in run.err and "unexpected error" not in run.err
    assert len(run.err_lines) == len(causes), run.err
    for name, cause in causes.items():
        (line,) = [line for line in run.err_lines if line.startswith(f"error: {name}: ")]
        assert re.search(cause, line), line


@pytest.fixture
def unix_socket(files: Path) -> Iterator[Path]:
    path = files / "sock.pdf"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    yield path
    server.close()


def test_a_fifo_and_a_socket_fail_alone_and_the_good_file_goes_in(files: Path, unix_socket: Path) -> None:
    os.mkfifo(files / "fifo.pdf")  # nobody ever writes to it: reading it would wait forever
    run = run_scanspan(["import", "fifo.pdf", "sock.pdf", "good.png", "-p", "p.db"], files, timeout=60)
    one_line_each(run, {"fifo.pdf": r"named pipe \(FIFO\), not a file", "sock.pdf": r"a socket, not a file"})
    assert document_names(files / "p.db") == ["good.png"]


def test_a_link_to_dev_zero_is_refused_without_reading_it(files: Path) -> None:
    (files / "zero.pdf").symlink_to("/dev/zero")
    run, rss_kb = run_bounded(["import", "zero.pdf", "good.pdf", "-p", "p.db"], files)
    one_line_each(run, {"zero.pdf": r"a device \(/dev/zero\), not a file"})
    assert document_names(files / "p.db") == ["good.pdf"]
    assert rss_kb < 400_000, f"{rss_kb} kB: the device was read"


def test_a_symlink_loop_fails_alone(files: Path) -> None:
    (files / "a.pdf").symlink_to("b.pdf")
    (files / "b.pdf").symlink_to("a.pdf")
    run = run_scanspan(["import", "a.pdf", "good.pdf", "-p", "p.db"], files, timeout=60)
    one_line_each(run, {"a.pdf": r"symbolic link loop"})
    assert document_names(files / "p.db") == ["good.pdf"]


def test_a_file_over_the_size_limit_is_refused_unread(files: Path) -> None:
    with open(files / "huge.pdf", "wb") as handle:  # sparse: no disk space, and a PDF header to sniff
        handle.write(b"%PDF-1.7\n")
        handle.truncate(MAX_FILE_BYTES + 1)
    run, rss_kb = run_bounded(["import", "huge.pdf", "good.pdf", "-p", "p.db"], files)
    one_line_each(run, {"huge.pdf": rf"512 MiB; files over {MAX_FILE_BYTES // 1024**2} MiB are not imported"})
    assert document_names(files / "p.db") == ["good.pdf"]
    assert rss_kb < 400_000, f"{rss_kb} kB: the file was read"


def test_a_pipe_from_the_shell_is_read_once_and_whole(files: Path) -> None:
    bash = shutil.which("bash")
    assert bash, "bash makes the pipe (<(...))"
    proc = subprocess.run(
        [bash, "-c", f"'{SCANSPAN}' import <(cat good.png) -p p.db"],
        capture_output=True, text=True, env=cli_env(files), cwd=files, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "imported as document 1" in proc.stdout
    original = (files / "good.png").read_bytes()
    with Project(files / "p.db", read_only=True) as project:
        (doc,) = project.documents()
        assert doc.source_sha256 == hashlib.sha256(original).hexdigest()
        (page,) = project.pages(doc.id)
        assert (page.width, page.height) == (600, 450)
        assert "Superfund" in project.document_text(doc.id).text


@pytest.mark.parametrize("fmt", ["coco", "layoutlm", "labelstudio"])
def test_an_export_refuses_an_images_folder_that_is_a_link(files: Path, fmt: str) -> None:
    made = run_scanspan(["import", "good.pdf", "-p", "p.db"], files)
    assert made.code == 0, made.err
    (files / "someone-elses").mkdir()
    (files / "someone-elses" / "keep.txt").write_text("theirs")
    (files / "out-images").symlink_to("someone-elses")
    run = run_scanspan(["export", "-f", fmt, "-o", "out.json", "-p", "p.db"], files)
    assert run.code == 1
    assert run.err_lines == [
        "error: out-images: is a symbolic link; an export writes only into folders that are really there "
        "(remove the link, or export elsewhere)"
    ]
    assert sorted(p.name for p in (files / "someone-elses").iterdir()) == ["keep.txt"]
    assert not (files / "out.json").exists()
    assert not [p for p in files.iterdir() if p.name.startswith(".")], "staged files left behind"
