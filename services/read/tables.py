"""The tables behind each read model: create, load, write the changed rows, empty, drop.

Statements are written with ``?`` placeholders (``Cursor`` translates them for PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from pingzhan.projections.base import ReadModel, Table
from pingzhan.services.read.viewdb import Cursor, ViewDb


def ddl(table: Table, dialect: str) -> str:
    if dialect == "sqlite" and table.keys == ("position",):
        # SQLite: the position is the rowid itself, so appending in order needs no extra index.
        cols = ", ".join(["position INTEGER PRIMARY KEY", *(f"{c} TEXT" for c in table.values)])
        return f"CREATE TABLE IF NOT EXISTS {table.name} ({cols})"
    cols = ", ".join(f"{c} {'BIGINT' if c == 'position' else 'TEXT'}" for c in table.columns)
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({cols}, PRIMARY KEY ({', '.join(table.keys)}))"


def create(cur: Cursor, model: ReadModel) -> None:
    for table in model.tables:
        cur.execute(ddl(table, cur.db.dialect))


def load(cur: Cursor, model: ReadModel) -> None:
    """Read the model's rows into memory (append-only tables stay on disk)."""
    for table in model.tables:
        if table.append_only:
            continue
        n = len(table.keys)
        rows = cur.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}").fetchall()
        model.rows[table.name] = {tuple(r[:n]): tuple(r[n:]) for r in rows}
    model.dirty.clear()
    model.loaded()


def flush(cur: Cursor, model: ReadModel) -> None:
    """Write what changed since the last flush."""
    model.flushing()
    for table in model.tables:
        if table.append_only:
            _insert(cur, table, model.appended.pop(table.name, []))
            continue
        keys = model.dirty.get(table.name)
        if not keys:
            continue
        _delete(cur, table, list(keys))
        current = model.rows[table.name]
        _insert(cur, table, [(*k, *current[k]) for k in keys if k in current])
    model.dirty.clear()


def empty(cur: Cursor, model: ReadModel) -> None:
    for table in model.tables:
        cur.execute(f"DELETE FROM {table.name}")
    model.clear()


def drop(cur: Cursor, model: ReadModel) -> None:
    for table in model.tables:
        cur.execute(f"DROP TABLE IF EXISTS {table.name}")


def exists(cur: Cursor, table: str) -> bool:
    if cur.db.dialect == "sqlite":
        return bool(cur.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchall())
    return bool(cur.execute("SELECT 1 FROM pg_tables WHERE tablename = ?", (table,)).fetchall())


def read_rows(db: ViewDb, model: ReadModel) -> ReadModel:
    """Load a read model's current rows for a query."""
    with db.transaction(write=False) as cur:
        if not all(exists(cur, table.name) for table in model.tables):
            raise LookupError("no read models yet: start `pingzhan serve` (or `pingzhan demo`) first")
        load(cur, model)
    return model


def _type(column: str) -> str:
    return "bigint" if column == "position" else "text"


def _insert(cur: Cursor, table: Table, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if cur.db.dialect == "sqlite":
        cur.executemany(f"INSERT INTO {table.name} VALUES ({','.join('?' * len(table.columns))})", rows)
        return
    # PostgreSQL: one statement with a column array each, not one per row (nor COPY, which
    # cannot join the pipeline the projector sends its whole flush in).
    arrays = ", ".join(f"?::{_type(c)}[]" for c in table.columns)
    cur.execute(
        f"INSERT INTO {table.name} ({', '.join(table.columns)}) SELECT * FROM unnest({arrays})",
        [list(col) for col in zip(*rows, strict=True)],
    )


def _delete(cur: Cursor, table: Table, keys: list[tuple[str, ...]]) -> None:
    if cur.db.dialect == "sqlite":
        cur.executemany(f"DELETE FROM {table.name} WHERE {' AND '.join(f'{k}=?' for k in table.keys)}", keys)
        return
    arrays = ", ".join(f"?::{_type(c)}[]" for c in table.keys)
    cur.execute(
        f"DELETE FROM {table.name} WHERE ({', '.join(table.keys)}) IN (SELECT * FROM unnest({arrays}))",
        [list(col) for col in zip(*keys, strict=True)],
    )
