"""Bad input through the real `scanspan import` in a subprocess: every bad file gives one stderr
line naming it and the cause, no traceback, a non-zero exit, the good files of the same import
still go in, and nothing of a failed file is left in the project."""

from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pymupdf
import pytest
from helpers import (
    Corpus,
    Run,
    bomb_png,
    document_names,
    orphans,
    row_counts,
    run_scanspan,
)


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Dear Ms. Guerras-Delgado</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def encrypted_pdf(corpus: Corpus, **passwords: str) -> bytes:
    with pymupdf.open(corpus.paths["born.pdf"]) as doc:
        return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, **passwords)


# name -> (file content, what the one line must say about the cause)
def bad_files(corpus: Corpus) -> dict[str, tuple[bytes, str]]:
    born = corpus.paths["born.pdf"].read_bytes()
    png = corpus.paths["letter.png"].read_bytes()
    photo = corpus.paths["photo.jpg"].read_bytes()
    return {
        "empty.pdf": (b"", r"empty"),
        "truncated.pdf": (born[: len(born) // 2], r"truncated|damaged"),
        "minutes.pdf": (b"Minutes of the meeting of 3 December 2015\nPresent: all\n" * 20, r"not a PDF.*text"),
        "noise.tif": (os.urandom(64 * 1024), r"not a PDF, TIFF, PNG or JPEG"),
        "header-only.png": (png[:33], r"damaged|incomplete|truncated"),
        # MuPDF decodes a JPEG cut in half with only a warning, painting the lost rows grey.
        "half.jpg": (photo[: len(photo) // 2], r"cannot be decoded.*ends early"),
        "locked.pdf": (encrypted_pdf(corpus, user_pw="s3cret", owner_pw="owner"), r"encrypted|password"),
        "letter.docx": (docx_bytes(), r"Word|docx"),
        "bomb.png": (bomb_png(20000, 12000), r"megapixels|decompression bomb"),
    }


def assert_one_line_per_failure(run: Run, causes: dict[str, str]) -> None:
    assert run.code != 0
    assert "Traceback" not in run.err and "internal error" not in run.err
    lines = run.err_lines
    assert len(lines) == len(causes), run.err
    for name, cause in causes.items():
        (line,) = [line for line in lines if name in line]
        assert re.search(cause, line, re.IGNORECASE), line
        assert not re.search(r"object at 0x|Error\b|<.*>", line), f"Python internals leak into: {line}"


@pytest.fixture(scope="module")
def bad_import(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run, dict[str, tuple[bytes, str]]]:
    root = tmp_path_factory.mktemp("bad")
    (root / "in").mkdir()
    files = bad_files(corpus)
    for name, (data, _) in files.items():
        (root / "in" / name).write_bytes(data)
    shutil.copy(corpus.paths["letter.png"], root / "in" / "good.png")
    # The good file sits in the middle: files after a failure must still be imported.
    names = list(files)
    args = [f"in/{n}" for n in names[:4]] + ["in/good.png"] + [f"in/{n}" for n in names[4:]]
    run = run_scanspan(["import", *args, "--project", "p.scanspan", "--jobs", "2"], root)
    return root, run, files


def test_each_bad_file_gives_one_line_naming_it_and_the_cause(bad_import) -> None:
    root, run, files = bad_import
    assert_one_line_per_failure(run, {f"in/{name}": cause for name, (_, cause) in files.items()})


def test_good_file_of_the_same_import_is_imported(bad_import) -> None:
    root, run, _ = bad_import
    assert "in/good.png" in run.out and "imported" in run.out
    assert document_names(root / "p.scanspan") == ["good.png"]
    counts = row_counts(root / "p.scanspan")
    assert counts["sources"] == 1 and counts["pages"] == 1 and counts["words"] > 5


def test_nothing_of_a_failed_file_is_left(bad_import) -> None:
    root, _, _ = bad_import
    assert orphans(root / "p.scanspan") == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}


def test_pdf_with_only_an_owner_password_is_readable_and_imported(corpus: Corpus, tmp_path: Path) -> None:
    """Permission-only encryption needs no password to read: refusing it would be wrong."""
    (tmp_path / "restricted.pdf").write_bytes(encrypted_pdf(corpus, owner_pw="owner"))
    run = run_scanspan(["import", "restricted.pdf", "--project", "p.scanspan"], tmp_path)
    assert run.code == 0, run.err
    assert document_names(tmp_path / "p.scanspan") == ["restricted.pdf"]


def test_missing_tesseract_fails_only_the_files_that_need_ocr(corpus: Corpus, tmp_path: Path) -> None:
    for name in ("born.pdf", "letter.png", "scan.pdf", "mixed.pdf"):
        shutil.copy(corpus.paths[name], tmp_path / name)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    assert shutil.which("tesseract", path=str(empty_bin)) is None
    run = run_scanspan(
        ["import", "letter.png", "born.pdf", "mixed.pdf", "scan.pdf", "--project", "p.scanspan"],
        tmp_path,
        path=str(empty_bin),
    )
    # mixed.pdf has a text-layer page 1 and a scanned page 2: it fails whole, page 1 is not kept.
    assert_one_line_per_failure(run, {"letter.png": "tesseract", "scan.pdf": "tesseract", "mixed.pdf": "tesseract"})
    assert document_names(tmp_path / "p.scanspan") == ["born.pdf"]
    assert orphans(tmp_path / "p.scanspan") == {"sources": 0, "pages": 0, "words": 0, "empty documents": 0}


def test_missing_language_data_fails_only_the_files_that_need_ocr(corpus: Corpus, tmp_path: Path) -> None:
    for name in ("born.pdf", "letter.png"):
        shutil.copy(corpus.paths[name], tmp_path / name)
    run = run_scanspan(["import", "letter.png", "born.pdf", "--lang", "xyz", "--project", "p.scanspan"], tmp_path)
    assert_one_line_per_failure(run, {"letter.png": r"xyz"})
    assert "language" in run.err
    assert document_names(tmp_path / "p.scanspan") == ["born.pdf"]
    assert row_counts(tmp_path / "p.scanspan")["sources"] == 1


def test_reimport_needs_no_tesseract_at_all(corpus: Corpus, tmp_path: Path) -> None:
    """A re-import does no OCR: it works even when tesseract has gone from PATH."""
    shutil.copy(corpus.paths["letter.png"], tmp_path / "letter.png")
    first = run_scanspan(["import", "letter.png", "--project", "p.scanspan"], tmp_path)
    assert first.code == 0, first.err
    before = row_counts(tmp_path / "p.scanspan")
    (tmp_path / "bin").mkdir()
    again = run_scanspan(["import", "letter.png", "--project", "p.scanspan"], tmp_path, path=str(tmp_path / "bin"))
    assert again.code == 0, again.err
    assert "already" in again.out and "letter.png" in again.out
    assert row_counts(tmp_path / "p.scanspan") == before


def test_missing_file_and_directory_are_reported(corpus: Corpus, tmp_path: Path) -> None:
    shutil.copy(corpus.paths["born.pdf"], tmp_path / "born.pdf")
    (tmp_path / "folder.pdf").mkdir()
    run = run_scanspan(["import", "nowhere.pdf", "folder.pdf", "born.pdf", "--project", "p.scanspan"], tmp_path)
    assert_one_line_per_failure(run, {"nowhere.pdf": "no such file", "folder.pdf": "directory"})
    assert document_names(tmp_path / "p.scanspan") == ["born.pdf"]


def test_project_from_a_newer_scanspan_or_another_tool_is_one_line(corpus: Corpus, tmp_path: Path) -> None:
    shutil.copy(corpus.paths["born.pdf"], tmp_path / "born.pdf")
    future = tmp_path / "future.scanspan"
    conn = sqlite3.connect(future)
    conn.execute("create table _sqlite_migrations (id integer primary key, migration_set text, name text, applied_at text)")
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('scanspan', '0001_initial', 'x')")
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values ('scanspan', '9999_later', 'x')")
    conn.commit()
    conn.close()
    other = tmp_path / "accounts.db"
    conn = sqlite3.connect(other)
    conn.execute("create table invoices (id integer primary key)")
    conn.commit()
    conn.close()
    for path, cause in ((future, "newer"), (other, "not a Scanspan project")):
        before = path.read_bytes()
        run = run_scanspan(["import", "born.pdf", "--project", path.name], tmp_path)
        assert run.code != 0
        assert len(run.err_lines) == 1 and path.name in run.err and cause in run.err, run.err
        assert "Traceback" not in run.err
        assert path.read_bytes() == before


def tiff_with_resolution(image, x_resolution, y_resolution) -> bytes:
    """A TIFF whose resolution tags hold exactly these rationals (damaged files hold 0 or 1/64).

    Uncompressed: libtiff, which writes G4, refuses to write a 0/0 resolution."""
    from PIL import TiffImagePlugin

    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[282] = TiffImagePlugin.IFDRational(*x_resolution)
    tags[283] = TiffImagePlugin.IFDRational(*y_resolution)
    tags[296] = 2  # inches
    out = io.BytesIO()
    image.save(out, format="TIFF", tiffinfo=tags)
    return out.getvalue()


def test_unusable_resolution_tags_are_estimated_and_the_run_goes_on(corpus: Corpus, tmp_path: Path) -> None:
    """A 1/64 dpi axis once raised ZeroDivisionError and aborted the whole import, good files included."""
    fax = corpus.images["fax.tif"][0]
    files = {
        "tiny-x.tif": tiff_with_resolution(fax, (1, 64), (196, 1)),  # rounds to 0 dpi
        "nan-x.tif": tiff_with_resolution(fax, (0, 0), (196, 1)),
        "huge.tif": tiff_with_resolution(fax, (10**9, 1), (10**9, 1)),
        "thin-pixels.tif": tiff_with_resolution(fax, (204, 1), (10, 1)),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    shutil.copy(corpus.paths["letter.png"], tmp_path / "good.png")
    run = run_scanspan(["import", *files, "good.png", "--project", "p.scanspan", "--jobs", "2"], tmp_path)
    assert run.code == 0, run.err
    assert run.err == ""
    assert document_names(tmp_path / "p.scanspan") == [*files, "good.png"]
    conn = sqlite3.connect(tmp_path / "p.scanspan")
    try:
        rows = conn.execute(
            "select d.name, p.dpi_x, p.dpi_y, count(w.id) from documents d join pages p on p.document_id = d.id "
            "left join words w on w.page_id = p.id group by p.id order by d.id"
        ).fetchall()
    finally:
        conn.close()
    estimate = round(max(fax.width / 8.5, fax.height / 11.0), 1)  # as for an untagged image
    for name, dpi_x, dpi_y, words in rows[:-1]:
        assert (dpi_x, dpi_y) == (estimate, estimate), name
        assert words >= 5, name


def jpeg_with_exif_resolution(image, dpi: float) -> bytes:
    """A JPEG whose resolution is only in its EXIF block (no JFIF density), as cameras write them."""
    from PIL import Image

    exif = Image.Exif()
    exif.update({0x011A: dpi, 0x011B: dpi, 0x0128: 2})
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def test_library_warnings_are_part_of_the_files_line(corpus: Corpus, tmp_path: Path) -> None:
    image = corpus.images["photo.jpg"][0]
    exif = bytearray(jpeg_with_exif_resolution(image, 300))
    exif[exif.find(b"Exif\x00\x00") + 6 + 8] ^= 0xFF  # the entry count of the first EXIF directory
    (tmp_path / "exif.jpg").write_bytes(bytes(exif))
    photo = corpus.paths["photo.jpg"].read_bytes()
    scan = photo.find(b"\xff\xda")
    (tmp_path / "junk.jpg").write_bytes(photo[:scan] + b"\x00" * 40 + photo[scan:])  # libjpeg complains in C
    run = run_scanspan(["import", "exif.jpg", "junk.jpg", "--project", "p.scanspan"], tmp_path)
    assert run.code == 0, run.err
    assert run.err == ""  # neither Python's two-line warnings nor libjpeg's own line
    lines = run.out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("exif.jpg: imported") and "(warnings: Corrupt EXIF data." in lines[0]
    assert lines[1].startswith("junk.jpg: imported") and "(warnings: Corrupt JPEG data: 40 extraneous bytes" in lines[1]
    # Rendering the stored page again (here for an export's page images) does not repeat them.
    export = run_scanspan(["export", "--project", "p.scanspan", "-f", "layoutlm", "-o", "out.jsonl"], tmp_path)
    assert export.code == 0, export.err
    assert "Corrupt JPEG" not in export.err


def test_damaged_page_tree_is_one_line(corpus: Corpus, tmp_path: Path) -> None:
    """MuPDF's FzErrorFormat on loading a page was once an 'unexpected error'."""
    pdf = corpus.paths["born.pdf"].read_bytes()
    kids = pdf.find(b"/Kids")
    assert kids > 0
    (tmp_path / "tree.pdf").write_bytes(pdf[:kids] + b"/Kidz" + pdf[kids + 5 :])
    shutil.copy(corpus.paths["born.pdf"], tmp_path / "good.pdf")
    run = run_scanspan(["import", "tree.pdf", "good.pdf", "--project", "p.scanspan"], tmp_path)
    assert_one_line_per_failure(run, {"tree.pdf": r"damaged|page|no pages"})
    assert document_names(tmp_path / "p.scanspan") == ["good.pdf"]
