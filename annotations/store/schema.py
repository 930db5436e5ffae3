"""The project schema as named, ordered, transactional sqlite-utils migrations."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "scanspan"

migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    db["sources"].create(
        {"sha256": str, "name": str, "size": int, "data": bytes, "added": str},
        pk="sha256",
        not_null={"name", "data"},
    )
    db["documents"].create(
        {"id": int, "name": str, "source_sha256": str, "status": str, "created": str},
        pk="id",
        foreign_keys=[("source_sha256", "sources", "sha256")],
        not_null={"name", "source_sha256", "status"},
        defaults={"status": "new"},
    )
    db["documents"].create_index(["source_sha256"], unique=True)
    db["pages"].create(
        {
            "id": int,
            "document_id": int,
            "number": int,
            "width": int,
            "height": int,
            "dpi_x": float,
            "dpi_y": float,
            "image_sha256": str,
            "engine": str,
            "engine_version": str,
            "lang": str,
            "psm": int,
            "ocr_dpi": float,
            "text_layer": int,
            "upscale": float,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "number", "width", "height"},
    )
    db["pages"].create_index(["document_id", "number"], unique=True)
    db["words"].create(
        {
            "id": int,
            "page_id": int,
            "idx": int,
            "text": str,
            "ocr_text": str,
            "x0": float,
            "y0": float,
            "x1": float,
            "y1": float,
            "conf": float,
            "block": int,
            "par": int,
            "line": int,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id")],
        not_null={"page_id", "idx", "text", "ocr_text"},
    )
    db["words"].create_index(["page_id", "idx"], unique=True)
    db["labels"].create(
        {"name": str, "color": str, "shortcut": str, "description": str, "position": int},
        pk="name",
        not_null={"color"},
    )
    db["spans"].create(
        {
            "id": int,
            "document_id": int,
            "label": str,
            "first_word_id": int,
            "last_word_id": int,
            "head": int,
            "tail": int,
            "note": str,
            "annotator": str,
            "created": str,
            "updated": str,
        },
        pk="id",
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("label", "labels", "name"),
            ("first_word_id", "words", "id"),
            ("last_word_id", "words", "id"),
        ],
        not_null={"document_id", "label", "first_word_id", "last_word_id"},
        defaults={"head": 0, "tail": 0, "note": "", "annotator": ""},
    )
    db["spans"].create_index(["document_id"])
    db["regions"].create(
        {
            "id": int,
            "page_id": int,
            "label": str,
            "x0": float,
            "y0": float,
            "x1": float,
            "y1": float,
            "text": str,
            "note": str,
            "annotator": str,
            "created": str,
            "updated": str,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id"), ("label", "labels", "name")],
        not_null={"page_id", "label"},
        defaults={"text": "", "note": "", "annotator": ""},
    )
    db["regions"].create_index(["page_id"])
    db["ocr_cache"].create(
        {"key": str, "words": str, "engine_version": str, "created": str},
        pk="key",
    )


@migrations(name="0002_span_suggestions")
def span_suggestions(db: Database) -> None:
    # Pre-annotations from a model or another tool arrive as suggestions the analyst accepts or
    # rejects; `source` says where a span came from (empty for spans made in Scanspan).
    db["spans"].add_column("source", str, not_null_default="")
    db["spans"].add_column("suggested", int, not_null_default=0)


@migrations(name="0003_region_suggestions")
def region_suggestions(db: Database) -> None:
    # Regions come back from a JSONL export or a model as suggestions too, marked as spans are (0002).
    db["regions"].add_column("source", str, not_null_default="")
    db["regions"].add_column("suggested", int, not_null_default=0)


@migrations(name="0004_stable_ids")
def stable_ids(db: Database) -> None:
    # Without AUTOINCREMENT SQLite hands the id of a deleted row to the next insert, so an undo in
    # the window followed by a CLI `annotate` gave both the same span id, and a redo then clashed
    # with (or a later undo deleted) the other writer's span. Nothing references these tables.
    for table in ("spans", "regions"):
        sql = db.execute("select sql from sqlite_master where type = 'table' and name = ?", [table]).fetchone()[0]
        indexes = [r[0] for r in db.execute(
            "select sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null", [table])]
        new_sql = sql.replace('"id" INTEGER PRIMARY KEY,', '"id" INTEGER PRIMARY KEY AUTOINCREMENT,', 1)
        assert new_sql != sql, f"unexpected schema of {table}"
        new_sql = new_sql.replace(f'"{table}"', f'"{table}_new"', 1)
        db.execute(new_sql)
        db.execute(f'insert into "{table}_new" select * from "{table}"')
        db.execute(f'drop table "{table}"')
        db.execute(f'alter table "{table}_new" rename to "{table}"')
        for index in indexes:
            db.execute(index)


@migrations(name="0005_partial_imports")
def partial_imports(db: Database) -> None:
    # A long document is stored in several transactions so that other writers get their turn; until
    # its last one it is `complete = 0`, invisible, and owned by the importing process (`import_pid`,
    # `import_seen` its last sign of life) so that one abandoned by a crash can be told apart and removed.
    db["documents"].add_column("complete", int, not_null_default=1)
    db["documents"].add_column("import_pid", int)
    db["documents"].add_column("import_seen", str)


_LOG = "insert into changes (kind, op, row_id, document_id, page_first, page_last) values"
_SPAN_PAGE = "(select p.number from words w join pages p on p.id = w.page_id where w.id = {}.{}_word_id)"
_REGION_PAGE = "(select {} from pages where id = {}.page_id)"


def _change_triggers() -> list[str]:
    triggers = []
    for op, row in (("insert", "new"), ("update", "new"), ("delete", "old")):
        event = {"insert": "insert", "update": "update", "delete": "delete"}[op]
        span_pages = f"{_SPAN_PAGE.format(row, 'first')}, {_SPAN_PAGE.format(row, 'last')}"
        triggers.append(
            f"create trigger changes_span_{op} after {event} on spans begin {_LOG} "
            f"('span', '{op}', {row}.id, {row}.document_id, {span_pages}); end"
        )
        region_page = _REGION_PAGE.format("number", row)
        triggers.append(
            f"create trigger changes_region_{op} after {event} on regions begin {_LOG} "
            f"('region', '{op}', {row}.id, {_REGION_PAGE.format('document_id', row)}, {region_page}, {region_page}); end"
        )
        triggers.append(f"create trigger changes_label_{op} after {event} on labels begin {_LOG} ('label', '{op}', null, null, null, null); end")
    word_page = _REGION_PAGE.format("number", "new")
    triggers += [
        f"create trigger changes_word_update after update of text on words when old.text is not new.text begin {_LOG} "
        f"('word', 'update', new.id, {_REGION_PAGE.format('document_id', 'new')}, {word_page}, {word_page}); end",
        # Documents appear once complete (see 0005), never while an import is still storing them.
        f"create trigger changes_document_insert after insert on documents when new.complete = 1 begin {_LOG} "
        "('document', 'insert', new.id, new.id, null, null); end",
        f"create trigger changes_document_complete after update of complete on documents "
        f"when new.complete = 1 and old.complete = 0 begin {_LOG} ('document', 'insert', new.id, new.id, null, null); end",
        f"create trigger changes_document_update after update of status, name on documents when new.complete = 1 "
        f"begin {_LOG} ('document', 'update', new.id, new.id, null, null); end",
        f"create trigger changes_document_delete after delete on documents when old.complete = 1 begin {_LOG} "
        "('document', 'delete', old.id, old.id, null, null); end",
    ]
    return triggers


@migrations(name="0006_change_log")
def change_log(db: Database) -> None:
    # Every change to what a window shows, whoever made it, so that each open window can bring the
    # pages another process touched up to date (see annotations/store/changes.py).
    db.execute(
        """create table changes (
            seq integer primary key autoincrement,
            kind text not null,
            op text not null,
            row_id integer,
            document_id integer,
            page_first integer,
            page_last integer
        )"""
    )
    for sql in _change_triggers():
        db.execute(sql)


@migrations(name="0007_suggestions")
def suggestions(db: Database) -> None:
    # A suggestion's score (term list, pattern, propagation or model), NULL for spans made by hand.
    db["spans"].add_column("score", float)
    # A rejected suggestion leaves `spans` (so nothing that lists spans, the window included, sees
    # it) and is remembered here by its words and label, so the same suggestion is not made again.
    db["span_rejections"].create(
        {
            "id": int,
            "document_id": int,
            "label": str,
            "first_word_id": int,
            "last_word_id": int,
            "head": int,
            "tail": int,
            "source": str,
            "score": float,
            "span_id": int,
            "created": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "label", "first_word_id", "last_word_id", "head", "tail"},
        defaults={"source": ""},
    )
    db["span_rejections"].create_index(
        ["document_id", "label", "first_word_id", "last_word_id", "head", "tail"], unique=True
    )
    # Term lists and pattern files kept with the project, applied to every document imported later.
    db["suggestion_rules"].create(
        {"id": int, "kind": str, "name": str, "label": str, "fuzzy": int, "ignore_case": int, "content": str,
         "created": str},
        pk="id",
        not_null={"kind", "name", "content"},
        defaults={"label": "", "fuzzy": 0, "ignore_case": 0},
    )
    db["suggestion_rules"].create_index(["kind", "name", "label"], unique=True)


@migrations(name="0008_page_search")
def page_search(db: Database) -> None:
    # The full-text index of every page (see store/search.py), built here for the pages already stored.
    from .search import CREATE_FTS

    db.execute(CREATE_FTS)
    _index_pages(db)


def _index_pages(db: Database) -> None:
    """Fill the full-text index from every stored page's words."""
    from .search import FTS_TABLE, page_key

    words = db.execute("select page_id, text from words order by page_id, idx")
    page_id: int | None = None
    texts: list[str] = []
    for pid, text in words:
        if pid != page_id:
            if page_id is not None:
                db.execute(f"insert into {FTS_TABLE} (rowid, text) values (?, ?)", [page_id, page_key(texts)])
            page_id, texts = pid, []
        texts.append(text)
    if page_id is not None:
        db.execute(f"insert into {FTS_TABLE} (rowid, text) values (?, ?)", [page_id, page_key(texts)])


