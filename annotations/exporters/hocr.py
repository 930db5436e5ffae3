"""hOCR, one XHTML file per page: areas, paragraphs, lines and words with boxes, spans as data- attributes on words."""

from __future__ import annotations

import json

from lxml import etree

from ..records import Box, Span
from .base import ExportReport
from .pagelayout import PageLayout, xml_safe

NS = "http://www.w3.org/1999/xhtml"
CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocr_image"
DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
           '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')


def _e(parent: etree._Element, name: str, /, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{name}", attributes)


def _bbox(box: Box) -> str:
    return "bbox " + " ".join(str(max(0, round(v))) for v in box)


def _span(span: Span) -> dict[str, object]:
    return {"id": span.id, "label": span.label, **({"note": span.note} if span.note else {})}


def write_page(layout: PageLayout, image: str, report: ExportReport) -> bytes:
    """The page as hOCR 1.2; boxes in the image's pixels.

    A word in spans carries `data-spans`, a JSON list of {"id", "label", "note"} (labels may hold
    spaces, which classes cannot), and a corrected word the engine's reading in `data-ocr`.
    """
    root = etree.Element(f"{{{NS}}}html", nsmap={None: NS})
    provenance = layout.page.provenance
    head = _e(root, "head")
    _e(head, "title").text = image
    _e(head, "meta", **{"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    _e(head, "meta", name="ocr-system", content=f"{provenance.engine} {provenance.engine_version}, corrected in Scanspan")
    _e(head, "meta", name="ocr-capabilities", content=CAPABILITIES)
    body = _e(root, "body")
    page = layout.page
    dpi = f"scan_res {round(page.dpi_x)} {round(page.dpi_y)}"
    page_element = _e(body, "div", **{"class": "ocr_page", "id": f"page_{layout.number}",
                                      "title": f'image "{image}"; {_bbox((0, 0, page.width, page.height))}; '
                                               f"ppageno {layout.number - 1}; {dpi}"})
    line_no = 0
    for b, block in enumerate(layout.blocks, start=1):
        area = _e(page_element, "div", **{"class": "ocr_carea", "id": f"block_{b}", "title": _bbox(block.box)})
        paragraph = _e(area, "p", **{"class": "ocr_par", "id": f"par_{b}", "title": _bbox(block.box)})
        for line in block.lines:
            line_no += 1
            line_element = _e(paragraph, "span", **{"class": "ocr_line", "id": f"line_{line_no}",
                                                     "title": _bbox(line.box)})
            for k, word in enumerate(line.words):
                attributes = {"class": "ocrx_word", "id": f"word_{word.id}",
                              "title": f"{_bbox(word.box)}; x_wconf {max(0, round(word.conf))}"}
                spans = layout.word_spans.get(word.id, [])
                if spans:
                    attributes["data-spans"] = json.dumps([_span(s.span) for s in spans], ensure_ascii=False)
                if word.corrected:
                    attributes["data-ocr"] = xml_safe(word.ocr_text, report)
                word_element = _e(line_element, "span", **attributes)
                word_element.text = xml_safe(word.text, report)
                word_element.tail = " " if k < len(line.words) - 1 else None
            line_element.tail = "\n"
    for g in layout.regions:
        attributes = {"class": "ocr_image", "id": f"region_{g.id}", "title": _bbox(g.box), "data-label": g.label}
        if g.text:
            attributes["data-text"] = xml_safe(g.text, report)
        if g.note:
            attributes["data-note"] = xml_safe(g.note, report)
        _e(page_element, "div", **attributes)
    report.adjust("spans widened to whole words (hOCR marks whole ocrx_word elements)", layout.widened)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=DOCTYPE, pretty_print=False)
    return data
