"""The `suggest` and `suggestions` commands: propose spans, then list, accept or reject them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..assist.kept import apply_kept
from ..assist.patterns import PATTERN_MEMORY, PATTERN_SECONDS
from ..assist.suggest import (
    FileRequest,
    SuggestReport,
    parse_patterns,
    parse_terms,
    propagation_hits,
    store_hits,
    suggest_from_file,
)
from ..errors import ProjectError
from ..records import Region, Span
from ..store import Project
from ..wording import counted
from .common import (
    PROJECT_OPTION,
    csv_list,
    echo,
    echo_json,
    label_name,
    open_project,
    progress_bar,
    require_project,
)
from .relations import end_ref


def _documents(project: Project, refs: str | None) -> list[int]:
    names = csv_list(refs, "--documents")
    return [project.document(r).id for r in names] if names else [d.id for d in project.documents()]


def _say(report: SuggestReport, source: str) -> None:
    echo(
        f"{counted(report.added, 'suggestion')} added from {source!r} ({report.found} found, {report.existing} already tagged "
        f"or suggested, {report.rejected} rejected before)"
    )


@click.command("suggest")
@PROJECT_OPTION
@click.option("--terms", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A term list: one phrase a line.")
@click.option("--label", "-l", help="With --terms: the label of its phrases; with --patterns: keep only this label.")
@click.option("--patterns", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="spaCy EntityRuler patterns (JSONL: phrase and token patterns, labels inside), checked against "
                   f"limits before running and run within {PATTERN_SECONDS:.0f} s and {PATTERN_MEMORY >> 20} MB per "
                   "document (a document over it is skipped).")
@click.option("--propagate", "span_id", type=int, help="Suggest the other occurrences of this span's text.")
@click.option("--model", "use_model", is_flag=True,
              help="Train a small spaCy NER model on the accepted spans and suggest for documents not done.")
@click.option("--letter-parts", is_flag=True,
              help="The parts of a letter: letterhead, date, recipient, subject, salutation, body (one span per "
                   "paragraph), closing, "
                   "enclosure and cc lines; the signature block and each handwritten signature found on the scan as regions "
                   "(labels: scanspan labels --add-set letter). Pages that do not look like letters get none.")
@click.option("--fuzzy", is_flag=True, help="Also match with OCR errors (up to one edit per five characters).")
@click.option("--ignore-case", is_flag=True, help="Compare without case.")
@click.option("--documents", help="Only these documents, comma-separated ids or names (default: all).")
@click.option("--keep", is_flag=True,
              help="Keep the term list, patterns or letter parts in the project: new imports get them too.")
@click.option("--iterations", type=click.IntRange(1, 200), default=30, show_default=True, help="With --model: training passes.")
@click.option("--seed", type=int, default=0, show_default=True, help="With --model: the random seed.")
def suggest_cmd(
    project_path: Path, terms: Path | None, label: str | None, patterns: Path | None, span_id: int | None,
    use_model: bool, letter_parts: bool, fuzzy: bool, ignore_case: bool, documents: str | None, keep: bool, iterations: int, seed: int,
) -> None:
    """Propose spans as suggestions: from a term list, spaCy patterns, a tagged span's other occurrences,
    or a model trained on the project's accepted spans. Running it again adds nothing twice, and
    rejected suggestions are not proposed again."""
    chosen = [name for name, given in (("--terms", terms), ("--patterns", patterns), ("--propagate", span_id is not None),
                                       ("--model", use_model), ("--letter-parts", letter_parts)) if given]
    if len(chosen) != 1:
        raise click.UsageError("give one of --terms, --patterns, --propagate, --model or --letter-parts")
    if terms is not None and not label:
        raise click.UsageError("--terms needs --label")
    if keep and not (terms or patterns or letter_parts):
        raise click.UsageError("--keep goes with --terms, --patterns or --letter-parts")
    require_project(project_path)
    with open_project(project_path) as project:
        doc_ids = _documents(project, documents)
        if terms is not None or patterns is not None:
            path = terms if terms is not None else patterns
            assert path is not None
            request = FileRequest(path, "terms" if terms is not None else "patterns",
                                  label_name(project, label) if label else "", fuzzy, ignore_case,
                                  tuple(doc_ids), keep)
            if terms is not None:
                with progress_bar("terms", unit="document") as progress:
                    report = suggest_from_file(project, request, progress)
            else:
                report = suggest_from_file(project, request)
            _say(report, path.name)
            if keep:
                echo(f"kept {path.name!r}: documents imported from now on get its suggestions")
            _skipped(report)
        elif letter_parts:
            from ..assist.letter_parts import SOURCE, keep_on_import, suggest_letter_parts

            report, regions = suggest_letter_parts(project, doc_ids)
            _say(report, SOURCE)
            echo(f"{regions} signature and signature block regions suggested")
            if keep:
                keep_on_import(project)
                echo("kept the letter parts: documents imported from now on get their suggestions")
        elif span_id is not None:
            span = project.span(span_id)
            report = store_hits(project, propagation_hits(project, span.id, doc_ids if documents else None, fuzzy=True))
            _say(report, "propagation")
        else:
            _suggest_model(project, doc_ids if documents else None, iterations, seed)


def _skipped(report: SuggestReport) -> None:
    """The documents the patterns' budget stopped, one line each; exit status 1 when there are any
    (the suggestions for the other documents are stored)."""
    for line in report.skipped.values():
        echo(line, err=True)
    if report.skipped:
        sys.exit(1)


def _suggest_model(project: Project, doc_ids: list[int] | None, iterations: int, seed: int) -> None:
    from ..assist.spacy_model import train_and_suggest

    def progress(done: int, total: int, what: str) -> None:
        echo(f"  {what} {done}/{total}", err=True)

    result = train_and_suggest(project, doc_ids, iterations=iterations, seed=seed, progress=progress)
    for line in result.summary():
        echo(line)
    echo(f"trained on {counted(result.trained_documents, 'document')}, {counted(result.trained_spans, 'accepted span')}")
    if result.suggested_labels:
        _say(result.report, result.source)


def suggest_kept(project: Project, doc_ids: list[int]) -> None:
    """After an import: the kept term lists, patterns and letter parts over the new documents (nothing when none is kept)."""
    kinds = {rule.kind for rule in project.rules()}
    if doc_ids and kinds:
        from ..assist.letter_parts import SOURCE as LETTER_PARTS

        report = apply_kept(project, doc_ids)
        what = " and ".join(name for name, kept in (("the kept term lists and patterns", kinds - {LETTER_PARTS}),
                                                    ("the letter parts", LETTER_PARTS in kinds)) if kept)
        regions = f" and {report.regions} signature and signature block regions" if LETTER_PARTS in kinds else ""
        echo(f"{counted(report.added, 'suggestion')}{regions} added from {what}")
        for line in report.skipped.values():
            echo(line, err=True)


# -- review -------------------------------------------------------------------------------------

FILTERS = [
    click.option("--label", "-l", "labels", multiple=True, help="Only this label (repeatable)."),
    click.option("--source", "sources", multiple=True, help="Only this source, e.g. a term list's file name (repeatable)."),
    click.option("--document", "-d", "doc_refs", multiple=True, help="Only this document, id or name (repeatable)."),
]


def _filters(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(FILTERS):
        f = option(f)
    return f


def _select(project: Project, labels: tuple[str, ...], sources: tuple[str, ...], doc_refs: tuple[str, ...],
            ids: tuple[int, ...] | None = None, region_ids: tuple[int, ...] | None = None,
            ) -> tuple[list[Span], list[tuple[Region, int, int]]]:
    """The suggested spans and regions the filters (and ids, when given) select."""
    doc_ids = [project.document(r).id for r in doc_refs] or None
    chosen = ids is not None or region_ids is not None
    spans = project.suggestions(doc_ids=doc_ids, labels=list(labels) or None, sources=list(sources) or None,
                                span_ids=list(ids or ()) if chosen else None)
    regions = project.region_suggestions(doc_ids=doc_ids, labels=list(labels) or None, sources=list(sources) or None,
                                         region_ids=list(region_ids or ()) if chosen else None)
    return spans, regions


def _parse_ids(ids: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Span ids ("12"), region ids ("r3") and relation ids ("rel4"), as `suggestions list` prints them."""
    spans: list[int] = []
    regions: list[int] = []
    relations: list[int] = []
    for text in ids:
        if text[:3].lower() == "rel" and text[3:].isascii() and text[3:].isdigit():
            relations.append(int(text[3:]))
            continue
        number = text[1:] if text[:1] in "rR" else text
        if not (number.isascii() and number.isdigit()):
            raise click.BadParameter(f"{text!r} is neither a span id (12), a region id (r3) nor a relation id (rel4)",
                                     param_hint="IDS")
        (regions if number != text else spans).append(int(number))
    return tuple(spans), tuple(regions), tuple(relations)


