"""The term lists, pattern files and letter parts a project keeps, run again over its new documents."""

from __future__ import annotations

from collections.abc import Sequence

from ..store import Project
from .suggest import SuggestReport, parse_patterns, parse_terms, suggest_patterns, suggest_terms


def apply_kept(project: Project, doc_ids: Sequence[int]) -> SuggestReport:
    """Run every term list and pattern file the project keeps over these documents (new imports),
    and the letter parts when the project keeps them."""
    total = SuggestReport(span_ids=[])
    for rule in project.rules():
        if rule.kind == "letter-parts":
            # Letter parts read the ink with numpy: loaded only for a project that keeps them, so the light
            # commands that import this module start fast.
            from .letter_parts import add_label_set, suggest_letter_parts

            add_label_set(project, "letter")  # a letter label deleted since: back, rather than no suggestions
            report, total.regions = suggest_letter_parts(project, doc_ids)
        elif rule.kind == "terms":
            report = suggest_terms(project, doc_ids, parse_terms(rule.content, rule.name), rule.label, rule.name,
                                   rule.fuzzy, rule.ignore_case)
        else:
            report = suggest_patterns(project, doc_ids, parse_patterns(rule.content, rule.name), rule.name,
                                      rule.ignore_case)
        total.found += report.found
        total.added += report.added
        total.existing += report.existing
        total.rejected += report.rejected
        total.span_ids += report.span_ids or []  # type: ignore[operator]
        total.skipped.update(report.skipped)
    return total
