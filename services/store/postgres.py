"""The PostgreSQL recorder: eventsourcing's, plus the inbox, with every write in the part of the
transaction that rolls back on error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from pingzhan.services.store.conflicts import check_unchanged
from pingzhan.services.store.inbox import inbox_ledger_columns
from pingzhan.services.store.snapshots import Snapshot
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier


class InboxPostgresRecorder(PostgresProcessRecorder):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS inbox (message_id text PRIMARY KEY, stream_seq bigint, "
                "outcome text NOT NULL, after_event bigint, ledger_seq bigint)"
            ).format()
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS aggregate_snapshots (originator_id uuid PRIMARY KEY, "
                "originator_version bigint NOT NULL, topic text NOT NULL, fingerprint text NOT NULL, "
                "state bytea NOT NULL)"
            ).format()
        )

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'inbox' AND column_name = 'ledger_seq'"
            )
            if curs.fetchone() is None:
                for statement in inbox_ledger_columns("bigint"):
                    curs.execute(statement)
            curs.execute("CREATE UNIQUE INDEX IF NOT EXISTS inbox_ledger_seq ON inbox (ledger_seq)")

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Everything happens here, where an exception rolls the transaction back (the library
        # catches exceptions around _insert_stored_events and would still commit).
        self._lock_table(curs)  # writers one at a time: ids in commit order, versions stable
        if kwargs.get("expect"):
            curs.execute(self._versions_query(), (list(kwargs["expect"]),))
            check_unchanged(
                kwargs["expect"], {r["id"]: r["v"] for r in curs.fetchall() if r["v"] is not None}
            )
        if kwargs.get("tracking") is not None:
            self._insert_tracking(curs, kwargs["tracking"])
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
        if kwargs.get("inbox"):
            # After the events: each row records where it goes in the ledger's order
            # (services/store/inbox.py), taken under the table lock.
            ids, seqs, outcomes = zip(*kwargs["inbox"], strict=True)
            curs.execute(
                SQL(
                    "INSERT INTO inbox (message_id, stream_seq, outcome, after_event, ledger_seq) "
                    "SELECT m, s, o, (SELECT coalesce(max(notification_id), 0) FROM {}.{}), "
                    "(SELECT coalesce(max(ledger_seq), 0) FROM inbox) + n "
                    "FROM unnest(%s::text[], %s::bigint[], %s::text[]) WITH ORDINALITY AS t(m, s, o, n)"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                (list(ids), list(seqs), list(outcomes)),
            )
        if kwargs.get("snapshots"):
            snaps = kwargs["snapshots"]
            curs.execute(
                "INSERT INTO aggregate_snapshots SELECT * FROM unnest(%s::uuid[], %s::bigint[], "
                "%s::text[], %s::text[], %s::bytea[]) ON CONFLICT (originator_id) DO UPDATE SET "
                "originator_version = excluded.originator_version, topic = excluded.topic, "
                "fingerprint = excluded.fingerprint, state = excluded.state",
                (
                    [s.originator_id for s in snaps],
                    [s.version for s in snaps],
                    [s.topic for s in snaps],
                    [s.fingerprint for s in snaps],
                    [s.state for s in snaps],
                ),
            )

    def _insert_stored_events(self, *_: Any, **__: Any) -> None:
        pass  # done in _insert_events

    def _fetch_ids_after_insert_events(self, *_: Any, **__: Any) -> None:
        return None  # nobody here needs the notification ids of what was just written

    def _select(self, statement: str, table: str, params: Sequence[Any], prepare: bool = False) -> list[Any]:
        """Rows of a SELECT whose ``{}`` stands for ``table`` in the store's schema."""
        query = SQL(statement).format(Identifier(self.datastore.schema), Identifier(table))  # type: ignore[arg-type]
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(query, params, prepare=prepare)
            return curs.fetchall()

    def _versions_query(self) -> Any:
        return SQL(
            "SELECT id, (SELECT max(originator_version) FROM {}.{} WHERE originator_id = id) AS v "
            "FROM unnest(%s::uuid[]) AS id"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))

    def versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        """The current version of those of the aggregates that exist."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._versions_query(), (list(originator_ids),))
            return {r[0]: r[1] for r in curs.fetchall() if r[1] is not None}

    def positions(self, prefix: str) -> dict[str, int]:
        """Stored positions of every tracking name starting with ``prefix``."""
        rows = self._select(
            "SELECT application_name, max(notification_id) FROM {}.{} "
            "WHERE application_name LIKE %s GROUP BY application_name",
            self.tracking_table_name,
            (prefix + "%",),
        )
        return {r[0]: r[1] for r in rows}

    def select_states(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        """(notification id, topic, state) of the next events: all the read models need."""
        rows = self._select(
            "SELECT notification_id, topic, state FROM {}.{} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s",
            self.events_table_name,
            (after, limit),
            prepare=True,
        )
        return [(r[0], r[1], bytes(r[2])) for r in rows]

    def outcomes(self, message_ids: Sequence[str]) -> dict[str, str]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(
                "SELECT message_id, outcome FROM inbox WHERE message_id = ANY(%s)", (list(message_ids),)
            )
            return {r[0]: r[1] for r in curs.fetchall()}

    def outcome_at(self, stream_seq: int) -> str | None:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute("SELECT outcome FROM inbox WHERE stream_seq = %s", (stream_seq,))
            row = curs.fetchone()
        return row[0] if row is not None else None

    def stored_events_of(self, originator_ids: Sequence[UUID], after: Sequence[int]) -> list[StoredEvent]:
        """The events of each aggregate after the version given for it, in order.

        One index lookup per aggregate (a lateral subquery, kept apart by OFFSET 0): as a plain
        join the planner merge-joined the whole primary key index (5.8 s at 1.4 million events,
        where this takes milliseconds). Without JIT, which its cost estimate would switch on for
        100 ms of compiling."""
        query = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::uuid[], %s::bigint[]) AS ids(id, after) CROSS JOIN LATERAL "
            "(SELECT originator_id, originator_version, topic, state FROM {}.{} "
            "WHERE originator_id = ids.id AND originator_version > ids.after OFFSET 0) AS e "
            "ORDER BY e.originator_id, e.originator_version"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SET LOCAL jit = off")
            curs.execute(query, (list(originator_ids), list(after)))
            rows = curs.fetchall()
        return [
            StoredEvent(r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
            for r in rows
        ]

    def snapshots_and_events(
        self, originator_ids: Sequence[UUID]
    ) -> tuple[list[Snapshot], list[StoredEvent]]:
        """The snapshots of the given aggregates and the events after each (after the snapshot's
        version, all of them for one without), in one round trip: a worker loads aggregates for
        many batches, most of them new (nothing found), and two queries in two transactions were
        most of that time under load. An aggregate whose snapshot cannot be used needs its events
        from the first again (``stored_events_of``)."""
        query = SQL(
            "SELECT 0, originator_id, originator_version, topic, fingerprint, state "
            "FROM aggregate_snapshots WHERE originator_id = ANY(%(ids)s) "
            "UNION ALL SELECT 1, e.originator_id, e.originator_version, e.topic, NULL, e.state "
            "FROM unnest(%(ids)s::uuid[]) AS ids(id) "
            "LEFT JOIN aggregate_snapshots s ON s.originator_id = ids.id CROSS JOIN LATERAL "
            "(SELECT originator_id, originator_version, topic, state FROM {}.{} WHERE originator_id = ids.id "
            "AND originator_version > coalesce(s.originator_version, 0) OFFSET 0) AS e "
            "ORDER BY 1, 2, 3"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            with conn.pipeline():  # one round trip for both (see stored_events_of for the JIT)
                curs.execute("SET jit = off")  # for the session: none of the store's queries gains by it
                curs.execute(query, {"ids": list(originator_ids)})
            rows = curs.fetchall()
        found = [Snapshot(r[1], r[2], r[3], r[4], bytes(r[5])) for r in rows if r[0] == 0]
        events = [StoredEvent(r[1], r[2], r[3], bytes(r[5])) for r in rows if r[0] == 1]
        return found, events

    def snapshots_of(self, originator_ids: Sequence[UUID]) -> list[Snapshot]:
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(
                "SELECT originator_id, originator_version, topic, fingerprint, state "
                "FROM aggregate_snapshots WHERE originator_id = ANY(%s)",
                (list(originator_ids),),
            )
            return [Snapshot(r[0], r[1], r[2], r[3], bytes(r[4])) for r in curs.fetchall()]


class InboxPostgresFactory(PostgresFactory):
    process_recorder_class = InboxPostgresRecorder
