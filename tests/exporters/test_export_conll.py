"""CoNLL export: the exact file for a small letter, both schemes, and validity over the test letters."""

from __future__ import annotations

from pathlib import Path

from annotations.exporters import ExportOptions, export
from annotations.store import Project

from conftest import Letters, add_letter, tag

PAGES = [
    ["The U.S. Department of Justice (DOJ) met", "OJJDP staff in Geneva2015, Prevention's."],
    ["Keith M. Harper"],
]
SPANS = [
    ("agency", "Department of Justice (DOJ) met OJJDP", 0),  # over a line break
    ("program", "OJJDP", 0),  # inside the longer one: set aside
    ("figure", "Geneva", 0),  # ends inside the token Geneva2015
    ("figure", "Prevention", 0),  # the tokenizer already splits Prevention + 's
    ("signature", "Harper", 0),
]

EXPECTED_IOB2 = """\
-DOCSTART-\tO

The\tO
U.S.\tO
Department\tB-agency
of\tI-agency
Justice\tI-agency
(\tI-agency
DOJ\tI-agency
)\tI-agency
met\tI-agency
OJJDP\tI-agency
staff\tO
in\tO
Geneva\tB-figure
2015\tO
,\tO
Prevention\tB-figure
's\tO
.\tO

Keith\tO
M.\tO
Harper\tB-signature

"""


def parse(path: Path) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag), -DOCSTART- lines dropped."""
    sentences: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line:
            if sentences[-1]:
                sentences.append([])
            continue
        token, tag_ = line.split("\t")
        if token != "-DOCSTART-":
            sentences[-1].append((token, tag_))
    return [s for s in sentences if s]


def iob2_entities(tags: list[str]) -> int:
    """Entity count of one sentence; fails on an I- that continues nothing (written independently of the exporter)."""
    count, previous = 0, "O"
    for tag_ in tags:
        assert tag_ == "O" or tag_[:2] in ("B-", "I-"), tag_
        if tag_.startswith("I-"):
            assert previous[2:] == tag_[2:] and previous != "O", f"{tag_} after {previous}"
        count += tag_.startswith("B-")
        previous = tag_
    return count


def test_exact_file_for_a_small_letter(tmp_path: Path) -> None:
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "small.pdf", PAGES)
        tag(project, doc_id, SPANS)
        report = export(project, "conll", tmp_path / "out.conll")
        assert (tmp_path / "out.conll").read_text(encoding="utf-8") == EXPECTED_IOB2
        assert report.spans == 4
        assert report.skipped == {"overlapping spans set aside (the longest one kept)": 1}
        assert report.adjusted == {"spans whose edge fell inside a token (the token was split there)": 1}

        export(project, "conll", tmp_path / "bilou.conll", options=ExportOptions(scheme="bilou"))
    tags = [t for s in parse(tmp_path / "bilou.conll") for _, t in s]
    assert [t for t in tags if t != "O"] == [
        "B-agency", "I-agency", "I-agency", "I-agency", "I-agency", "I-agency", "I-agency", "L-agency",
        "U-figure", "U-figure", "U-signature",
    ]


def test_every_span_is_one_entity_over_the_letters(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "letters.conll"
    with Project(letters.path) as project:
        report = export(project, "conll", out)
        total = sum(len(project.spans(i)) for i in letters.ids)
    text = out.read_text(encoding="utf-8")
    assert text.count("-DOCSTART-\tO\n") == 3
    entities = sum(iob2_entities([t for _, t in sentence]) for sentence in parse(out))
    aside = report.skipped["overlapping spans set aside (the longest one kept)"]
    assert (entities, aside) == (total - 3, 3)
    assert report.spans == entities
    # The multi-line span stays one sentence, so it is one entity, not two.
    sentence = next(s for s in parse(out) if ("Juvenile", "I-agency") in s)
    assert ("Justice", "I-agency") in sentence[sentence.index(("Juvenile", "I-agency")) :]
