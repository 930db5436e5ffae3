"""`scanspan suggest --letter-parts` on the bundled sample letter: the parts land on their words and boxes."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from helpers import iou, run_scanspan
from rapidfuzz import fuzz

from annotations import resources_path
from annotations.assist.letter_finder import find_parts
from annotations.assist.letter_lines import Line
from annotations.assist.letter_parts import LETTER_LABELS
from annotations.cli.demo import sample_pdf, sample_truth
from annotations.importing.files import import_into
from annotations.records import Word
from annotations.store import Project


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def suggested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("letter")
    db = tmp / "p.db"
    with Project(db) as project:
        [outcome] = import_into(project, [sample_pdf()])
        assert outcome.status == "imported", outcome.message
    refused = run_scanspan(["suggest", "-p", db, "--letter-parts"], tmp)
    assert refused.code != 0 and "scanspan labels --add-set letter" in refused.err
    added = run_scanspan(["labels", "-p", db, "--add-set", "letter"], tmp)
    assert added.code == 0 and "signature_block" in added.out, added.err
    run = run_scanspan(["suggest", "-p", db, "--letter-parts"], tmp)
    assert run.code == 0, run.err
    assert "2 signature and signature block regions suggested" in run.out
    again = run_scanspan(["suggest", "-p", db, "--letter-parts"], tmp)
    assert again.out.startswith("0 suggestions added") and "0 signature and signature block" in again.out
    return db


def test_the_letter_labels_come_as_one_set(suggested: Path) -> None:
    with Project(suggested) as project:
        assert set(LETTER_LABELS) <= {label.name for label in project.labels()}


def test_date_salutation_closing_recipient_and_letterhead_are_suggested_on_their_words(suggested: Path) -> None:
    with Project(suggested) as project:
        text = project.document_text(1)
        spans = {s.label: _normalise(text.resolve(s).text) for s in project.spans(1)}
        assert all(s.suggested and s.source == "letter-parts" for s in project.spans(1))
    assert spans["date"] == "December 3, 2015"
    assert spans["salutation"].startswith("Dear Ms. Guerras") and spans["salutation"].endswith("Delgado:")
    assert spans["closing"] == "Sincerely,"
    assert spans["letterhead"] == "UNITED STATES MISSION TO THE UNITED NATIONS AND OTHER INTERNATIONAL ORGANIZATIONS IN GENEVA"
    # The address only: not the registry stamp above it nor the "09 DEC 2015" beside it.
    assert spans["recipient"].startswith("Ms. Imma Guerras") and spans["recipient"].endswith("Geneva, Switzerland")
    assert "REGISTRY" not in spans["recipient"] and "DEC" not in spans["recipient"]
    assert "subject" not in spans and "enclosure" not in spans and "cc" not in spans


def test_the_body_is_suggested_paragraph_by_paragraph_across_the_page_break(suggested: Path) -> None:
    truth = [_normalise(p) for p in re.split(r"\n\s*\n", sample_truth())]
    paragraphs = truth[truth.index("Dear Ms. Guerras-Delgado:") + 1:truth.index("Sincerely,")]
    with Project(suggested) as project:
        text = project.document_text(1)
        body = sorted((s for s in project.spans(1) if s.label == "body"), key=lambda s: text.resolve(s).start)
        found = [_normalise(text.resolve(s).text) for s in body]
        pages = [{w.page_id for w in text.words[text.word_index(s.first_word_id):text.word_index(s.last_word_id) + 1]}
                 for s in body]
    # Ten paragraphs, each whole and alone in its span (OCR slips aside): the fifth ends page 1,
    # the sixth starts page 2.
    assert len(found) == len(paragraphs) == 10
    for paragraph, span in zip(paragraphs, found):
        assert fuzz.ratio(paragraph, span) >= 97, (paragraph, span)
    assert [len(p) for p in pages] == [1] * 10 and pages[4] != pages[5]


def test_the_signature_block_covers_the_closing_the_ink_and_the_typed_name(suggested: Path, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_sample", resources_path() / "samples" / "make_sample.py")
    assert spec and spec.loader
    make_sample = importlib.util.module_from_spec(spec)
    sys.modules["make_sample"] = make_sample  # its dataclasses look their module up
    spec.loader.exec_module(make_sample)
    ink = make_sample.build(tmp_path)["signature_px"][1]  # where the generator drew the signature on page 2
    with Project(suggested) as project:
        [region] = [r for r in project.regions(1) if r.label == "signature_block"]
        [signature] = [r for r in project.regions(1) if r.label == "signature"]
        words = project.document_text(1).words
        page2 = project.pages(1)[1]
    assert region.suggested and region.page_id == page2.id
    # The signature region is the handwriting itself, not the typed name under it.
    assert signature.suggested and signature.page_id == page2.id and iou(signature.box, ink) >= 0.6, (signature.box, ink)
    inside = [w for w in words if w.page_id == page2.id and w.text in ("Sincerely,", "Keith", "Harper", "Council")]
    x0, y0, x1, y1 = region.box
    for box in [w.box for w in inside] + [ink]:
        assert x0 <= box[0] and y0 <= box[1] and box[2] <= x1 and box[3] <= y1, (box, region.box)
    # Nothing of the body above it.
    assert all(w.box[3] <= y0 for w in words if w.page_id == page2.id and w.text == "victims.")


def _line(text: str, y: float, x: float = 100, page: int = 0) -> Line:
    words = [Word(k, 1, k, t, t, (x + 60 * k, y, x + 60 * k + 50, y + 30), 95, int(y), 0, 0)
             for k, t in enumerate(text.split())]
    return Line(page, words, 0, len(text), text)


def _found(lines: list[Line]) -> list[tuple[str, str]]:
    for k, line in enumerate(lines):
        line.start = sum(len(x.text) + 1 for x in lines[:k])
        line.end = line.start + len(line.text)
    text = "\n".join(line.text for line in lines)
    return [(label, text[s:e]) for label, s, e in find_parts(lines).spans]


def test_subject_enclosure_and_cc_lines_and_a_numeric_date() -> None:
    lines = [_line("ACME LTD", 50), _line("12/03/2015", 150, x=1500), _line("Mr. John Doe", 250), _line("1 Main St", 290),
             _line("Re: Your order 42", 380), _line("Dear Mr. Doe:", 450), _line("We shipped it.", 520),
             _line("Yours truly,", 600), _line("Jane Roe", 900), _line("Enclosure", 1000), _line("cc: Sales", 1050)]
    got = dict(_found(lines))
    assert got["date"] == "12/03/2015" and got["subject"] == "Re: Your order 42"
    assert got["recipient"] == "Mr. John Doe\n1 Main St" and got["letterhead"] == "ACME LTD"
    assert got["closing"] == "Yours truly," and got["enclosure"] == "Enclosure" and got["cc"] == "cc: Sales"


def test_body_paragraphs_by_space_indent_and_page_and_not_the_lines_beside_them() -> None:
    full = "a b c d e f g h i j k l m n o p q r s"  # 19 words: a line reaching the right edge
    lines = [_line("Dear Sir:", 100),
             _line("We wrote.", 170), _line("We called.", 240),  # one-line paragraphs, a blank line apart
             _line(full, 310), _line("and went on", 350),
             _line("RECEIVED", 355, x=1500),  # a stamp in the right margin, read between two lines
             _line(full, 420), _line(full, 460),
             _line("the sentence ends here.", 200, page=1),  # goes on from the full line ending page 1
             _line("New paragraph, indented.", 240, x=200, page=1), _line(full, 280, page=1),
             _line("Sincerely,", 400, page=1), _line("Jane Roe", 600, page=1)]
    body = [text for label, text in _found(lines) if label == "body"]
    assert body == ["We wrote.", "We called.", f"{full}\nand went on", f"{full}\n{full}\nthe sentence ends here.",
                    f"New paragraph, indented.\n{full}"]
    # A page number between them ends the run: a span is one stretch of the text, body lines only.
    lines.insert(8, _line("- 2 -", 150, x=600, page=1))
    body = [text for label, text in _found(lines) if label == "body"]
    assert body[3:5] == [f"{full}\n{full}", "the sentence ends here."]


def test_the_body_is_the_salutations_column_and_a_longer_column_of_names_beside_it_is_letterhead() -> None:
    sentence = "We write to confirm the dates you proposed for the hearing and the answers"
    names = ["OF COUNSEL", "LEONARD M. ROGEN", "AMY K. WOLF", "PAUL T. BRENNAN", "ANNE C. FOSTER", "JOHN R. MAYER",
             "RUTH S. KLEIN", "ALAN P. STONE", "MARY E. DUNN", "CARL B. HUNT"]
    # Read between the salutation and the body, as tesseract does with a column beside them:
    # more lines than the letter has, but a fraction of its text.
    lines = [_line("Dear Mr. Chairman:", 100, x=600),
             *[_line(name, 140 + 40 * k, x=60) for k, name in enumerate(names)],
             _line(sentence, 170, x=600), _line(sentence, 210, x=600), _line("to the written questions.", 250, x=600),
             _line("Sincerely,", 330, x=600), _line("Jane Roe", 600, x=600)]
    found = _found(lines)
    assert [text for label, text in found if label == "body"] == [f"{sentence}\n{sentence}\nto the written questions."]
    assert [text for label, text in found if label == "letterhead"] == ["\n".join(names)]
