"""Following a project's change log while another process writes: no change is ever skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import cli_env

from annotations.store import Project

WRITER = """
import sys, time
from annotations.records import Label
from annotations.store import Project
project = Project(sys.argv[1])
deadline = time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < deadline:
    n += 1
    project.add_label(Label(f"l{n}", "#112233"))
    project.delete_label(f"l{n}")
project.close()
"""


def test_a_reader_polling_while_another_process_commits_sees_every_change(tmp_path: Path) -> None:
    # The reader asks often, so most asks find nothing new: each is a moment where a commit landing
    # between its reads must not be counted as seen without being read.
    path = tmp_path / "p.scanspan"
    Project(path).close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "4"], env=cli_env(tmp_path))
    reader = Project(path, read_only=True)
    first = seen = reader.last_change()
    read: list[int] = []
    try:
        while writer.poll() is None:
            batch = reader.changes_since(seen)
            assert not batch.reset
            read += [c.seq for c in batch.changes]
            seen = batch.last
        assert writer.wait() == 0
        batch = reader.changes_since(seen)
        read += [c.seq for c in batch.changes]
        everything = [c.seq for c in Project(path, read_only=True).changes_since(first, limit=10**6).changes]
    finally:
        reader.close()
        if writer.poll() is None:
            writer.kill()
    assert len(everything) > 100
    assert read == everything
