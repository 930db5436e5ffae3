"""CoNLL export: one token per line with its IOB2 (or BILOU) tag, one tag column per layer exported, a blank line between lines of the letter."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from ..errors import ProjectError
from ..labels import ENTITY, STRUCTURE
from ..text.layer import ResolvedSpan
from .base import ALL_LAYERS, ExportDocument, primary_layer
from .output import Target
from .tagging import OUTSIDE, bilou, check_tag_labels, iob2, longest_wins

# A word's tokens: runs of word characters joined by inner punctuation ("300,000", "U.S",
# "Prevention's"), or one punctuation mark. Punctuation leaves the word, as CoNLL corpora have it.
_TOKEN = re.compile(r"\w+(?:[.,'’&/-]\w+)*|[^\w\s]")
_CLITIC = re.compile(r"(?<=\w)['’]s$", re.IGNORECASE)

OVERLAP = "overlapping spans set aside (the longest one kept)"
SPLIT = "spans whose edge fell inside a token (the token was split there)"


def word_pieces(text: str) -> list[tuple[int, int]]:
    """Token ranges inside one OCR word, independent of any annotation."""
    pieces: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        piece = text[start:end]
        # "U.S." and "M." keep their period: an abbreviation or an initial, not a sentence end.
        if piece == "." and pieces and pieces[-1][1] == start:
            prev = text[pieces[-1][0] : pieces[-1][1]]
            if "." in prev or (len(prev) == 1 and prev.isalpha()):
                pieces[-1] = (pieces[-1][0], end)
                continue
        clitic = _CLITIC.search(piece)
        if clitic and clitic.start() > 0:
            pieces += [(start, start + clitic.start()), (start + clitic.start(), end)]
        else:
            pieces.append((start, end))
    return pieces or [(0, len(text))]


def tagged_sentences(doc: ExportDocument, scheme: str = "iob2") -> tuple[list[list[tuple[str, str]]], int, int]:
    """(sentences of (token, tag), spans set aside by overlap, span edges that split a token)."""
    sentences, aside, split = tagged_columns(doc, [doc.spans], scheme)
    return [[(token, tags[0]) for token, tags in sentence] for sentence in sentences], aside[0], split


def tagged_columns(
    doc: ExportDocument, columns: Sequence[Sequence[ResolvedSpan]], scheme: str = "iob2",
) -> tuple[list[list[tuple[str, list[str]]]], list[int], int]:
    """(sentences of (token, one tag per column), spans of each column set aside by overlap, span edges that split a token).

    Each column is tagged on its own, so a span of one (a letter's body) never sets aside a span of
    another (an agency inside it); overlaps within a column are resolved as in one.
    """
    text = doc.text
    kept_columns: list[list[ResolvedSpan]] = []
    aside: list[int] = []
    for spans in columns:
        kept, set_aside = longest_wins(list(spans), [(r.start, r.end) for r in spans])
        kept_columns.append(kept)
        aside.append(len(set_aside))
    # Sorted, so each token finds the cuts inside it by bisection: scanning every cut for every
    # token made a long document O(tokens x spans).
    cuts = sorted({pos for kept in kept_columns for r in kept for pos in (r.start, r.end)})
    tokens: list[tuple[int, int]] = []  # document character ranges
    line_starts: set[int] = set()  # token positions that begin a new line of the letter
    split = 0
    prev_line = None
    for k, word in enumerate(text.words):
        base = text.starts[k]
        line = (word.page_id, word.block, word.par, word.line)
        if prev_line is not None and line != prev_line:
            line_starts.add(len(tokens))
        prev_line = line
        for start, end in word_pieces(word.text):
            start, end = base + start, base + end
            inner = cuts[bisect_right(cuts, start) : bisect_left(cuts, end)]
            split += len(inner)
            for edge in inner + [end]:
                tokens.append((start, edge))
                start = edge
    first_token = {s: i for i, (s, _) in enumerate(tokens)}
    after_last = {e: i + 1 for i, (_, e) in enumerate(tokens)}
    column_tags = []
    for kept in kept_columns:
        ents: list[tuple[int, int, str]] = []
        for r in kept:
            # Spans are anchored to words, so both edges are token edges once the cuts are made.
            first, last = first_token[r.start], after_last[r.end]
            ents.append((first, last, r.span.label))
            # A span that runs over a line break keeps its lines in one sentence: one entity per span.
            line_starts -= set(range(first + 1, last))
        column_tags.append(iob2(len(tokens), ents))
    bounds = [0, *sorted(line_starts), len(tokens)]
    sentences = []
    for a, b in zip(bounds, bounds[1:]):
        if a == b:
            continue
        per_column = [bilou(tags[a:b]) if scheme == "bilou" else tags[a:b] for tags in column_tags]
        sentences.append([(text.text[s:e], [tags[k] for tags in per_column])
                          for k, (s, e) in enumerate(tokens[a:b])])
    return sentences, aside, split


def check_line(token: str, tag: str, labels: set[str]) -> str | None:
    """Why "token<TAB>tag" would not read back as one line of two columns with a valid tag, or None."""
    if not token or any(ch.isspace() for ch in token):
        return f"token {token!r} is empty or holds a space or line break"
    if any(ch.isspace() and ch != " " for ch in tag):
        return f"tag {tag!r} holds a tab or line break"
    if tag != OUTSIDE and (tag[:2] not in ("B-", "I-", "L-", "U-") or tag[2:] not in labels):
        return f"tag {tag!r} is not O or B-, I-, L-, U- and a label"
    return None


def write(docs: Iterable[ExportDocument], target: Target) -> None:
    out, report = target.stream, target.report
    # One tag column for the chosen layer; with --label-layer all, the entities then the structure.
    layers = [ENTITY, STRUCTURE] if target.options.label_layer == ALL_LAYERS else [primary_layer(target.options)]
    line = 0
    for doc in docs:
        labels = {r.span.label for r in doc.spans}
        check_tag_labels(labels, "conll")
        columns = [doc.layer_spans(layer) for layer in layers]
        sentences, aside, split = tagged_columns(doc, columns, target.options.scheme)
        out.write("-DOCSTART-" + "\tO" * len(layers) + "\n\n")
        line += 2
        for sentence in sentences:
            # What a reader gets back: every line tab-separated columns, each tag one of ours.
            for token, tags in sentence:
                line += 1
                for tag in tags:
                    problem = check_line(token, tag, labels)
                    if problem is not None:
                        raise ProjectError(f"cannot export conll: line {line} would not read back ({problem})")
            out.writelines("\t".join([token, *tags]) + "\n" for token, tags in sentence)
            out.write("\n")
            line += 1
        report.documents += 1
        for n, (layer, spans, set_aside) in enumerate(zip(layers, columns, aside)):
            where = "as tags" if len(layers) == 1 else f"as tags in column {n + 2}"
            report.place(layer, where, len(spans) - set_aside)
            report.spans += len(spans) - set_aside
        report.skip(OVERLAP, sum(aside))
        report.adjust(SPLIT, split)
        report.skip("regions (CoNLL holds text only; coco or labelstudio export them)", len(doc.regions))
