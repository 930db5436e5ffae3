"""ALTO 4.4, one file per page: corrected words with their OCR as ALTERNATIVE, spans as tags, regions as illustrations."""

from __future__ import annotations

from lxml import etree

from ..records import Box
from .base import ExportReport
from .pagelayout import PageLayout, confidence, xml_safe

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XLINK = "http://www.w3.org/1999/xlink"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/alto/v4/alto-4-4.xsd"
WIDENED = "spans widened to whole words (an ALTO tag marks whole String elements)"
NOTES = "region notes (an ALTO Illustration has no place for one; jsonl carries them)"


def tag_element(label: str, layers: dict[str, str]) -> str:
    """The ALTO tag a label's spans and regions become, the one place that decides it: a StructureTag
    for a label of the structure layer (letter parts: salutation, body, closing), else a NamedEntityTag
    (agency, person, figure, ...), which every label is where labels have no layer."""
    return "StructureTag" if layers.get(label) == "structure" else "NamedEntityTag"


def _e(parent: etree._Element, name: str, /, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{name}", attributes)


def _position(box: Box) -> dict[str, str]:
    x0, y0, x1, y1 = (round(v) for v in box)
    return {"HPOS": str(x0), "VPOS": str(y0), "WIDTH": str(max(0, x1 - x0)), "HEIGHT": str(max(0, y1 - y0))}


def write_page(layout: PageLayout, image: str, report: ExportReport) -> bytes:
    """The page as an ALTO 4.4 document, coordinates in the image's pixels (MeasurementUnit pixel)."""
    root = etree.Element(f"{{{NS}}}alto", nsmap={None: NS, "xlink": XLINK, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    root.set("SCHEMAVERSION", "4.4")
    description = _e(root, "Description")
    _e(description, "MeasurementUnit").text = "pixel"
    source = _e(description, "sourceImageInformation")
    _e(source, "fileName").text = image
    processing = _e(description, "OCRProcessing", ID="ocr")
    step = _e(processing, "ocrProcessingStep")
    provenance = layout.page.provenance
    _e(step, "processingStepSettings").text = f"lang {provenance.lang}; dpi {provenance.dpi:g}"
    software = _e(step, "processingSoftware")
    _e(software, "softwareName").text = provenance.engine
    _e(software, "softwareVersion").text = provenance.engine_version
    spans = {id(s): s for parts in layout.word_spans.values() for s in parts}
    if spans or layout.regions:
        tags = _e(root, "Tags")
        for span in sorted(spans.values(), key=lambda s: s.span.id):
            attributes = {"ID": f"span{span.span.id}", "TYPE": "span", "LABEL": span.span.label}
            if span.span.note:
                attributes["DESCRIPTION"] = xml_safe(span.span.note, report)
            _e(tags, tag_element(span.span.label, layout.layers), **attributes)
        for region in layout.regions:
            attributes = {"ID": f"region{region.id}", "TYPE": "region", "LABEL": region.label}
            if region.text:
                attributes["DESCRIPTION"] = xml_safe(region.text, report)
            _e(tags, tag_element(region.label, layout.layers), **attributes)
    if layout.blocks:
        order = _e(_e(root, "ReadingOrder"), "OrderedGroup", ID="order")
        for n in range(len(layout.blocks)):
            _e(order, "ElementRef", ID=f"order{n + 1}", REF=f"block{n + 1}")
    page = _e(_e(root, "Layout"), "Page", ID=f"page{layout.number}", PHYSICAL_IMG_NR=str(layout.number),
              WIDTH=str(layout.page.width), HEIGHT=str(layout.page.height))
    space = _e(page, "PrintSpace", **_position((0, 0, layout.page.width, layout.page.height)))
    line_no = 0
    for b, block in enumerate(layout.blocks, start=1):
        block_element = _e(space, "TextBlock", ID=f"block{b}", **_position(block.box))
        for line in block.lines:
            line_no += 1
            line_element = _e(block_element, "TextLine", ID=f"line{line_no}", **_position(line.box))
            for k, word in enumerate(line.words):
                if k:
                    _e(line_element, "SP")
                attributes = {"ID": f"word{word.id}", "CONTENT": xml_safe(word.text, report), **_position(word.box),
                              "WC": f"{confidence(word):.2f}"}
                refs = [f"span{s.span.id}" for s in layout.word_spans.get(word.id, [])]
                if refs:
                    attributes["TAGREFS"] = " ".join(refs)
                string = _e(line_element, "String", **attributes)
                if word.corrected:
                    # The engine's reading of a corrected word, as ALTO keeps other readings.
                    alternative = _e(string, "ALTERNATIVE", PURPOSE="original OCR")
                    alternative.text = xml_safe(word.ocr_text, report)
    for region in layout.regions:
        _e(space, "Illustration", ID=f"illustration{region.id}", TYPE=region.label, TAGREFS=f"region{region.id}",
           **_position(region.box))
    report.adjust(WIDENED, layout.widened)
    report.skip(NOTES, sum(1 for g in layout.regions if g.note))
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
