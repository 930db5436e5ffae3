"""Pre-annotation files read a line at a time into records: Scanspan, doccano and spaCy/Prodigy JSONL, or a
JSON list of the same objects. Line numbers are the file's own "\n" lines, and every unusable value is
named (with its line) instead of stopping the read."""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from ..labels import LAYERS
from ..records import Box

MAX_LINE = 16 * 1024 * 1024
"""Longest line (bytes) read whole; a longer one is skipped unread. A record's text is a document: a
200-page one is about 1 MB, and MAX_TEXT of it written as JSON \\u escapes with its spans fits."""
MAX_TEXT = 2_000_000
"""Longest record text (characters) aligned to a document: twice a 200-page document. A 60 MB text
took 113 s and 4.6 GB to align (a list entry per character) before nothing of it matched."""


Ref = int | str
"""A span's or region's "id" in the file, as its relations name it."""


@dataclass(frozen=True)
class ExternalSpan:
    start: int
    end: int
    label: str
    note: str = ""
    annotator: str = ""
    layer: str = ""  # the label's layer, where the file says it (Scanspan JSONL); "" when it does not
    ref: Ref | None = None


@dataclass(frozen=True)
class ExternalRegion:
    """A region of Scanspan JSONL: page number, box in that page's pixels, label, transcription, note."""

    page: int
    box: Box
    label: str
    text: str = ""
    note: str = ""
    annotator: str = ""
    layer: str = ""
    ref: Ref | None = None


@dataclass(frozen=True)
class ExternalRelation:
    """A relation of Scanspan JSONL: its label and its ends as ("span" or "region", the end's "id" in the file)."""

    n: int
    label: str
    from_end: tuple[str, Ref]
    to_end: tuple[str, Ref]
    directed: bool = True
    note: str = ""
    annotator: str = ""


@dataclass
class ExternalRecord:
    """One line of the file: a text, its spans and regions, and the document name when the file says it.

    `page_sizes` (page number -> width, height) is what the file's region boxes are measured in.
    `bad_spans` and `bad_regions` say why each unusable span or region of the line was left out.
    """

    line: int
    text: str
    spans: list[ExternalSpan]
    name: str | None = None
    regions: list[ExternalRegion] = field(default_factory=list)
    page_sizes: dict[int, tuple[int, int]] = field(default_factory=dict)
    bad_spans: list[str] = field(default_factory=list)
    bad_regions: list[str] = field(default_factory=list)
    relations: list[ExternalRelation] = field(default_factory=list)
    bad_relations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """A line, or a value on it, that could not be used."""

    line: int
    cause: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.cause}"


class BadValue(Exception):
    """A value of the file that cannot be used; the message says which and why."""


def _show(value: Any) -> str:
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _whole(value: Any, what: str) -> int:
    # bool is an int to Python but never an offset; strings are not numbers, whatever they spell.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue(f"{what} is {_show(value)}, not a number")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise BadValue(f"{what} is {_show(value)}, not a whole number")
        return int(value)
    return value


def _finite(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue(f"{what} is {_show(value)}, not a number")
    try:
        number = float(value)
    except OverflowError:  # an integer literal too large for a float
        raise BadValue(f"{what} is {_show(value)}, not a finite number") from None
    if not math.isfinite(number):
        raise BadValue(f"{what} is {_show(value)}, not a finite number")
    return number


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value or "")


