"""Properties over random letters and span sets, through the real store and exporters:
IOB2/BILOU output is always valid with one entity per kept span, and every exported box lies on its page."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import PAGE_SIZE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from letter_project import draw_letter

from annotations.exporters import ExportOptions, export
from annotations.records import Provenance, RawWord
from annotations.store import NewPage, Project

LABELS = ["agency", "program", "figure", "signature"]
# Words with the punctuation OCR of letters produces, so tokenisation has edges to get wrong.
VOCAB = ["U.S.", "(DOJ)", "Prevention's", "300,000", "a", "M.", "e.g.", "x-y", "2015.", "Geneva,", ":", "O'Neil", "—", "ICT-related"]
SETTINGS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

pages_st = st.lists(st.lists(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=6), min_size=1, max_size=4), min_size=1, max_size=2)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One project that every example adds a document to (examples never share a document)."""
    folder = tmp_path_factory.mktemp("props")
    project = Project(folder / "props.scanspan")
    yield project  # type: ignore[misc]
    project.close()


def add_doc(project: Project, lines: list[list[str]], words: list[list[RawWord]] | None = None) -> int:
    """A document of the given pages of lines; words from the drawing unless given."""
    n = len(project.documents())
    data, drawn = draw_letter(lines, f"doc-{n}", PAGE_SIZE)
    sha = hashlib.sha256(data).hexdigest()
    prov = Provenance("pymupdf", "test", "eng", None, 100, True)
    page_words = words if words is not None else drawn
    pages = [NewPage(i + 1, 500, 400, 100, 100, f"{sha}-{i}", prov, w) for i, w in enumerate(page_words)]
    return project.add_document(f"doc-{n}.pdf", data, sha, pages).id


@st.composite
def span_sets(draw: st.DrawFn, text_words: list[tuple[int, str]]) -> list[tuple[int, int, int, int, str]]:
    """(first word position, last word position, head, tail, label) anchored as the store does."""
    n = len(text_words)
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(i, min(n - 1, i + 7)))
        first_len, last_len = len(text_words[i][1]), len(text_words[j][1])
        head = draw(st.integers(0, first_len - 1))
        tail = draw(st.integers(0, last_len - 1 - (head if i == j else 0)))
        spans.append((i, j, head, tail, draw(st.sampled_from(LABELS))))
    return spans


def conll_sentences(path: Path) -> list[list[tuple[str, str]]]:
    sentences: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            sentences.append([])
        elif not line.startswith("-DOCSTART-"):
            token, tag = line.split("\t")
            sentences[-1].append((token, tag))
    return [s for s in sentences if s]


def entities_iob2(tags: list[str]) -> list[tuple[int, int, str]]:
    """Entities of one sentence; asserts the sequence is valid IOB2 (no I- after O or after another label)."""
    found: list[list] = []  # type: ignore[type-arg]
    for k, tag in enumerate(tags):
        assert tag == "O" or tag[:2] in ("B-", "I-"), tag
        if tag.startswith("I-"):
            assert found and found[-1][1] == k and found[-1][2] == tag[2:], f"{tag} at {k} after {tags[k - 1] if k else 'start'}"
            found[-1][1] = k + 1
        elif tag.startswith("B-"):
            found.append([k, k + 1, tag[2:]])
    return [tuple(e) for e in found]  # type: ignore[misc]


def entities_bilou(tags: list[str]) -> list[tuple[int, int, str]]:
    found, open_ = [], None
    for k, tag in enumerate(tags):
        kind, label = tag[:1], tag[2:]
        if kind in "IL":
            assert open_ is not None and open_[1] == label, f"{tag} at {k} without B-"
        else:
            assert open_ is None, f"{tag} at {k} inside an open entity"
        if kind == "B":
            open_ = (k, label)
        elif kind == "U":
            found.append((k, k + 1, label))
        elif kind == "L":
            found.append((open_[0], k + 1, label))  # type: ignore[index]
            open_ = None
    assert open_ is None, "entity left open at the end of the sentence"
    return found


