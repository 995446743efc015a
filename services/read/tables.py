"""The tables behind each read model: create, load, write the changed rows, empty, drop.

Statements are written with ``?`` placeholders (``Cursor`` translates them for PostgreSQL).
``suffix`` names a model's shadow tables (``roster_scope__next``), which a rebuild fills beside
the live ones and then puts in their place (``services/read/rebuild.py``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from pingzhan.projections.base import ReadModel, Table
from pingzhan.services.read.viewdb import Cursor, ViewDb


def ddl(table: Table, dialect: str, suffix: str = "") -> str:
    name = table.name + suffix
    if dialect == "sqlite" and table.keys == ("position",):
        # SQLite: the position is the rowid itself, so appending in order needs no extra index.
        cols = ", ".join(["position INTEGER PRIMARY KEY", *(f"{c} TEXT" for c in table.values)])
        return f"CREATE TABLE IF NOT EXISTS {name} ({cols})"
    cols = ", ".join(f"{c} {'BIGINT' if c == 'position' else 'TEXT'}" for c in table.columns)
    return f"CREATE TABLE IF NOT EXISTS {name} ({cols}, PRIMARY KEY ({', '.join(table.keys)}))"


def create(cur: Cursor, model: ReadModel, suffix: str = "") -> None:
    for table in model.tables:
        cur.execute(ddl(table, cur.db.dialect, suffix))


def load(cur: Cursor, model: ReadModel) -> None:
    """Read the model's rows into memory (append-only tables stay on disk)."""
    for table in model.tables:
        if table.append_only:
            continue
        n = len(table.keys)
        rows = cur.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}").fetchall()
        model.rows[table.name] = {tuple(r[:n]): tuple(r[n:]) for r in rows}
    model.dirty.clear()
    model.appended.clear()  # rows folded but not written: folded again from the loaded position
    model.loaded()


def flush(cur: Cursor, model: ReadModel, suffix: str = "", keyed: bool = True) -> None:
    """Write what changed since the last flush. ``keyed=False``: only the append-only tables'
    new rows, for tables that ``fill`` gives their keyed rows later (a rebuild's shadow tables)."""
    model.flushing()
    for table in model.tables:
        name = table.name + suffix
        if table.append_only:
            _insert(cur, name, table, model.appended.pop(table.name, []))
            continue
        keys = model.dirty.get(table.name)
        if not keys or not keyed:
            continue
        current = model.rows[table.name]
        _delete(cur, name, table, [k for k in keys if k not in current])
        _upsert(cur, name, table, [(*k, *current[k]) for k in keys if k in current])
    model.dirty.clear()


def fill(cur: Cursor, model: ReadModel, suffix: str = "") -> None:
    """Write every keyed row of the model, and the append-only tables' new rows, into tables
    whose keyed rows were never written (a rebuild's shadow tables, flushed with
    ``keyed=False`` page by page). A row changed on many pages is written once: deleted and
    inserted again on each page, on PostgreSQL every such pair left a dead row behind, and a
    table rebuilt from 5 million messages was mostly dead rows, which every read of it scanned."""
    model.flushing()
    for table in model.tables:
        name = table.name + suffix
        if table.append_only:
            _insert(cur, name, table, model.appended.pop(table.name, []))
        else:
            _insert(cur, name, table, [(*k, *v) for k, v in model.rows[table.name].items()])
    model.dirty.clear()


def empty(cur: Cursor, model: ReadModel) -> None:
    for table in model.tables:
        cur.execute(f"DELETE FROM {table.name}")
    model.clear()


def drop(cur: Cursor, model: ReadModel, suffix: str = "") -> None:
    for table in model.tables:
        cur.execute(f"DROP TABLE IF EXISTS {table.name}{suffix}")


def replace(cur: Cursor, model: ReadModel, suffix: str) -> None:
    """Put the model's shadow tables in the place of its live ones (inside the caller's
    transaction: readers see the old tables or the new, never neither)."""
    drop(cur, model)
    for table in model.tables:
        cur.execute(f"ALTER TABLE {table.name}{suffix} RENAME TO {table.name}")
        if cur.db.dialect == "postgres":  # its primary key's index keeps the name it was made with
            cur.execute(f"ALTER INDEX IF EXISTS {table.name}{suffix}_pkey RENAME TO {table.name}_pkey")


