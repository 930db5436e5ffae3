"""ALTO, PAGE and hOCR out of a real project through `scanspan export`: every file valid against the official
schemas in ../shared/schemas, with the corrected words, their boxes and OCR, the spans and the regions."""

from __future__ import annotations

import functools
import json
import re
import shutil
from pathlib import Path

import pytest
import xmlschema
from conftest import SIGNATURE_BOX, Letters
from helpers import run_scanspan, shared
from lxml import etree
from PIL import Image

from annotations.store import Project

ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
PAGE = "{http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15}"
XHTML = "{http://www.w3.org/1999/xhtml}"
CORRECTED = ("Juvenile", "Juvenlle")  # (what the engine read, what the analyst made it): a correction to carry


@functools.cache
def schema(fmt: str) -> xmlschema.XMLSchema:
    """The official schema, offline: ALTO's import of XLink by URL goes to the copy beside it."""
    folder = shared() / "schemas"
    if fmt == "alto":
        return xmlschema.XMLSchema(str(folder / "alto-4-4.xsd"),
                                   locations={"http://www.w3.org/1999/xlink": str(folder / "xlink.xsd")})
    return xmlschema.XMLSchema(str(folder / "pagecontent-2019-07-15.xsd"))


def valid_files(folder: Path, fmt: str) -> list[Path]:
    """Every file the export wrote, each validated (ALTO and PAGE against their schemas, hOCR as XHTML)."""
    files = sorted(folder.glob("*.hocr" if fmt == "hocr" else "*.xml"))
    assert files, f"no {fmt} file in {folder}"
    for path in files:
        if fmt == "hocr":
            etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        else:
            schema(fmt).validate(str(path))
    return files


