"""Awkward option values through the real `scanspan` console script: each is one line naming the
option, and the project is left as it was."""

from __future__ import annotations

import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pymupdf
import pytest
from helpers import Corpus, row_counts, run_scanspan


@pytest.fixture
def born_project(corpus: Corpus, tmp_path: Path) -> Path:
    shutil.copy(corpus.paths["born.pdf"], tmp_path / "born.pdf")
    run = run_scanspan(["import", "born.pdf", "--project", "p.scanspan"], tmp_path)
    assert run.code == 0, run.err
    (tmp_path / "terms.txt").write_text("Disease\nPrevention\n", encoding="utf-8")
    return tmp_path / "p.scanspan"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["suggest", "--terms", "terms.txt", "--label", "agency", "--documents", ""], "--documents"),
        (["reorder", "--documents", " , "], "--documents"),
        (["reocr", "--documents", ""], "--documents"),
        (["export", "-f", "csv", "-o", "out.csv", "--documents", ""], "--documents"),
        (["export", "-f", "csv", "-o", "out.csv", "--labels", ","], "--labels"),
    ],
)
def test_a_list_option_naming_nothing_is_refused_not_taken_as_every_document(
    born_project: Path, args: list[str], option: str
) -> None:
    """`--documents "$IDS"` with IDS empty once meant every document: suggest and reorder wrote to all
    of them, export wrote them all, and reocr did nothing and said nothing."""
    root = born_project.parent
    before = row_counts(born_project)
    run = run_scanspan([*args, "--project", born_project.name], root)
    assert run.code == 1, run.out
    assert len(run.err_lines) == 1 and "Traceback" not in run.err, run.err
    assert run.err_lines[0].startswith(f"error: {option} ") and "names nothing" in run.err_lines[0]
    assert row_counts(born_project) == before
    assert not (root / "out.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["export", "-f", "jsonl", "-o", "notes.txt/out.jsonl", "--project", "p.scanspan"],
        ["backup", "--project", "p.scanspan", "notes.txt/copy.scanspan"],
        ["import", "born.pdf", "--project", "notes.txt/new.scanspan"],
        ["list", "--project", "notes.txt/p.scanspan"],
    ],
)
def test_a_path_through_a_file_says_that_file_is_not_a_folder(born_project: Path, args: list[str]) -> None:
    """It once said "folder notes.txt does not exist" of a file that was right there."""
    root = born_project.parent
    (root / "notes.txt").write_text("minutes\n", encoding="utf-8")
    run = run_scanspan(args, root)
    assert run.code == 1
    path = next(a for a in args if "/" in a)
    # list needs a project there, and says how import would make one unless import could not either.
    cause = "no such project (notes.txt is a file, not a folder)" if args[0] == "list" else "notes.txt is a file, not a folder"
    assert run.err_lines == [f"error: {path}: {cause}"]
    assert (root / "notes.txt").read_text(encoding="utf-8") == "minutes\n"


@pytest.mark.parametrize("key", ["99", "-1", "Ctrl+Z", "a", ""])
def test_a_label_key_the_window_cannot_use_is_refused(born_project: Path, key: str) -> None:
    """`labels --add x --shortcut 99` was stored, and listed as key 99, though no key press makes 99."""
    root = born_project.parent
    before = run_scanspan(["labels", "--project", born_project.name], root).out
    run = run_scanspan(["labels", "--project", born_project.name, "--add", "stamp", f"--shortcut={key}"], root)
    assert run.code == 1
    assert run.err_lines == [f"error: shortcut '{key}' is not a label key: give one digit, 0-9"]
    assert run_scanspan(["labels", "--project", born_project.name], root).out == before


def test_a_digit_is_a_label_key(born_project: Path) -> None:
    root = born_project.parent
    run = run_scanspan(["labels", "--project", born_project.name, "--add", "stamp", "--shortcut", "0"], root)
    assert run.code == 0, run.err
    assert any(line.split() == ["0", "entity", line.split()[2], "stamp"] for line in run.out.splitlines()), run.out