@click.group("suggestions")
def suggestions_group() -> None:
    """Review suggestions: list them, accept or reject them (rejections are remembered)."""


@suggestions_group.command("list")
@PROJECT_OPTION
@_filters
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of lines.")
def list_suggestions(project_path: Path, labels: tuple[str, ...], sources: tuple[str, ...], doc_refs: tuple[str, ...],
                     as_json: bool) -> None:
    """List the suggestions not yet accepted or rejected: spans by id, regions by r and id (r3), then the
    suggested relations between them (accepted with both their ends, removed with either)."""
    require_project(project_path)
    with open_project(project_path, read_only=True) as project:
        labels = tuple(label_name(project, name) for name in labels)
        rows: list[dict[str, Any]] = []
        spans, regions = _select(project, labels, sources, doc_refs)
        for span in spans:
            r = project.document_text(span.document_id).resolve(span)
            rows.append({"kind": "span", "id": span.id, "document": span.document_id, "label": span.label,
                         "start": r.start, "end": r.end, "text": r.text, "source": span.source, "score": span.score,
                         "reason": span.reason})
        for region, doc_id, page_number in regions:
            rows.append({"kind": "region", "id": region.id, "document": doc_id, "page": page_number,
                         "label": region.label, "box": [round(v) for v in region.box], "source": region.source})
        links = _suggested_links(project, spans, regions, labels, sources, doc_refs)
    if as_json:
        echo_json(rows + links)
        return
    for row in rows:
        if row["kind"] == "region":
            where = f"page {row['page']} {row['box']}"
            echo(f"{'r' + str(row['id']):>5}  doc {row['document']}  {row['label']}  {where}  {row['source']}")
            continue
        score = "" if row["score"] is None else f" {row['score']:.2f}"
        reason = f" ({row['reason']})" if row["reason"] else ""
        text = " ".join(str(row["text"]).split())
        echo(f"{row['id']:>5}  doc {row['document']}  {row['label']}  {text!r}  {row['source']}{score}{reason}")
    echo(counted(len(rows), "suggestion") + (f" ({counted(len(regions), 'region')})" if regions else ""))
    for row in links:
        ends = [f"{end_ref(e['kind'], e['id'])} {e['label']} {' '.join(str(e['text']).split())!r}"
                for e in (row["from"], row["to"])]
        echo(f"{'rel' + str(row['id']):>7}  doc {row['document']}  {row['label']}  {ends[0]} -> {ends[1]}  {row['source']}")
    if links:
        echo(f"{len(links)} suggested relations (accepted with both their ends, removed with either; or by id, rel4)")


