"""`--lang auto`: each page read with its own languages, told from a first reading, with real tesseract on real letters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import draw_pdf, png_bytes, real_scans, render, run_scanspan

TURKISH = real_scans() / "letters" / "official-letter-tr.jpeg"
FRENCH = real_scans() / "letters" / "prefecture-decree-fr-signed.jpeg"
TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")

ENGLISH = [
    "Dear Sir, thank you for the letter of the",
    "fourth of May about the meeting of the",
    "committee. We would be glad to attend and",
    "will send the papers before the end of",
    "the week. Yours faithfully, John Smith",
]


def page_rows(project: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(project) as db:
        return db.execute("select lang, ocr_input from pages order by id").fetchall()


def page_text(project: Path, page: int = 1) -> str:
    with sqlite3.connect(project) as db:
        rows = db.execute("select text from words where page_id = ? order by idx", [page]).fetchall()
    return " ".join(r[0] for r in rows)


def only_english(tmp: Path) -> Path:
    """Tesseract's data folder as on a machine with only English (and script detection) installed."""
    folder = tmp / "tessdata"
    folder.mkdir()
    for name in ("eng.traineddata", "osd.traineddata"):
        (folder / name).symlink_to(TESSDATA / name)
    return folder


def test_a_turkish_letter_is_read_in_turkish_and_says_so(tmp_path: Path) -> None:
    project = tmp_path / "p.scanspan"
    run = run_scanspan(["import", "-p", project, "--lang", "auto", TURKISH], tmp_path)
    assert run.code == 0, run.err
    assert "warning" not in run.out + run.err
    ((lang, how),) = page_rows(project)
    assert lang.split("+")[0] == "tur"
    assert "Turkish" in how
    text = page_text(project)
    # Read as English, tesseract gave "Baskan Yardimethgi" and "ettikleri veya bulunduklarn".
    assert "Yardımcılığı" in text
    assert "Başkan" in text


def test_a_french_decree_is_read_in_french(tmp_path: Path) -> None:
    project = tmp_path / "p.scanspan"
    run = run_scanspan(["import", "-p", project, "--lang", "auto", FRENCH], tmp_path)
    assert run.code == 0, run.err
    ((lang, how),) = page_rows(project)
    assert lang.split("+")[0] == "fra"
    assert "French" in how
    assert any(ch in page_text(project) for ch in "éèà")


def test_an_english_page_is_read_once_in_english(tmp_path: Path) -> None:
    image = tmp_path / "letter.png"
    image.write_bytes(png_bytes(render(draw_pdf([ENGLISH], size=(4 * 72, 2.5 * 72)), 1, 300), dpi=(300, 300)))
    project = tmp_path / "p.scanspan"
    run = run_scanspan(["import", "-p", project, "--lang", "auto", image], tmp_path)
    assert run.code == 0, run.err
    ((lang, how),) = page_rows(project)
    assert lang == "eng"
    assert "English" in how
    assert "committee." in page_text(project)


def test_a_language_not_installed_is_named_with_its_package_and_doctor_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(only_english(tmp_path)))
    project = tmp_path / "p.scanspan"
    run = run_scanspan(["import", "-p", project, "--lang", "auto", TURKISH], tmp_path)
    assert run.code == 0, run.err
    (line,) = [row for row in (run.out + run.err).splitlines() if "Turkish" in row]
    assert "imported as document 1" in line
    assert "apt-get install tesseract-ocr-tur" in line
    ((lang, how),) = page_rows(project)
    assert lang == "eng"
    assert "Turkish not installed" in how
    doctor = run_scanspan(["doctor"], tmp_path)
    assert doctor.code == 0, doctor.out
    (seen,) = [row for row in doctor.out.splitlines() if row.startswith("languages seen")]
    assert "tur" in seen
    assert "tesseract-ocr-tur" in doctor.out


def test_the_cache_keeps_an_english_reading_apart_from_the_chosen_one(tmp_path: Path) -> None:
    project = tmp_path / "p.scanspan"
    assert run_scanspan(["import", "-p", project, "--lang", "eng", TURKISH], tmp_path).code == 0
    assert "Yardımcılığı" not in page_text(project)
    removed = run_scanspan(["remove", "-p", project, "1", "--force"], tmp_path)
    assert removed.code == 0, removed.err
    again = run_scanspan(["import", "-p", project, "--lang", "auto", TURKISH], tmp_path)
    assert again.code == 0, again.err
    # The English reading came from the cache; the Turkish one was read.
    assert "(OCR 1, cached 0" in again.out
    ((lang, _),) = page_rows(project)
    assert lang.startswith("tur")
    with sqlite3.connect(project) as db:
        page_id = db.execute("select id from pages").fetchone()[0]
    assert "Yardımcılığı" in page_text(project, page_id)


def test_a_project_keeps_auto_as_its_default_for_later_imports(tmp_path: Path) -> None:
    image = tmp_path / "letter.png"
    image.write_bytes(png_bytes(render(draw_pdf([ENGLISH], size=(4 * 72, 2.5 * 72)), 1, 300), dpi=(300, 300)))
    project = tmp_path / "p.scanspan"
    first = run_scanspan(["import", "-p", project, "--lang", "auto", "--keep-lang", image], tmp_path)
    assert first.code == 0, first.err
    assert "languages auto kept as the project's default" in first.out
    later = run_scanspan(["import", "-p", project, TURKISH], tmp_path)  # no --lang
    assert later.code == 0, later.err
    assert [lang for lang, _ in page_rows(project)] == ["eng", "tur+eng"]
