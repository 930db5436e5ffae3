"""Parsing untrusted XML and HTML: no entities, no DTDs, no network, libxml2's size limits kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from ...errors import SourceError

_ENTITY_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)([A-Za-z_][\w.-]*);")
"""A reference to an entity XML does not define itself: only a DTD could, and DTDs are not read."""


def _xml_parser() -> Any:
    # huge_tree=False keeps libxml2's limits (10 MB a text or attribute value, nesting depth), so a
    # hostile file fails in the parser instead of filling memory.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def _html_parser() -> Any:
    return etree.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)


def parse(path: Path, data: bytes) -> Any:
    """The root element of `data`, or a SourceError in one line saying why it cannot be read."""
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        head = data[:4096].lower()
        if b"<html" not in head:
            if not any(marker in head for marker in (b"<alto", b"pcgts", b"ocr_page")):
                # Not one of ours at all (a text file that starts with "<"): say what it is not.
                raise SourceError(path, "not a PDF, TIFF, PNG or JPEG file, nor an hOCR, ALTO or PAGE file "
                                        f"(malformed markup: {_one_line(exc)})") from None
            raise SourceError(path, f"not well-formed XML ({_one_line(exc)})") from None
        # hOCR is often HTML rather than XHTML (unclosed tags, &nbsp;): read it as HTML.
        return _parse_html(path, data)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # Unexpanded they would leave holes in the words; expanded they are the billion laughs.
        raise SourceError(path, "declares XML entities in its DOCTYPE; such files are not read")
    reference = _ENTITY_REFERENCE.search(data)
    if reference is not None:
        if local(root.tag).lower() == "html":  # XHTML hOCR with &nbsp;: HTML knows its own entities
            return _parse_html(path, data)
        # libxml2 drops such a reference from an attribute without a word: refused rather than read with a hole.
        name = reference.group(1).decode("ascii", "replace")
        raise SourceError(path, f"uses the entity &{name}; that only a DTD could define; DTDs are not read")
    return root


def _parse_html(path: Path, data: bytes) -> Any:
    try:
        root = etree.fromstring(data, _html_parser())
    except etree.XMLSyntaxError as exc:
        raise SourceError(path, f"cannot be read as HTML ({_one_line(exc)})") from None
    if root is None:
        raise SourceError(path, "an empty HTML document")
    return root


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def local(tag: Any) -> str:
    """An element's name without its namespace ("" for comments and entities)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
