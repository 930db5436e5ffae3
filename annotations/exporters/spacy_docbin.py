"""spaCy export: a DocBin of one Doc per document, the chosen layer's spans in doc.spans["sc"] and doc.ents, other layers in their own span groups."""

from __future__ import annotations

import os
import struct
import tempfile
import zlib
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from ..errors import ProjectError
from ..labels import LAYERS
from ..text.layer import ResolvedSpan
from .base import ExportDocument, ExportOptions, ExportReport, primary_layer
from .output import Target
from .tagging import check_tag_labels

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, DocBin, Span

SPAN_KEY = "sc"
INSTALL = "the spacy format needs spaCy, an optional extra: pip install 'scanspan[spacy]'"


def require_spacy() -> None:
    try:
        import spacy  # noqa: F401
    except ImportError:
        raise ProjectError(INSTALL) from None


def check(options: ExportOptions) -> None:
    """Before anything is written: spaCy is installed and knows the language of --lang."""
    require_spacy()
    from spacy.util import get_lang_class

    try:
        get_lang_class(options.lang)
    except ImportError:  # spaCy's E048: no such language module
        raise ProjectError(
            f"--lang {options.lang!r} is not a language spaCy knows; use a code such as en, de, fr, or xx for any language"
        ) from None


def _blank(lang: str) -> Language:
    import spacy

    try:
        return spacy.blank(lang)
    except ImportError as exc:
        # A known language whose tokenizer needs another package (ja: sudachipy, ko: mecab-ko...).
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ProjectError(f"--lang {lang!r}: spaCy cannot make its tokenizer ({first})") from None


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    require_spacy()
    from spacy.util import filter_spans

    options, report = target.options, target.report
    nlp = _blank(options.lang)
    with _StreamedDocBin(target) as docbin:
        for doc in docs:
            # Entities become BILUO tags when spaCy trains: the same label rule as CoNLL's tags.
            check_tag_labels((r.span.label for r in doc.spans + doc.beside), "spacy")
            # Tokenising the exact document text keeps character offsets identical to Scanspan's.
            sdoc = nlp.make_doc(doc.text.text)
            # The chosen layer is what spaCy trains on (doc.ents, and doc.spans["sc"] for spancat);
            # every other layer is a span group of its own name, so no layer sets aside another's spans.
            primary = primary_layer(options)
            spans = _placed(sdoc, doc.layer_spans(primary), options.snap, report)
            sdoc.spans[SPAN_KEY] = spans
            ents = filter_spans(spans)  # longest first, as the CoNLL export chooses
            sdoc.ents = ents
            report.adjust(f'overlapping spans kept in doc.spans["{SPAN_KEY}"] but not in doc.ents', len(spans) - len(ents))
            report.place(primary, f'as entities (doc.ents, doc.spans["{SPAN_KEY}"])', len(spans))
            placed = len(spans)
            for layer in LAYERS:
                others = doc.layer_spans(layer) if layer != primary else []
                if others:
                    group = _placed(sdoc, others, options.snap, report)
                    sdoc.spans[layer] = group
                    report.place(layer, f'in doc.spans["{layer}"]', len(group))
                    placed += len(group)
            sdoc.user_data["scanspan"] = {"document": doc.document.id, "name": doc.document.name}
            docbin.add(sdoc)
            report.documents += 1
            report.spans += placed
            report.skip("regions (a spaCy Doc holds text; coco or labelstudio export regions)", len(doc.regions))


def _placed(sdoc: Doc, spans: Iterable[ResolvedSpan], snap: str, report: ExportReport) -> list[Span]:
    """The spaCy spans of `spans`, placed on tokens by `snap` (the ones that fit none counted)."""
    placed = []
    for r in spans:
        span = sdoc.char_span(r.start, r.end, label=r.span.label, alignment_mode=snap)
        if span is None:
            report.skip(f"spans that fit no token boundary under --snap {snap}")
            continue
        if (span.start_char, span.end_char) != (r.start, r.end):
            report.adjust(f"spans snapped to token boundaries (--snap {snap})")
        placed.append(span)
    return placed


