"""Words in from hOCR, ALTO and PAGE files: real archive files, units, several pages, hostile XML."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from helpers import png_bytes, real_scans, run_bounded, run_scanspan, tiff_bytes
from lxml import etree
from PIL import Image

from annotations.records import Page, Word
from annotations.store import Project

REAL = real_scans()
ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
PAGE_NS = "{http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15}"


def stored(project: Path) -> list[tuple[str, Page, list[Word]]]:
    """(document name, page, its words in reading order) for every page of the project."""
    with Project(project) as store:
        return [(doc.name, page, store.words(page.id)) for doc in store.documents() for page in store.pages(doc.id)]


def file_tree(path: Path) -> etree._Element:
    # The test's own reading of the file, with no more trust than the import gives it.
    return etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)).getroot()


def no_tesseract(tmp_path: Path) -> str:
    (tmp_path / "bin").mkdir(exist_ok=True)
    return str(tmp_path / "bin")


def page_image(path: Path, size: tuple[int, int], dpi: float | None = 300, shade: int = 255) -> Path:
    path.write_bytes(png_bytes(Image.new("L", size, shade), (dpi, dpi) if dpi else None))
    return path


def alto(pages: list[tuple[float, float, list[tuple[str, float, float, float, float]]]], unit: str = "pixel",
         image: str | None = None, doctype: str = "") -> str:
    """An ALTO 4 file: per page its WIDTH, HEIGHT and its strings (CONTENT, HPOS, VPOS, WIDTH, HEIGHT), one line each."""
    source = f"<sourceImageInformation><fileName>{image}</fileName></sourceImageInformation>" if image else ""
    body = ""
    for n, (width, height, strings) in enumerate(pages, 1):
        words = "".join(f'<String CONTENT="{t}" HPOS="{x}" VPOS="{y}" WIDTH="{w}" HEIGHT="{h}" WC="0.5"/>'
                        for t, x, y, w, h in strings)
        body += (f'<Page ID="p{n}" PHYSICAL_IMG_NR="{n}" WIDTH="{width}" HEIGHT="{height}"><PrintSpace>'
                 f'<TextBlock ID="b{n}"><TextLine ID="l{n}">{words}</TextLine></TextBlock></PrintSpace></Page>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<alto xmlns="{ALTO_NS}"><Description>'
            f"<MeasurementUnit>{unit}</MeasurementUnit>{source}</Description><Layout>{body}</Layout></alto>")


# -- real files ------------------------------------------------------------------------------------


def test_hocr_truth_files_come_in_with_their_images_and_without_tesseract(tmp_path: Path) -> None:
    files = [REAL / "scribe" / "deposition_01.truth.hocr", REAL / "scribe" / "multicol_01.truth.hocr"]
    run = run_scanspan(["import", *files, "-p", "p.scanspan"], tmp_path, path=no_tesseract(tmp_path))
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.splitlines()[0] == (f"{files[0]}: imported as document 1, 1 page "
                                       "(words from hOCR file deposition_01.truth.hocr made by scribeocr)")
    pages = stored(tmp_path / "p.scanspan")
    assert [name for name, _, _ in pages] == ["deposition_01.png", "multicol_01.png"]
    with Project(tmp_path / "p.scanspan") as store:
        doc = store.documents()[0]
        assert doc.source_sha256 == hashlib.sha256((REAL / "scribe" / "deposition_01.png").read_bytes()).hexdigest()
    for file, (_, page, words) in zip(files, pages, strict=True):
        truth = [e for e in file_tree(file).iter() if "ocrx_word" in (e.get("class") or "").split()
                 and "".join(e.itertext()).strip()]
        assert len(words) == len(truth)
        with Image.open(file.with_name(file.name.split(".")[0] + ".png")) as image:
            assert (page.width, page.height) == image.size
        assert page.provenance.words_source == f"words from hOCR file {file.name} made by scribeocr"
        for i in (0, 1, len(truth) // 2, len(truth) - 1):
            title = truth[i].get("title")
            bbox = tuple(float(v) for v in re.search(r"bbox (\d+ \d+ \d+ \d+)", title).group(1).split())
            assert (words[i].text, words[i].box) == ("".join(truth[i].itertext()), bbox)
            assert words[i].conf == float(re.search(r"x_wconf (\d+)", title).group(1))
    # `list` counts these pages as read from a file, not as OCRed here.
    listed = json.loads(run_scanspan(["list", "-p", "p.scanspan", "--json"], tmp_path).out)
    assert [row["ocr"] for row in listed] == [{"ocr": 0, "text_layer": 0, "words_file": 1}] * 2
    header, line, _ = run_scanspan(["list", "-p", "p.scanspan"], tmp_path).out.splitlines()
    assert {k: v for k, v in zip(header.split(), line.split()) if k in ("ocr", "text", "file")} == {
        "ocr": "0", "text": "0", "file": "1"}


def test_page_and_alto_of_the_same_real_page_give_its_words_lines_and_order(tmp_path: Path) -> None:
    folder = REAL / "ocrd-kant-1784"
    # PAGE alone: it names OCR-D-IMG/INPUT_0020.tif, a folder the archive's copy no longer has; the
    # image lies beside the file.
    page_run = run_scanspan(["import", folder / "PAGE_0020_PAGE.xml", "-p", "page.scanspan"], tmp_path,
                            path=no_tesseract(tmp_path))
    assert page_run.code == 0, page_run.err
    alto_run = run_scanspan(["import", folder / "INPUT_0020.tif", "--words", folder / "PAGE_0020_ALTO.xml",
                             "-p", "alto.scanspan"], tmp_path, path=no_tesseract(tmp_path))
    assert alto_run.code == 0, alto_run.err
    ((name, page, from_page),) = stored(tmp_path / "page.scanspan")
    ((_, alto_page, from_alto),) = stored(tmp_path / "alto.scanspan")
    assert name == "INPUT_0020.tif" and (page.width, page.height) == (1457, 2084)
    assert page.provenance.words_source == "words from PAGE 2019 file PAGE_0020_PAGE.xml made by OCR-D"
    assert alto_page.provenance.words_source == "words from ALTO v2 file PAGE_0020_ALTO.xml"

    root = file_tree(folder / "PAGE_0020_PAGE.xml")
    truth = list(root.iter(f"{PAGE_NS}Word"))
    assert len(from_page) == len(truth) == 258
    for i in (0, 3, 100, 257):
        text = truth[i].find(f"{PAGE_NS}TextEquiv/{PAGE_NS}Unicode").text
        points = [tuple(map(float, p.split(","))) for p in truth[i].find(f"{PAGE_NS}Coords").get("points").split()]
        box = (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points))
        assert (from_page[i].text, from_page[i].box) == (text, box)
    # One line of the file is one line of the page, in the file's order.
    lines = list(root.iter(f"{PAGE_NS}TextLine"))
    assert len({(w.block, w.par, w.line) for w in from_page}) == len(lines)
    second = [w.find(f"{PAGE_NS}TextEquiv/{PAGE_NS}Unicode").text for w in lines[1].iter(f"{PAGE_NS}Word")]
    assert [w.text for w in from_page if w.line == from_page[3].line] == second

    strings = [s for s in file_tree(folder / "PAGE_0020_ALTO.xml").iter() if s.tag.endswith("}String")]
    assert len(from_alto) == len(strings) == 258
    for i in (0, 3, 200):
        s = strings[i]
        x, y, w, h = (float(s.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
        assert (from_alto[i].text, from_alto[i].box) == (s.get("CONTENT"), (x, y, x + w, y + h))
    assert [w.text for w in from_alto] == [w.text for w in from_page]


# -- units and pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("unit", "per_inch"), [("pixel", 300.0), ("mm10", 254.0), ("inch1200", 1200.0)])
def test_alto_boxes_in_its_units_come_in_as_image_pixels(tmp_path: Path, unit: str, per_inch: float) -> None:
    page_image(tmp_path / "page.png", (600, 300), dpi=300)
    u = per_inch / 300  # file units per pixel
    words = [("Dear", 60 * u, 30 * u, 90 * u, 30 * u), ("Sir,", 165 * u, 30 * u, 75 * u, 30 * u)]
    (tmp_path / "page.xml").write_text(alto([(600 * u, 300 * u, words)], unit, "page.png"))
    run = run_scanspan(["import", "page.xml", "-p", "p.scanspan"], tmp_path, path=no_tesseract(tmp_path))
    assert run.code == 0, run.err
    ((_, page, stored_words),) = stored(tmp_path / "p.scanspan")
    assert [(w.text, tuple(round(v, 6) for v in w.box), w.conf) for w in stored_words] == [
        ("Dear", (60, 30, 150, 60), 50.0), ("Sir,", (165, 30, 240, 60), 50.0)]


def test_a_page_of_another_size_or_without_a_resolution_is_refused_in_one_line(tmp_path: Path) -> None:
    page_image(tmp_path / "page.png", (600, 300), dpi=300)
    page_image(tmp_path / "untagged.png", (600, 300), dpi=None, shade=250)
    # 1 x 0.5 inch in the file; the image is 2 x 1 inch.
    (tmp_path / "small.xml").write_text(alto([(254, 127, [("Dear", 10, 10, 50, 20)])], "mm10", "page.png"))
    (tmp_path / "no-dpi.xml").write_text(alto([(508, 254, [("Dear", 10, 10, 50, 20)])], "mm10", "untagged.png"))
    run = run_scanspan(["import", "small.xml", "no-dpi.xml", "-p", "p.scanspan"], tmp_path, path=no_tesseract(tmp_path))
    assert run.code == 1
    assert run.err_lines == [
        "error: small.xml: its page is 300 x 150 pixels (254 x 127 mm10), but page.png is 600 x 300; not imported",
        "error: no-dpi.xml: its boxes are in mm10, and untagged.png has no resolution to convert them to pixels with",
    ]
    assert not (tmp_path / "p.scanspan").exists()


def test_pages_of_a_multi_page_file_go_to_the_image_pages_in_order(tmp_path: Path) -> None:
    frames = [Image.new("L", (400, 200), 255), Image.new("L", (400, 200), 240)]
    (tmp_path / "letter.tif").write_bytes(tiff_bytes(frames, (200, 200)))
    (tmp_path / "words.xml").write_text(alto([(400, 200, [("first", 10, 10, 40, 20)]),
                                              (400, 200, [("second", 20, 30, 60, 20), ("page", 90, 30, 40, 20)])]))
    (tmp_path / "three.xml").write_text(alto([(400, 200, [])] * 3))
    run = run_scanspan(["import", "letter.tif", "--words", "words.xml", "-p", "p.scanspan"], tmp_path,
                       path=no_tesseract(tmp_path))
    assert run.code == 0, run.err
    pages = stored(tmp_path / "p.scanspan")
    assert [(p.number, [(w.text, w.box) for w in words]) for _, p, words in pages] == [
        (1, [("first", (10, 10, 50, 30))]), (2, [("second", (20, 30, 80, 50)), ("page", (90, 30, 130, 50))])]
    again = run_scanspan(["import", "letter.tif", "--words", "three.xml", "-p", "q.scanspan"], tmp_path)
    assert again.err_lines == ["error: letter.tif: three.xml: 3 pages, but letter.tif has 2 pages; "
                               "its pages are matched in order"]


def test_a_multi_page_hocr_file_maps_its_pages_in_order(tmp_path: Path) -> None:
    frames = [Image.new("L", (400, 200), 255), Image.new("L", (400, 200), 230)]
    (tmp_path / "fax.tif").write_bytes(tiff_bytes(frames, (200, 200)))
    pages = "".join(
        f"<div class='ocr_page' title='image \"fax.tif\"; bbox 0 0 400 200; ppageno {n}'>"
        f"<span class='ocr_line' title='bbox 10 10 200 40'><span class='ocrx_word' title='bbox 10 10 90 40; x_wconf 87'>"
        f"<strong>{word}</strong></span></span></div>"
        for n, word in enumerate(["Page", "Two"]))
    (tmp_path / "fax.hocr").write_text(
        f'<html xmlns="http://www.w3.org/1999/xhtml"><head><meta name="ocr-system" content="tesseract 5.3.0"/></head>'
        f"<body>{pages}</body></html>")
    run = run_scanspan(["import", "fax.hocr", "-p", "p.scanspan"], tmp_path, path=no_tesseract(tmp_path))
    assert run.code == 0, run.err
    assert [[(w.text, w.box, w.conf) for w in words] for _, _, words in stored(tmp_path / "p.scanspan")] == [
        [("Page", (10, 10, 90, 40), 87.0)], [("Two", (10, 10, 90, 40), 87.0)]]


# -- hostile and broken files ----------------------------------------------------------------------


def test_hostile_and_broken_files_fail_alone_each_in_one_line(tmp_path: Path) -> None:
    words = [("Dear", 10, 10, 50, 20)]
    for n in range(8):
        page_image(tmp_path / f"p{n}.png", (600, 300), shade=255 - n)
    laughs = ('<!DOCTYPE alto [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    (tmp_path / "laughs.xml").write_text(alto([(600, 300, [("&lol3;", 10, 10, 50, 20)])], image="p0.png",
                                              doctype=laughs))
    secret = tmp_path / "secret.txt"
    secret.write_text("LEAKED")
    (tmp_path / "entity.xml").write_text(alto([(600, 300, [("&secret;", 10, 10, 50, 20)])], image="p1.png",
                                              doctype=f'<!DOCTYPE alto [<!ENTITY secret SYSTEM "file://{secret}">]>'))
    (tmp_path / "evil.dtd").write_text('<!ENTITY secret "LEAKED">')
    (tmp_path / "dtd.xml").write_text(alto([(600, 300, [("&secret;", 10, 10, 50, 20)])], image="p2.png",
                                           doctype='<!DOCTYPE alto SYSTEM "evil.dtd">'))
    (tmp_path / "outside.xml").write_text(alto([(600, 300, [("Dear", 10, 10, 50, 20), ("far", 580, 10, 400, 20)])],
                                               image="p3.png"))
    (tmp_path / "missing.xml").write_text(alto([(600, 300, words)], image="gone.png"))
    (tmp_path / "cut.xml").write_text(alto([(600, 300, words)], image="p4.png")[:200])
    (tmp_path / "other.xml").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "notes.txt").write_text("<b>notes</b> to self <i>")
    (tmp_path / "good.xml").write_text(alto([(600, 300, words)], image="p5.png"))
    bad = ["laughs.xml", "entity.xml", "dtd.xml", "outside.xml", "missing.xml", "cut.xml", "other.xml", "notes.txt"]
    run = run_scanspan(["import", *bad, "good.xml", "-p", "p.scanspan"], tmp_path, path=no_tesseract(tmp_path))
    assert run.code == 1
    assert len(run.err_lines) == len(bad)
    assert [line.split(":")[1].strip() for line in run.err_lines] == bad
    errors = dict(zip(bad, run.err_lines, strict=True))
    assert errors["laughs.xml"] == "error: laughs.xml: declares XML entities in its DOCTYPE; such files are not read"
    assert "external entity" in errors["entity.xml"]
    assert errors["dtd.xml"] == "error: dtd.xml: uses the entity &secret; that only a DTD could define; DTDs are not read"
    assert errors["outside.xml"] == ("error: outside.xml: the box of word 'far' (580, 10, 980, 30) lies outside "
                                     "the 600 x 300 page; not imported")
    assert errors["missing.xml"] == f"error: missing.xml: its image gone.png was not found (looked in {tmp_path})"
    assert errors["cut.xml"].startswith("error: cut.xml: not well-formed XML (")
    assert errors["other.xml"] == ("error: other.xml: an XML file, but not hOCR, ALTO or PAGE "
                                   "(its root element is <svg>)")
    assert errors["notes.txt"].startswith("error: notes.txt: not a PDF, TIFF, PNG or JPEG file, nor an hOCR, ALTO or "
                                          "PAGE file (malformed markup: ")
    assert run.out.splitlines() == ["good.xml: imported as document 1, 1 page (words from ALTO v4 file good.xml)"]
    ((name, _, stored_words),) = stored(tmp_path / "p.scanspan")
    assert name == "p5.png" and [w.text for w in stored_words] == ["Dear"]
    assert b"LEAKED" not in (tmp_path / "p.scanspan").read_bytes()


def test_a_100_mb_attribute_fails_in_the_parser_without_taking_memory(tmp_path: Path) -> None:
    page_image(tmp_path / "page.png", (600, 300))
    head, tail = alto([(600, 300, [("HUGE", 10, 10, 50, 20)])], image="page.png").split("HUGE")
    with open(tmp_path / "huge.xml", "w") as out:
        out.write(head)
        for _ in range(100):
            out.write("x" * 1_000_000)
        out.write(tail)
    run, peak_kb = run_bounded(["import", "huge.xml", "-p", "p.scanspan"], tmp_path)
    assert run.code == 1
    assert len(run.err_lines) == 1
    assert run.err_lines[0].startswith("error: huge.xml: not well-formed XML (")
    assert "limit" in run.err_lines[0]
    # The file itself is read whole (100 MB); libxml2 stops at 10 MB of one value rather than building it.
    assert peak_kb < 350 * 1024


def test_page_lines_without_words_glyphs_alto_hyphens_and_html_hocr(tmp_path: Path) -> None:
    page_image(tmp_path / "lines.png", (600, 300))
    page_image(tmp_path / "hyphen.png", (600, 300), shade=250)
    page_image(tmp_path / "tess.png", (600, 300), shade=245)
    ns = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15"
    (tmp_path / "lines.xml").write_text(
        f'<PcGts xmlns="{ns}"><Metadata><Creator>Transkribus</Creator></Metadata>'
        '<Page imageFilename="lines.png" imageWidth="600" imageHeight="300">'
        '<ReadingOrder><OrderedGroup id="g"><RegionRefIndexed index="1" regionRef="r2"/>'
        '<RegionRefIndexed index="0" regionRef="r1"/></OrderedGroup></ReadingOrder>'
        '<TextRegion id="r2"><Coords points="0,0 600,0 600,60 0,60"/><TextLine id="l2">'
        '<Coords points="0,10 270,10 270,40 0,40"/>'
        '<TextEquiv conf="0.8"><Unicode>Dear  Sir,</Unicode></TextEquiv></TextLine></TextRegion>'
        '<TextRegion id="r1"><Coords points="0,200 600,200 600,260 0,260"/><TextLine id="l1">'
        '<Coords points="10,200 300,200 300,240 10,240"/>'
        '<Word id="w1"><Coords points="10,200 100,200 100,240 10,240"/>'
        '<Glyph id="g1"><Coords points="10,200 50,200 50,240 10,240"/><TextEquiv><Unicode>N</Unicode></TextEquiv></Glyph>'
        '<Glyph id="g2"><Coords points="50,200 100,200 100,240 50,240"/><TextEquiv><Unicode>o</Unicode></TextEquiv></Glyph>'
        '</Word></TextLine></TextRegion>'
        '</Page></PcGts>')
    (tmp_path / "hyphen.xml").write_text(alto([(600, 300, [("con", 10, 10, 50, 20)])], image="hyphen.png").replace(
        "</TextLine>", '<HYP CONTENT="-"/></TextLine>'))
    (tmp_path / "tess.hocr").write_text(
        "<!DOCTYPE html><html><head><meta name='ocr-system' content='tesseract 5.3.0'><title></title></head><body>"
        "<div class='ocr_page' title='image \"tess.png\"; bbox 0 0 600 300'><p class='ocr_par'>"
        "<span class='ocr_line' title='bbox 10 10 200 40'><span class='ocrx_word' title='bbox 10 10 90 40; x_wconf 77'>"
        "AT&amp;T&nbsp;</span><br></span></p></div></body></html>")
    run = run_scanspan(["import", "lines.xml", "hyphen.xml", "tess.hocr", "-p", "p.scanspan"], tmp_path,
                       path=no_tesseract(tmp_path))
    assert run.code == 0, run.err
    (lines, hyphen, tess) = stored(tmp_path / "p.scanspan")
    # The ReadingOrder puts r1, at the foot of the page and second in the file, first; a line's text
    # shares out the line's box by its characters.
    assert [(w.text, w.box, w.conf, w.line) for w in lines[2]] == [
        ("No", (10, 200, 100, 240), 100.0, 0), ("Dear", (0, 10, 120, 40), 80.0, 1),
        ("Sir,", (150, 10, 270, 40), 80.0, 1)]
    assert lines[1].provenance.words_source == "words from PAGE 2013 file lines.xml made by Transkribus"
    assert [w.text for w in hyphen[2]] == ["con-"]
    assert [(w.text, w.box, w.conf) for w in tess[2]] == [("AT&T", (10, 10, 90, 40), 77.0)]
    assert tess[1].provenance.words_source == "words from hOCR file tess.hocr made by tesseract 5.3.0"
    # Reordering the project leaves the file's own order alone.
    reorder = run_scanspan(["reorder", "-p", "p.scanspan"], tmp_path)
    assert reorder.code == 0, reorder.err
    assert [w.text for w in stored(tmp_path / "p.scanspan")[0][2]] == ["No", "Dear", "Sir,"]


def test_a_merged_project_keeps_where_the_words_came_from(tmp_path: Path) -> None:
    page_image(tmp_path / "page.png", (600, 300))
    (tmp_path / "page.xml").write_text(alto([(600, 300, [("Dear", 10, 10, 50, 20)])], image="page.png"))
    assert run_scanspan(["import", "page.xml", "-p", "theirs.scanspan"], tmp_path, path=no_tesseract(tmp_path)).code == 0
    page_image(tmp_path / "other.png", (600, 300), shade=240)
    (tmp_path / "other.xml").write_text(alto([(600, 300, [("Sir", 10, 10, 50, 20)])], image="other.png"))
    assert run_scanspan(["import", "other.xml", "-p", "ours.scanspan"], tmp_path, path=no_tesseract(tmp_path)).code == 0
    merged = run_scanspan(["merge", "theirs.scanspan", "-p", "ours.scanspan"], tmp_path)
    assert merged.code == 0, merged.err
    assert [(name, page.provenance.words_source) for name, page, _ in stored(tmp_path / "ours.scanspan")] == [
        ("other.png", "words from ALTO v4 file other.xml"), ("page.png", "words from ALTO v4 file page.xml")]


def test_the_jsonl_export_says_where_each_pages_words_came_from(tmp_path: Path) -> None:
    page_image(tmp_path / "page.png", (600, 300))
    (tmp_path / "page.xml").write_text(alto([(600, 300, [("Dear", 10, 10, 50, 20)])], image="page.png"))
    assert run_scanspan(["import", "page.xml", "-p", "p.scanspan"], tmp_path, path=no_tesseract(tmp_path)).code == 0
    exported = run_scanspan(["export", "-p", "p.scanspan", "-f", "jsonl", "-o", "out.jsonl"], tmp_path)
    assert exported.code == 0, exported.err
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [page["ocr"]["words_source"] for page in record["pages"]] == ["words from ALTO v4 file page.xml"]