def _label(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise BadValue(f"{what} label is {_show(value)}, not a string")
    return value


def _layer(value: Any) -> str:
    # A layer this version does not know is left for the label's default rather than refused.
    return value if isinstance(value, str) and value in LAYERS else ""


def _ref(value: Any) -> Ref | None:
    # An id a relation can name: a whole number or a string, as JSON holds it (1 and 1.0 are one id).
    if isinstance(value, str):
        return value
    try:
        return _whole(value, "id")
    except BadValue:
        return None


def _span(kind: str, n: int, get: Callable[[], tuple[Any, Any, Any, Any, Any, Any]], ref: Any = None) -> ExternalSpan:
    what = f"{kind} {n}"
    try:
        start, end, label, note, annotator, layer = get()
    except (KeyError, TypeError, ValueError, IndexError):
        raise BadValue(f"{what} is not {'[start, end, label]' if kind == 'label' else 'an object with start, end and label'}") from None
    return ExternalSpan(_whole(start, f"{what}: start"), _whole(end, f"{what}: end"), _label(label, what),
                        _text(note), _text(annotator), _layer(layer), _ref(ref))


def _spans(obj: dict[str, Any]) -> tuple[list[ExternalSpan], list[str]]:
    spans: list[ExternalSpan] = []
    bad: list[str] = []

    def add(kind: str, items: list[Any], get: Callable[[Any], tuple[Any, Any, Any, Any, Any, Any]]) -> None:
        for n, item in enumerate(items, start=1):
            ref = item.get("id") if isinstance(item, dict) else None
            try:
                spans.append(_span(kind, n, lambda: get(item), ref))  # noqa: B023 - called right here
            except BadValue as exc:
                bad.append(str(exc))

    if "spans" in obj and not isinstance(obj["spans"], list):
        bad.append(f'"spans" is {_show(obj["spans"])}, not a list')
    if isinstance(obj.get("spans"), list):  # Scanspan JSONL, spaCy / Prodigy
        add("span", obj["spans"],
            lambda s: (s["start"], s["end"], s["label"], s.get("note"), s.get("annotator"), s.get("layer")))
    for key in ("label", "labels"):  # doccano sequence labelling: [[start, end, label], ...]
        if isinstance(obj.get(key), list):
            def triple(s: Any) -> tuple[Any, Any, Any, Any, Any, Any]:
                if not isinstance(s, list) or len(s) != 3:
                    raise TypeError
                return s[0], s[1], s[2], "", "", ""
            add("label", obj[key], triple)
    if isinstance(obj.get("entities"), list):  # doccano's newer export
        add("entity", obj["entities"], lambda e: (e["start_offset"], e["end_offset"], e["label"], "", "", ""))
    return spans, bad


def _regions(obj: dict[str, Any]) -> tuple[list[ExternalRegion], list[str]]:
    regions: list[ExternalRegion] = []
    bad: list[str] = []
    items = obj.get("regions")
    if items is None:  # doccano, spaCy and Prodigy files have none
        return regions, bad
    if not isinstance(items, list):
        return regions, [f'"regions" is {_show(items)}, not a list']
    for n, g in enumerate(items, start=1):
        what = f"region {n}"
        try:
            if not isinstance(g, dict) or "page" not in g or "box" not in g or "label" not in g:
                raise BadValue(f"{what} is not an object with page, box and label")
            page = _whole(g["page"], f"{what}: page")
            box = g["box"]
            if not isinstance(box, list) or len(box) != 4:
                raise BadValue(f"{what}: box is {_show(box)}, not 4 numbers")
            numbers = tuple(_finite(v, f"{what}: box") for v in box)
            regions.append(ExternalRegion(page, numbers, _label(g["label"], what),  # type: ignore[arg-type]
                                          _text(g.get("text")), _text(g.get("note")), _text(g.get("annotator")),
                                          _layer(g.get("layer")), _ref(g.get("id"))))
        except BadValue as exc:
            bad.append(str(exc))
    return regions, bad


def _relation_end(value: Any, what: str) -> tuple[str, Ref]:
    if not isinstance(value, dict) or value.get("kind") not in ("span", "region"):
        raise BadValue(f"{what} is {_show(value)}, not {{\"kind\": \"span\" or \"region\", \"id\": ...}}")
    ref = _ref(value.get("id"))
    if ref is None:
        raise BadValue(f"{what}: id is {_show(value.get('id'))}, not a whole number or a string")
    return value["kind"], ref


def _relations(obj: dict[str, Any]) -> tuple[list[ExternalRelation], list[str]]:
    """The relations of Scanspan JSONL: label, and ends naming the record's spans and regions by their "id"."""
    relations: list[ExternalRelation] = []
    bad: list[str] = []
    items = obj.get("relations")
    if items is None:
        return relations, bad
    if not isinstance(items, list):
        return relations, [f'"relations" is {_show(items)}, not a list']
    for n, r in enumerate(items, start=1):
        what = f"relation {n}"
        try:
            if not isinstance(r, dict) or "label" not in r or "from" not in r or "to" not in r:
                raise BadValue(f"{what} is not an object with label, from and to")
            relations.append(ExternalRelation(
                n, _label(r["label"], what), _relation_end(r["from"], f"{what}: from"), _relation_end(r["to"], f"{what}: to"),
                r.get("directed") is not False, _text(r.get("note")), _text(r.get("annotator"))))
        except BadValue as exc:
            bad.append(str(exc))
    return relations, bad


def _page_sizes(obj: dict[str, Any]) -> dict[int, tuple[int, int]]:
    # Only used to rescale region boxes; a file without usable page sizes is taken at the document's.
    sizes: dict[int, tuple[int, int]] = {}
    pages = obj.get("pages")
    for page in pages if isinstance(pages, list) else []:
        try:
            number, width, height = (_whole(page[k], k) for k in ("number", "width", "height"))
        except (KeyError, TypeError, BadValue):
            continue
        if width > 0 and height > 0:
            sizes[number] = (width, height)
    return sizes


def parse_record(line: int, obj: Any) -> ExternalRecord:
    """One parsed JSON value as a record; a BadValue when it is none (its spans and regions are checked one by one)."""
    if not isinstance(obj, dict):
        raise BadValue(f"a JSON {type(obj).__name__ if obj is not None else 'null'}, not an object")
    text = obj.get("text")
    if not isinstance(text, str):
        raise BadValue('no "text" (a string); expected Scanspan, doccano or spaCy/Prodigy JSONL')
    if len(text) > MAX_TEXT:
        raise BadValue(f'a "text" of {len(text):,} characters, longer than the {MAX_TEXT:,} a record may have')
    spans, bad_spans = _spans(obj)
    regions, bad_regions = _regions(obj)
    relations, bad_relations = _relations(obj)
    name = obj.get("name") if isinstance(obj.get("name"), str) else None
    return ExternalRecord(line, text, spans, name, regions, _page_sizes(obj), bad_spans, bad_regions, relations,
                          bad_relations)


def _json(text: str) -> Any:
    try:
        # Not strict: a raw tab or other control character inside a string is taken as written.
        return json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise BadValue(f"not JSON ({exc.msg}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # an integer of thousands of digits; nesting too deep
        raise BadValue(f"not usable JSON ({type(exc).__name__}: {str(exc)[:80]})") from None


def _read_line(handle: IO[bytes]) -> tuple[bytes | None, int]:
    """The next line and how many bytes it took; None for a line over MAX_LINE bytes, which is skipped unread."""
    raw = handle.readline(MAX_LINE)
    taken = len(raw)
    if taken < MAX_LINE or raw.endswith(b"\n"):
        return raw, taken
    while True:
        rest = handle.readline(1 << 20)
        taken += len(rest)
        if not rest or rest.endswith(b"\n"):
            return None, taken


def read_lines(handle: IO[bytes]) -> Iterator[tuple[int, int, Any]]:
    """(line number, bytes read, parsed value or Problem) of each non-blank line of a JSONL stream.

    Lines are what "\\n" separates, as a text editor counts them: str.splitlines also breaks at
    U+2028, form feeds and other separators, which JSON strings may hold raw.
    """
    read = 0
    number = 0
    while True:
        raw, taken = _read_line(handle)
        if not taken:
            return
        number += 1
        read += taken
        if raw is None:
            yield number, read, Problem(number, f"a line longer than {MAX_LINE // (1024 * 1024)} MB, skipped unread")
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, read, Problem(number, f"not UTF-8 text (byte {exc.start + 1} of the line)")
            continue
        try:
            yield number, read, _json(text)
        except BadValue as exc:
            yield number, read, Problem(number, str(exc))


def read_array(handle: IO[bytes], chunk: int = 1 << 20) -> Iterator[tuple[int, int, Any]]:
    """(line number, bytes read, parsed value or Problem) of each item of a JSON list, read a chunk at a time.

    A syntax error ends the list (nothing after it can be told apart) and is the last item.
    """
    decoder = json.JSONDecoder(strict=False)
    text = codecs.getincrementaldecoder("utf-8-sig")()
    buf, pos, read, eof = "", 0, 0, False
    line, counted = 1, 0  # line number at buf[counted]

    def more(at_least: int) -> None:
        nonlocal buf, pos, read, eof, line, counted
        if pos > chunk:  # drop what has been consumed, so the buffer holds about one item
            line += buf.count("\n", counted, pos)
            buf, counted, pos = buf[pos:], 0, 0
        data = handle.read(max(chunk, at_least))
        read += len(data)
        eof = not data
        buf += text.decode(data, final=eof)

    def line_at(index: int) -> int:
        nonlocal line, counted
        line += buf.count("\n", counted, index)
        counted = index
        return line

    def skip_space() -> bool:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf) or eof:
                return pos < len(buf)
            more(0)

    try:
        skip_space()
        pos += 1  # the "[" that made this a list
        items = 0
        while True:
            if not skip_space():
                yield line_at(len(buf)), read, Problem(line_at(len(buf)), "the JSON list is not closed with ]")
                return
            if buf[pos] == "]":
                return
            if items:
                if buf[pos] != ",":
                    yield line_at(pos), read, Problem(line_at(pos), f"not JSON (expected , or ] between list items, found {buf[pos]!r})")
                    return
                pos += 1
                if not skip_space():
                    continue
            start = pos
            too_long = False
            while True:
                try:
                    value, end = decoder.raw_decode(buf, start)
                except (ValueError, RecursionError) as exc:
                    # An error well before the end of what was read is the file's, not the chunk's: reading
                    # on would only pull the rest of the file into memory. A string the chunk cut is
                    # reported at its start, so it always reads on.
                    msg = getattr(exc, "msg", "")
                    cut = msg.startswith("Unterminated string") or getattr(exc, "pos", 0) >= len(buf) - 16
                    if eof or not cut:
                        where = getattr(exc, "pos", start)
                        yield line_at(where), read, Problem(line_at(where), f"not JSON ({getattr(exc, 'msg', exc)})")
                        return
                    if len(buf) - start > MAX_LINE:
                        too_long = True
                        break
                    # Doubling keeps a long item linear to read; it stops just past the limit.
                    more(min(2 * (len(buf) - start), MAX_LINE + 1 - (len(buf) - start)))
                    start = pos
                    continue
                if end == len(buf) and not eof:  # a number may go on in the next chunk
                    more(2 * (len(buf) - start))
                    start = pos
                    continue
                too_long = end - start > MAX_LINE
                break
            if too_long:
                # An item cannot be skipped without parsing it: past the limit the list ends here.
                yield line_at(start), read, Problem(
                    line_at(start), f"an item longer than {MAX_LINE // (1024 * 1024)} MB; the rest of the list is not read")
                return
            pos = end
            items += 1
            yield line_at(start), read, value
    except UnicodeDecodeError as exc:
        yield line, read, Problem(line, f"not UTF-8 text ({exc.reason})")


def read_file(handle: IO[bytes]) -> Iterator[tuple[int, int, Any]]:
    """The records of a JSONL stream, or of a JSON list of the same objects (first non-space byte "[")."""
    head = handle.peek(64) if hasattr(handle, "peek") else b""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    if head.lstrip().startswith(b"["):
        return read_array(handle)
    return read_lines(handle)
