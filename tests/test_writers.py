"""Several processes writing one project at once, killed at random moments, on read-only and full
disks: real `scanspan` subprocesses on a real project file, checked from yet another process."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import (
    Run,
    cli_env,
    copy_project,
    draw_pdf,
    namespaces_problem,
    run_scanspan,
    start_scanspan,
    wait_until,
)

from annotations.store import Project, default_labels

WORDS = ["Department", "of", "Justice", "program", "300,000", "investigations", "letter", "Geneva", "agency", "the"]


def long_pdf(pages: int, lines: int = 40, words: int = 12, seed: int = 1) -> bytes:
    """A born-digital PDF with pages * lines * words words (no OCR needed to import it)."""
    rng = random.Random(seed)
    text = [[" ".join(rng.choice(WORDS) for _ in range(words)) for _ in range(lines)] for _ in range(pages)]
    return draw_pdf(text, size=(11 * 72, 14 * 72), fontsize=7, leading=1.3).pdf


def rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def in_namespace(script: str, tmp: Path) -> Run:
    """`sh -c script` in a user and mount namespace of its own, where it may mount (a read-only
    bind mount, a small tmpfs) without touching the machine's mounts."""
    problem = namespaces_problem()
    if problem:  # a read-only or full disk cannot be made without one (root ignores file permissions)
        pytest.skip(problem)
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                          env=cli_env(tmp), cwd=tmp, timeout=180)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def born(born_project: Path, tmp_path: Path) -> Path:
    return copy_project(born_project, tmp_path / "born.scanspan")


def annotation_lines(project: Path, tmp: Path, count: int) -> Path:
    """A pre-annotation file of `count` records, each the document's own text and spans."""
    exported = tmp / "export.jsonl"
    assert run_scanspan(["export", "-p", project, "-f", "jsonl", "-o", exported], tmp).code == 0
    record = json.loads(exported.read_text().splitlines()[0])
    spans = [{"start": i * 2, "end": i * 2 + 1, "label": "agency"} for i in range(1, 4)]
    path = tmp / "predictions.jsonl"
    with path.open("w") as out:
        for n in range(count):
            out.write(json.dumps({"name": record["name"], "text": record["text"],
                                  "spans": spans[n % 3 : n % 3 + 1]}) + "\n")
    return path


def test_writers_wait_their_turn_instead_of_failing(born: Path, tmp_path: Path) -> None:
    """Three `annotate` loops, an `import-annotations` and an `import` of a long file, all at once."""
    long = tmp_path / "long.pdf"
    long.write_bytes(long_pdf(pages=50))  # 24,000 words: stored in three batches
    predictions = annotation_lines(born, tmp_path, 3000)
    phrases = ["Department", "Centers", "program"]

    def annotate_loop(phrase: str) -> list[Run]:
        return [run_scanspan(["annotate", "-p", born, "-d", "1", "-l", "program", "--text", phrase, "--all"], tmp_path)
                for _ in range(8)]

    with ThreadPoolExecutor(5) as pool:
        loops = [pool.submit(annotate_loop, p) for p in phrases]
        importing = pool.submit(run_scanspan, ["import", long, "-p", born], tmp_path)
        loading = pool.submit(run_scanspan, ["import-annotations", predictions, "-p", born], tmp_path)
        runs = [r for loop in loops for r in loop.result()] + [importing.result(), loading.result()]
    failed = [r for r in runs if r.code != 0]
    assert not failed, [r.err for r in failed]
    assert all("internal error" not in r.err and "locked" not in r.err for r in runs)
    assert rows(born, "select count(*) from documents") == [(2,)]
    assert rows(born, "select count(*) from documents where complete = 0") == [(0,)]
    assert rows(born, "pragma integrity_check") == [("ok",)]


