"""Suggestions: term lists, patterns, propagation, review (accept, reject, remembered), kept lists, exports."""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import Run, draw_pdf, run_bounded, run_on_terminal, run_scanspan
from letter_project import add_letter, tag_phrase

from annotations.assist.suggest import offers_occurrences
from annotations.store import Project

LETTER = [
    "Dear Ms. Delgado,",
    "",
    "The U.S. Department of Justice (DOJ) and the",
    "Department of Homeland Security ran 300,000",
    "investigations with the CyberTipline.",
]
NOISY = [  # the same letter as a poor scan reads it
    "Dear Ms. Delgado,",
    "",
    "The U.S. Departrnent of Justlce (DOJ) and the",
    "Department of Homeland Securlty ran 58,000",
    "investigations with the CyberTip-",
    "line.",
]


@pytest.fixture
def letters(tmp_path: Path) -> Path:
    path = tmp_path / "letters.db"
    with Project(path) as project:
        add_letter(project, "clean.pdf", [LETTER])
        add_letter(project, "noisy.pdf", [NOISY])
    return path


def texts(path: Path, suggested: bool | None = True) -> list[tuple[int, str, str, str]]:
    """(document, label, text, source) of the spans, suggested ones by default."""
    with Project(path, read_only=True) as project:
        return sorted(
            (s.document_id, s.label, " ".join(project.document_text(s.document_id).resolve(s).text.split()), s.source)
            for s in project.spans() if suggested is None or s.suggested == suggested
        )


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_term_list_suggests_with_source_and_score_and_twice_adds_nothing(
    letters: Path, tmp_path: Path, cli: Callable[..., Run]
) -> None:
    terms = write(tmp_path / "agencies.txt", ["# agencies", "Department of Justice", "Department of Homeland Security", ""])
    run = cli("suggest", "-p", letters, "--terms", terms, "--label", "agency")
    assert run.code == 0, run.err
    assert "2 suggestions added from 'agencies.txt'" in run.out
    assert texts(letters) == [  # the noisy letter's "Departrnent of Justlce" and "Securlty" need --fuzzy
        (1, "agency", "Department of Homeland Security", "agencies.txt"),
        (1, "agency", "Department of Justice", "agencies.txt"),
    ]
    again = cli("suggest", "-p", letters, "--terms", terms, "--label", "agency")
    assert "0 suggestions added" in again.out and "2 already tagged or suggested" in again.out
    fuzzy = cli("suggest", "-p", letters, "--terms", terms, "--label", "agency", "--fuzzy")
    assert "2 suggestions added" in fuzzy.out
    assert texts(letters) == [
        (1, "agency", "Department of Homeland Security", "agencies.txt"),
        (1, "agency", "Department of Justice", "agencies.txt"),
        (2, "agency", "Department of Homeland Securlty", "agencies.txt"),
        (2, "agency", "Departrnent of Justlce", "agencies.txt"),
    ]
    rows = json.loads(cli("suggestions", "list", "-p", letters, "--json", "--document", "noisy.pdf").out)
    assert {r["text"] for r in rows} == {"Departrnent of Justlce", "Department of Homeland Securlty"}
    assert all(0.8 <= r["score"] < 1 and r["source"] == "agencies.txt" for r in rows)


def test_rejected_suggestions_are_remembered_and_gone_from_what_the_window_loads(
    letters: Path, tmp_path: Path, cli: Callable[..., Run]
) -> None:
    terms = write(tmp_path / "agencies.txt", ["Department of Justice", "Department of Homeland Security"])
    cli("suggest", "-p", letters, "--terms", terms, "--label", "agency", "--fuzzy")
    run = cli("suggestions", "reject", "-p", letters, "--document", "noisy.pdf")
    assert run.code == 0 and "rejected 2 suggestions" in run.out
    with Project(letters, read_only=True) as project:
        assert [s.document_id for s in project.suggestions()] == [1, 1]
        assert project.located_spans(2) == []  # the window's view of the noisy letter
        assert len(project.rejections(2)) == 2
    again = cli("suggest", "-p", letters, "--terms", terms, "--label", "agency", "--fuzzy")
    assert "0 suggestions added" in again.out and "2 rejected before" in again.out
    accept = cli("suggestions", "accept", "-p", letters, "--label", "agency")
    assert "accepted 2 suggestions" in accept.out
    assert texts(letters, suggested=False) == [
        (1, "agency", "Department of Homeland Security", "agencies.txt"),
        (1, "agency", "Department of Justice", "agencies.txt"),
    ]
    assert cli("suggestions", "list", "-p", letters).out.strip() == "0 suggestions"