def test_a_page_export_into_a_folder_with_an_earlier_export_names_the_files_left_there(
    born_project: Path,
) -> None:
    """Exporting ALTO again after a document was removed left its page file beside the new ones
    without a word, so the folder still read as holding that document."""
    root = born_project.parent
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), "Minutes of the meeting of the board, 3 December 2015")
        doc.save(root / "minutes.pdf")
    assert run_scanspan(["import", "minutes.pdf", "--project", born_project.name], root).code == 0
    export = ["export", "--project", born_project.name, "-f", "alto", "-o", "alto"]
    first = run_scanspan(export, root)
    assert first.code == 0 and "warning" not in first.err, first.err
    stale = sorted(p.name for p in (root / "alto").iterdir() if "minutes" in p.name)
    assert stale == ["2-minutes-p1.xml"]
    assert run_scanspan(["remove", "--project", born_project.name, "minutes.pdf", "--force"], root).code == 0
    again = run_scanspan(export, root)
    assert again.code == 0, again.err
    (line,) = [line for line in again.err_lines if line.startswith("warning:")]
    assert "1 other file in alto" in line and "2-minutes-p1.xml" in line
    assert (root / "alto" / "2-minutes-p1.xml").exists()  # left alone: it may be someone's


def test_a_name_typed_with_combining_accents_is_the_same_label_and_document(born_project: Path) -> None:
    """A label added as "cafe" + U+0301 (as macOS writes it) was then unknown as "café" typed with
    one character, in a message listing "café" among the labels; a second "café" could be added."""
    root = born_project.parent
    decomposed, composed = unicodedata.normalize("NFD", "Café"), unicodedata.normalize("NFC", "Café")
    assert decomposed != composed
    project = ["--project", born_project.name]
    with pymupdf.open() as doc:  # other content, or the import would call it the file already there
        doc.new_page().insert_text((72, 72), "Minutes of the meeting of the board, 3 December 2015")
        doc.save(root / f"{decomposed} letter.pdf")
    assert run_scanspan(["import", f"{decomposed} letter.pdf", *project], root).code == 0
    assert run_scanspan(["labels", "--add", decomposed, *project], root).code == 0
    run = run_scanspan(["annotate", "--document", f"{composed} letter.pdf", "--label", composed,
                        "--text", "Minutes", *project], root)
    assert run.code == 0, run.err
    again = run_scanspan(["labels", "--add", composed, *project], root)
    assert again.code == 1 and again.err_lines == [f"error: label '{decomposed}' already exists"]
    conn = sqlite3.connect(born_project)
    try:
        spans = conn.execute("select s.label, d.name from spans s join documents d on d.id = s.document_id").fetchall()
        labels = [name for (name,) in conn.execute("select name from labels") if name.casefold().startswith("caf")]
    finally:
        conn.close()
    assert spans == [(decomposed, f"{decomposed} letter.pdf")]
    assert labels == [decomposed]


@pytest.mark.parametrize("args", [["list"], ["labels"], ["export", "-f", "csv", "-o", "out.csv"]])
def test_an_empty_file_given_as_the_project_is_refused_and_left_empty(tmp_path: Path, args: list[str]) -> None:
    """SQLite takes a 0-byte file for an empty database: `list` once wrote a whole new project into it."""
    (tmp_path / "notes.scanspan").write_bytes(b"")
    run = run_scanspan([*args, "--project", "notes.scanspan"], tmp_path)
    assert run.code == 1
    assert run.err_lines == ["error: notes.scanspan: an empty file, not a Scanspan project "
                             "(scanspan import FILE --project notes.scanspan makes it one)"]
    assert (tmp_path / "notes.scanspan").read_bytes() == b""
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("notes.scanspan-")]  # no -wal, -shm


