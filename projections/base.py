"""What every read model offers the projector: tables, resume, fold one event, flush changed rows.

Each read model keeps its state in memory as rows keyed by primary key, folds events into it and
marks what changed; the projector writes the changed rows and the position in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, ClassVar

from pingzhan.services.read.viewdb import Cursor


class Table:
    """A table whose rows are ``key columns + value columns``, held as ``{key: values}``."""

    def __init__(self, name: str, keys: tuple[str, ...], values: tuple[str, ...], append_only: bool = False):
        self.name, self.keys, self.values = name, keys, values
        self.append_only = append_only  # rows are only ever added: not held in memory

    def ddl(self, dialect: str) -> str:
        if dialect == "sqlite" and self.keys == ("position",):
            # SQLite: the position is the rowid itself, so appending in order needs no extra index.
            cols = ", ".join(["position INTEGER PRIMARY KEY", *(f"{c} TEXT" for c in self.values)])
            return f"CREATE TABLE IF NOT EXISTS {self.name} ({cols})"
        cols = ", ".join(f"{c} {'BIGINT' if c == 'position' else 'TEXT'}" for c in self.keys + self.values)
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}, PRIMARY KEY ({', '.join(self.keys)}))"


class ReadModel:
    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    version: ClassVar[int] = 1  # raise it when the tables change: the projector then rebuilds them

    def __init__(self) -> None:
        self.rows: dict[str, dict[tuple[str, ...], tuple[Any, ...]]] = {t.name: {} for t in self.tables}
        self.dirty: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        self.appended: dict[str, list[tuple[Any, ...]]] = defaultdict(list)

    # state -------------------------------------------------------------------------------
    def put(self, table: str, key: tuple[str, ...], values: tuple[Any, ...]) -> None:
        self.rows[table][key] = values
        self.dirty[table].add(key)

    def drop(self, table: str, key: tuple[str, ...]) -> None:
        self.rows[table].pop(key, None)
        self.dirty[table].add(key)

    def append(self, table: str, row: tuple[Any, ...]) -> None:
        self.appended[table].append(row)

    def get(self, table: str, key: tuple[str, ...]) -> tuple[Any, ...] | None:
        return self.rows[table].get(key)

    def apply(self, position: int, event: Any) -> None:
        handler = getattr(self, "on_" + type(event).__qualname__.replace(".", "_"), None)
        if handler is not None:
            handler(position, event)

    def fold(self, events: list[Any]) -> ReadModel:
        """Apply events in order, numbering them from 1; for tests and pure use."""
        for position, event in enumerate(events, start=1):
            self.apply(position, event)
        return self

    # storage ------------------------------------------------------------------------------
    def create(self, cur: Cursor) -> None:
        for table in self.tables:
            cur.execute(table.ddl(cur.db.dialect))

    def load(self, cur: Cursor) -> None:
        for table in self.tables:
            if table.append_only:
                continue
            n = len(table.keys)
            rows = cur.execute(f"SELECT {', '.join(table.keys + table.values)} FROM {table.name}").fetchall()
            self.rows[table.name] = {tuple(r[:n]): tuple(r[n:]) for r in rows}
        self.dirty.clear()

    def flush(self, cur: Cursor) -> None:
        for table in self.tables:
            if table.append_only:
                _insert(cur, table, self.appended.pop(table.name, []))
                continue
            keys = self.dirty.get(table.name)
            if not keys:
                continue
            _delete(cur, table, list(keys))
            current = self.rows[table.name]
            _insert(cur, table, [(*k, *current[k]) for k in keys if k in current])
        self.dirty.clear()

    def drop_tables(self, cur: Cursor) -> None:
        for table in self.tables:
            cur.execute(f"DROP TABLE IF EXISTS {table.name}")

    def reset(self, cur: Cursor) -> None:
        for table in self.tables:
            cur.execute(f"DELETE FROM {table.name}")
        self.rows = {t.name: {} for t in self.tables}
        self.dirty.clear()
        self.appended.clear()


def _type(column: str) -> str:
    return "bigint" if column == "position" else "text"


def _insert(cur: Cursor, table: Table, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    columns = table.keys + table.values
    if cur.db.dialect == "sqlite":
        cur.executemany(f"INSERT INTO {table.name} VALUES ({','.join('?' * len(columns))})", rows)
        return
    # PostgreSQL: COPY, not one round trip per row.
    with cur.cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _delete(cur: Cursor, table: Table, keys: list[tuple[str, ...]]) -> None:
    if cur.db.dialect == "sqlite":
        cur.executemany(f"DELETE FROM {table.name} WHERE {' AND '.join(f'{k}=?' for k in table.keys)}", keys)
        return
    arrays = ", ".join(f"?::{_type(c)}[]" for c in table.keys)
    cur.execute(
        f"DELETE FROM {table.name} WHERE ({', '.join(table.keys)}) IN (SELECT * FROM unnest({arrays}))",
        [list(col) for col in zip(*keys, strict=True)],
    )