def test_review_by_id_undo_and_errors(letters: Path, tmp_path: Path, cli: Callable[..., Run]) -> None:
    terms = write(tmp_path / "t.txt", ["CyberTipline"])
    cli("suggest", "-p", letters, "--terms", terms, "--label", "program", "--fuzzy")
    with Project(letters) as project:
        ids = [s.id for s in project.suggestions()]
        assert len(ids) == 2  # the noisy letter's "CyberTip-" / "line." is one word broken at the line end
        [rejected] = project.reject_suggestions(ids[:1])
        restored = project.restore_rejected(rejected)  # an undo in the window
        assert restored.id == rejected.id and restored.suggested and restored.score == rejected.score
        assert project.rejections() == []
        project.accept_suggestions(ids[1:])
        project.unaccept(ids[1])
        assert [s.id for s in project.suggestions()] == ids
    run = cli("suggestions", "accept", "-p", letters, "999")
    assert run.code == 1 and run.err.strip() == "error: no suggestion 999 (accepted, rejected, never made, or outside the filters)"
    run = cli("suggestions", "reject", "-p", letters)
    assert run.code == 2 and "name the suggestions to reject" in run.err
    assert cli("suggestions", "accept", "-p", letters, *map(str, ids)).out.strip() == "accepted 2 suggestions"


def test_suggested_regions_are_listed_accepted_and_rejected_like_spans(letters: Path, cli: Callable[..., Run]) -> None:
    with Project(letters) as project:
        clean, noisy = (project.pages(d.id)[0] for d in project.documents())
        first = project.add_region(clean.id, "signature", (100, 200, 400, 300), source="letter-parts", suggested=True)
        second = project.add_region(noisy.id, "signature", (120, 210, 380, 320), source="letter-parts", suggested=True)
        drawn = project.add_region(clean.id, "figure", (50, 50, 300, 100))  # an analyst's, not a suggestion
    listed = cli("suggestions", "list", "-p", letters).out.splitlines()
    assert listed[-1] == "2 suggestions (2 regions)"
    assert f"r{first.id}  doc 1  signature  page 1 [100, 200, 400, 300]  letter-parts" in listed[0]
    rows = json.loads(cli("suggestions", "list", "-p", letters, "--json").out)
    assert [(r["kind"], r["id"], r["document"], r["page"]) for r in rows] == [("region", first.id, 1, 1), ("region", second.id, 2, 1)]

    assert cli("suggestions", "reject", "-p", letters, f"r{first.id}").out.strip() == "rejected 1 suggestion (1 region)"
    with Project(letters) as project:
        assert [g.id for g in project.regions()] == [drawn.id, second.id]
        # The same suggestion made again, a few pixels off, is known as rejected; another label is not.
        assert project.region_rejected(clean.id, "signature", (102, 199, 401, 298))
        assert not project.region_rejected(clean.id, "figure", (100, 200, 400, 300))
        assert not project.region_rejected(clean.id, "signature", (100, 320, 400, 410))
        restored = project.restore_rejected_region(first)  # an undo in the window
        assert restored == first and not project.region_rejected(clean.id, "signature", first.box)

    run = cli("suggestions", "accept", "-p", letters, f"r{drawn.id}", "r999")
    assert run.code == 1 and run.err.strip() == (f"error: no suggestion r{drawn.id}, r999 (accepted, rejected, never made, "
                                                 "or outside the filters)")
    run = cli("suggestions", "accept", "-p", letters, "x1")
    assert run.code == 2 and "'x1' is neither a span id (12), a region id (r3) nor a relation id (rel4)" in run.err
    assert cli("suggestions", "accept", "-p", letters, "--document", "noisy.pdf").out.strip() == "accepted 1 suggestion (1 region)"
    with Project(letters) as project:
        assert [(g.id, g.suggested) for g in project.regions()] == [(first.id, True), (drawn.id, False), (second.id, False)]
        project.unaccept_region(second.id)
        assert [(g.id, doc, page) for g, doc, page in project.region_suggestions()] == [(first.id, 1, 1), (second.id, 2, 1)]
        assert [g.id for g in project.accept_region_suggestions([first.id], annotator="dana")] == [first.id]
        assert project.region(first.id).annotator == "dana"


