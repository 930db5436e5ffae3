"""CoNLL export: the exact file for a small letter, both schemes, and validity over the test letters."""

from __future__ import annotations

from pathlib import Path

from conftest import Letters, add_letter, tag
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.exporters import ExportOptions, export, export_documents
from annotations.exporters.conll import check_line, tagged_sentences
from annotations.exporters.tagging import longest_wins
from annotations.store import Project
from annotations.text.layer import ResolvedSpan

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


class _Counted(int):
    """An offset that counts the comparisons made with it, to measure how the tagging work grows."""

    comparisons = 0

    def _count(self, other: object, op: str) -> bool:
        _Counted.comparisons += 1
        return getattr(int(self), op)(other)

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        return self._count(other, "__lt__")

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        return self._count(other, "__le__")

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        return self._count(other, "__gt__")

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        return self._count(other, "__ge__")

    __hash__ = int.__hash__


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12)), max_size=30))
def test_longest_wins_keeps_what_a_pairwise_check_keeps(raw: list[tuple[int, int]]) -> None:
    ranges = [(s, s + n) for s, n in raw]
    # The definition, checked against every range kept so far (the quadratic version it replaces).
    order = sorted(range(len(ranges)), key=lambda i: (-(ranges[i][1] - ranges[i][0]), ranges[i][0], i))
    taken: list[int] = []
    for i in order:
        if not any(ranges[i][0] < ranges[t][1] and ranges[t][0] < ranges[i][1] for t in taken):
            taken.append(i)
    expected_aside = [i for i in order if i not in taken]
    kept, aside = longest_wins(list(range(len(ranges))), ranges)
    assert kept == sorted(taken, key=lambda i: ranges[i])
    assert aside == expected_aside


def test_tagging_work_grows_with_tokens_plus_spans_not_their_product(tmp_path: Path) -> None:
    # 1,200 words and 300 spans: comparing every token with every span edge (and every span with every
    # span kept) took well over a million comparisons; sorted edges and a prefix-max tree take tens of thousands.
    pages = [[" ".join(f"w{k}x{n}" for k in range(12)) for n in range(10)] for _ in range(10)]
    with Project(tmp_path / "p.scanspan") as project:
        doc_id = add_letter(project, "long.pdf", pages)
        words = project.document_text(doc_id).words
        for n in range(300):
            last = min(4 * n + (n % 3) * 3, len(words) - 1)
            project.add_span(doc_id, "agency", words[4 * n].id, words[last].id)
        (doc,) = export_documents(project, [doc_id])
    doc.spans = [ResolvedSpan(r.span, _Counted(r.start), _Counted(r.end), r.text, r.words) for r in doc.spans]
    expected = tagged_sentences(doc)  # (the same output whatever the offsets' type)
    _Counted.comparisons = 0
    sentences, aside, split = tagged_sentences(doc)
    assert (sentences, aside, split) == expected
    assert aside > 0 and sum(t.startswith("B-") for s in sentences for _, t in s) == 300 - aside
    assert _Counted.comparisons < 100_000, _Counted.comparisons


def test_every_line_reads_back_as_two_columns_with_a_valid_tag(letters: Letters, tmp_path: Path) -> None:
    out = tmp_path / "bilou.conll"
    with Project(letters.path) as project:
        export(project, "conll", out, options=ExportOptions(scheme="bilou"))
        labels = {label.name for label in project.labels()}
    text = out.read_text(encoding="utf-8")
    # Only "\n" ends a line: no reader (str.splitlines included) finds another line break.
    assert len(text.splitlines()) == text.count("\n")
    for line in filter(None, text.split("\n")):
        token, tag_ = line.split("\t")
        assert token and not any(ch.isspace() for ch in token)
        assert tag_ == "O" or (tag_[:2] in ("B-", "I-", "L-", "U-") and tag_[2:] in labels), line


def test_a_line_that_would_not_read_back_is_named() -> None:
    assert check_line("Geneva", "B-agency", {"agency"}) is None
    assert check_line("a\u2028b", "O", set()) == "token 'a\\u2028b' is empty or holds a space or line break"
    assert check_line("x", "B-x\ny", {"x\ny"}) == "tag 'B-x\\ny' holds a tab or line break"
    assert check_line("x", "E-agency", {"agency"}) == "tag 'E-agency' is not O or B-, I-, L-, U- and a label"
    assert check_line("x", "B-stamp", {"agency"}) == "tag 'B-stamp' is not O or B-, I-, L-, U- and a label"