def _select_links(project: Project, labels: tuple[str, ...], sources: tuple[str, ...], doc_refs: tuple[str, ...],
                  ids: tuple[int, ...] | None) -> list[int]:
    """The ids of the suggested relations named, or (without ids) those the filters select by their own
    label, source and document."""
    doc_ids = [project.document(r).id for r in doc_refs] or None
    return [r.id for r in project.suggested_relations(doc_ids)
            if (r.id in ids if ids is not None else (not labels or r.label in labels) and (not sources or r.source in sources))]


def _suggested_links(project: Project, spans: list[Span], regions: list[tuple[Region, int, int]],
                     labels: tuple[str, ...], sources: tuple[str, ...], doc_refs: tuple[str, ...]) -> list[dict[str, Any]]:
    """The suggested relations among the listed suggestions (or of a named label), for `suggestions list`."""
    doc_ids = [project.document(r).id for r in doc_refs] or None
    listed = {("span", s.id) for s in spans} | {("region", g.id) for g, _, _ in regions}
    filtered = bool(labels or sources)
    links = []
    for r in project.suggested_relations(doc_ids):
        if filtered and r.label not in labels and not ({r.from_end, r.to_end} & listed):
            continue
        row: dict[str, Any] = {"kind": "relation", "id": r.id, "document": r.document_id, "label": r.label,
                               "source": r.source}
        for side, (kind, ident) in (("from", r.from_end), ("to", r.to_end)):
            if kind == "span":
                span = project.span(ident)
                row[side] = {"kind": kind, "id": ident, "label": span.label,
                             "text": project.document_text(span.document_id).resolve(span).text}
            else:
                region = project.region(ident)
                row[side] = {"kind": kind, "id": ident, "label": region.label, "text": region.text}
        links.append(row)
    return links


