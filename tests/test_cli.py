"""The `scanspan` command line: import, list, annotate (text and box), export JSONL/CSV, errors as one
line, and help for every command. One real subprocess builds the project; the rest call the same
entry point (annotations.cli.main) in-process."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import click
import pytest
from helpers import BORN, Corpus, copy_project, iou, run_on_terminal, run_scanspan, to_pixels

from annotations.cli import cli as scanspan_group

CDC = "Centers for Disease Control and Prevention"


@pytest.fixture(scope="module")
def base(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """born.pdf (text layer, 2 pages) and letter.png (OCR) imported by the real console script."""
    root = tmp_path_factory.mktemp("cli")
    for name in ("born.pdf", "letter.png"):
        shutil.copy(corpus.paths[name], root / name)
    run = run_scanspan(["import", "born.pdf", "letter.png", "--project", "base.scanspan"], root)
    assert run.code == 0, run.err
    assert run.err == ""
    # stdout is a pipe here: plain lines, no progress bar redraws.
    assert "\r" not in run.out and "\x1b" not in run.out
    assert re.search(r"born\.pdf: imported.*2 pages", run.out) and re.search(r"letter\.png: imported.*1 page", run.out)
    return root / "base.scanspan"


@pytest.fixture
def project(base: Path, tmp_path: Path) -> Path:
    return copy_project(base, tmp_path / "p.scanspan")


def export_jsonl(cli, project: Path, tmp_path: Path) -> dict[str, dict]:
    out = tmp_path / "out.jsonl"
    run = cli("export", "--project", project, "--format", "jsonl", "-o", out)
    assert run.code == 0, run.err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {r["name"]: r for r in records}


def listing(cli, project: Path) -> dict[str, dict]:
    run = cli("list", "--project", project, "--json")
    assert run.code == 0, run.err
    return {row["name"]: row for row in json.loads(run.out)}


def test_import_on_a_terminal_shows_progress_to_the_last_page(corpus: Corpus, tmp_path: Path) -> None:
    shutil.copy(corpus.paths["pages.tif"], tmp_path / "pages.tif")
    shutil.copy(corpus.paths["born.pdf"], tmp_path / "born.pdf")
    code, screen = run_on_terminal(["import", "pages.tif", "born.pdf", "--project", "p.scanspan"], tmp_path)
    assert code == 0, screen
    assert re.search(r"\b5/5\b", screen), screen  # 3 OCRed pages, then 2 text-layer pages that need no OCR
    assert "pages.tif: imported" in screen and "born.pdf: imported" in screen


# --- list ---------------------------------------------------------------------------------------


def test_list_json_has_id_name_pages_annotations(cli, project: Path) -> None:
    rows = listing(cli, project)
    assert set(rows) == {"born.pdf", "letter.png"}
    for row in rows.values():
        assert {"id", "name", "pages", "annotations"} <= set(row)
    assert (rows["born.pdf"]["pages"], rows["letter.png"]["pages"]) == (2, 1)
    assert rows["born.pdf"]["annotations"] == rows["letter.png"]["annotations"] == 0
    assert rows["born.pdf"]["id"] != rows["letter.png"]["id"]
    table = cli("list", "--project", project)
    assert table.code == 0 and "born.pdf" in table.out and "letter.png" in table.out


def test_list_of_a_missing_project_does_not_create_it(cli, tmp_path: Path) -> None:
    run = cli("list", "--project", tmp_path / "typo.scanspan")
    assert run.code != 0 and len(run.err_lines) == 1 and "typo.scanspan" in run.err
    assert not (tmp_path / "typo.scanspan").exists()


def test_an_import_that_stores_nothing_creates_no_project(cli, corpus: Corpus, tmp_path: Path) -> None:
    notes = tmp_path / "notes.pdf"
    notes.write_text("minutes of the meeting")
    run = cli("import", notes, "--project", tmp_path / "new.scanspan")
    assert run.code == 1 and run.err_lines == [f"error: {notes}: not a PDF, TIFF, PNG or JPEG file (it is plain text)"]
    assert not list(tmp_path.glob("new.scanspan*"))
    # The project appears with the first file that goes in.
    run = cli("import", notes, corpus.paths["born.pdf"], "--project", tmp_path / "new.scanspan")
    assert run.code == 1 and "imported as document 1" in run.out
    assert (tmp_path / "new.scanspan").exists()


# --- annotate --text ----------------------------------------------------------------------------


def test_annotate_text_tags_the_first_occurrence_then_all(cli, project: Path, tmp_path: Path) -> None:
    first = cli("annotate", "--project", project, "--document", "born.pdf", "--label", "agency", "--text", CDC)
    assert first.code == 0, first.err
    record = export_jsonl(cli, project, tmp_path)["born.pdf"]
    text = record["text"]
    occurrences = [m.start() for m in re.finditer(re.escape(CDC), text)]
    assert len(occurrences) == 2  # once on each page
    assert [(s["start"], s["text"], s["label"]) for s in record["spans"]] == [(occurrences[0], CDC, "agency")]

    every = cli("annotate", "-p", project, "-d", record["id"], "-l", "program", "--text", CDC, "--all")
    assert every.code == 0, every.err
    spans = export_jsonl(cli, project, tmp_path)["born.pdf"]["spans"]
    program = sorted(s["start"] for s in spans if s["label"] == "program")
    assert program == occurrences
    assert all(s["text"] == CDC for s in spans)
    assert listing(cli, project)["born.pdf"]["annotations"] == 3


def test_annotate_text_across_lines_and_pages(cli, project: Path, tmp_path: Path) -> None:
    last_of_page_1, first_of_page_2 = BORN[0][-1], BORN[1][0]
    phrase = f"Georgia 30333 {last_of_page_1} {first_of_page_2.split()[0]}"
    run = cli("annotate", "-p", project, "-d", "born.pdf", "-l", "figure", "--text", phrase)
    assert run.code == 0, run.err
    (span,) = export_jsonl(cli, project, tmp_path)["born.pdf"]["spans"]
    assert span["text"].split() == phrase.split()
    assert sorted({b["page"] for b in span["boxes"]}) == [1, 2]


def test_annotate_text_inside_a_word(cli, project: Path, tmp_path: Path) -> None:
    """"Prevention" inside "Prevention." on page 2: the span stops before the full stop."""
    run = cli("annotate", "-p", project, "-d", "born.pdf", "-l", "agency", "--text", "Disease Control and Prevention", "--all")
    assert run.code == 0, run.err
    spans = export_jsonl(cli, project, tmp_path)["born.pdf"]["spans"]
    assert [s["text"] for s in spans] == ["Disease Control and Prevention"] * 2
    assert len(spans[1]["boxes"]) == 4  # the cut word's box is still one of the covered words


# --- annotate --box -----------------------------------------------------------------------------


def test_annotate_box_adds_a_region_in_page_pixels(cli, project: Path, tmp_path: Path) -> None:
    run = cli("annotate", "-p", project, "-d", "born.pdf", "-l", "signature", "--page", "2", "--box", "120, 600, 700, 820", "--note", "ink")
    assert run.code == 0, run.err
    record = export_jsonl(cli, project, tmp_path)["born.pdf"]
    (region,) = record["regions"]
    assert (region["page"], region["box"], region["label"], region["note"]) == (2, [120, 600, 700, 820], "signature", "ink")
    assert "pixel" in record["coordinates"]
    assert listing(cli, project)["born.pdf"]["annotations"] == 1


@pytest.mark.parametrize(
    "args, expect",
    [
        (["--page", "1", "--box", "0,0,5000,10"], r"outside"),
        (["--page", "3", "--box", "0,0,10,10"], r"page 3"),
        (["--page", "1", "--box", "1,2,3"], r"X0,Y0,X1,Y1"),
        (["--page", "1", "--box", "nan,10,100,100"], r"X0,Y0,X1,Y1"),
        (["--page", "1", "--box", "0,0,inf,100"], r"X0,Y0,X1,Y1"),
    ],
)
def test_annotate_bad_box_is_one_line(cli, project: Path, args: list[str], expect: str) -> None:
    run = cli("annotate", "-p", project, "-d", "born.pdf", "-l", "signature", *args)
    assert run.code != 0
    assert re.search(expect, run.err), run.err
    assert "Traceback" not in run.err
    assert listing(cli, project)["born.pdf"]["annotations"] == 0


# --- annotate errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, names",
    [
        (["-d", "born.pdf", "-l", "organisation", "--text", "Atlanta"], ["organisation"]),
        (["-d", "missing.pdf", "-l", "agency", "--text", "Atlanta"], ["missing.pdf"]),
        (["-d", "999", "-l", "agency", "--text", "Atlanta"], ["999"]),
        (["-d", "born.pdf", "-l", "agency", "--text", "Boston, Massachusetts"], ["Boston, Massachusetts"]),
    ],
    ids=["bad-label", "missing-document-name", "missing-document-id", "phrase-not-found"],
)
def test_annotate_errors_are_one_line_and_change_nothing(cli, project: Path, args: list[str], names: list[str]) -> None:
    run = cli("annotate", "-p", project, *args)
    assert run.code != 0
    assert len(run.err_lines) == 1, run.err
    assert all(name in run.err for name in names)
    assert run.out == ""
    assert all(row["annotations"] == 0 for row in listing(cli, project).values())


def test_annotate_needs_text_or_box(cli, project: Path) -> None:
    both = cli("annotate", "-p", project, "-d", "born.pdf", "-l", "agency", "--text", "Atlanta", "--page", "1", "--box", "0,0,9,9")
    neither = cli("annotate", "-p", project, "-d", "born.pdf", "-l", "agency")
    box_only = cli("annotate", "-p", project, "-d", "born.pdf", "-l", "agency", "--box", "0,0,9,9")
    for run in (both, neither, box_only):
        assert run.code == 2 and "Usage" in run.err and "Traceback" not in run.err


# --- export -------------------------------------------------------------------------------------


def add_some_annotations(cli, project: Path) -> None:
    for args in (
        ["-d", "born.pdf", "-l", "agency", "--text", CDC, "--all"],
        ["-d", "born.pdf", "-l", "figure", "--text", "4,500 clinics", "--note", "count, \"quoted\""],
        ["-d", "born.pdf", "-l", "program", "--text", "Vaccines for Children"],
        ["-d", "born.pdf", "-l", "agency", "--text", "Human Services Centers"],
        ["-d", "letter.png", "-l", "agency", "--text", "Environmental Protection Agency"],
        ["-d", "letter.png", "-l", "signature", "--page", "1", "--box", "10,700,500,880"],
        ["-d", "born.pdf", "-l", "signature", "--page", "2", "--box", "0,0,100,100"],
    ):
        run = cli("annotate", "-p", project, *args)
        assert run.code == 0, (args, run.err)


def test_export_jsonl_spans_index_the_text_and_carry_the_word_boxes(cli, project: Path, corpus: Corpus, tmp_path: Path) -> None:
    add_some_annotations(cli, project)
    records = export_jsonl(cli, project, tmp_path)
    born, letter = records["born.pdf"], records["letter.png"]
    assert len(born["spans"]) == 5 and len(letter["spans"]) == 1

    for record in records.values():
        text = record["text"]
        for page in record["pages"]:
            assert {"number", "width", "height", "dpi", "start", "end"} <= set(page)
        for span in record["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert len(span["boxes"]) == len(span["text"].split())

    # Where every drawn word of born.pdf sits in the exported text, found by walking the text.
    drawn = corpus.truth["born.pdf"]
    located = []
    pos = 0
    for page in drawn.words:
        for word in page:
            pos = born["text"].index(word.text, pos)
            located.append((pos, pos + len(word.text), word))
            pos += len(word.text)
    for span in born["spans"]:
        covered = [w for s, e, w in located if s < span["end"] and e > span["start"]]
        assert [b["page"] for b in span["boxes"]] == [w.page for w in covered]
        for got, word in zip(span["boxes"], covered, strict=True):
            assert iou(got["box"], to_pixels(word.box, 300, 300)) >= 0.8
    assert [p["start"] for p in born["pages"]] == [0, born["text"].index("The Vaccines")]


def test_export_csv_has_one_row_per_annotation(cli, project: Path, tmp_path: Path) -> None:
    add_some_annotations(cli, project)
    records = export_jsonl(cli, project, tmp_path)
    out = tmp_path / "out.csv"
    run = cli("export", "-p", project, "-f", "csv", "-o", out)
    assert run.code == 0, run.err
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    spans = {(r["name"], s["id"]): s for r in records.values() for s in r["spans"]}
    regions = {(r["name"], g["id"]): g for r in records.values() for g in r["regions"]}
    assert len(rows) == len(spans) + len(regions) == 8
    for row in rows:
        key = (row["document"], int(row["id"]))
        if row["kind"] == "span":
            span = spans.pop(key)
            assert (row["label"], row["text"], int(row["start"]), int(row["end"])) == (
                span["label"], span["text"], span["start"], span["end"],
            )
            assert row["note"] == span["note"]
        else:
            assert row["kind"] == "region"
            region = regions.pop(key)
            assert (row["label"], int(row["page"])) == (region["label"], region["page"])
            assert json.loads(row["box"]) == pytest.approx(region["box"])
    assert spans == {} and regions == {}


def test_export_to_a_missing_folder_is_one_line(cli, project: Path, tmp_path: Path) -> None:
    run = cli("export", "-p", project, "-f", "jsonl", "-o", tmp_path / "nowhere" / "out.jsonl")
    assert run.code != 0 and len(run.err_lines) == 1 and "nowhere" in run.err


# --- help ---------------------------------------------------------------------------------------


def test_every_command_and_option_has_help(cli) -> None:
    commands = scanspan_group.commands
    assert {"import", "list", "annotate", "export"} <= set(commands)
    top = cli("--help")
    assert top.code == 0
    for name, command in commands.items():
        assert name in top.out
        run = cli(name, "--help")
        assert run.code == 0, run.err
        assert run.out.startswith(f"Usage: scanspan {name}")
        assert command.help and command.help.split("\n")[0].strip()[:30] in " ".join(run.out.split())
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"scanspan {name} {param.opts[0]} has no help"
    assert re.search(r"\d+\.\d+", cli("--version").out)
