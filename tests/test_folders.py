"""Importing folders: page files found by content in nested folders, duplicates skipped, a bad file
among good ones reported alone, and progress over the pages of the whole run."""

from __future__ import annotations

from pathlib import Path

from helpers import document_names, draw_pdf, png_bytes, render, run_scanspan

from annotations.importing.folders import find_files, import_paths
from annotations.store import Project


def archive(root: Path) -> dict[str, Path]:
    """A folder tree as archives come: nested, odd names, copies, notes, and one damaged PDF."""
    one = draw_pdf([["The Department of Justice wrote"], ["to the Mission in Geneva"]])
    two = draw_pdf([["Minutes of the meeting held"], ["on the second day"], ["and a third page"]])
    files = {
        "one": root / "2015" / "letter one.pdf",
        "copy": root / "2015" / "copies" / "letter one (copy).bin",  # same bytes as "one"
        "two": root / "2016" / "deep" / "er" / "scan_0002",  # no extension at all
        "png": root / "2016" / "photo.txt",  # a PNG with a misleading name
        "bad": root / "2016" / "damaged.pdf",
        "notes": root / "2015" / "notes.pdf",  # text with a PDF's name
        "hidden": root / ".trash" / "old.pdf",
    }
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    files["one"].write_bytes(one.pdf)
    files["copy"].write_bytes(one.pdf)
    files["two"].write_bytes(two.pdf)
    files["png"].write_bytes(png_bytes(render(draw_pdf([["A photo of a letter"]]), 1, 150), dpi=(150, 150)))
    files["bad"].write_bytes(two.pdf[: len(two.pdf) // 2])
    files["notes"].write_text("call the Mission on Monday\n")
    files["hidden"].write_bytes(draw_pdf([["Thrown away"]]).pdf)
    return files


def test_recursive_import_of_nested_folders(tmp_path: Path) -> None:
    files = archive(tmp_path / "archive")
    project = tmp_path / "p.db"
    run = run_scanspan(["import", "archive", "--recursive", "-p", project], tmp_path)
    assert run.code == 1  # one file failed
    assert run.err_lines == [f"error: {Path('archive/2016/damaged.pdf')}: truncated PDF (the end of the file is missing)"]
    lines = run.out.splitlines()
    assert any(line.startswith("archive/2015/copies/letter one (copy).bin: already in the project as document")
               for line in lines)
    assert lines[-1] == ("5 files: 3 imported, 1 already in the project, 1 failed; "
                         "1 other file in the folders left alone (not PDF, TIFF, PNG or JPEG)")
    assert sorted(document_names(project)) == ["letter one.pdf", "photo.txt", "scan_0002"]
    with Project(project, read_only=True) as p:
        assert sorted(d.page_count for d in p.documents()) == [1, 2, 3]
    # Again: everything is there already, nothing is added, and that is no error.
    again = run_scanspan(["import", "archive", "-r", "-p", project], tmp_path)
    assert again.out.splitlines()[-1].startswith("5 files: 0 imported, 4 already in the project, 1 failed")
    assert sorted(document_names(project)) == ["letter one.pdf", "photo.txt", "scan_0002"]
    assert files["hidden"].exists()


def test_without_recursive_only_the_folder_itself(tmp_path: Path) -> None:
    archive(tmp_path / "archive")
    run = run_scanspan(["import", "archive/2015", "-p", "p.db"], tmp_path)
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1] == ("1 file: 1 imported, 0 already in the project, 0 failed; "
                                        "1 other file in the folders left alone (not PDF, TIFF, PNG or JPEG)")
    assert document_names(tmp_path / "p.db") == ["letter one.pdf"]


def test_a_folder_without_page_files_is_an_error_line(tmp_path: Path) -> None:
    archive(tmp_path / "archive")
    (tmp_path / "empty").mkdir()
    run = run_scanspan(["import", "archive", "empty", "-p", "p.db"], tmp_path)
    assert run.code == 1
    assert run.err_lines == [
        "error: archive: a directory without PDF, TIFF, PNG or JPEG files (--recursive reads its subfolders)",
        "error: empty: a directory without PDF, TIFF, PNG or JPEG files",
    ]
    assert not (tmp_path / "p.db").exists()


def test_found_by_content_and_progress_over_the_whole_run(tmp_path: Path) -> None:
    files = archive(tmp_path / "archive")
    found = find_files([tmp_path / "archive"], recursive=True)
    assert sorted(found.files) == sorted(files[k] for k in ("one", "copy", "two", "png", "bad"))
    assert found.other == [files["notes"]]
    calls: list[tuple[int, int, str]] = []
    with Project(tmp_path / "p.db") as project:
        run = import_paths(project, [tmp_path / "archive"], recursive=True, progress=lambda *a: calls.append(a))
    assert [o.status for o in run.outcomes].count("imported") == 3
    # The total is known from the first call and never changes; the run ends at it.
    totals = {total for _, total, _ in calls}
    assert len(totals) == 1, calls
    assert calls[-1][0] == calls[-1][1]
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))


def test_a_folder_imported_in_a_background_process(tmp_path: Path) -> None:
    """What the window runs for a dropped folder: the core's job in a child process of its own."""
    from annotations.importing.files import ImportOptions
    from annotations.workers.jobs import Job

    archive(tmp_path / "archive")
    job = Job("import-folders", tmp_path / "p.db", [tmp_path / "archive"], ImportOptions(), True)
    try:
        messages = [m for m in job.messages() if m is not None]
    finally:
        job.close()
    assert messages[-1][0] == "result", messages[-1]
    result = messages[-1][1]
    assert sorted(o.status for o in result.outcomes) == ["duplicate", "failed", "imported", "imported", "imported"]
    assert result.other == [tmp_path / "archive" / "2015" / "notes.pdf"]
    progress = [m for m in messages if m[0] == "progress"]
    assert progress and progress[-1][1] == progress[-1][2]
