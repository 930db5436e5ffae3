"""Full-text search over real projects: exact hits with their words and boxes, corrections changing
what is found, OCR-split words, accents typed or not, projects from before the index, and any user
text as a query."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pymupdf
import pytest
from helpers import draw_pdf, real_scans, run_scanspan
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import ProjectError
from annotations.importing.files import import_into
from annotations.store import Project
from annotations.text.normalise import fold, normalise
from annotations.text.search import search, search_documents

LETTER = [
    ["The Department of Justice wrote", "to the U.S. Mission in Geneva", "about the Co-operation Fund."],
    ["A second page on finance", "and the Department of State."],
]
OTHER = [["Minutes of the meeting", "with the Depart ment of Justice"]]


def make_project(tmp: Path, docs: dict[str, list[list[str]]]) -> Path:
    path = tmp / "p.db"
    files = []
    for name, pages in docs.items():
        (tmp / name).write_bytes(draw_pdf(pages).pdf)
        files.append(tmp / name)
    with Project(path) as project:
        assert all(o.status == "imported" for o in import_into(project, files))
    return path


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("search"), {"letter.pdf": LETTER, "minutes.pdf": OTHER})


def word_ids(project: Project, doc: str, page: int, texts: list[str]) -> list[int]:
    """Ids of the consecutive words `texts` on that page, looked up without the search code."""
    words = project.words(project.page_by_number(project.document(doc).id, page).id)
    for i in range(len(words)):
        if [w.text for w in words[i:i + len(texts)]] == texts:
            return [w.id for w in words[i:i + len(texts)]]
    raise AssertionError(f"{texts} not on page {page} of {doc}")


def test_a_phrase_is_found_with_its_words_and_boxes(letters: Path) -> None:
    with Project(letters, read_only=True) as project:
        hits = search(project, "department of justice")
        assert [(h.document_name, h.page, h.text) for h in hits] == [
            ("letter.pdf", 1, "Department of Justice"),
            ("minutes.pdf", 1, "Depart ment of Justice"),  # split by OCR, found all the same
        ]
        expected = word_ids(project, "letter.pdf", 1, ["Department", "of", "Justice"])
        assert hits[0].word_ids == expected
        assert hits[0].boxes == [w.box for w in project.words_by_id(expected)]
        assert hits[1].word_ids == word_ids(project, "minutes.pdf", 1, ["Depart", "ment", "of", "Justice"])
        assert "The Department of Justice wrote to the U.S." in hits[0].snippet
        # Across a line break, and on the second page.
        (hit,) = search(project, "wrote to the")
        assert hit.text.split() == ["wrote", "to", "the"] and "\n" in hit.text
        assert [(h.page, h.text) for h in search(project, "Department of State")] == [(2, "Department of State.")]  # whole words


def test_every_occurrence_in_page_order_and_the_limit(letters: Path) -> None:
    with Project(letters, read_only=True) as project:
        hits = search(project, "the", limit=None)
        # "The", "the U.S.", "the Co-", and "the Department" on page 2; "the meeting", "the Depart" in minutes.
        assert [(h.document_name, h.page) for h in hits] == [("letter.pdf", 1)] * 3 + [("letter.pdf", 2)] + [("minutes.pdf", 1)] * 2
        assert search(project, "the", limit=2) == hits[:2]
        docs = search_documents(project, "justice")
        assert [(d.document_name, d.pages, d.first_page) for d in docs] == [("letter.pdf", 1, 1), ("minutes.pdf", 1, 1)]


def test_a_correction_changes_what_is_found(tmp_path: Path) -> None:
    path = make_project(tmp_path, {"letter.pdf": LETTER})
    with Project(path) as project:
        (hit,) = search(project, "Geneva")
        project.correct_word(hit.word_ids[0], "Genève")
        assert search(project, "Geneva") == []
        (found,) = search(project, "GENÈVE")
        assert found.word_ids == hit.word_ids and found.text == "Genève"
        # Unicode dashes, ligatures and quotes are searched as their plain forms.
        (co,) = search(project, "Co-operation")
        project.correct_word(co.word_ids[0], "Co\u2011operation")
        (fin,) = search(project, "finance")
        project.correct_word(fin.word_ids[0], "\ufb01nance")
    # Another process sees the corrections: the index is in the file, not in this process.
    out = run_scanspan(["search", "-p", path, "co-operation", "--json"], tmp_path)
    assert out.code == 0, out.err
    assert [h["text"] for h in json.loads(out.out)] == ["Co\u2011operation"]
    out = run_scanspan(["search", "-p", path, "FINANCE"], tmp_path)
    assert "p. 2" in out.out and "\ufb01nance" in out.out


def test_a_project_from_before_the_index_is_indexed_when_opened(tmp_path: Path) -> None:
    path = make_project(tmp_path, {"letter.pdf": LETTER})
    with sqlite3.connect(path) as conn:  # as an older Scanspan left it
        conn.execute("drop table page_search")
        conn.execute("delete from _sqlite_migrations where name = '0008_page_search'")
    conn.close()
    with Project(path) as project:
        assert [h.page for h in search(project, "Department of")] == [1, 2]


def test_a_word_hyphenated_at_a_line_end_is_found_whole(tmp_path: Path) -> None:
    path = make_project(tmp_path, {"memo.pdf": [["A note from the Depart-", "ment of State on the cooperation", "of the co-", "operation fund."]]})
    with Project(path) as project:
        hit, = search(project, "Department of State")
        assert hit.text.split() == ["Depart-", "ment", "of", "State"]
        assert hit.word_ids == word_ids(project, "memo.pdf", 1, ["Depart-", "ment", "of", "State"])
        # Either spelling of a compound finds both.
        assert [h.text.split() for h in search(project, "co-operation")] == [["cooperation"], ["co-", "operation"]]
        assert len(search(project, "cooperation fund")) == 1


def test_an_index_from_before_dashes_were_ignored_is_rebuilt(tmp_path: Path) -> None:
    path = make_project(tmp_path, {"memo.pdf": [["A note from the Depart-", "ment of State."]]})
    with sqlite3.connect(path) as conn:  # as an older Scanspan indexed it: with the dash
        conn.execute("update page_search set text = 'anotefromthedepart-mentofstate.'")
        conn.execute("delete from _sqlite_migrations where name = '0011_search_without_dashes'")
    conn.close()
    with Project(path) as project:
        assert [h.text.split() for h in search(project, "Department")] == [["Depart-", "ment"]]


ACCENTED = ("Genel Müdürlüğü ile Başbakanlık arasında, le décret du préfet. "
            "İnsan Kaynakları Dairesi; SAĞLIK BAKANLIĞI")


def accented_project(tmp: Path) -> Path:
    """A born-digital page of Turkish and French words (a font with ğ, ş and ı, which the base-14 fonts lack)."""
    pdf = pymupdf.open()
    pdf.new_page().insert_htmlbox(pymupdf.Rect(72, 72, 520, 300), ACCENTED)
    pdf.save(tmp / "accents.pdf")
    path = tmp / "p.db"
    with Project(path) as project:
        (outcome,) = import_into(project, [tmp / "accents.pdf"])
        assert outcome.status == "imported", outcome.message
        words = [w.text for w in project.words(project.pages(1)[0].id)]
    assert " ".join(words) == ACCENTED  # the page holds the accented words, as the search must show them
    return path


def cli_hits(path: Path, query: str, tmp: Path) -> list[tuple[str, list[int]]]:
    out = run_scanspan(["search", "-p", path, query, "--json"], tmp)
    assert out.code == 0, out.err
    return [(h["text"], [w["id"] for w in h["words"]]) for h in json.loads(out.out)]


def test_a_query_typed_without_accents_finds_the_accented_words(tmp_path: Path) -> None:
    path = accented_project(tmp_path)
    with Project(path, read_only=True) as project:
        for typed, found in (("Mudurlugu", ["Müdürlüğü"]), ("decret", ["décret"]), ("Basbakanlik", ["Başbakanlık"]),
                             ("insan kaynaklari", ["İnsan", "Kaynakları"]), ("du prefet", ["du", "préfet."]),
                             ("saglik bakanligi", ["SAĞLIK", "BAKANLIĞI"])):
            expected = word_ids(project, "accents.pdf", 1, found)
            # As the analyst types it, and with the page's own accents (or in capitals): the same words.
            for query in (typed, " ".join(found), typed.upper()):
                assert cli_hits(path, query, tmp_path) == [(" ".join(found), expected)], query
        (hit,) = search(project, "mudurlugu ile")
        assert hit.text == "Müdürlüğü ile" and hit.snippet.startswith("Genel Müdürlüğü ile Başbakanlık")
        assert hit.boxes == [w.box for w in project.words_by_id(hit.word_ids)]
        # Accents fold; other letters stay apart as they did ("Başbakanlık" is not "Basbakanlak").
        assert search(project, "Basbakanlak") == [] and search(project, "Mudurluga") == []
    out = run_scanspan(["search", "-p", path, "Mudurlugu", "--documents"], tmp_path)
    assert out.code == 0 and out.out.split()[:2] == ["1", "1"], out


def test_search_and_find_fold_accents_alike(tmp_path: Path) -> None:
    """One rule: a word Find (Ctrl+F) takes for the query's is one search finds, and the other way round."""
    path = accented_project(tmp_path)
    with Project(path, read_only=True) as project:
        words = [w.text for w in project.words(project.pages(1)[0].id)]
        for word in words:
            for query in ("mudurlugu", "basbakanlik", "decret", "prefet.", "insan", "kaynaklari", "saglik", "bakanligi"):
                assert (fold(word) == query) == (normalise(word) == normalise(query)), (word, query)


