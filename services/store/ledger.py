"""The event store: an eventsourcing application whose recorder also keeps the inbox.

The inbox holds one row per inbound message id with its outcome. It is written in the same
transaction as the message's events and the consumer's stream position (eventsourcing's tracking
row), so a message is either fully recorded once or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking, Transcoder
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteFactory, SQLiteProcessRecorder
from pingzhan.services.settings import Settings
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

CHUNK = 500


class OrjsonTranscoder(Transcoder):
    """Events hold only strings, numbers and the library's timestamp; orjson does them fast."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        state = orjson.loads(data)
        ts = state.get("timestamp")
        if ts is not None:
            state["timestamp"] = datetime.fromisoformat(ts)
        return state


class InboxSQLiteRecorder(SQLiteProcessRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS inbox (message_id TEXT PRIMARY KEY, stream_seq INTEGER, "
            "outcome TEXT NOT NULL) WITHOUT ROWID",
        ]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if kwargs.get("tracking") is not None:
            self._insert_tracking(c, kwargs["tracking"])  # a write first: takes the write lock
        if kwargs.get("expect"):
            self._check_versions(c, kwargs["expect"])
        # One executemany instead of the library's row-by-row inserts: nobody here needs the
        # notification ids back, and rowids still follow the order of the batch.
        c.executemany(
            self.insert_events_statement,
            [(_hex(s.originator_id), s.originator_version, s.topic, s.state) for s in stored_events],
        )
        if kwargs.get("inbox"):
            c.executemany("INSERT INTO inbox VALUES (?,?,?)", kwargs["inbox"])

    def positions(self, prefix: str) -> dict[str, int]:
        """Stored positions of every tracking name starting with ``prefix``."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT application_name, max(notification_id) FROM tracking "
                "WHERE application_name LIKE ? GROUP BY application_name",
                (prefix + "%",),
            )
            return {r[0]: r[1] for r in c.fetchall()}

    def _check_versions(self, c: Any, expect: dict[UUID, int]) -> None:
        ids = list(expect)
        stored: dict[str, int] = {}
        for i in range(0, len(ids), CHUNK):
            chunk = [a.hex for a in ids[i : i + CHUNK]]
            # One max() per id: SQLite answers each from the primary key, where a GROUP BY would
            # read every version of long-lived aggregates.
            c.execute(
                f"WITH ids(id) AS (VALUES {','.join(['(?)'] * len(chunk))}) "
                f"SELECT id, (SELECT max(originator_version) FROM {self.events_table_name} "
                "WHERE originator_id = ids.id) FROM ids",
                chunk,
            )
            stored.update((r[0], r[1]) for r in c.fetchall() if r[1] is not None)
        _compare(expect, {UUID(k): v for k, v in stored.items()})

    def outcomes(self, message_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self.datastore.transaction(commit=False) as c:
            for i in range(0, len(message_ids), CHUNK):
                chunk = message_ids[i : i + CHUNK]
                marks = ",".join("?" * len(chunk))
                c.execute(f"SELECT message_id, outcome FROM inbox WHERE message_id IN ({marks})", chunk)
                found.update((r[0], r[1]) for r in c.fetchall())
        return found

    def select_states(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        """(notification id, topic, state) of the next events: all the read models need."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, topic, state FROM {self.events_table_name} WHERE rowid>? ORDER BY rowid LIMIT ?",
                (after, limit),
            )
            return [tuple(r) for r in c.fetchall()]  # type: ignore[misc]

    def stored_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        rows = []
        with self.datastore.transaction(commit=False) as c:
            for i in range(0, len(originator_ids), CHUNK):
                chunk = [o.hex for o in originator_ids[i : i + CHUNK]]
                c.execute(
                    f"SELECT originator_id, originator_version, topic, state FROM {self.events_table_name} "
                    f"WHERE originator_id IN ({','.join('?' * len(chunk))}) "
                    "ORDER BY originator_id, originator_version",
                    chunk,
                )
                rows += [StoredEvent(UUID(r[0]), r[1], r[2], r[3]) for r in c.fetchall()]
        return rows