def test_span_and_region_ids_are_never_handed_out_twice(born: Path, tmp_path: Path) -> None:
    with Project(born) as project:
        doc = project.documents()[0]
        words = project.words(project.pages(doc.id)[0].id)
        mine = project.add_span(doc.id, "agency", words[0].id, words[0].id)
        region = project.add_region(project.pages(doc.id)[0].id, "signature", (1, 1, 5, 5))
        project.delete_span(mine.id)
        project.delete_region(region.id)
    other = run_scanspan(["annotate", "-p", born, "-d", "1", "-l", "agency", "--text", words[1].text], tmp_path)
    assert other.code == 0, other.err
    box = run_scanspan(["annotate", "-p", born, "-d", "1", "-l", "signature", "--page", "1", "--box", "1,1,5,5"], tmp_path)
    assert box.code == 0, box.err
    assert rows(born, "select id from spans") != [(mine.id,)]
    assert rows(born, "select id from regions") != [(region.id,)]
    with Project(born) as project:  # an undo may bring the old rows back under their own ids
        assert project.add_span(doc.id, "agency", words[0].id, words[0].id, span_id=mine.id).id == mine.id


def test_a_project_killed_while_being_created_is_complete_or_absent(tmp_path: Path) -> None:
    script = "import sys; from annotations.store import Project; Project(sys.argv[1]).close()"
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "timing.scanspan")], env=cli_env(tmp_path), check=True)
    whole_run = time.monotonic() - started  # interpreter start-up included: kills land all over it
    rng = random.Random(7)
    defaults = [label.name for label in default_labels()]
    for n in range(40):
        path = tmp_path / f"new-{n}.scanspan"
        proc = subprocess.Popen([sys.executable, "-c", script, str(path)], env=cli_env(tmp_path))
        time.sleep(rng.uniform(0.5, 1.0) * whole_run)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Project(path) as project:  # reopening finds a whole project, or makes one
            assert [label.name for label in project.labels()] == defaults
        assert rows(path, "pragma integrity_check") == [("ok",)]


