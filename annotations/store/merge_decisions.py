"""Another project's relations, adjudication decisions and rejected suggestions, brought in onto our ids."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from ..records import Label
from .merge_checks import finite
from .merge_copy import NUMBER, OPTIONAL_TEXT, TEXT, near_boxes, position, typed
from .near_boxes import NearBoxes
from .rows import fetch_all, insert_row

if TYPE_CHECKING:
    from .merge import MergeReport


_DECISION_TYPES = {"a": TEXT, "b": TEXT, "decision": TEXT, "adjudicator": TEXT, "created": OPTIONAL_TEXT}
_RELATION_COPY = ("label", "note", "annotator", "created", "updated", "source", "suggested")
_RELATION_TYPES = {"label": TEXT, "from_kind": TEXT, "from_id": (int,), "to_kind": TEXT, "to_id": (int,),
                   "note": TEXT, "annotator": TEXT, "source": TEXT, "suggested": (int,),
                   "created": OPTIONAL_TEXT, "updated": OPTIONAL_TEXT}
_RELATION_DECISION_TYPES = {**_DECISION_TYPES, "ends": TEXT}
_RELATION_REJECTION_TYPES = {"label": TEXT, "from_kind": TEXT, "from_id": (int,), "to_kind": TEXT, "to_id": (int,),
                             "source": TEXT, "created": OPTIONAL_TEXT}
_SPAN_REJECTION_TYPES = {"label": TEXT, "first_word_id": (int,), "last_word_id": (int,), "head": (int,),
                         "tail": (int,), "source": TEXT, "score": (*NUMBER, type(None)), "created": OPTIONAL_TEXT}
_REGION_REJECTION_TYPES = {"label": TEXT, "x0": NUMBER, "y0": NUMBER, "x1": NUMBER, "y1": NUMBER,
                           "source": TEXT, "created": OPTIONAL_TEXT}


def merge_relations(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                    ends: dict[tuple[str, int], int], labels: dict[str, Label], report: MergeReport,
                    rejected: set[tuple[str, int]]) -> None:
    """Their relations whose ends came in (or were here), on the ids those ends have here; checked as an
    analyst's own would be: both ends in this document, not one end twice, a declared relation label that
    allows the labels of its ends."""
    for row in fetch_all(conn, "select from_kind, from_id, to_kind, to_id, " + ", ".join(_RELATION_COPY)
                         + " from relations where document_id = ?", [doc["id"]]):
        head = ends.get((row["from_kind"], row["from_id"])) if typed(row, _RELATION_TYPES) else None
        tail = ends.get((row["to_kind"], row["to_id"])) if head is not None else None
        label = labels.get(row["label"])
        fits = head is not None and tail is not None and label is not None and row["suggested"] in (0, 1) and (
            (row["from_kind"], head) != (row["to_kind"], tail))
        if fits:
            assert label is not None and head is not None and tail is not None
            for kind, ident, allowed in ((row["from_kind"], head, label.from_labels),
                                         (row["to_kind"], tail, label.to_labels)):
                table = "spans" if kind == "span" else "regions"
                if allowed and db.execute(f"select label from {table} where id = ?", [ident]).fetchone()[0] not in allowed:
                    fits = False
        if not fits and {(row["from_kind"], row["from_id"]), (row["to_kind"], row["to_id"])} & rejected:
            continue  # as rejecting an end removes its relations
        if not fits:
            report.skipped.append(f"{doc['name']}: a {row['label']!r} relation of {row['annotator']!r} that does not "
                                  "fit (an end that did not come in, or a label that does not allow it)")
            continue
        assert label is not None
        row["label"] = label.name
        if row["suggested"] and db.execute(
                "select 1 from relation_rejections where document_id = ? and label = ? and from_kind = ? "
                "and from_id = ? and to_kind = ? and to_id = ?",
                [doc_id, row["label"], row["from_kind"], head, row["to_kind"], tail]).fetchone():
            continue  # rejected here (or there, and that rejection came in above): not proposed again
        key = [doc_id, row["label"], row["from_kind"], head, row["to_kind"], tail, row["annotator"], row["source"]]
        if db.execute("select 1 from relations where document_id = ? and label = ? and from_kind = ? and from_id = ? "
                      "and to_kind = ? and to_id = ? and annotator = ? and source = ?", key).fetchone():
            report.already += 1
            continue
        insert_row(db, "relations", {"document_id": doc_id, "from_kind": row["from_kind"], "from_id": head,
                                     "to_kind": row["to_kind"], "to_id": tail,
                                     **{c: row[c] for c in _RELATION_COPY}})
        report.relations += 1


def merge_decisions(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int, words: dict[int, int],
                    pages: dict[int, tuple[int, int, int]], report: MergeReport) -> None:
    """Their adjudication decisions, so what they settled is not asked again here (ours win where both settled)."""

    def usable(row: dict) -> bool:
        return _usable_decision(row, _DECISION_TYPES, doc, report)

    for row in fetch_all(conn, "select first_word_id, last_word_id, a, b, decision, adjudicator, created "
                               "from adjudications where document_id = ?", [doc["id"]]):
        first, last = words.get(row["first_word_id"]), words.get(row["last_word_id"])
        if first is None or last is None:
            row["decision"] = None  # reported as not fitting
        if not usable(row):
            continue
        key = [doc_id, row["a"], row["b"], first, last]
        if db.execute("select 1 from adjudications where document_id = ? and a = ? and b = ? and first_word_id = ? "
                      "and last_word_id = ?", key).fetchone():
            report.already += 1
            continue
        insert_row(db, "adjudications", {"document_id": doc_id, "first_word_id": first, "last_word_id": last,
                                         **{c: row[c] for c in ("a", "b", "decision", "adjudicator", "created")}})
        report.decisions += 1
    for their_page, (page_id, width, height) in pages.items():
        for row in fetch_all(conn, "select x0, y0, x1, y1, a, b, decision, adjudicator, created from region_adjudications "
                                   "where page_id = ?", [their_page]):
            box = [row[c] for c in ("x0", "y0", "x1", "y1")]
            if not (all(isinstance(v, NUMBER) for v in box) and 0 <= box[0] < box[2] <= width
                    and 0 <= box[1] < box[3] <= height):
                row["decision"] = None
            if not usable(row):
                continue
            if db.execute("select 1 from region_adjudications where page_id = ? and a = ? and b = ? and x0 = ? "
                          "and y0 = ? and x1 = ? and y1 = ?", [page_id, row["a"], row["b"], *box]).fetchone():
                report.already += 1
                continue
            insert_row(db, "region_adjudications", {"document_id": doc_id, "page_id": page_id, **{
                c: row[c] for c in ("x0", "y0", "x1", "y1", "a", "b", "decision", "adjudicator", "created")}})
            report.decisions += 1


def _usable_decision(row: dict, types: dict[str, tuple[type, ...]], doc: dict, report: MergeReport) -> bool:
    from .adjudications import DECISIONS

    if typed(row, types) and row["decision"] in DECISIONS:
        return True
    report.skipped.append(f"{doc['name']}: an adjudication decision of {row['adjudicator']!r} that does not fit")
    return False


def merge_relation_decisions(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                             words: dict[int, int], pages: dict[int, tuple[int, int, int]],
                             report: MergeReport) -> None:
    """Their decisions over relations, their pair of ends rewritten onto our words and pages, so that a pair
    they settled is not asked again here (ours win where both settled)."""
    for row in fetch_all(conn, "select a, b, ends, decision, adjudicator, created from relation_adjudications "
                               "where document_id = ?", [doc["id"]]):
        ends = _our_ends(db, row["ends"], words, pages) if isinstance(row["ends"], str) else None
        if ends is None:
            row["decision"] = None  # reported as not fitting
        if not _usable_decision(row, _RELATION_DECISION_TYPES, doc, report):
            continue
        if db.execute("select 1 from relation_adjudications where document_id = ? and a = ? and b = ? and ends = ?",
                      [doc_id, row["a"], row["b"], ends]).fetchone():
            report.already += 1
            continue
        insert_row(db, "relation_adjudications", {"document_id": doc_id, "ends": ends, **{
            c: row[c] for c in ("a", "b", "decision", "adjudicator", "created")}})
        report.decisions += 1


def _our_ends(db: sqlite3.Connection, text: str, words: dict[int, int],
              pages: dict[int, tuple[int, int, int]]) -> str | None:
    """A decision's pair of ends (relation_adjudication: a span by label, words and cuts, a region by page,
    label and box) on our word and page ids, written as adjudication writes it; None when it is not one."""
    try:
        keys = json.loads(text)
    except (ValueError, RecursionError):  # a hundred thousand brackets nest deeper than the parser goes
        return None
    if not (isinstance(keys, list) and len(keys) == 2 and all(isinstance(k, list) and k for k in keys)):
        return None

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    ours: list[tuple[object, ...]] = []
    for key in keys:
        if key[0] == "span" and len(key) == 6 and isinstance(key[1], str) and all(whole(v) for v in key[2:]):
            first, last = words.get(key[2]), words.get(key[3])
            if first is None or last is None or key[4] < 0 or key[5] < 0 or position(db, first) > position(db, last):
                return None
            ours.append(("span", key[1], first, last, key[4], key[5]))
        elif (key[0] == "region" and len(key) == 4 and whole(key[1]) and isinstance(key[2], str)
              and isinstance(key[3], list) and len(key[3]) == 4
              and all(finite(v) for v in key[3])):
            page = pages.get(key[1])
            x0, y0, x1, y1 = key[3]
            if page is None or not (0 <= x0 < x1 <= page[1] and 0 <= y0 < y1 <= page[2]):
                return None
            ours.append(("region", page[0], key[2], tuple(key[3])))
        else:
            return None
    return json.dumps(sorted(ours, key=repr), default=list)


def merge_relation_rejections(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                              ends: dict[tuple[str, int], int], labels: dict[str, str], report: MergeReport) -> None:
    """Their rejected relation suggestions on the ids their ends have here, so that they are not proposed
    again; our own copy of such a suggestion goes as theirs went."""
    for row in fetch_all(conn, "select label, from_kind, from_id, to_kind, to_id, source, created "
                               "from relation_rejections where document_id = ?", [doc["id"]]):
        if (not typed(row, _RELATION_REJECTION_TYPES) or row["label"] not in labels
                or row["from_kind"] not in ("span", "region") or row["to_kind"] not in ("span", "region")):
            report.skipped.append(f"{doc['name']}: a rejected {row['label']!r} relation suggestion that does not fit")
            continue
        row["label"] = labels[row["label"]]
        head, tail = ends.get((row["from_kind"], row["from_id"])), ends.get((row["to_kind"], row["to_id"]))
        if head is None or tail is None:
            continue  # an end gone there (rejected or deleted since), or left out above and said so
        key = [doc_id, row["label"], row["from_kind"], head, row["to_kind"], tail]
        if db.execute("select 1 from relation_rejections where document_id = ? and label = ? and from_kind = ? "
                      "and from_id = ? and to_kind = ? and to_id = ?", key).fetchone():
            report.already += 1
            continue
        # No relation_id: theirs names a relation of their project, and undoing a rejection here finds
        # its row by the id of the relation rejected here.
        insert_row(db, "relation_rejections", {
            "document_id": doc_id, "label": row["label"], "from_kind": row["from_kind"], "from_id": head,
            "to_kind": row["to_kind"], "to_id": tail, "source": row["source"], "relation_id": None,
            "created": row["created"]})
        db.execute("delete from relations where suggested = 1 and document_id = ? and label = ? and from_kind = ? "
                   "and from_id = ? and to_kind = ? and to_id = ?", key)
        report.rejections += 1


def merge_span_rejections(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict, doc_id: int,
                          words: dict[int, int], labels: dict[str, str], report: MergeReport) -> None:
    """Their rejected span suggestions on our words, so that they are not proposed again; our own copy
    of such a suggestion goes as theirs went."""
    for row in fetch_all(conn, "select label, first_word_id, last_word_id, head, tail, source, score, created "
                               "from span_rejections where document_id = ?", [doc["id"]]):
        first, last = words.get(row["first_word_id"]), words.get(row["last_word_id"])
        if (first is None or last is None or row["label"] not in labels or not typed(row, _SPAN_REJECTION_TYPES)
                or row["head"] < 0 or row["tail"] < 0 or position(db, first) > position(db, last)
                or (row["score"] is not None and not 0 <= row["score"] <= 1)):
            report.skipped.append(f"{doc['name']}: a rejected {row['label']!r} span suggestion that does not fit")
            continue
        row["label"] = labels[row["label"]]
        key = [doc_id, row["label"], first, last, row["head"], row["tail"]]
        if db.execute("select 1 from span_rejections where document_id = ? and label = ? and first_word_id = ? "
                      "and last_word_id = ? and head = ? and tail = ?", key).fetchone():
            report.already += 1
            continue
        # No span_id: theirs names a span of their project, and undoing a rejection here finds its row by its words.
        insert_row(db, "span_rejections", {
            "document_id": doc_id, "label": row["label"], "first_word_id": first, "last_word_id": last,
            "head": row["head"], "tail": row["tail"], "source": row["source"], "score": row["score"],
            "span_id": None, "created": row["created"]})
        db.execute("delete from spans where suggested = 1 and document_id = ? and label = ? and first_word_id = ? "
                   "and last_word_id = ? and head = ? and tail = ?", key)
        report.suggestion_rejections += 1


def merge_region_rejections(db: sqlite3.Connection, conn: sqlite3.Connection, doc: dict,
                            pages: dict[int, tuple[int, int, int]], labels: dict[str, str], report: MergeReport) -> None:
    """Their rejected region suggestions on our pages, so that they are not proposed again; our own
    suggestions of about the same box go as theirs went."""
    for their_page, (page_id, width, height) in pages.items():
        suggested: dict[str, NearBoxes] | None = None
        for row in fetch_all(conn, "select label, x0, y0, x1, y1, source, created from region_rejections "
                                   "where page_id = ?", [their_page]):
            box = (row["x0"], row["y0"], row["x1"], row["y1"])
            if (row["label"] not in labels or not typed(row, _REGION_REJECTION_TYPES)
                    or not (0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height)):
                report.skipped.append(f"{doc['name']}: a rejected {row['label']!r} region suggestion that does not fit")
                continue
            row["label"] = labels[row["label"]]
            if db.execute("select 1 from region_rejections where page_id = ? and label = ? and x0 = ? and y0 = ? "
                          "and x1 = ? and y1 = ?", [page_id, row["label"], *box]).fetchone():
                report.already += 1
                continue
            # No region_id: theirs names a region of their project.
            insert_row(db, "region_rejections", {"page_id": page_id, **{
                c: row[c] for c in ("label", "x0", "y0", "x1", "y1", "source", "created")}, "region_id": None})
            if suggested is None:
                suggested = near_boxes(db, "select id, label, x0, y0, x1, y1 from regions where suggested = 1 "
                                           "and page_id = ?", page_id)
            if row["label"] in suggested and (gone := suggested[row["label"]].near(box)):
                db.executemany("delete from regions where id = ?", [[ident] for ident in gone])
                suggested[row["label"]].remove(gone)
            report.suggestion_rejections += 1