def test_exports_leave_unaccepted_suggestions_out_and_count_them(
    letters: Path, tmp_path: Path, cli: Callable[..., Run]
) -> None:
    with Project(letters) as project:
        tag_phrase(project, 1, "figure", "300,000 investigations")
    terms = write(tmp_path / "agencies.txt", ["Department of Justice"])
    cli("suggest", "-p", letters, "--terms", terms, "--label", "agency", "--fuzzy")
    run = cli("export", "-p", letters, "-f", "conll", "-o", tmp_path / "out.conll")
    assert run.code == 0, run.err
    assert "not exported: 2 suggested spans not yet accepted" in run.err
    conll = (tmp_path / "out.conll").read_text(encoding="utf-8")
    assert "B-figure" in conll and "agency" not in conll


def test_patterns_phrase_and_token_with_labels_inside(letters: Path, tmp_path: Path, cli: Callable[..., Run]) -> None:
    patterns = write(tmp_path / "rules.jsonl", [
        json.dumps({"label": "program", "pattern": "CyberTipline"}),
        json.dumps({"label": "figure", "pattern": [{"LIKE_NUM": True}, {"LOWER": "investigations"}]}),
    ])
    run = cli("suggest", "-p", letters, "--patterns", patterns)
    assert run.code == 0, run.err
    assert texts(letters) == [
        (1, "figure", "300,000 investigations", "rules.jsonl"),
        (1, "program", "CyberTipline", "rules.jsonl"),
        (2, "figure", "58,000 investigations", "rules.jsonl"),  # across a line break
        (2, "program", "CyberTip- line", "rules.jsonl"),  # a word broken at the line end
    ]
    assert "0 suggestions added" in cli("suggest", "-p", letters, "--patterns", patterns).out


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"label": "agency", "pattern": "DOJ"}', "{oops"], "rules.jsonl line 2: not JSON"),
        (['{"pattern": "DOJ"}'], "rules.jsonl line 1: a pattern needs a \"label\""),
        (['{"label": "court", "pattern": "DOJ"}'], "rules.jsonl: label 'court' is not a project label"),
        (['{"label": "agency", "pattern": [{"LOWER": 1}]}'], "rules.jsonl: invalid patterns"),
    ],
)
def test_bad_pattern_files_are_one_line_errors_and_store_nothing(
    letters: Path, tmp_path: Path, cli: Callable[..., Run], lines: list[str], message: str
) -> None:
    run = cli("suggest", "-p", letters, "--patterns", write(tmp_path / "rules.jsonl", lines))
    assert run.code == 1
    assert len(run.err.strip().splitlines()) == 1 and message in run.err, run.err
    assert texts(letters, suggested=None) == []


def test_bad_term_files(letters: Path, tmp_path: Path, cli: Callable[..., Run]) -> None:
    (tmp_path / "latin1.txt").write_bytes("D\xe9partement\n".encode("latin-1"))
    run = cli("suggest", "-p", letters, "--terms", tmp_path / "latin1.txt", "--label", "agency")
    assert run.code == 1 and "latin1.txt: not UTF-8 text" in run.err
    run = cli("suggest", "-p", letters, "--terms", write(tmp_path / "empty.txt", ["# nothing"]), "--label", "agency")
    assert run.code == 1 and "empty.txt: no terms" in run.err
    run = cli("suggest", "-p", letters, "--terms", write(tmp_path / "t.txt", ["DOJ"]), "--label", "court")
    assert run.code == 1 and "label 'court' is not a project label" in run.err


