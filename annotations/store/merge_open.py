"""Another project opened for a merge: read-only, in one read transaction, its file, schema and values checked first."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from ..errors import ProjectError
from .imports import MAX_PAGE_WORDS
from .merge_checks import check_values
from .schema import migrations

MAX_FILE_BYTES = 16 * 1024**3
MAX_ROWS = {"documents": 100_000, "pages": 1_000_000, "words": 100_000_000, "spans": 10_000_000,
            "regions": 10_000_000, "labels": 1_000, "adjudications": 10_000_000, "region_adjudications": 10_000_000,
            "relations": 10_000_000, "relation_adjudications": 10_000_000, "relation_rejections": 10_000_000,
            "span_rejections": 10_000_000, "region_rejections": 10_000_000}
MAX_SOURCE_BYTES = 2 * 1024**3


def _schema(db: sqlite3.Connection) -> set[tuple[str, str, str]]:
    """Each table, index, trigger and view: a table by its columns (the text SQLite keeps of a table
    renamed or altered varies with its version), the others by their SQL."""
    found = set()
    for kind, name, sql in db.execute("select type, name, sql from sqlite_master "
                                      "where name not like 'sqlite_autoindex_%'").fetchall():
        text = re.sub(r"\s+", " ", sql or "").strip()
        if kind == "table" and not text.upper().startswith("CREATE VIRTUAL"):
            text = repr(db.execute("select name, type, \"notnull\", dflt_value, pk from pragma_table_info(?)",
                                   [name]).fetchall())
        found.add((kind, name, text))
    return found


def _expected_schema() -> set[tuple[str, str, str]]:
    reference = Database(memory=True)
    migrations.apply(reference)
    return _schema(reference.conn)


@contextmanager
def open_other(path: Path, is_known: Callable[[str], bool] = lambda sha256: False) -> Iterator[sqlite3.Connection]:
    """Another project opened read-only after checking it is a Scanspan project of this schema holding
    only values a fresh import could have stored, or a ProjectError naming the file and the cause;
    nothing in it is run (triggers fire only on writes, which are refused, views are never read, and
    the schema may not name functions). `is_known` tells a source file already here (whose pages are
    compared with ours rather than with the file's)."""

    def refuse(cause: str) -> ProjectError:
        return ProjectError(f"{path}: cannot merge: {cause}")

    if not path.is_file():
        raise refuse("no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise refuse(f"larger than {MAX_FILE_BYTES // 1024**3} GiB")
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(b"SQLite format 3\0"):
        raise refuse("not an SQLite file")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if len(header) < 100 or size < page_size * pages:
        raise refuse(f"truncated ({size} bytes of {page_size * pages})")
    wal = path.with_name(path.name + "-wal")
    # A closed project is read as immutable: no lock, and no -shm or -wal file left beside it. One
    # with changes still in its -wal (open in a Scanspan elsewhere) must be read through them.
    mode = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise refuse(str(exc)) from None
    try:
        try:
            # One read transaction throughout: what is checked is what is copied, even while the
            # other project is open and written elsewhere.
            conn.execute("begin")
            _check_other(conn, refuse)
            problem = check_values(conn, is_known, MAX_PAGE_WORDS)
            if problem is not None:
                raise refuse(problem)
        except sqlite3.Error as exc:
            raise refuse(f"not a Scanspan project, or damaged ({exc})") from None
        yield conn
    finally:
        conn.close()


def _check_other(conn: sqlite3.Connection, refuse: Callable[[str], ProjectError]) -> None:
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA query_only = ON")
    found = _schema(conn)
    if ("table", "_sqlite_migrations") not in {(t, n) for t, n, _ in found}:
        raise refuse("not a Scanspan project")
    views = sorted(n for t, n, _ in found if t == "view")
    if views:  # refused before anything is read: reading a view runs it
        raise refuse(f"an unknown view {views[0]!r}")
    known = [m.name for m in migrations.pending(Database(memory=True))]
    applied = [r[0] for r in conn.execute(
        "select name from _sqlite_migrations where migration_set = ? limit 1000", [migrations.name])]
    if not applied:
        raise refuse("not a Scanspan project")
    if set(applied) - set(known):
        raise refuse("made by a newer Scanspan; upgrade Scanspan first")
    if set(applied) != set(known):
        raise refuse("made by an older Scanspan; open it once with this version to upgrade it, then merge")
    expected = _expected_schema()
    for kind, name, _ in sorted(found - expected):
        what = "a changed" if any(n == name for _, n, _ in expected) else "an unknown"
        raise refuse(f"{what} {kind} {name!r}")
    for kind, name, _ in sorted(expected - found):
        raise refuse(f"its {kind} {name!r} is missing")
    check = conn.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise refuse(f"damaged ({check})")
    for table, limit in MAX_ROWS.items():
        count = conn.execute(f"select count(*) from {table}").fetchone()[0]
        if count > limit:
            raise refuse(f"{count} {table}, more than the {limit} a merge reads")
    # Words are checked here in one pass, not one by one in Python as they are copied (a third of the time).
    odd, first = conn.execute(
        "select count(*), min(id) from words where typeof(idx) != 'integer' or typeof(text) != 'text' "
        "or typeof(ocr_text) != 'text' or " + " or ".join(f"typeof({c}) not in ('integer', 'real')" for c in
                                                           ("x0", "y0", "x1", "y1"))
    ).fetchone()
    if odd:
        raise refuse(f"words row {first}: not stored as Scanspan stores words ({odd} words like it)")
    biggest = conn.execute("select max(length(data)) from sources").fetchone()[0] or 0
    if biggest > MAX_SOURCE_BYTES:
        raise refuse(f"a source file of {biggest} bytes")