# The DocBin fields after "version" and "attrs", in the order DocBin.to_bytes writes them.
_PER_DOC = ("tokens", "spaces", "lengths", "strings", "cats", "flags", "span_groups", "user_data")


class _StreamedDocBin:
    """A DocBin file written a document at a time, byte for byte what DocBin.to_bytes gives.

    DocBin keeps every Doc's token array until to_bytes, which then copies them three times over
    (300 letters: 156 MB). Here each Doc goes through a DocBin of its own, whose fields are
    appended, already packed, to unnamed temporary files beside the output; at the end the
    msgpack map is assembled from them through zlib. Only the set of distinct strings stays in
    memory. A DocBin of another format version than this knows is built whole, as spaCy does.
    """

    def __init__(self, target: Target) -> None:
        from spacy.tokens import DocBin
        from srsly.msgpack import Packer  # type: ignore[import-untyped]  # spaCy's own msgpack, as DocBin packs with it

        self._target = target
        self._packer = Packer(use_bin_type=True)
        self._whole: DocBin | None = None
        self._spools: dict[str, IO[bytes]] = {}
        self._counts = dict.fromkeys(("cats", "flags", "span_groups", "user_data"), 0)
        self._strings: set[str] = set()
        probe = DocBin(store_user_data=True)
        self._version, self._attrs = probe.version, probe.attrs
        if self._version != "0.1":
            self._whole = probe

    def __enter__(self) -> _StreamedDocBin:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        try:
            if kind is None:
                self._finish()
        finally:
            for spool in self._spools.values():
                spool.close()

    def _spool(self, key: str) -> IO[bytes]:
        if key not in self._spools:
            self._spools[key] = tempfile.TemporaryFile(dir=self._target.path.parent)
        return self._spools[key]

    def add(self, sdoc: Doc) -> None:
        from spacy.tokens import DocBin

        if self._whole is not None:
            self._whole.add(sdoc)
            return
        one = DocBin(store_user_data=True)
        one.add(sdoc)
        self._spool("tokens").write(one.tokens[0].tobytes("C"))
        self._spool("spaces").write(one.spaces[0].tobytes("C"))
        self._spool("lengths").write(struct.pack("=i", len(one.tokens[0])))  # numpy int32, as DocBin has them
        self._strings |= one.strings
        for key, value in (("cats", one.cats[0]), ("flags", one.flags[0]), ("span_groups", one.span_groups[0]),
                           ("user_data", one.user_data[0])):
            self._spool(key).write(self._packer.pack(value))
            self._counts[key] += 1

    def _finish(self) -> None:
        out = self._target.stream
        if self._whole is not None:
            out.write(self._whole.to_bytes())
            return
        pack = self._packer
        zipped = zlib.compressobj()

        def put(data: bytes) -> None:
            out.write(zipped.compress(data))

        def put_spool(key: str) -> None:
            spool = self._spools.get(key)
            if spool is None:
                return
            spool.seek(0)
            while chunk := spool.read(1 << 20):
                put(chunk)

        put(pack.pack_map_header(2 + len(_PER_DOC)) + pack.pack("version") + pack.pack(self._version)
            + pack.pack("attrs") + pack.pack(self._attrs))
        for key in _PER_DOC:
            put(pack.pack(key))
            if key == "strings":
                put(pack.pack(sorted(self._strings)))
            elif key in ("tokens", "spaces", "lengths"):
                spool = self._spools.get(key)
                put(_bin_header(spool.seek(0, os.SEEK_END) if spool is not None else 0))
                put_spool(key)
            else:
                put(pack.pack_array_header(self._counts[key]))
                put_spool(key)
        out.write(zipped.flush())


def _bin_header(size: int) -> bytes:
    """The msgpack head of a bin of `size` bytes (bin 8, 16 or 32, as msgpack picks)."""
    if size < 1 << 8:
        return b"\xc4" + struct.pack(">B", size)
    if size < 1 << 16:
        return b"\xc5" + struct.pack(">H", size)
    return b"\xc6" + struct.pack(">I", size)
