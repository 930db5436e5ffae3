"""Annotations in from other tools' PAGE and ALTO files: Transkribus's tags in a line's custom attribute, ALTO tags
named by their TYPE, and what is layout or type style rather than an annotation left out."""

from __future__ import annotations

from pathlib import Path

from helpers import png_bytes, real_scans, run_bounded, run_scanspan
from PIL import Image

from annotations.store import Project, default_labels

PAGE_2013 = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15"
ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"


def annotations(project: Path) -> tuple[list[tuple[str, str]], list[tuple[str, tuple[float, ...]]], list[str]]:
    """(label, text) of the spans, (label, box) of the regions and the labels the import added to a new project's."""
    with Project(project, read_only=True) as store:
        (doc,) = store.documents()
        text = store.document_text(doc.id)
        spans = [(s.label, " ".join(text.resolve(s).text.split())) for s in store.spans(doc.id)]
        assert all(s.annotator == "import" and not s.suggested for s in store.spans(doc.id))
        regions = [(g.label, g.box) for g in store.regions(doc.id)]
        defaults = {label.name for label in default_labels()}
        return sorted(spans), regions, sorted(label.name for label in store.labels() if label.name not in defaults)


def line(n: int, text: str, custom: str, y: int) -> str:
    return (f'<TextLine id="l{n}" custom="{custom}"><Coords points="50,{y} 950,{y} 950,{y + 40} 50,{y + 40}"/>'
            f"<Baseline points=\"50,{y + 35} 950,{y + 35}\"/><TextEquiv><Unicode>{text}</Unicode></TextEquiv></TextLine>")


def transkribus_page(image: str) -> str:
    """A line-level PAGE 2013 file as Transkribus writes one: tags as offsets into each line's text, a tag
    over a line break marked continued on both of its parts, type style and structure beside them."""
    lines = [
        line(1, "Brief an den Rath der", "readingOrder {index:0;} textStyle {offset:0; length:5;bold:true;} "
             "organization {offset:13; length:8;continued:true;}", 100),
        line(2, "Stadt Königsberg vom", "readingOrder {index:1;} organization {offset:0; length:16;continued:true;} "
             "place {offset:6; length:10;}", 160),
        line(3, "Hr. Kant den 5. Dec.", "readingOrder {index:2;} abbrev {offset:0; length:3;expansion:Herr;} "
             "person {offset:4; length:4;} date {offset:13; length:7;}", 220),
        line(4, "Ihr ergebener Diener", "readingOrder {index:3;}", 280),
    ]
    return (f'<?xml version="1.0" encoding="UTF-8"?><PcGts xmlns="{PAGE_2013}"><Metadata><Creator>prov=University of '
            "Innsbruck:name=Transkribus</Creator><Created>2024-01-01T00:00:00</Created>"
            "<LastChange>2024-01-01T00:00:00</LastChange></Metadata>"
            f'<Page imageFilename="{image}" imageWidth="1000" imageHeight="600">'
            '<ReadingOrder><OrderedGroup id="ro" caption="Regions reading order">'
            '<RegionRefIndexed index="0" regionRef="r1"/></OrderedGroup></ReadingOrder>'
            '<TextRegion id="r1" custom="readingOrder {index:0;} structure {type:paragraph;}">'
            '<Coords points="40,90 960,90 960,330 40,330"/>' + "".join(lines) + "</TextRegion>"
            '<GraphicRegion id="g1" type="stamp"><Coords points="600,400 900,400 900,560 600,560"/></GraphicRegion>'
            '<GraphicRegion id="g2" type="other"><Coords points="10,10 30,10 30,30 10,30"/></GraphicRegion>'
            "</Page></PcGts>")


def test_transkribus_tags_come_in_as_spans_and_a_stamp_as_a_region(tmp_path: Path) -> None:
    (tmp_path / "brief.png").write_bytes(png_bytes(Image.new("L", (1000, 600), 255), (300, 300)))
    (tmp_path / "brief.xml").write_text(transkribus_page("brief.png"), encoding="utf-8")
    run = run_scanspan(["import", tmp_path / "brief.xml", "-p", tmp_path / "p.scanspan"], tmp_path)
    assert run.code == 0, run.err
    assert "5 spans and 1 region from the file, stored as analyst 'import')" in run.out
    spans, regions, labels = annotations(tmp_path / "p.scanspan")
    assert spans == [("abbrev", "Hr."), ("date", "5. Dec."), ("organization", "Rath der Stadt Königsberg"),
                     ("person", "Kant"), ("place", "Königsberg")]
    assert regions == [("stamp", (600.0, 400.0, 900.0, 560.0))]
    # Type style, reading order and a region's structure type are not annotations: no label for them.
    assert labels == ["abbrev", "date", "organization", "person", "place", "stamp"]  # "signature" is there already


