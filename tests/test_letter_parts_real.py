"""Letter parts on real scans (real tesseract): signatures found from their ink, none on faxes and forms."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from helpers import iou, real_scans, run_scanspan

from annotations.store import Project
from annotations.text.dates import find_date

LETTER = "funsd-train/0060255888.png"  # signed over the typed name; OCR reads "Price" but not "Judie"
FAX_COVER = "funsd-train/01150773_01150774.png"  # a fax cover sheet: "Date: January 15, 1997", To:, From:
FORM = "funsd-train/0060094595.png"  # a test report: a company name over a date, then a table
HANDWRITING = (409, 782, 466, 851)
"""Where the signature's ink is on LETTER, in pixels (read off the image)."""
DECREE = "letters/prefecture-decree-fr-signed.jpeg"  # no salutation nor closing: "Le préfet," over the signature
DECREE_SIGNATURE = (732, 1020, 955, 1088)
DECREE_NAME = (724, 1110, 945, 1134)
OFFICIAL = "letters/official-letter-tr.jpeg"  # reference and subject lines, no salutation nor closing, two signatures
OFFICIAL_SIGNATURES = [(405, 515, 625, 612), (265, 700, 382, 825)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("real")
    db = tmp / "p.db"
    run = run_scanspan(["import", *(real_scans() / name for name in (LETTER, FAX_COVER, FORM, DECREE)), "-p", db,
                        "--letter-parts", "-j", "1"], tmp, timeout=300)
    assert run.code == 0, run.err
    run = run_scanspan(["import", real_scans() / OFFICIAL, "-p", db, "--lang", "tur+eng", "-j", "1"], tmp, timeout=300)
    assert run.code == 0, run.err
    return db


def _covers(region: tuple[float, ...], ink: tuple[float, ...]) -> bool:
    """Whether `region` holds nearly all of `ink` and is not much larger than it."""
    w = min(region[2], ink[2]) - max(region[0], ink[0])
    h = min(region[3], ink[3]) - max(region[1], ink[1])
    inside = max(0.0, w) * max(0.0, h)
    ink_area = (ink[2] - ink[0]) * (ink[3] - ink[1])
    return inside >= 0.9 * ink_area and (region[2] - region[0]) * (region[3] - region[1]) <= 2.5 * ink_area


def _document(project: Project, name: str) -> int:
    [doc] = [d for d in project.documents() if d.name == Path(name).name]
    return doc.id


def test_a_real_letter_gets_a_signature_region_on_the_handwriting(project: Path) -> None:
    with Project(project, read_only=True) as p:
        doc_id = _document(p, LETTER)
        regions = p.regions(doc_id)
        text = p.document_text(doc_id)
        spans = {s.label: re.sub(r"\s+", " ", text.resolve(s).text) for s in p.spans(doc_id)}
    [signature] = [r for r in regions if r.label == "signature"]
    [block] = [r for r in regions if r.label == "signature_block"]
    assert signature.suggested and iou(signature.box, HANDWRITING) >= 0.6, signature.box
    # The block holds the closing, the signature and the typed name with the office under it.
    x0, y0, x1, y1 = block.box
    assert x0 <= HANDWRITING[0] and y0 <= 745 and HANDWRITING[2] <= x1 and 859 <= y1, block.box
    assert spans["closing"] == "Sincerely," and spans["date"] == "Ocotber 9, 1968"


def test_a_signature_under_a_title_line_is_found_without_salutation_or_closing(project: Path) -> None:
    with Project(project, read_only=True) as p:
        regions = p.regions(_document(p, DECREE))
    signatures = [r.box for r in regions if r.label == "signature"]
    assert any(iou(box, DECREE_SIGNATURE) >= 0.6 for box in signatures), signatures
    [block] = [r.box for r in regions if r.label == "signature_block"]
    # The block reaches from the title line over the signature to the typed name.
    assert block[1] <= 945 and block[3] >= DECREE_NAME[3] and block[0] <= DECREE_NAME[0] and block[2] >= DECREE_SIGNATURE[2]


def test_an_official_letter_with_a_reference_line_gets_both_its_signatures(project: Path) -> None:
    with Project(project, read_only=True) as p:
        doc_id = _document(p, OFFICIAL)
        regions = p.regions(doc_id)
        text = p.document_text(doc_id)
        subjects = [text.resolve(s).text for s in p.spans(doc_id) if s.label == "subject"]
        body = [text.resolve(s).text for s in sorted(p.spans(doc_id), key=lambda s: text.resolve(s).start)
                if s.label == "body"]
    signatures = [r.box for r in regions if r.label == "signature"]
    # The second signer's name and title are not read by OCR at all: the ink alone finds it. Its
    # strokes run through that type, so its region may take some of it in.
    for truth in OFFICIAL_SIGNATURES:
        assert any(_covers(box, truth) for box in signatures), (truth, signatures)
    assert len([r for r in regions if r.label == "signature_block"]) == 2
    assert any(s.startswith("Sayı") for s in subjects), subjects
    # Its two paragraphs, from under the subject to the last line over the signature.
    assert len(body) == 2 and body[0].startswith("Ölçme") and body[1].startswith("Ancak"), body
    assert body[1].rstrip().endswith("arz ederim."), body


def test_a_fax_cover_sheet_and_a_form_get_no_letter_parts(project: Path) -> None:
    with Project(project, read_only=True) as p:
        for name in (FAX_COVER, FORM):
            doc_id = _document(p, name)
            assert p.spans(doc_id) == [] and p.regions(doc_id) == [], name


@pytest.mark.parametrize(("text", "day"), [
    ("Date: January 15, 1997", datetime.date(1997, 1, 15)),
    ("ete: Ocotber 9, 1968", datetime.date(1968, 10, 9)),  # the typist's slip, kept by OCR
    ("Nanterre, le 11 FEV. 2021", datetime.date(2021, 2, 11)),
    ("3 December 2015", datetime.date(2015, 12, 3)),
    ("12/03/2015", datetime.date(2015, 12, 3)),
    ("1/31/88", datetime.date(1988, 1, 31)),
    ("2015-12-03", datetime.date(2015, 12, 3)),
    ("0.13.00", None),  # read off a fax as a "date"
    ("45/12/2015", None),
    ("February 30, 2015", None),
    ("Octagon 9, 1968", None),
    ("Tel: 1-502-568-8092", None),
])
def test_a_date_must_name_a_real_day(text: str, day: datetime.date | None) -> None:
    found = find_date(text)
    assert (found.date if found else None) == day