@migrations(name="0009_reading_order")
def reading_order(db: Database) -> None:
    # How a page's words were put in reading order (annotations/ingest/reading_order.py); pages stored
    # before it keep the engine's order, "" here, until `scanspan reorder` rewrites them.
    db["pages"].add_column("reading_order", str, not_null_default="")


@migrations(name="0010_adjudications")
def adjudications(db: Database) -> None:
    # What adjudication settled between two analysts: the words a disagreement covered and what
    # was kept ("a", "b", "both", "neither", or "agreed"), so that it is not asked again. The spans
    # kept are copies in `spans` with source "adjudicated" (annotations/layers.py).
    db["adjudications"].create(
        {"id": int, "document_id": int, "a": str, "b": str, "first_word_id": int, "last_word_id": int,
         "decision": str, "adjudicator": str, "created": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "a", "b", "first_word_id", "last_word_id", "decision"},
        defaults={"adjudicator": ""},
    )
    db["adjudications"].create_index(["document_id", "a", "b", "first_word_id", "last_word_id"], unique=True)


@migrations(name="0011_search_without_dashes")
def search_without_dashes(db: Database) -> None:
    # Search stopped comparing dashes (text/normalise.py), so an index built before holds them.
    from .search import FTS_TABLE

    db.execute(f"delete from {FTS_TABLE}")
    _index_pages(db)


