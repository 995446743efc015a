"""The ledger's log: every stored event and every inbox row, in one order, as canonical bytes.

Order: the events by position (the notification id); each inbox row right after the event its
transaction stored last (``after_event``), rows of the same place by ``ledger_seq`` (commit order,
see ``services/store/inbox.py``). So the log grows only at its end, the same on both stores.

Leaf data (what the tree's leaf hash is taken of, SHA-256(0x00 || data)):

- an event: ``event {position} {originator id, 32 hex} {version} {bytes of topic} {topic}\\n``
  then the state as stored (its JSON holds the recorded time, ``timestamp``, and the message's
  id, actor and field time);
- an inbox row: ``outcome {ledger_seq} {after_event} {stream seq, -1 if none} {bytes of
  message id} {message id}\\n`` then the outcome as stored (JSON: accepted with its events'
  names, or rejected with its code and reason).

The lengths make the bytes unambiguous whatever a row holds. The database writes the bytes
(its C code, on PostgreSQL in its own process) and Python only hashes them; a NULL or a value of
another type written past pingzhan still makes a leaf (one that differs) instead of stopping the
reader. Rows are streamed with one cursor per table inside one read transaction (a snapshot).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pingzhan.services.settings import Settings

EVENT, OUTCOME = 0, 1
FETCH = 8192  # rows per fetch (a round trip of PostgreSQL's server-side cursors)
END = 1 << 63

# (kind, key, data): key is the event's position or the inbox row's ledger_seq.
Leaf = tuple[int, int, bytes]

SQLITE_EVENTS = (
    "SELECT rowid, CAST(printf('event %d %s %d %d ', rowid, coalesce(originator_id, ''), "
    "coalesce(originator_version, -1), length(CAST(coalesce(topic, '') AS BLOB))) || coalesce(topic, '') "
    "|| char(10) || CAST(coalesce(state, X'') AS TEXT) AS BLOB) FROM {table}{where} ORDER BY rowid"
)
SQLITE_INBOX = (
    "SELECT coalesce(after_event, -1), coalesce(ledger_seq, -1), CAST(printf('outcome %d %d %d %d ', "
    "coalesce(ledger_seq, -1), coalesce(after_event, -1), coalesce(stream_seq, -1), "
    "length(CAST(message_id AS BLOB))) || message_id || char(10) || coalesce(outcome, '') AS BLOB) "
    "FROM inbox{where} ORDER BY ledger_seq"
)
POSTGRES_EVENTS = (
    "SELECT notification_id, convert_to(format('event %s %s %s %s ', notification_id, "
    "replace(originator_id::text, '-', ''), originator_version, octet_length(coalesce(topic, ''))) "
    "|| coalesce(topic, '') || E'\\n', 'UTF8') || coalesce(state, ''::bytea) FROM {table}{where} "
    "ORDER BY notification_id"
)
POSTGRES_INBOX = (
    "SELECT coalesce(after_event, -1), coalesce(ledger_seq, -1), convert_to(format('outcome %s %s %s %s ', "
    "coalesce(ledger_seq, -1), coalesce(after_event, -1), coalesce(stream_seq, -1), octet_length(message_id)) "
    "|| message_id || E'\\n' || coalesce(outcome, ''), 'UTF8') FROM inbox{where} ORDER BY ledger_seq"
)


def merged(events: Iterator[Any], outcomes: Iterator[Any]) -> Iterator[Leaf]:
    """The log's leaves from events (position, data) and inbox rows (after_event, ledger_seq,
    data), each in its own order: an inbox row goes before the first event after its place."""
    o = next(outcomes, None)
    for position, data in events:
        while o is not None and o[0] < position:
            yield OUTCOME, o[1], o[2]
            o = next(outcomes, None)
        yield EVENT, position, data
    while o is not None:
        yield OUTCOME, o[1], o[2]
        o = next(outcomes, None)


def merged_data(events: Iterator[Any], outcomes: Iterator[Any]) -> Iterator[tuple[list[bytes], int]]:
    """``merged``'s leaf data only, in lists of about FETCH, each with how many are events:
    what `verify` needs, without a Python object per leaf beyond its bytes."""
    out: list[bytes] = []
    add = out.append
    o: Any = next(outcomes, None)
    after = o[0] if o is not None else END
    n_events = 0
    for position, data in events:
        while after < position:
            add(o[2])
            o = next(outcomes, None)
            after = o[0] if o is not None else END
        add(data)
        n_events += 1
        if n_events == FETCH:
            yield out, n_events
            out, n_events = [], 0
            add = out.append
    while o is not None:
        add(o[2])
        o = next(outcomes, None)
    if out:
        yield out, n_events


class LogReader:
    """Reads the ledger's log from the configured store, in a snapshot."""

    def __init__(self, settings: Settings, events_table: str = "stored_events", schema: str = "public"):
        self.settings, self.table, self.schema = settings, events_table, schema

    @contextmanager
    def leaves(
        self, after_event: int | None = None, after_seq: int | None = None
    ) -> Iterator[Iterator[Leaf]]:
        """The leaves after the given event position and inbox ledger_seq (None: from the very
        first row, whatever its number), read in one snapshot."""
        with self.rows(after_event, after_seq) as (events, outcomes):
            yield merged(events, outcomes)

    @contextmanager
    def data(self) -> Iterator[Iterator[tuple[list[bytes], int]]]:
        """Every leaf's data, in lists (see ``merged_data``), read in one snapshot. On PostgreSQL
        a thread fetches the next lists while the caller hashes these: the server makes the
        bytes in its own process, and the wait for them need not stop the hashing. (On SQLite a
        thread costs more than it saves: 257,000-315,000 against 321,000-329,000 events/s, four
        alternated runs on 292,778 events, 2026-11-29.)"""
        with self.rows(None, None) as (events, outcomes):
            if self.settings.store == "sqlite":
                yield merged_data(events, outcomes)
                return
            found = _ahead(merged_data(events, outcomes))
            try:
                yield found
            finally:
                found.close()  # its thread stops before the connection closes

    def ledger_seq_of(self, message_id: str) -> int | None:
        """The ledger_seq of a message's inbox row (None: no outcome recorded)."""
        if self.settings.store == "sqlite":
            db = sqlite3.connect(f"file:{self.settings.data_dir / 'events.sqlite'}?mode=ro", uri=True)
            try:
                row = db.execute(
                    "SELECT ledger_seq FROM inbox WHERE message_id = ?", (message_id,)
                ).fetchone()
            finally:
                db.close()
        else:
            with self.settings.connect_postgres() as conn:
                row = conn.execute(
                    "SELECT ledger_seq FROM inbox WHERE message_id = %s", (message_id,)
                ).fetchone()
        return None if row is None else int(row[0])

    @contextmanager
    def rows(
        self, after_event: int | None, after_seq: int | None
    ) -> Iterator[tuple[Iterator[Any], Iterator[Any]]]:
        if self.settings.store == "sqlite":
            with self._sqlite(after_event, after_seq) as found:
                yield found
        else:
            with self._postgres(after_event, after_seq) as found:
                yield found

    @contextmanager
    def _sqlite(
        self, after_event: int | None, after_seq: int | None
    ) -> Iterator[tuple[Iterator[Any], Iterator[Any]]]:
        path = self.settings.data_dir / "events.sqlite"
        if not path.exists():
            raise FileNotFoundError(f"no store at {self.settings.data_dir}")
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        try:
            db.execute("BEGIN")  # one snapshot for both tables
            events = db.execute(SQLITE_EVENTS.format(table=self.table, where=_after("rowid", after_event)))
            outcomes = db.execute(SQLITE_INBOX.format(where=_after("ledger_seq", after_seq)))
            yield events, outcomes
        finally:
            db.close()

    @contextmanager
    def _postgres(
        self, after_event: int | None, after_seq: int | None
    ) -> Iterator[tuple[Iterator[Any], Iterator[Any]]]:
        import psycopg

        conn = self.settings.connect_postgres()
        try:
            conn.autocommit = False
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot
            with conn.transaction():
                events = conn.cursor(name="ledger_events", binary=True)  # server-side, bytes as bytes
                events.itersize = FETCH
                table = f'"{self.schema}"."{self.table}"'
                events.execute(
                    POSTGRES_EVENTS.format(table=table, where=_after("notification_id", after_event))
                )
                outcomes = conn.cursor(name="ledger_outcomes", binary=True)
                outcomes.itersize = FETCH
                outcomes.execute(POSTGRES_INBOX.format(where=_after("ledger_seq", after_seq)))
                yield iter(events), iter(outcomes)
        finally:
            conn.close()


def _ahead(items: Iterator[Any], depth: int = 4) -> Iterator[Any]:
    """``items``, produced by a thread of their own up to ``depth`` ahead of the consumer; a
    consumer that stops early (closing this) stops the thread too."""
    ready: queue.Queue[Any] = queue.Queue(depth)
    done, stop = object(), threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                ready.put(item)
            ready.put(done)
        except BaseException as e:  # handed over, raised in the consumer
            ready.put(e)

    worker = threading.Thread(target=produce, name="ledger-reader", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # a put waiting for room: take its item, until the thread sees the stop
            try:
                ready.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()


def _after(column: str, value: int | None) -> str:
    return "" if value is None else f" WHERE {column} > {int(value)}"


def reader_for(settings: Settings, ledger: Any) -> LogReader:
    """The reader of the store ``ledger`` (services.store.ledger.Ledger) is open on."""
    recorder = ledger.recorder
    schema = getattr(recorder.datastore, "schema", "") or "public"
    return LogReader(settings, recorder.events_table_name, schema)