class InboxPostgresRecorder(PostgresProcessRecorder):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS inbox (message_id text PRIMARY KEY, stream_seq bigint, "
                "outcome text NOT NULL)"
            ).format()
        )

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Everything happens here, where an exception rolls the transaction back (the library
        # catches exceptions around _insert_stored_events and would still commit).
        self._lock_table(curs)  # writers one at a time: ids in commit order, versions stable
        if kwargs.get("expect"):
            curs.execute(
                SQL(
                    "SELECT id, (SELECT max(originator_version) FROM {}.{} WHERE originator_id = id) AS v "
                    "FROM unnest(%s::uuid[]) AS id"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (list(kwargs["expect"]),),
            )
            _compare(kwargs["expect"], {r["id"]: r["v"] for r in curs.fetchall() if r["v"] is not None})
        if kwargs.get("tracking") is not None:
            self._insert_tracking(curs, kwargs["tracking"])
        if kwargs.get("inbox"):
            ids, seqs, outcomes = zip(*kwargs["inbox"], strict=True)
            curs.execute(
                SQL("INSERT INTO inbox SELECT * FROM unnest(%s::text[], %s::bigint[], %s::text[])"),
                (list(ids), list(seqs), list(outcomes)),
            )
        if stored_events:
            # Arrays instead of the library's composite-type rows: one INSERT either way, but
            # psycopg adapts four arrays much faster than hundreds of composite values.
            self._notify_channel(curs)
            curs.execute(
                SQL(
                    "INSERT INTO {}.{} (originator_id, originator_version, topic, state) "
                    "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[])"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (
                    [e.originator_id for e in stored_events],
                    [e.originator_version for e in stored_events],
                    [e.topic for e in stored_events],
                    [e.state for e in stored_events],
                ),
            )

    def _insert_stored_events(self, *_: Any, **__: Any) -> None:
        pass  # done in _insert_events

    def _fetch_ids_after_insert_events(self, *_: Any, **__: Any) -> None:
        return None  # nobody here needs the notification ids of what was just written

    def positions(self, prefix: str) -> dict[str, int]:
        """Stored positions of every tracking name starting with ``prefix``."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(
                SQL(
                    "SELECT application_name, max(notification_id) FROM {}.{} "
                    "WHERE application_name LIKE %s GROUP BY application_name"
                ).format(Identifier(self.datastore.schema), Identifier(self.tracking_table_name)),
                (prefix + "%",),
            )
            return {r[0]: r[1] for r in curs.fetchall()}

    def select_states(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        """(notification id, topic, state) of the next events: all the read models need."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id, topic, state FROM {}.{} "
                    "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (after, limit),
                prepare=True,
            )
            return [(r[0], r[1], bytes(r[2])) for r in curs.fetchall()]

    def outcomes(self, message_ids: Sequence[str]) -> dict[str, str]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL("SELECT message_id, outcome FROM inbox WHERE message_id = ANY(%s)"), (list(message_ids),)
            )
            return {r["message_id"]: r["outcome"] for r in curs.fetchall()}

    def stored_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "SELECT originator_id, originator_version, topic, state FROM {}.{} "
                    "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (list(originator_ids),),
            )
            return [
                StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
                for r in curs.fetchall()
            ]


def _hex(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(originator_id).hex


def _compare(expect: dict[UUID, int], stored: dict[UUID, int]) -> None:
    changed = [a for a, v in expect.items() if stored.get(a, 0) != v]
    if changed:
        raise IntegrityError(
            f"{len(changed)} aggregate(s) changed since the batch read them, e.g. {changed[0]}"
        )


class InboxSQLiteFactory(SQLiteFactory):
    process_recorder_class = InboxSQLiteRecorder


class InboxPostgresFactory(PostgresFactory):
    process_recorder_class = InboxPostgresRecorder


class Ledger(Application):
    """pingzhan's event store: events, inbox and consumer positions in one database."""

    name = "pingzhan"

    def construct_recorder(self) -> Any:
        return self.factory.process_recorder()

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def record_stored(
        self,
        stored: Sequence[StoredEvent],
        tracking: Tracking,
        inbox: Sequence[tuple[str, int, str]],
        expect: dict[UUID, int] | None = None,
    ) -> None:
        """Store events, inbox rows and the consumer position in one transaction; ``expect``
        gives the version each aggregate the batch read must still have (IntegrityError if not)."""
        self.recorder.insert_events(stored, tracking=tracking, inbox=inbox, expect=expect or {})

    def outcomes(self, message_ids: Sequence[str]) -> dict[str, str]:
        """Recorded outcomes (JSON text) of those of the given message ids that have one."""
        if not message_ids:
            return {}
        return self.recorder.outcomes(message_ids)  # type: ignore[attr-defined, no-any-return]

    def load(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Aggregate]:
        """The current state of those of the given aggregates that exist, in one query."""
        by_id: dict[UUID, list[Any]] = defaultdict(list)
        for stored in self.recorder.stored_events_of(list(aggregate_ids)):  # type: ignore[attr-defined]
            by_id[stored.originator_id].append(self.mapper.to_domain_event(stored))
        loaded = {}
        for aggregate_id, events in by_id.items():
            aggregate = None
            for domain_event in events:
                aggregate = domain_event.mutate(aggregate)
            loaded[aggregate_id] = aggregate
        return loaded  # type: ignore[return-value]


def store_env(settings: Settings) -> dict[str, str]:
    """The environment eventsourcing is configured from, for the configured store."""
    if settings.store == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "pingzhan.services.store.ledger:InboxSQLiteFactory",
            "SQLITE_DBNAME": str(settings.data_dir / "events.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    return {
        "PERSISTENCE_MODULE": "pingzhan.services.store.ledger:InboxPostgresFactory",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",  # the library's insert function would skip the inbox
        "POSTGRES_DBNAME": settings.postgres_dbname,
        "POSTGRES_HOST": settings.postgres_host,
        "POSTGRES_PORT": str(settings.postgres_port),
        "POSTGRES_USER": settings.postgres_user,
        "POSTGRES_PASSWORD": settings.postgres_password,
    }


def open_ledger(settings: Settings) -> Ledger:
    if settings.store == "sqlite":
        return Ledger(env=store_env(settings))
    with schema_lock(settings):  # workers starting together on a new database create the tables once
        return Ledger(env=store_env(settings))


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """A PostgreSQL advisory lock held while tables are created (CREATE ... IF NOT EXISTS races)."""
    with settings.connect_postgres() as conn:
        conn.execute("SELECT pg_advisory_lock(7265)")
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(7265)")
