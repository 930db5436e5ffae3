"""PAGE-XML 2019, one file per page: corrected text first and OCR second, spans the way Transkribus writes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from ..records import Box
from .base import ExportReport
from .pagelayout import PageLayout, SpanPart, confidence, xml_clean, xml_safe

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} {NS}/pagecontent.xsd"
GRAPHIC_TYPES = ("logo", "letterhead", "decoration", "frame", "handwritten-annotation", "stamp", "signature",
                 "barcode", "paper-grow", "punch-hole")
"""PAGE's own kinds of graphic region; a region labelled otherwise is "other", its label in `custom`."""


def custom_name(label: str) -> str:
    """A label as a tag name of Transkribus's custom attribute: characters other than letters, digits, _ and -
    written as \\uXXXX, the escape Transkribus uses in its values, so "cc list" reads back as itself."""
    return re.sub(r"[^\w-]", lambda m: f"\\u{ord(m.group()):04x}", label, flags=re.ASCII)


def _custom_value(text: str) -> str:
    return re.sub(r"[\\;{}:\x00-\x1f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _e(parent: etree._Element, name: str, /, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{name}", attributes)


def _coords(parent: etree._Element, box: Box) -> None:
    x0, y0, x1, y1 = (max(0, round(v)) for v in box)
    _e(parent, "Coords", points=f"{x0},{y0} {x1},{y0} {x1},{y1} {x0},{y1}")


def _text(parent: etree._Element, text: str, index: int | None = None, conf: float | None = None,
          comments: str = "") -> None:
    attributes = {}
    if index is not None:
        attributes["index"] = str(index)
    if conf is not None:
        attributes["conf"] = f"{conf:.2f}"
    if comments:
        attributes["comments"] = comments
    _e(_e(parent, "TextEquiv", **attributes), "Unicode").text = text


def span_custom(parts: list[SpanPart]) -> str:
    """Transkribus's `custom` value for a line's spans: `agency {offset:12; length:21;}`, continued ones marked."""
    entries = []
    for part in parts:
        fields = f"offset:{part.offset}; length:{part.length};"
        if part.continued:
            fields += " continued:true;"
        fields += f" id:span{part.span.span.id};"
        if part.span.span.note:
            fields += f" note:{_custom_value(part.span.span.note)};"
        entries.append(f"{custom_name(part.span.span.label)} {{{fields}}}")
    return " ".join(entries)


def _relations(page: etree._Element, layout: PageLayout) -> None:
    """PAGE's Relations: a link from one region to another of the page, its label in `custom` as Transkribus has it."""
    if not layout.relations:
        return
    relations = _e(page, "Relations")
    for r in layout.relations:
        relation = _e(relations, "Relation", id=f"relation{r.id}", type="link",
                      custom=f"relation {{type:{_custom_value(r.label)};}}")
        if r.note:
            relation.set("comments", xml_clean(r.note))
        _e(relation, "SourceRegionRef", regionRef=f"region{r.from_id}")
        _e(relation, "TargetRegionRef", regionRef=f"region{r.to_id}")


def write_page(layout: PageLayout, image: str, report: ExportReport) -> bytes:
    """The page as a PAGE 2019 document; coordinates in the image's pixels."""
    root = etree.Element(f"{{{NS}}}PcGts", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = _e(root, "Metadata")
    _e(metadata, "Creator").text = "Scanspan"
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    _e(metadata, "Created").text = now
    _e(metadata, "LastChange").text = now
    provenance = layout.page.provenance
    _e(metadata, "Comments").text = (f"words from {provenance.engine} {provenance.engine_version}, "
                                     f"corrected in Scanspan; TextEquiv index 0 is the corrected text, "
                                     f"index 1 (where a word was corrected) what the engine read")
    page = _e(root, "Page", imageFilename=image, imageWidth=str(layout.page.width),
              imageHeight=str(layout.page.height))
    if layout.blocks:
        order = _e(_e(page, "ReadingOrder"), "OrderedGroup", id="order", caption="reading order")
        for n in range(len(layout.blocks)):
            _e(order, "RegionRefIndexed", index=str(n), regionRef=f"block{n + 1}")
    _relations(page, layout)  # after the reading order, before every region (the schema's order)
    line_no = 0
    for b, block in enumerate(layout.blocks, start=1):
        region = _e(page, "TextRegion", id=f"block{b}", type="paragraph", custom=f"readingOrder {{index:{b - 1};}}")
        _coords(region, block.box)
        for r, line in enumerate(block.lines):
            line_no += 1
            custom = f"readingOrder {{index:{r};}}"
            if line.parts:
                custom += " " + span_custom(line.parts)
            line_element = _e(region, "TextLine", id=f"line{line_no}", custom=custom)
            _coords(line_element, line.box)
            for k, word in enumerate(line.words):
                word_element = _e(line_element, "Word", id=f"word{word.id}", custom=f"readingOrder {{index:{k};}}")
                _coords(word_element, word.box)
                text = xml_safe(word.text, report)
                if word.corrected:
                    _text(word_element, text, index=0, comments="corrected")
                    _text(word_element, xml_safe(word.ocr_text, report), index=1, conf=confidence(word),
                          comments="original OCR")
                else:
                    _text(word_element, text, conf=confidence(word))
            _text(line_element, xml_clean(line.text))  # its words' texts, counted there
        _text(region, xml_clean("\n".join(line.text for line in block.lines)))
    for g in layout.regions:
        kind = g.label if g.label in GRAPHIC_TYPES else "other"
        custom = f"structure {{type:{_custom_value(g.label)};}}"
        if g.text:
            custom += f" transcription {{text:{_custom_value(g.text)};}}"
        graphic = _e(page, "GraphicRegion", id=f"region{g.id}", type=kind, custom=custom)
        if g.note:
            graphic.set("comments", xml_safe(g.note, report))
        _coords(graphic, g.box)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
