"""import-annotations: spans from our JSONL, doccano and spaCy/Prodigy files aligned onto the OCR text as suggestions."""

from __future__ import annotations

import json
import random
import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from conftest import LETTER, Letters, add_letter

from annotations.assist.preannotations import import_annotations
from annotations.errors import ProjectError
from annotations.exporters import export
from annotations.records import RawWord
from annotations.store import NewPage, Project
from annotations.text.alignment import Alignment, align

COMPARED = ("start", "end", "label", "text", "boxes", "note", "annotator")
REGION_COMPARED = ("page", "box", "label", "text", "note", "annotator")


def spans_of(path: Path) -> list[list[tuple]]:  # type: ignore[type-arg]
    return [
        [tuple(json.dumps(s[k]) for k in COMPARED) for s in json.loads(line)["spans"]]
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def regions_of(path: Path) -> list[list[tuple]]:  # type: ignore[type-arg]
    return [
        [tuple(json.dumps(g[k]) for k in REGION_COMPARED) for g in json.loads(line)["regions"]]
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def fresh_copy(source: Path, target: Path) -> None:
    """The same files and words in a new project (as a re-import would store them), no annotations."""
    with Project(source) as old, Project(target) as new:
        for doc in old.documents():
            pages = [
                NewPage(
                    p.number, p.width, p.height, p.dpi_x, p.dpi_y, p.image_sha256, p.provenance,
                    [RawWord(w.text, w.box, w.conf, w.block, w.par, w.line) for w in old.words(p.id)],
                )
                for p in old.pages(doc.id)
            ]
            new.add_document(doc.name, old.source_data(doc.source_sha256), doc.source_sha256, pages)


def test_jsonl_round_trip_is_lossless(letters_copy: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    with Project(letters_copy) as project:
        # A second region with a note and an odd box, so every field has something to lose.
        page1 = project.page_by_number(1, 1)
        project.add_region(page1.id, "figure", (10.25, 20.5, 130.125, 60.75), text="300,000", note="a stamp", annotator="ann")
        export(project, "jsonl", first)
    fresh = tmp_path / "fresh.scanspan"
    fresh_copy(letters_copy, fresh)
    with Project(fresh) as project:
        results = import_annotations(project, first)
        assert [(r.placed, r.adjusted, r.unaligned, r.duplicates) for r in results] == [(9, 0, [], 0)] * 3
        assert [(r.regions, r.regions_scaled, r.regions_off_page) for r in results] == [(2, 0, 0), (1, 0, 0), (1, 0, 0)]
        assert all(s.suggested and s.source == "first.jsonl" for s in project.spans())
        assert all(g.suggested and g.source == "first.jsonl" for g in project.regions())
        export(project, "jsonl", tmp_path / "second.jsonl")
        # Importing the same file again adds nothing.
        again = import_annotations(project, first)
        assert [(r.duplicates, r.region_duplicates, r.regions) for r in again] == [(9, 2, 0), (9, 1, 0), (9, 1, 0)]
    assert spans_of(tmp_path / "second.jsonl") == spans_of(first)
    assert regions_of(tmp_path / "second.jsonl") == regions_of(first)
    assert sum(len(r) for r in regions_of(first)) == 4
    second = [g for line in (tmp_path / "second.jsonl").read_text().splitlines() for g in json.loads(line)["regions"]]
    assert {(g["source"], g["suggested"]) for g in second} == {("first.jsonl", True)}


def test_alignment_tolerates_whitespace_and_ocr_slips(tmp_path: Path) -> None:
    misread = [[line.replace("Department", "Departrnent") for line in page] for page in LETTER]
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "l.pdf", misread)
        ocr = project.document_text(doc_id).text
        # The model saw a cleaner text: other line breaks, no page separator, no misreading, an extra line.
        clean = " ".join(ocr.split()).replace("Departrnent", "Department").replace("CyberTipline", "Cyber Tipline")
        clean = "A header the scan never saw.\n" + clean
        wanted = ["Department of Justice", "Juvenile Justice", "Cyber Tipline", "Keith M. Harper", "never saw"]
        spans = [{"start": m.start(), "end": m.end(), "label": "agency"} for w in wanted for m in [re.search(w, clean)]]
        path = tmp_path / "prodigy.jsonl"
        path.write_text(json.dumps({"text": clean, "spans": spans}) + "\n")
        (result,) = import_annotations(project, path, document="l.pdf", source="model-1")
        assert (result.placed, result.adjusted, result.unaligned) == (2, 2, ["never saw"])
        text = project.document_text(doc_id)
        got = [text.resolve(s).text for s in project.spans(doc_id)]
        assert got == ["Departrnent of Justice", "Juvenile\nJustice", "CyberTipline", "Keith M. Harper"]
        assert {(s.source, s.suggested) for s in project.spans(doc_id)} == {("model-1", True)}
        assert 0.9 < result.coverage < 1


def test_doccano_and_unknown_labels_are_counted(tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "l.pdf", LETTER)
        text = project.document_text(doc_id).text
        s = text.index("OJJDP")
        record = {"text": text, "label": [[s, s + 5, "agency"], [s, s + 5, "ORG"], [5, 2, "agency"], [0, 10**6, "agency"]]}
        path = tmp_path / "doccano.jsonl"
        path.write_text(json.dumps(record) + "\n")
        (result,) = import_annotations(project, path, document=doc_id)
        assert (result.placed, result.unknown_labels, result.invalid) == (1, {"ORG": 1}, 2)
        (result,) = import_annotations(project, path, document=doc_id, add_labels=True)
        assert (result.placed, result.duplicates) == (1, 1)
        assert "ORG" in {label.name for label in project.labels()}


def test_records_are_matched_to_documents(letters_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    with Project(letters_copy) as project:
        text = project.document_text(1).text
        span = {"start": text.index("OJJDP"), "end": text.index("OJJDP") + 5, "label": "agency"}
        # Unnamed records go to the document given: a doccano file may cut one letter into paragraphs.
        path.write_text("\n".join(json.dumps({"text": text, "spans": [span]}) for _ in range(2)) + "\n")
        (result,) = import_annotations(project, path, document="letter-2.pdf")
        assert (result.document.name, result.records, result.duplicates) == ("letter-2.pdf", 2, 2)
        # Without --document an unnamed record is named as a problem, not a reason to refuse the file.
        summary = import_annotations(project, path)
        assert (len(summary), summary.problems) == (0, 2)
        assert [str(p) for p in summary.first_problems] == [
            "line 1: no document name; say which with --document",
            "line 2: no document name; say which with --document",
        ]
        # With --document, records naming other documents are left out and counted.
        path.write_text("\n".join(json.dumps({"text": text, "name": f"letter-{n}.pdf"}) for n in (1, 2)) + "\n")
        summary = import_annotations(project, path, document="letter-1.pdf")
        assert [(r.document.name, r.records) for r in summary] == [("letter-1.pdf", 1)]
        assert (summary.other_documents, summary.other_names) == (1, ["letter-2.pdf"])
        with pytest.raises(ProjectError, match="holds 2 records and none is named 'letter-3.pdf'"):
            import_annotations(project, path, document="letter-3.pdf")
        # A file of one record goes to the document given, whatever its name.
        path.write_text(json.dumps({"text": text, "name": "elsewhere.pdf", "spans": [span]}) + "\n")
        (result,) = import_annotations(project, path, document="letter-3.pdf")
        assert (result.document.name, result.duplicates) == ("letter-3.pdf", 1)
        path.write_text('{"spans": []}\n')
        summary = import_annotations(project, path, document=1)
        assert [str(p) for p in summary.first_problems] == [
            'line 1: no "text" (a string); expected Scanspan, doccano or spaCy/Prodigy JSONL'
        ]
        path.write_text("\n\n")
        with pytest.raises(ProjectError, match="no records"):
            import_annotations(project, path, document=1)


def test_a_line_for_a_missing_document_is_named_and_the_rest_goes_in(letters_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    with Project(letters_copy) as project:
        text = project.document_text(1).text
        good = {"text": text, "name": "letter-1.pdf", "spans": [{"start": 0, "end": 4, "label": "figure"}]}
        path.write_text(json.dumps({"text": "y", "name": "missing.pdf", "spans": []}) + "\n" + json.dumps(good) + "\n")
        before = len(project.spans())
        summary = import_annotations(project, path)
        assert [str(p) for p in summary.first_problems] == ["line 1: no document 'missing.pdf' in letters.scanspan"]
        assert [(r.document.name, r.placed) for r in summary] == [("letter-1.pdf", 1)]
        assert len(project.spans()) == before + 1


def test_cli_summary(letters: Letters, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "e.jsonl"
    assert run_cli("export", "-p", letters.path, "-f", "jsonl", "-o", exported, "--documents", "1")[0] == 0
    fresh = tmp_path / "fresh.scanspan"
    fresh_copy(letters.path, fresh)
    code, out, err = run_cli("import-annotations", exported, "-p", fresh, "--source", "ner-v1")
    assert code == 0, err
    assert out.splitlines() == [
        "document 1 (letter-1.pdf): 1 record, 9 placed, 0 adjusted, 0 could not be aligned, 0 already there (text 100% aligned)",
        "  regions: 1 placed, 0 already there",
        "1 line read, 1 record for 1 document: 9 spans and 1 region added as suggestions from 'ner-v1', 0 already there",
    ]
    assert err == ""
    # The same file again adds nothing.
    code, out, err = run_cli("import-annotations", exported, "-p", fresh, "--source", "ner-v1")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "1 line read, 1 record for 1 document: 0 spans and 0 regions added as suggestions from 'ner-v1', 10 already there"
    )


def test_align_maps_every_character_of_equal_texts_and_none_of_foreign_ones() -> None:
    same = align("a b\nc", "a b\nc")
    assert same.positions == [0, 1, 2, 3, 4]
    assert align("alpha  beta", "alpha\nbeta").map_range(7, 11) == (6, 10)
    assert align("zzz qqq", "alpha beta").map_range(0, 3) is None



def test_a_project_from_before_suggestions_is_migrated(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from annotations.store.schema import migrations

    path = tmp_path / "old.scanspan"
    db = Database(path)
    migrations.apply(db, stop_before="0002_span_suggestions")  # what Scanspan 0.1 made, with one span
    db["labels"].insert({"name": "agency", "color": "#000000", "position": 0})
    db["sources"].insert({"sha256": "s", "name": "x.pdf", "size": 1, "data": b"x", "added": ""})
    db["documents"].insert({"id": 1, "name": "x.pdf", "source_sha256": "s", "status": "new", "created": ""})
    db["pages"].insert({"id": 1, "document_id": 1, "number": 1, "width": 10, "height": 10})
    db["words"].insert({"id": 1, "page_id": 1, "idx": 0, "text": "Hi", "ocr_text": "Hi"})
    db["spans"].insert({"document_id": 1, "label": "agency", "first_word_id": 1, "last_word_id": 1})
    db.conn.commit()
    db.close()
    db = Database(path)
    db["regions"].insert({"page_id": 1, "label": "agency", "x0": 1, "y0": 1, "x1": 5, "y1": 5})
    db.conn.commit()
    db.close()
    with Project(path) as project:
        assert project.schema_version() == migrations.pending(Database(memory=True))[-1].name
        (span,) = project.spans(1)
        assert (span.source, span.suggested) == ("", False)
        (region,) = project.regions(1)
        assert (region.source, region.suggested) == ("", False)


def _long_letter(seed: int, words: int) -> tuple[str, str, dict[int, int]]:
    """(model text, OCR text, model word index -> OCR word index) for many letters sharing one vocabulary.

    The model text has other line breaks, a header, an OCR slip every 25 words, and a few words lost
    or added; no word is unique to one place, as in a batch of form letters.
    """
    rnd = random.Random(seed)
    sample = (Path(__file__).parents[2] / "resources" / "samples" / "geneva-letter-2015.txt").read_text().split()
    ocr: list[str] = []
    while len(ocr) < words:
        letter = list(sample)
        rnd.shuffle(letter)
        ocr += letter
    model = ["A", "header", "the", "scan", "never", "saw"]
    truth: dict[int, int] = {}
    for k, word in enumerate(ocr):
        if k % 97 == 5:
            continue  # a word the model lost
        if k % 89 == 7:
            model.append("added")
        if k % 25 == 0:
            model.append(word + "~")
            continue
        truth[len(model)] = k
        model.append(word)
    return " ".join(model), "\n".join(" ".join(ocr[i : i + 9]) for i in range(0, len(ocr), 9)), truth


def test_long_texts_align_word_for_word_without_one_quadratic_match(monkeypatch: pytest.MonkeyPatch) -> None:
    import annotations.text.alignment as alignment

    sizes: list[int] = []

    class Recording(SequenceMatcher):  # type: ignore[type-arg]
        def __init__(self, isjunk: None, a: list[str], b: list[str], autojunk: bool = True) -> None:
            sizes.append(len(a) * len(b))
            super().__init__(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(alignment, "SequenceMatcher", Recording)
    model, ocr, truth = _long_letter(seed=4, words=20_000)
    result = align(model, ocr)
    model_starts = [m.start() for m in re.finditer(r"\S+", model)]
    ocr_word_at = {m.start(): k for k, m in enumerate(re.finditer(r"\S+", ocr))}
    landed = [ocr_word_at.get(result.positions[model_starts[i]]) for i in truth]  # type: ignore[arg-type]
    assert sum(got == want for got, want in zip(landed, truth.values())) >= 0.999 * len(truth)
    assert result.coverage > 0.95
    # The whole 20,000 x 20,000-word matrix (9 s at 36,000 words, 208 s at 80,000) never goes to SequenceMatcher.
    assert max(sizes) <= alignment.SMALL and sum(sizes) < 100 * 20_000, (max(sizes), sum(sizes))


def test_texts_equal_but_for_whitespace_match_word_for_word() -> None:
    ocr = "Dear Ms.\nDelgado,\n\f\nThe  U.S.\tDepartment"
    model = " ".join(ocr.split())
    result = align(model, ocr)
    assert result.coverage == 1
    assert result.map_range(model.index("U.S."), model.index("U.S.") + 4) == (ocr.index("U.S."), ocr.index("U.S.") + 4)


def test_regions_land_on_their_page_scaled_to_its_size_and_the_rest_is_counted(tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "l.pdf", LETTER)
        text = project.document_text(doc_id).text
        page2 = project.page_by_number(doc_id, 2)
        record = {
            "text": text,
            # The file measured its boxes on pages twice our size (the letter scanned at 200 dpi).
            "pages": [{"number": n, "width": 2 * page2.width, "height": 2 * page2.height} for n in (1, 2)],
            "regions": [
                {"page": 2, "box": [40, 600, 600, 780], "label": "signature", "text": "Keith M. Harper", "note": "ink"},
                {"page": 3, "box": [0, 0, 10, 10], "label": "signature"},  # no page 3
                {"page": 1, "box": [900, 0, 1200, 10], "label": "signature"},  # off the page once scaled
                {"page": 1, "box": [0, 0, 10, 10], "label": "stamp"},  # not a project label
            ],
        }
        path = tmp_path / "regions.jsonl"
        path.write_text(json.dumps(record) + "\n")
        (result,) = import_annotations(project, path, document=doc_id, source="layout-model")
        assert (result.regions, result.regions_scaled, result.regions_off_page) == (1, 1, 2)
        assert result.region_unknown_labels == {"stamp": 1}
        (region,) = project.regions(doc_id)
        assert (region.page_id, region.box, region.text, region.note) == (page2.id, (20, 300, 300, 390), "Keith M. Harper", "ink")
        assert (region.source, region.suggested) == ("layout-model", True)
        assert project.accept_region(region.id).suggested is False
        (again,) = import_annotations(project, path, document=doc_id, add_labels=True)
        assert (again.regions, again.region_duplicates, again.region_unknown_labels) == (1, 1, {})
        assert "stamp" in {label.name for label in project.labels()}


def test_what_was_rejected_is_not_proposed_again_by_the_same_file(tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "l.pdf", LETTER)
        text = project.document_text(doc_id).text
        start = text.index("Department of Justice")
        record = {"text": text, "spans": [{"start": start, "end": start + len("Department of Justice"), "label": "agency"}],
                  "regions": [{"page": 1, "box": [10, 10, 100, 60], "label": "signature"}]}
        path = tmp_path / "model.jsonl"
        path.write_text(json.dumps(record) + "\n")
        (first,) = import_annotations(project, path, document=doc_id, source="model")
        assert (first.spans_added, first.regions, first.rejected) == (1, 1, 0)
        project.reject_suggestions([s.id for s in project.suggestions()])
        project.reject_region_suggestions([g.id for g, _, _ in project.region_suggestions()])
        (again,) = import_annotations(project, path, document=doc_id, source="model")
        assert (again.spans_added, again.regions, again.rejected) == (0, 0, 2)
        assert project.spans(doc_id) == [] and project.regions(doc_id) == []


def test_malformed_regions_are_counted_and_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    regions = [
        {"page": 1, "box": [1, 2, 3], "label": "signature"},
        {"page": 1, "box": [1, 2, "3", 4], "label": "signature"},
        {"page": 1, "box": [1, 2, float("inf"), 4], "label": "signature"},
        {"page": 1.5, "box": [1, 2, 3, 4], "label": "signature"},
        {"page": 1, "box": [1, 2, 30, 40], "label": "signature"},
    ]
    path.write_text(json.dumps({"text": "x", "regions": regions}) + "\n")
    with Project(tmp_path / "p.scanspan") as project:
        summary = import_annotations(project, path, document=add_letter(project, "l.pdf", LETTER))
        (result,) = summary
        assert (result.regions, result.regions_invalid) == (1, 4)
        assert [str(p) for p in summary.first_problems] == [
            "line 1: region 1: box is [1, 2, 3], not 4 numbers",
            'line 1: region 2: box is "3", not a number',
            "line 1: region 3: box is Infinity, not a finite number",
            "line 1: region 4: page is 1.5, not a whole number",
        ]


def test_the_identity_alignment_maps_ranges_as_the_general_one_does() -> None:
    text = "  Dear Ms.\nDelgado,\n\f\nThe U.S.  Department  "
    same = align(text, text)
    general = Alignment(text, text, list(range(len(text))))
    for start in range(-1, len(text) + 1):
        for end in range(start, len(text) + 2):
            assert same.map_range(start, end) == general.map_range(start, end), (start, end)