@SETTINGS
@given(pages=pages_st, data=st.data())
def test_iob2_and_bilou_are_valid_with_one_entity_per_kept_span(scratch: Project, tmp_path_factory: pytest.TempPathFactory, pages: list, data: st.DataObject) -> None:  # type: ignore[type-arg]
    lines = [[" ".join(words) for words in page] for page in pages]
    doc_id = add_doc(scratch, lines)
    text = scratch.document_text(doc_id)
    words = [(w.id, w.text) for w in text.words]
    for i, j, head, tail, label in data.draw(span_sets(words)):
        scratch.add_span(doc_id, label, words[i][0], words[j][0], head, tail)
    resolved = [text.resolve(s) for s in scratch.spans(doc_id)]
    overlapping = any(a.start < b.end and b.start < a.end for n, a in enumerate(resolved) for b in resolved[n + 1 :])
    out = tmp_path_factory.mktemp("iob") / "out.conll"
    options = ExportOptions(documents=[doc_id])
    report = export(scratch, "conll", out, options=options)
    sentences = conll_sentences(out)
    entities = [(s, e) for s in sentences for e in entities_iob2([t for _, t in s])]
    aside = report.skipped.get("overlapping spans set aside (the longest one kept)", 0)
    assert len(entities) + aside == len(resolved) == report.spans + aside
    if not overlapping:
        assert aside == 0
    # No character is lost or invented by tokenisation.
    assert "".join(tok for s in sentences for tok, _ in s) == "".join(text.text.split())
    # Every entity is exactly the text of a span with its label.
    wanted = {("".join(r.text.split()), r.span.label) for r in resolved}
    for sentence, (a, b, label) in entities:
        assert ("".join(tok for tok, _ in sentence[a:b]), label) in wanted
    export(scratch, "conll", out, options=ExportOptions(documents=[doc_id], scheme="bilou"))
    bilou = sum(len(entities_bilou([t for _, t in s])) for s in conll_sentences(out))
    assert bilou == len(entities)
    layout = tmp_path_factory.mktemp("layout") / "l.jsonl"
    export(scratch, "layoutlm", layout, options=options)
    for record in map(json.loads, layout.read_text().splitlines()):
        entities_iob2(record["ner_tags"])


word_boxes = st.tuples(
    st.floats(-15, 510), st.floats(-15, 410), st.floats(1, 120), st.floats(1, 40)
).map(lambda b: (b[0], b[1], b[0] + b[2], b[1] + b[3]))
regions_st = st.tuples(st.floats(0, 499), st.floats(0, 399), st.floats(0.5, 1), st.floats(0.5, 1)).map(
    lambda r: (r[0], r[1], r[0] + r[2] * (500 - r[0]), r[1] + r[3] * (400 - r[1]))
)


@SETTINGS
@given(
    boxes=st.lists(st.lists(word_boxes, min_size=1, max_size=12), min_size=1, max_size=2),
    regions=st.lists(st.tuples(st.integers(0, 1), regions_st, st.sampled_from(LABELS)), max_size=4),
    data=st.data(),
)
def test_every_exported_box_lies_on_its_page(scratch: Project, tmp_path_factory: pytest.TempPathFactory, boxes: list, regions: list, data: st.DataObject) -> None:  # type: ignore[type-arg]
    # OCR boxes can poke past the page edge (upscaled scans mapped back); exports must not.
    words = [[RawWord(f"w{p}{k}", box, 90.0, 0, 0, k // 4) for k, box in enumerate(page)] for p, page in enumerate(boxes)]
    doc_id = add_doc(scratch, [["x"]] * len(words), words)
    pages = scratch.pages(doc_id)
    for page_index, box, label in regions:
        scratch.add_region(pages[min(page_index, len(pages) - 1)].id, label, box)
    text = scratch.document_text(doc_id)
    ids = [(w.id, w.text) for w in text.words]
    for i, j, head, tail, label in data.draw(span_sets(ids)):
        scratch.add_span(doc_id, label, ids[i][0], ids[j][0], head, tail)
    folder = tmp_path_factory.mktemp("boxes")
    options = ExportOptions(documents=[doc_id], include_spans=True)

    export(scratch, "coco", folder / "coco.json", options=options)
    coco = json.loads((folder / "coco.json").read_text())
    sizes = {image["id"]: (image["width"], image["height"]) for image in coco["images"]}
    for a in coco["annotations"]:
        x, y, w, h = a["bbox"]
        width, height = sizes[a["image_id"]]
        assert 0 <= x and 0 <= y and w >= 0 and h >= 0 and x + w <= width and y + h <= height, a

    export(scratch, "layoutlm", folder / "l.jsonl", options=options)
    for record in map(json.loads, (folder / "l.jsonl").read_text().splitlines()):
        for x0, y0, x1, y1 in record["bboxes"]:
            assert 0 <= x0 <= x1 <= 1000 and 0 <= y0 <= y1 <= 1000

    export(scratch, "funsd", folder / "funsd", options=options)
    for path in (folder / "funsd" / "annotations").iterdir():
        record = json.loads(path.read_text())
        page = record["scanspan"]
        for entity in record["form"]:
            for x0, y0, x1, y1 in [entity["box"], *(w["box"] for w in entity["words"])]:
                assert 0 <= x0 <= x1 <= page["width"] and 0 <= y0 <= y1 <= page["height"]

    export(scratch, "labelstudio", folder / "t.json", options=options)
    for task in json.loads((folder / "t.json").read_text()):
        for result in (r for a in task["annotations"] for r in a["result"] if r["type"] == "rectanglelabels"):
            v = result["value"]
            assert 0 <= v["x"] and 0 <= v["y"] and v["x"] + v["width"] <= 100 + 1e-9 and v["y"] + v["height"] <= 100 + 1e-9