def test_a_project_cut_short_is_called_damaged_not_someone_elses(born_project: Path) -> None:
    """A project file cut off by a copy that stopped was "not a Scanspan project", which sends the
    analyst looking for another file rather than for the backup."""
    root = born_project.parent
    data = born_project.read_bytes()
    (root / "cut.scanspan").write_bytes(data[: len(data) // 2])
    run = run_scanspan(["list", "--project", "cut.scanspan"], root)
    assert run.code == 1
    assert run.err_lines == ["error: cut.scanspan: damaged database file (database disk image is malformed); "
                             "restore the project from a backup"]


@pytest.mark.parametrize(("name", "what"), [("born.pdf", "a PDF"), ("page.png", "a PNG image"),
                                            ("page.xml", "an XML or HTML file")])
def test_a_scan_given_to_import_annotations_is_one_line_saying_what_it_is(
    born_project: Path, corpus: Corpus, name: str, what: str
) -> None:
    """A PDF given to import-annotations for import once printed ten "line N: not JSON" lines, and
    "... and 29 more problems", for one wrong file."""
    root = born_project.parent
    shutil.copy(corpus.paths["letter.png"], root / "page.png")
    (root / "page.xml").write_text('<?xml version="1.0"?>\n<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"/>\n',
                                   encoding="utf-8")
    before = row_counts(born_project)
    run = run_scanspan(["import-annotations", name, "--project", born_project.name], root)
    assert run.code == 1
    assert run.out == ""
    assert run.err_lines == [f"error: {name}: {what}, not annotations (JSONL); scans, PDFs and ALTO, PAGE or hOCR "
                             "words go in with: scanspan import"]
    assert row_counts(born_project) == before


def test_a_status_filter_that_matches_no_document_says_so(born_project: Path) -> None:
    """`export --status done` before anything was marked done wrote an empty training file, exit 0,
    and said only "0 documents"."""
    root = born_project.parent
    run = run_scanspan(["export", "--project", born_project.name, "-f", "jsonl", "-o", "out.jsonl",
                        "--status", "done"], root)
    assert run.code == 0, run.err
    assert run.err_lines == ["warning: no document is done (--status); the project's are 1 new"]


TOO_LARGE = "99999999999999999999999"  # more than SQLite's largest integer


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["annotate", "--document", TOO_LARGE, "--label", "agency", "--text", "Disease"],
         f"error: no document '{TOO_LARGE}' in p.scanspan"),
        (["remove", TOO_LARGE], f"error: no document '{TOO_LARGE}' in p.scanspan"),
        (["annotate", "--document", "²", "--label", "agency", "--text", "Disease"], "error: no document '²' in p.scanspan"),
        (["relations", "remove", TOO_LARGE], "error: a number given is too large to be an id (the largest is 9223372036854775807)"),
        (["suggestions", "accept", TOO_LARGE], "error: a number given is too large to be an id (the largest is 9223372036854775807)"),
    ],
)
def test_an_id_no_id_can_be_is_one_line_not_an_internal_error(born_project: Path, args: list[str], line: str) -> None:
    """Ids over 2**63 and digits such as "²" (a digit to Python, not to int()) were internal errors."""
    root = born_project.parent
    before = row_counts(born_project)
    run = run_scanspan([*args, "--project", born_project.name], root)
    assert run.code == 1
    assert run.err_lines == [line]
    assert row_counts(born_project) == before


def test_a_pdf_given_as_words_file_is_called_a_pdf(corpus: Corpus, tmp_path: Path) -> None:
    """`import page.png --words letter.pdf` said the PDF was "not a PDF, TIFF, PNG or JPEG file" and
    quoted the XML parser's complaint about its first byte."""
    shutil.copy(corpus.paths["letter.png"], tmp_path / "page.png")
    shutil.copy(corpus.paths["born.pdf"], tmp_path / "letter.pdf")
    run = run_scanspan(["import", "page.png", "--words", "letter.pdf", "--project", "p.scanspan"], tmp_path)
    assert run.code == 1
    assert run.err_lines == ["error: page.png: letter.pdf: not an hOCR, ALTO or PAGE file (it is a PDF file)"]
    assert not (tmp_path / "p.scanspan").exists()


def test_an_empty_file_name_imports_nothing_rather_than_the_current_folder(corpus: Corpus, tmp_path: Path) -> None:
    """`scanspan import "$FILE"` with FILE empty imported every scan in the current folder."""
    shutil.copy(corpus.paths["born.pdf"], tmp_path / "born.pdf")
    run = run_scanspan(["import", "", "--project", "p.scanspan"], tmp_path)
    assert run.code == 1
    assert run.err_lines == ["error: an empty file name was given (an unset shell variable?); name the files or "
                             "folders, or . for the current folder"]
    assert not (tmp_path / "p.scanspan").exists()


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["export", "--project", "p.scanspan", "-f", "alto", "-o", ""], "--output"),
        (["list", "--project", ""], "--project"),
        (["backup", "--project", "p.scanspan", ""], "OUTPUT"),
    ],
)
def test_an_empty_path_is_one_line_naming_the_option(born_project: Path, args: list[str], name: str) -> None:
    """`-o ""` and `-p ""` were Path("."), the current folder: an internal error ("PosixPath('.') has
    an empty name"), or for backup "already exists"."""
    root = born_project.parent
    listing = sorted(p.name for p in root.iterdir())
    run = run_scanspan(args, root)
    assert run.code == 1
    assert run.err_lines == [f"error: {name}: an empty name was given (an unset shell variable?)"]
    assert sorted(p.name for p in root.iterdir()) == listing