def test_an_import_killed_half_way_leaves_nothing_behind(born: Path, tmp_path: Path) -> None:
    long = tmp_path / "long.pdf"
    long.write_bytes(long_pdf(pages=90))  # 43,200 words: five batches
    for _attempt in range(20):
        proc = start_scanspan(["import", long, "-p", born], tmp_path)
        # Kill it once it has started storing (a half-stored document exists) but before it ends.
        wait_until(lambda: proc.poll() is not None  # noqa: B023 - waited for here
                   or rows(born, "select count(*) from documents where complete = 0") != [(0,)], timeout=60,
                   interval=0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if proc.returncode == -signal.SIGKILL:
            break
        with sqlite3.connect(born) as conn:  # it finished first: remove it and try again
            conn.execute("delete from words where page_id in (select id from pages where document_id > 1)")
            conn.execute("delete from pages where document_id > 1")
            conn.execute("delete from documents where id > 1")
    else:
        pytest.fail("the import always finished before it could be killed")
    assert rows(born, "select count(*) from documents where complete = 0") == [(1,)]
    assert run_scanspan(["list", "-p", born, "--json"], tmp_path).out.count('"id"') == 1  # invisible meanwhile
    again = run_scanspan(["import", long, "-p", born], tmp_path)  # the dead import's rows are removed first
    assert again.code == 0 and "imported as document" in again.out, again.err
    assert rows(born, "select count(*) from documents where complete = 0") == [(0,)]
    assert rows(born, "select count(*) from pages p join documents d on d.id = p.document_id") == \
        rows(born, "select count(*) from pages")
    assert rows(born, "pragma foreign_key_check") == []


def test_a_read_only_project_file_reads_but_refuses_writes_in_one_line(born: Path, tmp_path: Path) -> None:
    before = digest(born)
    scanspan = Path(sys.executable).with_name("scanspan")
    script = (f"mount --bind {born} {born} && mount -o remount,ro,bind {born} && "
              f"{scanspan} list -p {born} && "
              f"{scanspan} annotate -p {born} -d 1 -l agency --text Department; echo exit=$?")
    run = in_namespace(script, tmp_path)
    assert "born.pdf" in run.out  # list works
    assert "exit=1" in run.out
    assert run.err_lines == [f"error: {born}: opened read-only (it is on a read-only disk); nothing was changed"]
    assert digest(born) == before


def test_a_project_in_a_read_only_folder_reads_but_refuses_writes(born: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    project = folder / "born.scanspan"
    shutil.copy(born, project)
    scanspan = Path(sys.executable).with_name("scanspan")
    out = tmp_path / "out.jsonl"
    script = (f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} && "
              f"{scanspan} export -p {project} -f jsonl -o {out} && "
              f"{scanspan} labels -p {project} --add stamp; echo exit=$?; "
              f"{scanspan} import {folder}/nothing.pdf -p {folder}/new.scanspan; echo exit=$?")
    run = in_namespace(script, tmp_path)
    assert out.exists() and json.loads(out.read_text().splitlines()[0])["name"] == "born.pdf"
    assert run.out.count("exit=1") == 2
    assert "read-only disk" in run.err and "Traceback" not in run.err and "internal error" not in run.err
    assert not list(folder.glob("*-wal")) and not (folder / "new.scanspan").exists()


def test_a_full_disk_is_one_line_and_leaves_the_project_as_it_was(born: Path, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    scanspan = Path(sys.executable).with_name("scanspan")
    long = tmp_path / "long.pdf"
    long.write_bytes(long_pdf(pages=30))
    size = born.stat().st_size
    # Room for the project and a little more: the import of a long file fills it.
    script = (f"mount -t tmpfs -o size={size + 300 * 1024} tmpfs {disk} && cp {born} {disk}/p.scanspan && "
              f"{scanspan} import {long} -p {disk}/p.scanspan; echo exit=$?; "
              f"{scanspan} list -p {disk}/p.scanspan --json > {tmp_path}/after.json; "
              f"sqlite3_check=$({sys.executable} -c \"import sqlite3; print(sqlite3.connect('{disk}/p.scanspan')"
              f".execute('pragma integrity_check').fetchone()[0])\"); echo integrity=$sqlite3_check")
    run = in_namespace(script, tmp_path)
    assert "exit=1" in run.out, run.out + run.err
    errors = [line for line in run.err_lines if line.startswith("error:")]
    assert len(errors) == 1 and "disk is full" in errors[0] and "long.pdf" in errors[0], run.err
    assert "Traceback" not in run.err and "internal error" not in run.err
    assert "integrity=ok" in run.out
    assert [d["name"] for d in json.loads((tmp_path / "after.json").read_text())] == ["born.pdf"]


def test_backup_is_consistent_while_others_write(born: Path, tmp_path: Path) -> None:
    predictions = annotation_lines(born, tmp_path, 2000)
    writer = start_scanspan(["import-annotations", predictions, "-p", born], tmp_path)
    copies = []
    try:
        for n in range(5):
            copy = tmp_path / f"copy-{n}.scanspan"
            run = run_scanspan(["backup", "-p", born, copy], tmp_path)
            assert run.code == 0, run.err
            copies.append(copy)
    finally:
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    for copy in copies:
        assert not Path(f"{copy}-wal").exists()
        assert rows(copy, "pragma integrity_check") == [("ok",)]
        assert rows(copy, "select count(*) from documents") == [(1,)]
    counts = [rows(c, "select count(*) from spans")[0][0] for c in copies]
    assert counts == sorted(counts) and counts[-1] <= rows(born, "select count(*) from spans")[0][0]
    again = run_scanspan(["backup", "-p", born, copies[0]], tmp_path)
    assert again.code == 1 and again.err_lines == [f"error: {copies[0]}: already exists (--force replaces it)"]


def test_the_project_file_alone_holds_every_change_once_a_command_ends(born: Path, tmp_path: Path) -> None:
    keeper = sqlite3.connect(born)  # another program has it open: the -wal file stays
    keeper.execute("select count(*) from spans").fetchone()
    try:
        run = run_scanspan(["annotate", "-p", born, "-d", "1", "-l", "agency", "--text", "Department"], tmp_path)
        assert run.code == 0, run.err
        alone = tmp_path / "alone.scanspan"
        alone.write_bytes(born.read_bytes())  # the .db only, as a user copies it
        assert rows(alone, "select count(*) from spans") == [(1,)]
    finally:
        keeper.close()