@migrations(name="0012_region_rejections")
def region_rejections(db: Database) -> None:
    # A rejected suggested region leaves `regions` and is remembered here by its page, label and box,
    # so that running the same suggester or pre-annotation file again does not propose it again.
    db["region_rejections"].create(
        {"id": int, "page_id": int, "label": str, "x0": float, "y0": float, "x1": float, "y1": float,
         "source": str, "region_id": int, "created": str},
        pk="id",
        foreign_keys=[("page_id", "pages", "id")],
        not_null={"page_id", "label", "x0", "y0", "x1", "y1"},
        defaults={"source": ""},
    )
    db["region_rejections"].create_index(["page_id", "label"])


@migrations(name="0013_region_adjudications")
def region_adjudications(db: Database) -> None:
    # What adjudication settled between two analysts' regions: a group of overlapping regions on a
    # page, remembered by the union of its boxes, and what was kept. The regions kept are copies in
    # `regions` with source "adjudicated" (annotations/team/region_adjudication.py).
    db["region_adjudications"].create(
        {"id": int, "document_id": int, "page_id": int, "a": str, "b": str, "x0": float, "y0": float, "x1": float,
         "y1": float, "decision": str, "adjudicator": str, "created": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("page_id", "pages", "id")],
        not_null={"document_id", "page_id", "a", "b", "x0", "y0", "x1", "y1", "decision"},
        defaults={"adjudicator": ""},
    )
    db["region_adjudications"].create_index(["document_id", "a", "b"])


