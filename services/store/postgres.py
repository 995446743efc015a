"""The PostgreSQL recorder: eventsourcing's, plus the inbox, snapshots and the checks of a batch,
all of a batch's writes sent in one round trip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresFactory, PostgresProcessRecorder
from eventsourcing.utils import retry
from pingzhan.services.store.inbox import inbox_ledger_columns
from pingzhan.services.store.snapshots import Snapshot
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier, Literal

# A batch's whole transaction in one call: an autocommitted statement is one round trip, where the
# library's transaction waited for the server four times. Each wait cost a busy worker far more
# than the round trip: the committing thread must win the GIL back from the one deciding the next
# batch. A batch of 70 messages beside a thread that never waits (`python -m bench --commit-only`,
# 2-core Xeon): 39.9 ms at the median before, 12.1 ms now; alone 3.0 and 2.8 ms. A check that
# fails raises: an integrity error, nothing written.
RECORD_DDL = """
CREATE OR REPLACE FUNCTION pingzhan_record(
    e_ids uuid[], e_versions bigint[], e_topics text[], e_states bytea[],
    t_name text, t_position bigint, x_ids uuid[], x_versions bigint[],
    i_ids text[], i_seqs bigint[], i_outcomes text[],
    s_ids uuid[], s_versions bigint[], s_topics text[], s_fingerprints text[], s_states bytea[]
) RETURNS void LANGUAGE plpgsql AS $body$
DECLARE
    changed bigint;
    example text;
BEGIN
    SET LOCAL lock_timeout = {lock_timeout};
    -- writers one at a time: notification ids in commit order, versions stable while checked
    LOCK TABLE {events} IN EXCLUSIVE MODE;
    SELECT count(*), min(x.id::text) INTO changed, example FROM unnest(x_ids, x_versions) AS x(id, v)
        WHERE coalesce((SELECT max(originator_version) FROM {events} WHERE originator_id = x.id), 0) <> x.v;
    IF changed > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
            MESSAGE = changed || ' aggregate(s) changed since the batch read them, e.g. ' || example;
    END IF;
    IF t_name IS NOT NULL THEN
        INSERT INTO {tracking} AS t VALUES (t_name, t_position) ON CONFLICT (application_name)
            DO UPDATE SET notification_id = t_position WHERE t.notification_id < t_position;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
                MESSAGE = 'the stored position of ' || t_name || ' is already at or past ' || t_position;
        END IF;
    END IF;
    IF cardinality(e_ids) > 0 THEN
        NOTIFY {channel};
        INSERT INTO {events} (originator_id, originator_version, topic, state)
            SELECT * FROM unnest(e_ids, e_versions, e_topics, e_states);
    END IF;
    -- after the events: each row records where it goes in the ledger's order
    -- (services/store/inbox.py), taken under the table lock
    INSERT INTO inbox (message_id, stream_seq, outcome, after_event, ledger_seq)
        SELECT m, s, o, (SELECT coalesce(max(notification_id), 0) FROM {events}),
            (SELECT coalesce(max(ledger_seq), 0) FROM inbox) + n
        FROM unnest(i_ids, i_seqs, i_outcomes) WITH ORDINALITY AS t(m, s, o, n);
    INSERT INTO aggregate_snapshots SELECT * FROM unnest(s_ids, s_versions, s_topics, s_fingerprints, s_states)
        ON CONFLICT (originator_id) DO UPDATE SET originator_version = excluded.originator_version,
            topic = excluded.topic, fingerprint = excluded.fingerprint, state = excluded.state;
END
$body$
"""
# Parameters go in binary (%b): as text, psycopg escapes every quote of every element of an array
# with a regular expression (each event's state, each outcome's JSON): 14.7 ms to dump a batch of
# 500 messages on the 2-core AMD EPYC, 1.1 ms in binary; it was a quarter of the ingest's samples.
RECORD = (
    "SELECT pingzhan_record(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[], %b::text, %b::bigint, "
    "%b::uuid[], %b::bigint[], %b::text[], %b::bigint[], %b::text[], "
    "%b::uuid[], %b::bigint[], %b::text[], %b::text[], %b::bytea[])"
)


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
            curs.execute(
                SQL(RECORD_DDL).format(
                    lock_timeout=Literal(f"{self.datastore.lock_timeout}s"),
                    events=Identifier(self.datastore.schema, self.events_table_name),
                    tracking=Identifier(self.datastore.schema, self.tracking_table_name),
                    channel=Identifier(self.channel_name),
                )
            )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        """Store a batch: its events, the consumer's position (``tracking``), its inbox rows and
        snapshots, provided the aggregates in ``expect`` still have those versions; one
        transaction, one round trip (``RECORD_DDL``)."""
        tracking = kwargs.get("tracking")
        expect: dict[UUID, int] = kwargs.get("expect") or {}
        inbox = list(zip(*kwargs["inbox"], strict=True)) if kwargs.get("inbox") else [[], [], []]
        snaps: Sequence[Snapshot] = kwargs.get("snapshots") or ()
        params = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
            tracking.application_name if tracking is not None else None,
            tracking.notification_id if tracking is not None else None,
            list(expect),
            list(expect.values()),
            *(list(column) for column in inbox),
            [s.originator_id for s in snaps],
            [s.version for s in snaps],
            [s.topic for s in snaps],
            [s.fingerprint for s in snaps],
            [s.state for s in snaps],
        )
        with self.datastore.get_connection() as conn:  # autocommit: the call is its transaction
            conn.execute(RECORD, params, prepare=True)

    def _select(self, statement: str, table: str, params: Sequence[Any], prepare: bool = False) -> list[Any]:
        """Rows of a SELECT whose ``{}`` stands for ``table`` in the store's schema."""
        query = SQL(statement).format(Identifier(self.datastore.schema), Identifier(table))  # type: ignore[arg-type]
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(query, params, prepare=prepare)
            return curs.fetchall()

    def _versions_query(self) -> Any:
        return SQL(
            "SELECT id, (SELECT max(originator_version) FROM {}.{} WHERE originator_id = id) AS v "
            "FROM unnest(%b::uuid[]) AS id"
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
                "SELECT message_id, outcome FROM inbox WHERE message_id = ANY(%b)", (list(message_ids),)
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
            "FROM unnest(%b::uuid[], %b::bigint[]) AS ids(id, after) CROSS JOIN LATERAL "
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
            "FROM aggregate_snapshots WHERE originator_id = ANY(%(ids)b) "
            "UNION ALL SELECT 1, e.originator_id, e.originator_version, e.topic, NULL, e.state "
            "FROM unnest(%(ids)b::uuid[]) AS ids(id) "
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
                "FROM aggregate_snapshots WHERE originator_id = ANY(%b)",
                (list(originator_ids),),
            )
            return [Snapshot(r[0], r[1], r[2], r[3], bytes(r[4])) for r in curs.fetchall()]


class InboxPostgresFactory(PostgresFactory):
    process_recorder_class = InboxPostgresRecorder