def test_propagation_across_the_project_is_fuzzy(letters: Path, cli: Callable[..., Run]) -> None:
    run = cli("annotate", "-p", letters, "-d", "clean.pdf", "-l", "agency", "--text", "Department of Justice", "--propagate")
    assert run.code == 0, run.err
    assert "1 other occurrence suggested" in run.out
    assert texts(letters) == [(2, "agency", "Departrnent of Justlce", "propagation")]
    with Project(letters) as project:
        [span] = project.spans(1)
    again = cli("suggest", "-p", letters, "--propagate", span.id)
    assert "0 suggestions added" in again.out


def test_tagging_every_occurrence_with_propagate_leaves_no_suggestion_under_the_new_spans(
    letters: Path, cli: Callable[..., Run]
) -> None:
    run = cli("annotate", "-p", letters, "-d", "clean.pdf", "-l", "agency", "--text", "Department", "--all", "--propagate")
    assert run.code == 0, run.err
    assert texts(letters, suggested=False) == [(1, "agency", "Department", ""), (1, "agency", "Department", "")]
    # Only the other letter's occurrences are left to review; the clean letter's are both tagged already.
    assert [(doc, text) for doc, _, text, _ in texts(letters)] == [(2, "Department"), (2, "Departrnent")]
    assert "2 other occurrences suggested" in run.out


COMPOSED, DECOMPOSED = "Pr\u00e9fecture", "Pre\u0301fecture"  # é as one character, and as e and a combining accent


def test_phrases_match_words_written_with_accents_either_way(tmp_path: Path, cli: Callable[..., Run]) -> None:
    path = tmp_path / "accents.db"
    with Project(path) as project:
        add_letter(project, "typed.pdf", [[f"La {COMPOSED} de la Seine a écrit."]])
        # As some PDF text layers give it.
        add_letter(project, "layer.pdf", [[f"La {DECOMPOSED} de la Seine a répondu au Comite\u0301."]])
    # Typed with a combining accent (as macOS writes a name), the phrase finds the word stored with é.
    run = cli("annotate", "-p", path, "-d", "typed.pdf", "-l", "agency", "--text", f"{DECOMPOSED} de la Seine")
    assert run.code == 0, run.err
    assert f"'{COMPOSED} de la Seine'" in run.out
    # And typed with é, a term list finds the word the text layer wrote with a combining accent.
    terms = write(tmp_path / "agencies.txt", [f"{COMPOSED} de la Seine", "Comit\u00e9"])
    run = cli("suggest", "-p", path, "--terms", terms, "--label", "agency", "--documents", "layer.pdf")
    assert run.code == 0, run.err
    # A phrase ending on the accent takes it in: the span is the whole word.
    assert texts(path) == [(2, "agency", "Comite\u0301", "agencies.txt"), (2, "agency", f"{DECOMPOSED} de la Seine", "agencies.txt")]


SENATE = [
    "Dear Senator Alvarez,",
    "",
    "The United States Senate asked the United States Senator",
    "from Ohio to write to the United States. We are glad the",
    "UNITED STATES SENATE and the United States Senatc agree.",
]


def test_propagation_matches_whole_words_within_a_sentence_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "senate.db"
    with Project(path) as project:
        doc = add_letter(project, "senate.pdf", [SENATE])
        span_id = tag_phrase(project, doc, "agency", "United States Senate")
    run = run_scanspan(["suggest", "-p", path, "--propagate", span_id], tmp_path)
    assert run.code == 0, run.err
    assert "2 suggestions added from 'propagation'" in run.out
    # Not "United States Senator" (another word, one letter longer) nor "United States. We are" (across a sentence's end).
    assert [t for _, _, t, _ in texts(path)] == ["UNITED STATES SENATE", "United States Senatc"]
    listed = run_scanspan(["suggestions", "list", "-p", path], tmp_path)
    assert listed.code == 0, listed.err
    assert "'UNITED STATES SENATE'  propagation 0.95 (case)" in listed.out
    assert "'United States Senatc'  propagation 0.95 (1 OCR edit: 'Senatc' for 'Senate')" in listed.out
    rows = json.loads(run_scanspan(["suggestions", "list", "-p", path, "--json"], tmp_path).out)
    assert [r["reason"] for r in rows] == ["case", "1 OCR edit: 'Senatc' for 'Senate'"]