@migrations(name="0014_ocr_input")
def ocr_input(db: Database) -> None:
    # How a page's image was prepared for tesseract (ocr.OcrPlan.describe: x-height, scale, despeckle,
    # line re-read); "" for pages read from the resolution alone, as every page before this was.
    db["pages"].add_column("ocr_input", str, not_null_default="")


_LETTER_SET = ("letterhead", "date", "recipient", "subject", "salutation", "body", "closing", "signature_block",
               "enclosure", "cc")
"""The names `labels --add-set letter` gave labels before they had a layer; frozen here, as a migration
must mean the same whatever the set becomes."""


@migrations(name="0015_label_layers")
def label_layers(db: Database) -> None:
    # Flat exports (CoNLL, doc.ents, LayoutLM tags) take one layer, so that a letter's body paragraph
    # no longer pushes out the entities inside it. Projects made before knew only the letter set's
    # labels as structure; a label an analyst named "date" themselves is taken as the letter's too.
    db["labels"].add_column("layer", str, not_null_default="entity")
    marks = ", ".join("?" for _ in _LETTER_SET)
    db.execute(f"update labels set layer = 'structure' where name in ({marks})", list(_LETTER_SET))


@migrations(name="0016_page_language")
def page_language(db: Database) -> None:
    # The project's own defaults for reading pages, e.g. the OCR languages ("auto": each page's own,
    # annotations/ingest/languages.py), so that every import and reocr into the project uses them unless told otherwise.
    db["project_settings"].create({"key": str, "value": str}, pk="key", not_null={"value"})


@migrations(name="0017_words_source")
def words_source(db: Database) -> None:
    # Where a page's words came from when they were read from an hOCR, ALTO or PAGE file rather
    # than OCRed here (Provenance.words_source); "" for every page OCRed or read from a text layer.
    db["pages"].add_column("words_source", str, not_null_default="")


@migrations(name="0018_suggestion_reasons")
def suggestion_reasons(db: Database) -> None:
    # Why a suggestion was proposed ("exact", "case", "1 OCR edit: 'Justlce' for 'Justice'"), shown
    # beside its score: a score alone did not tell a misread name from another word.
    db["spans"].add_column("reason", str, not_null_default="")


_RELATION_COLUMNS = ("id, document_id, label, from_kind, from_id, to_kind, to_id, note, annotator, created, updated, "
                     "source, suggested")
_END_PAGE = (
    "(case {row}.from_kind when 'span' then (select p.number from spans s join words w on w.id = s.first_word_id "
    "join pages p on p.id = w.page_id where s.id = {row}.from_id) "
    "else (select p.number from regions r join pages p on p.id = r.page_id where r.id = {row}.from_id) end)"
)


