"""`scanspan search` with huge queries: refused in one line beyond the limit, memory independent of the query's length."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import SCANSPAN, cli_env
from letter_project import add_letter

from annotations.store import Project
from annotations.text.search import MAX_QUERY_CHARS

CAP = 2 * 1024 * 1024 * 1024
"""The address space each `scanspan search` here runs in: a regression fails instead of eating the machine."""

MEASURE = """
import resource, subprocess, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2)
code = subprocess.call(sys.argv[4:], timeout=float(sys.argv[3]))  # killed when over the time
with open(sys.argv[2], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""
"""Run a command under an address-space cap and write its peak RSS (KB) to a file. A small process of its
own starts it: started from this test process (by fork, or vfork that shares its pages), the command's
peak would count this process's resident pages."""


def peak_rss(args: list[str], tmp: Path, timeout: float = 60) -> tuple[int, str, str, int]:
    """Exit status, stdout, stderr and peak RSS (KB) of one `scanspan search` under a 2 GB address space."""
    rss = tmp / "rss.txt"
    run = subprocess.run([sys.executable, "-c", MEASURE, str(CAP), str(rss), str(timeout), str(SCANSPAN), "search", *args],
                         capture_output=True, text=True, env=cli_env(tmp), cwd=tmp, timeout=timeout + 10)
    return run.returncode, run.stdout, run.stderr, int(rss.read_text())


@pytest.fixture(scope="module")
def pages_of_the(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 pages whose text is "the" 360 times: every trigram of a long "the the ..." query is on every page."""
    path = tmp_path_factory.mktemp("search-bounds") / "p.db"
    with Project(path) as project:
        for n in range(100):
            add_letter(project, f"d{n}.pdf", [["the " * 12] * 30])
    return path


def test_a_131_kb_query_is_refused_in_one_line(pages_of_the: Path, tmp_path: Path) -> None:
    query = "the " * 32_750
    started = time.monotonic()
    code, out, err, _ = peak_rss(["-p", str(pages_of_the), "--", query], tmp_path)
    assert code == 1 and out == ""
    assert err.splitlines() == [f"error: a query of {len(query):,} characters is too long to search for "
                                f"(at most {MAX_QUERY_CHARS:,})"]
    assert time.monotonic() - started < 30


def test_memory_does_not_grow_with_the_query(pages_of_the: Path, tmp_path: Path) -> None:
    short = "the the th"
    long = ("the " * 250)[:MAX_QUERY_CHARS]
    measured = {}
    for query in (short, long):
        code, out, err, rss = peak_rss(["-p", str(pages_of_the), "--documents", "--limit", "0", "--", query], tmp_path)
        assert code == 0 and err == ""
        assert sum(".pdf" in line for line in out.splitlines()) == 100, out[-300:]
        measured[query] = rss
    # Each of the long query's 998 trigrams read its own doclist: 15 MB more at 100 pages, growing with the project.
    assert measured[long] - measured[short] < 5 * 1024, measured

    code, out, err, _ = peak_rss(["-p", str(pages_of_the), "--limit", "3", "--", long], tmp_path)
    assert code == 0 and out.count("\n") == 3 and "showing the first 3 hits" in err, (out[-300:], err)


def test_the_help_says_how_long_a_query_may_be(tmp_path: Path) -> None:
    run = subprocess.run([str(SCANSPAN), "search", "--help"], capture_output=True, text=True, env=cli_env(tmp_path),
                         cwd=tmp_path, timeout=60)
    assert run.returncode == 0 and f"at most {MAX_QUERY_CHARS:,} characters" in " ".join(run.stdout.split())