REVIEW_HELP = {
    "accept": "Accept suggestions (by id, r and id for a region, rel and id for a relation, or all matching the "
              "filters): they become ordinary spans, regions and relations. A suggested relation is accepted with "
              "the last of its suggested ends.",
    "reject": "Reject suggestions (by id, r and id for a region, rel and id for a relation, or all matching the "
              "filters): removed, and never proposed again. Rejecting a span or region removes its relations.",
}


def _review(action: str):  # type: ignore[no-untyped-def]
    @suggestions_group.command(action, help=REVIEW_HELP[action])
    @PROJECT_OPTION
    @click.argument("ids", nargs=-1)
    @_filters
    @click.option("--all", "every", is_flag=True, help="Every suggestion (with the filters, if any).")
    def review(project_path: Path, ids: tuple[str, ...], labels: tuple[str, ...], sources: tuple[str, ...],
               doc_refs: tuple[str, ...], every: bool) -> None:
        if not (ids or labels or sources or doc_refs or every):
            raise click.UsageError(f"name the suggestions to {action}: ids, --label, --source, --document or --all")
        span_ids, region_ids, relation_ids = _parse_ids(ids)
        require_project(project_path)
        with open_project(project_path) as project:
            labels = tuple(label_name(project, name) for name in labels)
            spans, regions = _select(project, labels, sources, doc_refs, *((span_ids, region_ids) if ids else ()))
            links = _select_links(project, labels, sources, doc_refs, relation_ids if ids else None)
            missing = [str(i) for i in sorted(set(span_ids) - {s.id for s in spans})]
            missing += [f"r{i}" for i in sorted(set(region_ids) - {g.id for g, _, _ in regions})]
            missing += [f"rel{i}" for i in sorted(set(relation_ids) - set(links))]
            if missing:
                raise ProjectError(f"no suggestion {', '.join(missing)} (accepted, rejected, never made, "
                                   "or outside the filters)")
            accept = action == "accept"
            links_before = len(project.suggested_relations())
            if not accept and links:
                project.reject_relations(links)
            done = (project.accept_suggestions if accept else project.reject_suggestions)([s.id for s in spans])
            done_regions = (project.accept_region_suggestions if accept else project.reject_region_suggestions)(
                [g.id for g, _, _ in regions])
            if accept and links:
                # After the ends: a relation left is one whose ends were accepted before (named, or --all).
                left = {r.id for r in project.suggested_relations()}
                project.accept_relations([i for i in links if i in left], None)
            links_done = links_before - len(project.suggested_relations())
        echo(f"{action}ed {counted(len(done) + len(done_regions), 'suggestion')}"
             + (f" ({counted(len(done_regions), 'region')})" if done_regions else "")
             + (f"; {counted(links_done, 'suggested relation')} {'accepted' if accept else 'removed'}" if links_done else ""))

    return review


_review("accept")
_review("reject")


@suggestions_group.command("kept")
@PROJECT_OPTION
@click.option("--drop", "drop_id", type=int, help="Stop applying this kept term list, pattern file or the letter parts to new imports.")
def kept_cmd(project_path: Path, drop_id: int | None) -> None:
    """List the term lists, pattern files and letter parts applied to every new import (suggest --keep,
    import --letter-parts), or drop one."""
    from ..assist.letter_parts import SOURCE as LETTER_PARTS

    require_project(project_path)
    with open_project(project_path, read_only=drop_id is None) as project:
        if drop_id is not None:
            project.drop_rule(drop_id)
            echo(f"dropped {drop_id}")
        for rule in project.rules():
            if rule.kind == LETTER_PARTS:
                echo(f"{rule.id:>4}  {rule.kind:<8}  the parts of a letter (import --no-letter-parts stops it)")
                continue
            size = len(parse_terms(rule.content, rule.name)) if rule.kind == "terms" else len(parse_patterns(rule.content, rule.name))
            flags = "".join(f" --{f}" for f, on in (("fuzzy", rule.fuzzy), ("ignore-case", rule.ignore_case)) if on)
            label = f" --label {rule.label}" if rule.label else ""
            echo(f"{rule.id:>4}  {rule.kind:<8}  {rule.name}{label}{flags} ({size} {rule.kind})")