@migrations(name="0019_relations")
def relations(db: Database) -> None:
    # Relation labels live with the span and region labels (one namespace, one palette): `kind` tells
    # them apart, `directed` whether from -> to means something, `ends` which labels each end may carry
    # (JSON {"from": [...], "to": [...]}; "" = any).
    db["labels"].add_column("kind", str, not_null_default="span")
    db["labels"].add_column("directed", int, not_null_default=1)
    db["labels"].add_column("ends", str, not_null_default="")
    # AUTOINCREMENT for the reason of 0004: an undo restores a relation under its old id.
    db.execute(
        """create table relations (
            id integer primary key autoincrement,
            document_id integer not null references documents(id),
            label text not null references labels(name),
            from_kind text not null check (from_kind in ('span', 'region')),
            from_id integer not null,
            to_kind text not null check (to_kind in ('span', 'region')),
            to_id integer not null,
            note text not null default '',
            annotator text not null default '',
            created text,
            updated text,
            source text not null default '',
            suggested integer not null default 0
        )"""
    )
    db.execute("create index relations_document on relations (document_id)")
    db.execute("create index relations_from on relations (from_kind, from_id)")
    db.execute("create index relations_to on relations (to_kind, to_id)")
    # The relations a deleted span or region took with it, kept so that an undo can put them back
    # (Project.relations_removed_with); only the latest deletion of each annotation is kept.
    db.execute(
        """create table relation_removals (
            with_kind text not null,
            with_id integer not null,
            id integer not null, document_id integer, label text, from_kind text, from_id integer,
            to_kind text, to_id integer, note text, annotator text, created text, updated text,
            source text, suggested integer
        )"""
    )
    db.execute("create index relation_removals_with on relation_removals (with_kind, with_id)")
    for kind, table in (("span", "spans"), ("region", "regions")):
        # Every way a span or region leaves (delete, rejection, adjudication, another process) takes
        # its relations along in the same statement; BEFORE, so the change log still finds their pages.
        ends = f"(from_kind = '{kind}' and from_id = old.id) or (to_kind = '{kind}' and to_id = old.id)"
        db.execute(
            f"create trigger relations_with_{kind} before delete on {table} begin "
            f"delete from relation_removals where with_kind = '{kind}' and with_id = old.id; "
            f"insert into relation_removals (with_kind, with_id, {_RELATION_COLUMNS}) "
            f"select '{kind}', old.id, {_RELATION_COLUMNS} from relations where {ends}; "
            f"delete from relations where {ends}; end"
        )
    for op, row in (("insert", "new"), ("update", "new"), ("delete", "old")):
        page = _END_PAGE.format(row=row)
        db.execute(
            f"create trigger changes_relation_{op} after {op} on relations begin {_LOG} "
            f"('relation', '{op}', {row}.id, {row}.document_id, {page}, {page}); end"
        )


@migrations(name="0020_relation_decisions")
def relation_decisions(db: Database) -> None:
    # What adjudication settled between two analysts' relations: those between one pair of ends,
    # remembered by the ends' identity (annotations/team/relation_adjudication.py: words and label of a
    # span, page, label and box of a region) so that a later run does not ask again. The relations
    # kept are copies in `relations` with source "adjudicated", between the ends' adjudicated copies.
    db["relation_adjudications"].create(
        {"id": int, "document_id": int, "a": str, "b": str, "ends": str, "decision": str, "adjudicator": str,
         "created": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "a", "b", "ends", "decision"},
        defaults={"adjudicator": ""},
    )
    db["relation_adjudications"].create_index(["document_id", "a", "b"])
    # A rejected suggested relation, remembered by its label and ends as span_rejections remembers a
    # span, so that a pre-annotation file imported again does not propose it again.
    db["relation_rejections"].create(
        {"id": int, "document_id": int, "label": str, "from_kind": str, "from_id": int, "to_kind": str, "to_id": int,
         "source": str, "relation_id": int, "created": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "label", "from_kind", "from_id", "to_kind", "to_id"},
        defaults={"source": ""},
    )
    db["relation_rejections"].create_index(["document_id", "label", "from_kind", "from_id", "to_kind", "to_id"])


@migrations(name="0021_search_folds_accents")
def search_folds_accents(db: Database) -> None:
    # Search stopped comparing accents (text/normalise.py), so an index built before holds them:
    # "Mudurlugu" would not find the page's "Müdürlüğü".
    from .search import FTS_TABLE

    db.execute(f"delete from {FTS_TABLE}")
    _index_pages(db)