@pytest.fixture(scope="module")
def corrected(letters: Letters, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three tagged letters, one word of the first corrected."""
    path = tmp_path_factory.mktemp("archive") / "letters.scanspan"
    shutil.copy(letters.path, path)
    with Project(path) as project:
        page = project.page_by_number(letters.ids[0], 1)
        (word,) = [w for w in project.words(page.id) if w.text == CORRECTED[0]]
        project.correct_word(word.id, CORRECTED[1])
    return path


def export(project: Path, fmt: str, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / f"out-{fmt}"
    run = run_scanspan(["export", "-p", project, "-f", fmt, "-o", out, *extra], tmp_path)
    assert run.code == 0, run.err
    assert f"wrote {out}" in run.out
    return out


def words_of(project: Path) -> dict[int, list[tuple[str, str, tuple[float, ...]]]]:
    """Per page id, (text, ocr text, box) of its words in reading order, from the project file."""
    with Project(project, read_only=True) as p:
        return {page.id: [(w.text, w.ocr_text, w.box) for w in p.words(page.id)]
                for doc in p.documents() for page in p.pages(doc.id)}


def near(box: tuple[float, ...], found: tuple[float, ...]) -> bool:
    return all(abs(a - b) <= 1 for a, b in zip(box, found))


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_one_valid_file_per_page_with_the_corrected_words_at_their_boxes(fmt: str, corrected: Path,
                                                                         tmp_path: Path) -> None:
    out = export(corrected, fmt, tmp_path)
    files = valid_files(out, fmt)
    expected = words_of(corrected)
    assert len(files) == len(expected) == 6  # three letters of two pages
    with Project(corrected, read_only=True) as p:
        stems = {f"{d.id}-{Path(d.name).stem}-p{page.number}": page.id for d in p.documents() for page in p.pages(d.id)}
    originals = []
    for path in files:
        found = read_words(path, fmt)
        want = expected[stems[path.stem]]
        assert [w[0] for w in found] == [w[0] for w in want]
        assert all(near(w[2], f[2]) for w, f in zip(want, found))
        originals += [(f[0], f[1]) for f in found if f[1] is not None]
    assert originals == [CORRECTED[::-1]]  # the analyst's word, and beside it what the engine read


def read_words(path: Path, fmt: str) -> list[tuple[str, str | None, tuple[float, ...]]]:
    """(text, original OCR where kept, box) of every word of a written file, in the file's order."""
    root = etree.parse(str(path)).getroot()
    words = []
    if fmt == "alto":
        for s in root.iter(f"{ALTO}String"):
            x, y, w, h = (float(s.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
            alt = s.find(f"{ALTO}ALTERNATIVE")
            words.append((s.get("CONTENT"), None if alt is None else alt.text, (x, y, x + w, y + h)))
    elif fmt == "page":
        for word in root.iter(f"{PAGE}Word"):
            xs, ys = zip(*(map(float, p.split(",")) for p in word.find(f"{PAGE}Coords").get("points").split()))
            texts = sorted(word.findall(f"{PAGE}TextEquiv"), key=lambda t: int(t.get("index", 0)))
            unicode = [t.find(f"{PAGE}Unicode").text for t in texts]
            words.append((unicode[0], unicode[1] if len(unicode) > 1 else None, (min(xs), min(ys), max(xs), max(ys))))
    else:
        for span in root.iter(f"{XHTML}span"):
            if span.get("class") == "ocrx_word":
                box = re.search(r"bbox (\d+) (\d+) (\d+) (\d+)", span.get("title")).groups()
                words.append((span.text, span.get("data-ocr"), tuple(map(float, box))))
    return words


def spans_of(project: Path, doc_id: int) -> dict[int, tuple[str, str, list[int]]]:
    """Span id -> (label, text, the ids of the words it covers), from the project file."""
    with Project(project, read_only=True) as p:
        text = p.document_text(doc_id)
        return {s.id: (s.label, (r := text.resolve(s)).text, [w.id for w in r.words]) for s in p.spans(doc_id)}


def test_alto_tags_each_span_on_its_words_and_the_signature_as_an_illustration(
    corrected: Path, letters: Letters, tmp_path: Path
) -> None:
    out = export(corrected, "alto", tmp_path)
    valid_files(out, "alto")
    spans = spans_of(corrected, letters.ids[0])
    tagged: dict[int, list[int]] = {}
    labels: dict[int, str] = {}
    regions = []
    for path in sorted(out.glob(f"{letters.ids[0]}-*.xml")):
        root = etree.parse(str(path)).getroot()
        for tag in root.iter(f"{ALTO}NamedEntityTag"):
            if tag.get("TYPE") == "span":
                labels[int(tag.get("ID").removeprefix("span"))] = tag.get("LABEL")
        for s in root.iter(f"{ALTO}String"):
            for ref in (s.get("TAGREFS") or "").split():
                tagged.setdefault(int(ref.removeprefix("span")), []).append(int(s.get("ID").removeprefix("word")))
        for ill in root.iter(f"{ALTO}Illustration"):
            (tag,) = [t for t in root.iter(f"{ALTO}NamedEntityTag") if t.get("ID") == ill.get("TAGREFS")]
            x, y, w, h = (float(ill.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
            regions.append((path.stem, tag.get("LABEL"), tag.get("DESCRIPTION"), (x, y, x + w, y + h)))
    assert {i: (labels[i], words) for i, words in tagged.items()} == {i: (s[0], s[2]) for i, s in spans.items()}
    assert regions == [(f"{letters.ids[0]}-letter-1-p2", "signature", "Keith M. Harper", SIGNATURE_BOX)]


def test_page_lines_carry_the_spans_as_transkribus_writes_them(corrected: Path, letters: Letters,
                                                                 tmp_path: Path) -> None:
    out = export(corrected, "page", tmp_path)
    valid_files(out, "page")
    spans = spans_of(corrected, letters.ids[0])
    parts: dict[int, list[str]] = {}
    graphics = []
    for path in sorted(out.glob(f"{letters.ids[0]}-*.xml")):
        root = etree.parse(str(path)).getroot()
        for line in root.iter(f"{PAGE}TextLine"):
            text = line.find(f"{PAGE}TextEquiv/{PAGE}Unicode").text
            for label, fields in re.findall(r"(\S+) \{([^}]*)\}", line.get("custom")):
                if label == "readingOrder":
                    continue
                values = dict(f.strip().split(":", 1) for f in fields.split(";") if f.strip())
                offset, length = int(values["offset"]), int(values["length"])
                parts.setdefault(int(values["id"].removeprefix("span")), []).append(
                    (label, text[offset:offset + length]))
        for g in root.iter(f"{PAGE}GraphicRegion"):
            graphics.append((g.get("type"), g.get("custom")))
    # Each span's parts, one per line it is on, are its text (line breaks aside) and its label.
    assert {i: (p[0][0], " ".join(t for _, t in p)) for i, p in parts.items()} == {
        i: (s[0], " ".join(s[1].split())) for i, s in spans.items()}
    # A span ending inside a word ("Prevention" of "Prevention's") keeps its edge.
    assert any(t.endswith("Prevention") for p in parts.values() for _, t in p)
    assert graphics == [("signature", "structure {type:signature;} transcription {text:Keith M. Harper;}")]


def test_hocr_words_carry_their_spans(corrected: Path, letters: Letters, tmp_path: Path) -> None:
    out = export(corrected, "hocr", tmp_path)
    valid_files(out, "hocr")
    spans = spans_of(corrected, letters.ids[0])
    tagged: dict[int, tuple[str, list[int]]] = {}
    for path in sorted(out.glob(f"{letters.ids[0]}-*.hocr")):
        for span in etree.parse(str(path)).getroot().iter(f"{XHTML}span"):
            for entry in json.loads(span.get("data-spans") or "[]"):
                tagged.setdefault(entry["id"], (entry["label"], []))[1].append(
                    int(span.get("id").removeprefix("word_")))
    assert tagged == {i: (s[0], s[2]) for i, s in spans.items()}


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_images_beside_the_files_under_the_names_the_files_give(fmt: str, corrected: Path, tmp_path: Path) -> None:
    out = export(corrected, fmt, tmp_path, "--images", "--documents", "1")
    files = valid_files(out, fmt)
    assert len(files) == 2
    for path in files:
        root = etree.parse(str(path)).getroot()
        if fmt == "alto":
            name = root.find(f"{ALTO}Description/{ALTO}sourceImageInformation/{ALTO}fileName").text
            size = tuple(int(root.find(f".//{ALTO}Page").get(k)) for k in ("WIDTH", "HEIGHT"))
        elif fmt == "page":
            page = root.find(f"{PAGE}Page")
            name, size = page.get("imageFilename"), (int(page.get("imageWidth")), int(page.get("imageHeight")))
        else:
            title = next(e for e in root.iter(f"{XHTML}div") if e.get("class") == "ocr_page").get("title")
            name = re.search(r'image "([^"]+)"', title).group(1)
            size = tuple(int(v) for v in re.search(r"bbox 0 0 (\d+) (\d+)", title).groups())
        with Image.open(out / name) as image:
            assert image.size == size == (500, 400)


def test_a_file_where_the_folder_goes_and_a_split_are_refused(corrected: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("mine")
    run = run_scanspan(["export", "-p", corrected, "-f", "alto", "-o", tmp_path / "taken"], tmp_path)
    assert run.code == 1 and "is a file" in run.err
    assert (tmp_path / "taken").read_text() == "mine"
    run = run_scanspan(["export", "-p", corrected, "-f", "page", "-o", tmp_path / "out", "--split", "a=0.5,b=0.5"],
                       tmp_path)
    assert run.code == 1 and "--split" in run.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_real_ocr_of_a_fax_and_a_jpeg_gives_valid_files_with_every_word(fmt: str, scans: Path, tmp_path: Path) -> None:
    out = export(scans, fmt, tmp_path)
    files = valid_files(out, fmt)
    expected = words_of(scans)
    assert len(files) == len(expected) == 2
    found = [w for path in files for w in read_words(path, fmt)]
    want = [w for page in expected.values() for w in page]
    assert [w[0] for w in found] == [w[0] for w in want] and len(want) > 100
    assert all(near(w[2], f[2]) for w, f in zip(want, found))


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_a_control_character_in_a_word_is_replaced_and_said(fmt: str, corrected: Path, tmp_path: Path) -> None:
    project = tmp_path / "odd.scanspan"
    shutil.copy(corrected, project)
    with Project(project) as p:
        (word,) = [w for d in p.documents()[:1] for page in p.pages(d.id) for w in p.words(page.id) if w.text == "Harper"]
        p.correct_word(word.id, "Har\x01per")  # a correction may hold one; XML 1.0 cannot
    out = tmp_path / "out"
    run = run_scanspan(["export", "-p", project, "-f", fmt, "-o", out, "--documents", "1"], tmp_path)
    assert run.code == 0, run.err
    assert "adjusted: 1 text with characters XML cannot hold" in run.out
    words = [w[0] for path in valid_files(out, fmt) for w in read_words(path, fmt)]
    assert "Har\ufffdper" in words


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_no_document_to_export_still_makes_the_folder_it_says_it_wrote(fmt: str, corrected: Path,
                                                                        tmp_path: Path) -> None:
    """No letter is marked done: the export says it wrote the folder, so the folder is there (empty)."""
    project = tmp_path / "none-done.scanspan"
    shutil.copy(corrected, project)
    with Project(project) as store:
        for doc in store.documents():
            store.set_status(doc.id, "new")
    run = run_scanspan(["export", "-p", project, "-f", fmt, "-o", tmp_path / "out", "--status", "done"], tmp_path)
    assert run.code == 0, run.err
    assert f"wrote {tmp_path / 'out'}" in run.out and "0 documents" in run.out
    assert (tmp_path / "out").is_dir() and list((tmp_path / "out").iterdir()) == []
