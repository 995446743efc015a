"""The database the read models live in: a SQLite file beside the event store, or PostgreSQL.

Both trade durability of the last commits for speed (SQLite ``synchronous=NORMAL`` in WAL mode,
PostgreSQL ``synchronous_commit=off``): the views can always be folded again from the store.

Statements are written with ``?`` placeholders and translated for PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pingzhan.services.settings import Settings


def _with_retries(step: Any, seconds: float = 30.0) -> Any:
    """Switching a new SQLite file to WAL needs it to itself for a moment; SQLite does not wait
    for that (no busy timeout), so another process opening it at the same time waits here."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return step()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class ViewDb:
    def __init__(self, settings: Settings):
        self.dialect = settings.store
        if self.dialect == "sqlite":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.path = str(settings.data_dir / "views.sqlite")
            self.conn: Any = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            _with_retries(lambda: self.conn.execute("PRAGMA journal_mode=WAL"))
            self.conn.execute("PRAGMA synchronous=NORMAL")
        else:
            self.settings = settings
            self._connect()

    def _connect(self) -> None:
        """Connects (again, after PostgreSQL was restarted or the connection lost: a closed
        connection is replaced at its next use). The views are rebuildable from the event store,
        and each model's rows and position are written in one transaction: a commit need not
        wait for its WAL flush. A crash of PostgreSQL may lose the last fraction of a second of
        view updates, position with them, and the projector folds those events again. The event
        store's own connections keep synchronous commits."""
        self.conn = self.settings.connect_postgres()
        self.conn.execute("SET synchronous_commit = off")

    def _usable(self) -> None:
        if self.dialect != "sqlite" and (self.conn.closed or self.conn.broken):
            self._connect()

    def sql(self, statement: str, mark: str = "%s") -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", mark)

    @contextmanager
    def transaction(self, write: bool = True, pipelined: bool = False) -> Iterator[Cursor]:
        """``pipelined``: on PostgreSQL, statements are sent without waiting for each one's answer
        (for writes whose results nobody reads; an error comes at the end), parameters in binary.
        Each wait costs more than the round trip under load: the thread must win the GIL back
        (measured 2-5 ms per statement of the projector's flush at 5,000 messages/s, 0.15 ms of
        them its own work; a flush of ten tables beside a busy thread: 24 ms at the median and
        245 ms at p90 with COPY, 14 and 25 ms pipelined)."""
        self._usable()
        if self.dialect == "sqlite":
            cur = self.conn.cursor()
            cur.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Cursor(self, cur)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        elif pipelined:
            with self.conn.pipeline(), self.conn.transaction(), self.conn.cursor(binary=True) as cur:
                yield Cursor(self, cur, mark="%b")
        else:
            with self.conn.transaction(), self.conn.cursor() as cur:
                yield Cursor(self, cur)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._usable()
        if self.dialect == "sqlite":
            return list(self.conn.execute(statement, params).fetchall())
        with self.conn.cursor() as cur:
            cur.execute(self.sql(statement), params)
            return list(cur.fetchall())

    def position(self) -> int:
        """The log position every read model has reached (0 before any)."""
        row = self.query("SELECT min(position) FROM view_tracking")
        return int(row[0][0] or 0) if row else 0

    def close(self) -> None:
        self.conn.close()


class Cursor:
    def __init__(self, db: ViewDb, cur: Any, mark: str = "%s"):
        self.db, self.cur, self.mark = db, cur, mark  # mark: PostgreSQL's placeholder for ``?``

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        self.cur.execute(self.db.sql(statement, self.mark), params)
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cur.executemany(self.db.sql(statement, self.mark), rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self.cur.fetchall())

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self.cur.fetchone()
        return tuple(row) if row is not None else None
