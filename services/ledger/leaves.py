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

The lengths make the bytes unambiguous whatever a row holds. Rows are streamed with one cursor
per table inside one read transaction (a snapshot); nothing is built per row but the bytes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pingzhan.services.settings import Settings

EVENT, OUTCOME = 0, 1
FETCH = 20_000  # rows per round trip of PostgreSQL's server-side cursors

# (kind, key, data): key is the event's position or the inbox row's ledger_seq.
Leaf = tuple[int, int, bytes]


def outcome_data(seq: int, after: int, stream_seq: int | None, message_id: str, outcome: str) -> bytes:
    m = message_id.encode()
    s = -1 if stream_seq is None else stream_seq
    return b"outcome %d %d %d %d %s\n%s" % (seq, after, s, len(m), m, outcome.encode())


def merged(events: Iterator[Any], outcomes: Iterator[Any]) -> Iterator[Leaf]:
    """The log's leaves from events (position, originator hex, version, topic, state) and inbox
    rows (ledger_seq, after_event, stream_seq, message_id, outcome), each in its own order."""
    o = next(outcomes, None)
    for position, originator, version, topic, state in events:
        while o is not None and o[1] < position:
            yield OUTCOME, o[0], outcome_data(*o)
            o = next(outcomes, None)
        t = topic.encode()  # the event's leaf data, written out here for speed
        yield EVENT, position, b"event %d %s %d %d %s\n%s" % (position, originator.encode(), version, len(t), t, state)
    while o is not None:
        yield OUTCOME, o[0], outcome_data(*o)
        o = next(outcomes, None)


class LogReader:
    """Reads the ledger's log from the configured store, in a snapshot."""

    def __init__(self, settings: Settings, events_table: str = "stored_events", schema: str = "public"):
        self.settings, self.table, self.schema = settings, events_table, schema

    @contextmanager
    def leaves(self, after_event: int | None = None, after_seq: int | None = None) -> Iterator[Iterator[Leaf]]:
        """The leaves after the given event position and inbox ledger_seq (None: from the very
        first row, whatever its number), read in one snapshot."""
        if self.settings.store == "sqlite":
            with self._sqlite(after_event, after_seq) as found:
                yield found
        else:
            with self._postgres(after_event, after_seq) as found:
                yield found

    @contextmanager
    def _sqlite(self, after_event: int | None, after_seq: int | None) -> Iterator[Iterator[Leaf]]:
        path = self.settings.data_dir / "events.sqlite"
        if not path.exists():
            raise FileNotFoundError(f"no store at {self.settings.data_dir}")
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        try:
            db.execute("BEGIN")  # one snapshot for both tables
            # The casts change nothing pingzhan wrote; a value of another type or NULL, written
            # past it, still makes a leaf (that differs) instead of stopping the reader.
            events = db.execute(
                "SELECT rowid, CAST(coalesce(originator_id, '') AS TEXT), "
                "CAST(coalesce(originator_version, -1) AS INTEGER), CAST(coalesce(topic, '') AS TEXT), "
                f"CAST(coalesce(state, X'') AS BLOB) FROM {self.table}{_after('rowid', after_event)} "
                "ORDER BY rowid"
            )
            outcomes = db.execute(
                "SELECT CAST(coalesce(ledger_seq, -1) AS INTEGER), CAST(coalesce(after_event, -1) AS INTEGER), "
                "CAST(stream_seq AS INTEGER), CAST(message_id AS TEXT), CAST(coalesce(outcome, '') AS TEXT) "
                f"FROM inbox{_after('ledger_seq', after_seq)} ORDER BY ledger_seq"
            )
            yield merged(events, outcomes)
        finally:
            db.close()

    @contextmanager
    def _postgres(self, after_event: int | None, after_seq: int | None) -> Iterator[Iterator[Leaf]]:
        import psycopg

        conn = self.settings.connect_postgres()
        try:
            conn.autocommit = False
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot
            with conn.transaction():
                events = conn.cursor(name="ledger_events", binary=True)
                events.itersize = FETCH
                events.execute(
                    "SELECT notification_id, replace(originator_id::text, '-', ''), originator_version, "
                    f"coalesce(topic, ''), coalesce(state, ''::bytea) FROM \"{self.schema}\".\"{self.table}\""
                    f"{_after('notification_id', after_event)} ORDER BY notification_id"
                )
                outcomes = conn.cursor(name="ledger_outcomes", binary=True)
                outcomes.itersize = FETCH
                outcomes.execute(
                    "SELECT coalesce(ledger_seq, -1), coalesce(after_event, -1), stream_seq, message_id, "
                    f"outcome FROM inbox{_after('ledger_seq', after_seq)} ORDER BY ledger_seq"
                )
                yield merged(iter(events), iter(outcomes))
        finally:
            conn.close()


def _after(column: str, value: int | None) -> str:
    return "" if value is None else f" WHERE {column} > {int(value)}"


def reader_for(settings: Settings, ledger: Any) -> LogReader:
    """The reader of the store ``ledger`` (services.store.ledger.Ledger) is open on."""
    recorder = ledger.recorder
    schema = getattr(recorder.datastore, "schema", "") or "public"
    return LogReader(settings, recorder.events_table_name, schema)
