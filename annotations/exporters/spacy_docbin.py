"""spaCy export: a DocBin of one Doc per document, every span in doc.spans["sc"], a non-overlapping set in doc.ents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import ProjectError
from .base import ExportDocument, ExportOptions
from .output import Target
from .tagging import check_tag_labels

if TYPE_CHECKING:
    from spacy.language import Language

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
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    options, report = target.options, target.report
    nlp = _blank(options.lang)
    docbin = DocBin(store_user_data=True)
    for doc in docs:
        # Entities become BILUO tags when spaCy trains: the same label rule as CoNLL's tags.
        check_tag_labels((r.span.label for r in doc.spans), "spacy")
        # Tokenising the exact document text keeps character offsets identical to Scanspan's.
        sdoc = nlp.make_doc(doc.text.text)
        spans = []
        for r in doc.spans:
            span = sdoc.char_span(r.start, r.end, label=r.span.label, alignment_mode=options.snap)
            if span is None:
                report.skip(f"spans that fit no token boundary under --snap {options.snap}")
                continue
            if (span.start_char, span.end_char) != (r.start, r.end):
                report.adjust(f"spans snapped to token boundaries (--snap {options.snap})")
            spans.append(span)
        sdoc.spans[SPAN_KEY] = spans
        ents = filter_spans(spans)  # longest first, as the CoNLL export chooses
        sdoc.ents = ents
        report.adjust(f'overlapping spans kept in doc.spans["{SPAN_KEY}"] but not in doc.ents', len(spans) - len(ents))
        sdoc.user_data["scanspan"] = {"document": doc.document.id, "name": doc.document.name}
        docbin.add(sdoc)
        report.documents += 1
        report.spans += len(spans)
        report.skip("regions (a spaCy Doc holds text; coco or labelstudio export regions)", len(doc.regions))
    target.stream.write(docbin.to_bytes())