def test_kept_term_lists_suggest_on_new_imports(letters: Path, tmp_path: Path, cli: Callable[..., Run]) -> None:
    terms = write(tmp_path / "agencies.txt", ["Department of Homeland Security"])
    run = cli("suggest", "-p", letters, "--terms", terms, "--label", "agency", "--keep")
    assert "kept 'agencies.txt'" in run.out
    pdf = tmp_path / "later.pdf"
    pdf.write_bytes(draw_pdf([["A letter from the Department of", "Homeland Security."]], size=(400, 200)).pdf)
    run = run_scanspan(["import", pdf, "-p", letters], tmp_path)
    assert run.code == 0, run.err
    assert "1 suggestion added from the kept term lists and patterns" in run.out
    assert (3, "agency", "Department of Homeland Security", "agencies.txt") in texts(letters)
    listed = cli("suggestions", "kept", "-p", letters)
    assert listed.out.strip() == "1  terms     agencies.txt --label agency (1 terms)"
    assert cli("suggestions", "kept", "-p", letters, "--drop", "1").out.strip() == "dropped 1"
    run = cli("suggestions", "kept", "-p", letters, "--drop", "1")
    assert run.code == 1 and "no kept term list or pattern file 1" in run.err


def test_annotate_fails_clearly_when_the_phrase_is_absent(letters: Path, cli: Callable[..., Run]) -> None:
    run = cli("annotate", "-p", letters, "-d", "noisy.pdf", "-l", "agency", "--text", "Department of Justice")
    assert run.code == 1
    assert run.err.strip() == (
        "error: 'Department of Justice' does not occur in document 2 (noisy.pdf) (--fuzzy tolerates OCR errors)"
    )
    run = cli("annotate", "-p", letters, "-d", "noisy.pdf", "-l", "agency", "--text", "Department of Justice", "--fuzzy")
    assert run.code == 0 and "'Departrnent of Justlce' (fuzzy, 3 edits)" in run.out


