"""spaCy export: a DocBin of one Doc per document, every span in doc.spans["sc"], a non-overlapping set in doc.ents."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import ProjectError
from .base import ExportDocument
from .output import Target

SPAN_KEY = "sc"
INSTALL = "the spacy format needs spaCy, an optional extra: pip install 'scanspan[spacy]'"


def require_spacy() -> None:
    try:
        import spacy  # noqa: F401
    except ImportError:
        raise ProjectError(INSTALL) from None


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    require_spacy()
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    options, report = target.options, target.report
    nlp = spacy.blank(options.lang)
    docbin = DocBin(store_user_data=True)
    for doc in docs:
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