@given(text=st.text(st.characters(max_codepoint=127), max_size=20))
def test_plain_ascii_text_is_normalised_as_any_other(text: str) -> None:
    # Plain ASCII words take a shorter way through normalise; beside an accented letter they take the long one.
    assert normalise(text + "é") == normalise(text) + "e"


def test_an_index_from_before_accents_were_folded_is_rebuilt(tmp_path: Path) -> None:
    path = accented_project(tmp_path)
    with sqlite3.connect(path) as conn:  # as an older Scanspan indexed it: with the accents
        conn.execute("update page_search set text = ?",
                     ["genelmüdürlüğüilebaşbakanlıkarasında,ledécretdupréfet.i̇nsankaynaklarıdairesi;sağlıkbakanlığı"])
        conn.execute("delete from _sqlite_migrations where name = '0021_search_folds_accents'")
    conn.close()
    # The command line opens it, upgrades it, and finds what the analyst types without accents.
    assert [text for text, _ in cli_hits(path, "Mudurlugu", tmp_path)] == ["Müdürlüğü"]
    assert [text for text, _ in cli_hits(path, "décret", tmp_path)] == ["décret"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from _sqlite_migrations where name = '0021_search_folds_accents'").fetchone() == (1,)
        assert "müdürlüğü" not in conn.execute("select text from page_search").fetchone()[0]
    conn.close()


@pytest.fixture(scope="module")
def real_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Turkish ministry letter read in Turkish and the French decree read in French, by real tesseract."""
    tmp = tmp_path_factory.mktemp("real")
    db = tmp / "p.db"
    letters = real_scans() / "letters"
    for name, lang in (("official-letter-tr.jpeg", "tur+eng"), ("prefecture-decree-fr-signed.jpeg", "fra+eng")):
        run = run_scanspan(["import", letters / name, "-p", db, "--lang", lang, "-j", "1"], tmp, timeout=300)
        assert run.code == 0, run.err
    return db


def test_a_real_turkish_letter_and_french_decree_are_searched_without_their_accents(real_letters: Path, tmp_path: Path) -> None:
    with Project(real_letters, read_only=True) as project:
        texts = {d.name: " ".join(w.text for p in project.pages(d.id) for w in project.words(p.id))
                 for d in project.documents()}
    letter, decree = texts["official-letter-tr.jpeg"], texts["prefecture-decree-fr-signed.jpeg"]
    for typed, page_has, document in (
        ("Baskanligi", "Başkanlığı", letter), ("Olcme, Secme ve Yerlestirme Merkezi", "Ölçme, Seçme ve Yerleştirme Merkezi", letter),
        ("Carsamba gunu", "Çarşamba günü", letter), ("prefecture", "préfecture", decree),
        ("arrete prefectoral", "arrêté préfectoral", decree), ("present arrete", "présent arrêté", decree),
        ("d'interet general", "d'intérêt général", decree), ("delai de deux mois a compter", "délai de deux mois à compter", decree),
    ):
        assert page_has in document, page_has  # what tesseract read on the page
        hits = cli_hits(real_letters, typed, tmp_path)
        # Each hit is the page's own accented words, whole (with the punctuation they carry), across line ends.
        hit_words = [text.split() for text, _ in hits]
        assert hits and all(page_has in " ".join(w) and len(w) == len(page_has.split()) for w in hit_words), (typed, hits)
        assert len(hits) == document.count(page_has), typed
    # The letter's OCR read its letterhead once with the Turkish letters and once without: one query finds both.
    assert sorted(text for text, _ in cli_hits(real_letters, "saglik bakanligi", tmp_path)) == ["SAGLIK BAKANLIGI", "SAĞLIK BAKANLIĞI"]


def test_the_command_line(letters: Path, tmp_path: Path) -> None:
    out = run_scanspan(["search", "-p", letters, "Justice", "--json"], tmp_path)
    assert out.code == 0, out.err
    hits = json.loads(out.out)
    assert [(h["name"], h["page"], h["text"]) for h in hits] == [("letter.pdf", 1, "Justice"), ("minutes.pdf", 1, "Justice")]
    assert all(len(w["box"]) == 4 for h in hits for w in h["words"])
    out = run_scanspan(["search", "-p", letters, "department", "--documents"], tmp_path)
    assert out.code == 0 and [line.split()[:2] for line in out.out.splitlines()] == [["1", "2"], ["2", "1"]]
    out = run_scanspan(["search", "-p", letters, "the", "--limit", "1"], tmp_path)
    assert len(out.out.splitlines()) == 1 and "--limit 0" in out.err
    for query in ['"unbalanced', "NEAR(a b)", "a OR b -c", "x*", "über", "€"]:
        out = run_scanspan(["search", "-p", letters, query], tmp_path)
        assert out.code == 0 and out.out == "" and out.err.startswith("no hits"), (query, out)
    out = run_scanspan(["search", "-p", letters, "   "], tmp_path)
    assert out.code == 1 and out.err_lines == ["error: nothing to search for in '   '"]


@given(query=st.text(max_size=30))
def test_any_text_is_a_query(letters: Path, query: str) -> None:
    with Project(letters, read_only=True) as project:
        try:
            hits = search(project, query, limit=None)
        except ProjectError as exc:
            assert str(exc).startswith("nothing to search for")
            return
        for hit in hits:
            assert hit.word_ids and len(hit.boxes) == len(hit.word_ids)


@given(data=st.data())
def test_any_piece_of_the_text_is_found_where_it_is(letters: Path, data: st.DataObject) -> None:
    with Project(letters, read_only=True) as project:
        doc = data.draw(st.sampled_from(project.documents()))
        page = data.draw(st.sampled_from(project.pages(doc.id)))
        words = [w.text for w in project.words(page.id)]
        i = data.draw(st.integers(0, len(words) - 1))
        j = data.draw(st.integers(i, min(len(words), i + 4) - 1))
        phrase = " ".join(words[i:j + 1])
        a = data.draw(st.integers(0, len(phrase) - 1))
        b = data.draw(st.integers(a + 1, len(phrase)))
        query = phrase[a:b]
        if not normalise(query):  # a piece of punctuation alone: nothing to search for, said in one line
            return
        found = [(h.document_id, h.page_id) for h in search(project, query, limit=None)]
        assert (doc.id, page.id) in found


def test_the_window_searches_through_its_project_process(letters: Path) -> None:
    """The window keeps its connection in a child process; hits come back from there whole."""
    from annotations.store.server import ProjectProcess

    remote = ProjectProcess(letters)
    try:
        hits = remote.search("department of justice")
        docs = remote.search_documents("justice")
    finally:
        remote.close()
    with Project(letters, read_only=True) as project:
        assert hits == search(project, "department of justice")
        assert docs == search_documents(project, "justice")
    assert hits[0].boxes and hits[0].word_ids