# -- the bundled sample, through the installed `scanspan` --------------------------------------


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`scanspan demo --no-window`: the sample letter OCRed and tagged (about 10 s), once."""
    folder = tmp_path_factory.mktemp("demo")
    run = run_scanspan(["demo", "--no-window", "-p", "demo.db", "-o", "demo.jsonl"], folder)
    assert run.code == 0, run.err
    return folder / "demo.db"


@pytest.fixture
def demo(demo_project: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo.db"
    target.write_bytes(demo_project.read_bytes())
    return target


def test_sample_phrase_with_a_dash_the_ocr_read_as_an_em_dash(demo: Path, tmp_path: Path) -> None:
    run = run_scanspan(["annotate", "-p", demo, "-d", "1", "-l", "agency", "--text", "Ms. Imma Guerras-Delgado"], tmp_path)
    assert run.code == 0, run.err
    assert "'Ms. Imma Guerras\u2014Delgado'" in run.out  # the document's own text is what gets tagged
    assert (1, "agency", "Ms. Imma Guerras\u2014Delgado", "") in texts(demo, suggested=False)


def test_sample_fuzzy_phrase_tags_department_of_justice(demo: Path, tmp_path: Path) -> None:
    before = texts(demo, suggested=False)
    plain = run_scanspan(["annotate", "-p", demo, "-d", "1", "-l", "agency", "--text", "Departrnent of Justlce"], tmp_path)
    assert plain.code == 1 and "does not occur" in plain.err
    run = run_scanspan(["annotate", "-p", demo, "-d", "1", "-l", "agency", "--fuzzy", "--text", "Departrnent of Justlce"], tmp_path)
    assert run.code == 0, run.err
    added = set(texts(demo, suggested=False)) - set(before)
    assert added == {(1, "agency", "Department of Justice", "")}


def test_the_window_reviews_through_its_project_process(letters: Path, tmp_path: Path, cli: Callable[..., Run]) -> None:
    """What the window will call, through the child process that holds its connection."""
    from annotations.assist.suggest import plan_hits, propagation_hits
    from annotations.store.server import ProjectProcess

    with Project(letters) as project:
        span_id = tag_phrase(project, 1, "agency", "Department of Justice")
    with ProjectProcess(letters) as remote:
        hits = propagation_hits(remote, span_id)  # type: ignore[arg-type]
        plan, covered = plan_hits(remote, hits)  # type: ignore[arg-type]
        assert (len(hits), len(plan), covered) == (2, 1, 1)  # the tagged span itself is covered
        [added] = remote.add_suggestions(plan).added
        assert [s.id for s in remote.suggestions(doc_ids=[2])] == [added]
        assert remote.suggestion_counts() == {2: 1}
        [rejected] = remote.reject_suggestions([added])
        assert remote.located_spans(2) == [] and remote.suggestion_counts() == {}
        remote.restore_rejected(rejected)
        [(span, _where)] = remote.located_spans(2)
        assert span.suggested and span.source == "propagation" and span.score == rejected.score


@pytest.mark.parametrize(("text", "offered"), [
    ("3", False), ("2015", False), ("1,200.50", False), ("(3)", False), ("§ 12", False),
    ("Mr", False), ("US", False), (" a ", False), ("", False),
    ("OJJDP", True), ("U.S.", True), ("No. 3", True), ("CyberTipline", True), ("Geneva", True),
])
def test_bare_numbers_and_spans_under_three_characters_offer_no_occurrences(text: str, offered: bool) -> None:
    assert offers_occurrences(text) is offered


def test_a_hundred_thousand_terms_store_exactly_the_matches_of_those_present(tmp_path: Path) -> None:
    path = tmp_path / "many.db"
    with Project(path) as project:
        for n in range(10):
            add_letter(project, f"clean{n}.pdf", [LETTER])
            add_letter(project, f"noisy{n}.pdf", [NOISY])
    rng = random.Random(7)
    letters = " ".join(LETTER + NOISY)
    terms = set()
    while len(terms) < 100_000:
        term = " ".join("".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(2, 9)))
                        for _ in range(rng.randint(1, 3)))
        if term not in letters:
            terms.add(term)
    planted = ["Department of Justice", "Homeland Security", "CyberTipline", "Delgado"]
    listed = sorted(terms)
    for k, term in enumerate(planted):
        listed.insert(k * 20_000 + 7, term)
    run, _ = run_bounded(["suggest", "-p", path, "--terms", write(tmp_path / "terms.txt", listed), "--label", "agency"],
                         tmp_path, timeout=60)
    assert run.code == 0, run.err
    assert run.out.startswith("60 suggestions added from 'terms.txt' (60 found,"), run.out
    clean = ["CyberTipline", "Delgado", "Department of Justice", "Homeland Security"]
    noisy = ["CyberTip- line", "Delgado"]
    with Project(path, read_only=True) as project:
        names = {d.id: d.name for d in project.documents()}
    found: dict[str, list[str]] = {}
    for doc_id, label, text, source in texts(path):
        assert (label, source) == ("agency", "terms.txt")
        found.setdefault(names[doc_id], []).append(text)
    assert found == {**{f"clean{n}.pdf": clean for n in range(10)}, **{f"noisy{n}.pdf": noisy for n in range(10)}}


def test_a_term_list_on_a_terminal_shows_progress_to_the_last_document(letters: Path, tmp_path: Path) -> None:
    terms = write(tmp_path / "agencies.txt", ["Department of Justice", "Delgado"])
    code, screen = run_on_terminal(["suggest", "-p", letters, "--terms", terms, "--label", "agency"], tmp_path, 60)
    assert code == 0, screen
    assert re.search(r"terms: .*\b2/2 \[.*noisy\.pdf", screen), screen
    assert "3 suggestions added from 'agencies.txt'" in screen