def named(cur: Cursor, suffix: str) -> list[str]:
    """The tables whose names end with ``suffix`` (shadow tables)."""
    pattern = "%" + suffix.replace("_", "\\_")
    if cur.db.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? ESCAPE '\\'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE ? ESCAPE '\\'"
    return [str(r[0]) for r in cur.execute(sql, (pattern,)).fetchall()]


def exists(cur: Cursor, table: str) -> bool:
    return not missing(cur, [table])


def missing(cur: Cursor, names: list[str]) -> list[str]:
    """Those of the tables that do not exist, in one query (a read asked once per table: eleven
    round trips for the roster, 3.18 ms at the median on PostgreSQL, 0.50 ms as one)."""
    if not names:
        return []
    marks = ", ".join("?" * len(names))
    if cur.db.dialect == "sqlite":
        sql = f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({marks})"
    else:
        sql = (
            f"SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ({marks})"
        )
    found = {str(r[0]) for r in cur.execute(sql, names).fetchall()}
    return [name for name in names if name not in found]


def read_rows(db: ViewDb, model: ReadModel) -> ReadModel:
    """Load a read model's current rows for a query."""
    try:
        with db.transaction(write=False) as cur:
            if missing(cur, [table.name for table in model.tables]):
                raise LookupError("no read models yet: start `pingzhan serve` (or `pingzhan demo`) first")
            load(cur, model)
    except (LookupError, sqlite3.OperationalError, psycopg.errors.UndefinedColumn) as e:
        if _layout_behind(db, model):
            raise LookupError(
                f"the read model {model.name} is being rebuilt for this release's layout of its tables; it "
                "answers again when `pingzhan serve` (or `pingzhan rebuild`) has swapped the new tables in"
            ) from None
        raise e
    return model


def _layout_behind(db: ViewDb, model: ReadModel) -> bool:
    """Are the model's tables of another layout than this code's (README "Rebuilds")?"""
    try:
        stored = db.query("SELECT version FROM view_schema WHERE name = ?", (model.name,))
    except (sqlite3.Error, psycopg.Error):  # no read models at all yet
        return False
    return bool(stored) and int(stored[0][0]) != model.version


def _type(column: str) -> str:
    return "bigint" if column == "position" else "text"


def _insert(cur: Cursor, name: str, table: Table, rows: list[tuple[Any, ...]], then: str = "") -> None:
    """``then``: a clause after the insert (``_upsert``'s ON CONFLICT)."""
    if not rows:
        return
    columns = ", ".join(table.columns)
    if cur.db.dialect == "sqlite":
        marks = ",".join("?" * len(table.columns))
        cur.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks}) {then}", rows)
        return
    # PostgreSQL: one statement with a column array each, not one per row (nor COPY, which
    # cannot join the pipeline the projector sends its whole flush in).
    arrays = ", ".join(f"?::{_type(c)}[]" for c in table.columns)
    cur.execute(
        f"INSERT INTO {name} ({columns}) SELECT * FROM unnest({arrays}) {then}",
        [list(col) for col in zip(*rows, strict=True)],
    )


def _upsert(cur: Cursor, name: str, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Changed rows updated in place, new ones inserted. On PostgreSQL deleting and inserting each
    changed row again left a dead row and new index entries every time; an update that changes
    no key can stay on its page with no new index entry. A live fold of 100,000 messages in steps
    of 100 events: roster_checkpoint 999 rows in 1,208 kB with 9,996 dead, 13,299 updated in
    place, against 2,400 kB and 20,908 dead (rows that go and come back, as a cadre's duty, still
    leave dead ones). A fill factor below 100 made the tables larger and was not kept."""
    update = ", ".join(f"{c} = excluded.{c}" for c in table.values)
    action = f"UPDATE SET {update}" if update else "NOTHING"
    _insert(cur, name, table, rows, f"ON CONFLICT ({', '.join(table.keys)}) DO {action}")


def _delete(cur: Cursor, name: str, table: Table, keys: list[tuple[str, ...]]) -> None:
    if not keys:
        return
    if cur.db.dialect == "sqlite":
        cur.executemany(f"DELETE FROM {name} WHERE {' AND '.join(f'{k}=?' for k in table.keys)}", keys)
        return
    arrays = ", ".join(f"?::{_type(c)}[]" for c in table.keys)
    cur.execute(
        f"DELETE FROM {name} WHERE ({', '.join(table.keys)}) IN (SELECT * FROM unnest({arrays}))",
        [list(col) for col in zip(*keys, strict=True)],
    )
