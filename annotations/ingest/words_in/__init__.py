"""Words, boxes, lines and reading order read from hOCR, ALTO and PAGE files instead of OCR."""

from __future__ import annotations

from pathlib import Path

from ...errors import SourceError
from .words_file import WordsFile


def looks_like_markup(data: bytes) -> bool:
    """Whether a file's first bytes are XML or HTML (possibly an hOCR, ALTO or PAGE file)."""
    return data[:1024].lstrip(b"\xef\xbb\xbf\x00\t\n\r\x0c ").startswith(b"<")


def read_words(path: Path, data: bytes) -> WordsFile:
    """Read an hOCR, ALTO or PAGE file, recognised from its root element and namespace."""
    from . import alto, hocr, page
    from .xml import parse

    if not looks_like_markup(data):
        # Given as --words, a scan or PDF (the image named twice, say) is not "malformed markup".
        from ..sources import describe_content, sniff

        kind = sniff(data)
        what = f"it is a {kind.upper()} file" if kind else ("it is empty" if not data else describe_content(data))
        raise SourceError(path, f"not an hOCR, ALTO or PAGE file ({what})")
    root = parse(path, data)
    local = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else ""
    namespace = root.tag[1:].split("}", 1)[0] if isinstance(root.tag, str) and root.tag.startswith("{") else ""
    if local.lower() == "alto":
        result = alto.read(path, root, namespace)
    elif local == "PcGts":
        result = page.read(path, root, namespace)
    elif local.lower() == "html":
        result = hocr.read(path, root)
    else:
        raise SourceError(path, f"an XML file, but not hOCR, ALTO or PAGE (its root element is <{local}>)")
    if not result.pages:
        raise SourceError(path, f"{result.kind} file without pages")
    return result
