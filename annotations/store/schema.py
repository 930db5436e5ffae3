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