def test_a_real_transkribus_file_with_only_type_style_brings_no_spans(tmp_path: Path) -> None:
    page = real_scans() / "ocrd-kant-1784" / "PAGE_0020_PAGE.xml"
    run = run_scanspan(["import", page, "-p", tmp_path / "p.scanspan"], tmp_path)
    assert run.code == 0, run.err
    assert annotations(tmp_path / "p.scanspan") == ([], [], [])


def test_alto_tags_of_another_tool_are_labelled_by_their_type_one_span_a_mention(tmp_path: Path) -> None:
    strings = [("Herr", None, ""), ("Immanuel", "t1", ""), ("Kant", "t1", ""), ("an", None, ""),
               ("Kant", "t1", "Kaut"), ("in", None, ""), ("Berlin", "t2", "")]
    body = ""
    for k, (word, ref, other) in enumerate(strings):
        refs = f' TAGREFS="{ref}"' if ref else ""
        alternative = f"<ALTERNATIVE>{other}</ALTERNATIVE>" if other else ""
        body += (f'<String CONTENT="{word}" HPOS="{20 + 100 * k}" VPOS="50" WIDTH="90" HEIGHT="30"{refs}>'
                 f"{alternative}</String>")
    (tmp_path / "a.png").write_bytes(png_bytes(Image.new("L", (800, 200), 255), (300, 300)))
    (tmp_path / "a.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><alto xmlns="{ALTO_NS}"><Description>'
        "<MeasurementUnit>pixel</MeasurementUnit><sourceImageInformation><fileName>a.png</fileName>"
        "</sourceImageInformation></Description><Tags>"
        '<NamedEntityTag ID="t1" TYPE="Person" LABEL="Kant, Immanuel"/><NamedEntityTag ID="t2" TYPE="Location" '
        'LABEL="Berlin"/></Tags><Layout><Page ID="p1" WIDTH="800" HEIGHT="200"><PrintSpace><TextBlock ID="b1">'
        f'<TextLine ID="l1">{body}</TextLine></TextBlock></PrintSpace></Page></Layout></alto>', encoding="utf-8")
    run = run_scanspan(["import", tmp_path / "a.xml", "-p", tmp_path / "p.scanspan"], tmp_path)
    assert run.code == 0, run.err
    spans, regions, labels = annotations(tmp_path / "p.scanspan")
    assert spans == [("Location", "Berlin"), ("Person", "Immanuel Kant"), ("Person", "Kant")]
    assert labels == ["Location", "Person"]
    with Project(tmp_path / "p.scanspan", read_only=True) as store:
        (page,) = store.pages(1)
        # An ALTERNATIVE that does not say it is the original OCR is another reading, not what the engine read.
        assert [w.ocr_text for w in store.words(page.id)] == [w for w, _, _ in strings]


def test_a_folder_of_words_files_imports_the_images_they_name_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    (tmp_path / "pages").mkdir()
    (tmp_path / "scans" / "brief.png").write_bytes(png_bytes(Image.new("L", (1000, 600), 255), (300, 300)))
    (tmp_path / "pages" / "brief.xml").write_text(transkribus_page("../scans/brief.png"), encoding="utf-8")
    (tmp_path / "bin").mkdir()
    run = run_scanspan(["import", tmp_path / "pages", "-p", tmp_path / "p.scanspan"], tmp_path,
                       path=str(tmp_path / "bin"))
    assert run.code == 0, run.err
    assert "1 file: 1 imported" in run.out
    spans, regions, _ = annotations(tmp_path / "p.scanspan")
    assert len(spans) == 5 and len(regions) == 1


def test_a_line_of_a_quarter_million_tags_fails_alone_in_one_line_within_bounds(tmp_path: Path) -> None:
    words = " ".join(f"w{k}" for k in range(400))
    tags = "x {offset:0; length:2; continued:true;} " * 250_000  # 10 MB would be refused by the parser itself
    (tmp_path / "a.png").write_bytes(png_bytes(Image.new("L", (1000, 600), 255), (300, 300)))
    page = transkribus_page("a.png").replace("Brief an den Rath der", words)
    start = page.index('custom="readingOrder {index:0;} textStyle')
    end = page.index('"', start + len('custom="'))
    (tmp_path / "a.xml").write_text(page[:start] + f'custom="{tags}' + page[end:], encoding="utf-8")
    (tmp_path / "b.png").write_bytes(png_bytes(Image.new("L", (1000, 600), 250), (300, 300)))
    (tmp_path / "b.xml").write_text(transkribus_page("b.png"), encoding="utf-8")
    run, peak_kb = run_bounded(["import", tmp_path / "a.xml", tmp_path / "b.xml", "-p", tmp_path / "p.scanspan"],
                               tmp_path, timeout=120)
    assert run.code == 1
    assert run.err_lines == [f"error: {tmp_path / 'a.xml'}: a.png: page 1 brings 250006 spans and regions, more than "
                               "the 100000 a page's file may bring; not imported"]
    assert "b.xml: imported as document 1" in run.out
    assert peak_kb < 400_000, peak_kb
