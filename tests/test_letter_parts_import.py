"""`scanspan import --letter-parts`: new documents get letter-part suggestions, now and in later imports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from helpers import draw_pdf, run_scanspan

from annotations.assist.letter_parts import LETTER_LABELS
from annotations.store import Project


def _letter(folder: Path, name: str, who: str, date: str) -> Path:
    lines = ["ACME SUPPLY COMPANY", "1 Harbour Road, Dayton", date, f"Ms. {who}", "Riverside School",
             f"Dear Ms. {who}:", "We shipped your order today.", "It should arrive on Friday.", "Yours truly,", "",
             "Peter Hartley"]
    path = folder / f"{name}.pdf"
    path.write_bytes(draw_pdf([lines], size=(612, 792)).pdf)  # a text layer: no OCR needed
    return path


def _parts(db: Path, doc_id: int) -> dict[str, list[str]]:
    with Project(db, read_only=True) as project:
        text = project.document_text(doc_id)
        found: dict[str, list[str]] = {}
        for span in sorted(project.spans(doc_id), key=lambda s: text.resolve(s).start):
            assert span.suggested and span.source == "letter-parts"
            found.setdefault(span.label, []).append(re.sub(r"\s+", " ", text.resolve(span).text))
        return found


def test_import_with_letter_parts_suggests_them_now_and_for_later_imports(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    first = run_scanspan(["import", _letter(tmp_path, "a", "Albright", "May 6, 2016"), "-p", db, "--letter-parts"], tmp_path)
    assert first.code == 0, first.err
    assert "letter parts on for this and later imports (labels added: letterhead, date" in first.out
    assert re.search(r"\d+ suggestions and 1 signature and signature block regions added from the letter parts", first.out)
    with Project(db, read_only=True) as project:
        assert set(LETTER_LABELS) <= {label.name for label in project.labels()}
    parts = _parts(db, 1)
    assert parts["date"] == ["May 6, 2016"] and parts["salutation"] == ["Dear Ms. Albright:"]
    assert parts["body"] == ["We shipped your order today. It should arrive on Friday."]
    assert parts["recipient"] == ["Ms. Albright Riverside School"] and parts["closing"] == ["Yours truly,"]
    kept = run_scanspan(["suggestions", "kept", "-p", db], tmp_path)
    assert "letter-parts  the parts of a letter" in kept.out

    # Remembered: the next import gets them without asking.
    second = run_scanspan(["import", _letter(tmp_path, "b", "Baker", "June 1, 2016"), "-p", db], tmp_path)
    assert second.code == 0, second.err
    assert "added from the letter parts" in second.out and "letter parts on" not in second.out
    assert _parts(db, 2)["date"] == ["June 1, 2016"]

    # Reviewed like any suggestion: a rejected one is not proposed again, and nothing comes twice.
    with Project(db) as project:
        [date] = [s for s in project.spans(2) if s.label == "date"]
        project.reject_suggestions([date.id])
        [block] = [g for g in project.regions(2) if g.label == "signature_block"]
        project.reject_region_suggestions([block.id])
    again = run_scanspan(["suggest", "-p", db, "--letter-parts", "--documents", "2"], tmp_path)
    assert again.out.startswith("0 suggestions added from 'letter-parts'") and "1 rejected before" in again.out
    assert "0 signature and signature block regions suggested" in again.out

    # Turned off: later imports get none, and the project keeps nothing.
    third = run_scanspan(["import", _letter(tmp_path, "c", "Carter", "July 4, 2016"), "-p", db, "--no-letter-parts"],
                         tmp_path)
    assert third.code == 0, third.err
    assert "letter parts off for this and later imports" in third.out and "suggestions" not in third.out
    assert _parts(db, 3) == {}
    assert run_scanspan(["suggestions", "kept", "-p", db], tmp_path).out == ""


def test_suggest_letter_parts_keep_applies_them_to_later_imports(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert run_scanspan(["import", _letter(tmp_path, "a", "Albright", "May 6, 2016"), "-p", db], tmp_path).code == 0
    assert run_scanspan(["labels", "-p", db, "--add-set", "letter"], tmp_path).code == 0
    run = run_scanspan(["suggest", "-p", db, "--letter-parts", "--keep"], tmp_path)
    assert run.code == 0 and "kept the letter parts: documents imported from now on get their suggestions" in run.out
    later = run_scanspan(["import", _letter(tmp_path, "b", "Baker", "June 1, 2016"), "-p", db], tmp_path)
    assert later.code == 0, later.err
    assert _parts(db, 2)["salutation"] == ["Dear Ms. Baker:"]


def test_an_import_in_the_background_suggests_them_and_keeps_its_files_when_a_kept_list_fails(tmp_path: Path) -> None:
    from annotations.importing.files import ImportOptions
    from annotations.workers.jobs import import_files

    db = tmp_path / "p.db"

    def run(path: Path, options: ImportOptions) -> list[Any]:
        return import_files(db, [path], options, lambda *_: None, lambda: False)

    # The window's import (a child process running jobs.import_files) with the setting on.
    [first] = run(_letter(tmp_path, "a", "Albright", "May 6, 2016"), ImportOptions(letter_parts=True))
    assert first.status == "imported" and not first.warnings
    assert _parts(db, 1)["salutation"] == ["Dear Ms. Albright:"]
    with Project(db) as project:
        project.keep_rule("terms", "agencies.txt", "agency", "ACME\n")
        project.delete_label("agency")  # the kept list's label gone: its suggestions cannot be made
    [second] = run(_letter(tmp_path, "b", "Baker", "June 1, 2016"), ImportOptions())
    assert second.status == "imported"
    assert second.warnings == ["no suggestions made: agencies.txt: label 'agency' is not a project label "
                               "(add it with: scanspan labels --add NAME)"]
    assert _parts(db, 2)["salutation"] == ["Dear Ms. Baker:"]  # the letter parts, kept first, were made
