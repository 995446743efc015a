"""The SQLite recorder: eventsourcing's, plus the inbox, in the same transaction as the events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteFactory, SQLiteProcessRecorder
from pingzhan.services.store.conflicts import CHUNK, check_unchanged, hex_id
from pingzhan.services.store.inbox import inbox_ledger_columns
from pingzhan.services.store.snapshots import Snapshot


class InboxSQLiteRecorder(SQLiteProcessRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS inbox (message_id TEXT PRIMARY KEY, stream_seq INTEGER, "
            "outcome TEXT NOT NULL, after_event INTEGER, ledger_seq INTEGER) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS aggregate_snapshots (originator_id TEXT PRIMARY KEY, "
            "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "state BLOB NOT NULL) WITHOUT ROWID",
        ]

    def _create_table(self, c: Any) -> None:
        super()._create_table(c)
        c.execute("PRAGMA table_info(inbox)")
        if "ledger_seq" not in {r[1] for r in c.fetchall()}:
            for statement in inbox_ledger_columns("INTEGER"):
                c.execute(statement)
        c.execute("CREATE UNIQUE INDEX IF NOT EXISTS inbox_ledger_seq ON inbox (ledger_seq)")

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if kwargs.get("tracking") is not None:
            self._insert_tracking(c, kwargs["tracking"])  # a write first: takes the write lock
        if kwargs.get("expect"):
            self._check_versions(c, kwargs["expect"])
        # One executemany instead of the library's row-by-row inserts: nobody here needs the
        # notification ids back, and rowids still follow the order of the batch.
        c.executemany(
            self.insert_events_statement,
            [(hex_id(s.originator_id), s.originator_version, s.topic, s.state) for s in stored_events],
        )
        if kwargs.get("inbox"):
            # Where the rows go in the ledger's order (services/ledger/leaves.py): after the
            # events stored so far, in commit order; the write lock keeps both numbers ours.
            c.execute(
                f"SELECT (SELECT coalesce(max(rowid), 0) FROM {self.events_table_name}), "
                "(SELECT coalesce(max(ledger_seq), 0) FROM inbox)"
            )
            after, seq = c.fetchone()
            c.executemany(
                "INSERT INTO inbox (message_id, stream_seq, outcome, after_event, ledger_seq) "
                "VALUES (?,?,?,?,?)",
                [(m, s, o, after, seq + i) for i, (m, s, o) in enumerate(kwargs["inbox"], 1)],
            )
        if kwargs.get("snapshots"):
            c.executemany(
                "REPLACE INTO aggregate_snapshots VALUES (?,?,?,?,?)",
                [
                    (s.originator_id.hex, s.version, s.topic, s.fingerprint, s.state)
                    for s in kwargs["snapshots"]
                ],
            )

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
        check_unchanged(expect, self._versions(c, list(expect)))

    def _versions(self, c: Any, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        # One max() per id: SQLite answers each from the primary key, where a GROUP BY would
        # read every version of long-lived aggregates.
        rows = _select_in(
            c,
            "WITH ids(id) AS (VALUES {marks}) SELECT id, (SELECT max(originator_version) "
            f"FROM {self.events_table_name} WHERE originator_id = ids.id) FROM ids",
            [a.hex for a in originator_ids],
            mark="(?)",
        )
        return {UUID(r[0]): r[1] for r in rows if r[1] is not None}

    def versions(self, originator_ids: Sequence[UUID]) -> dict[UUID, int]:
        """The current version of those of the aggregates that exist."""
        with self.datastore.transaction(commit=False) as c:
            return self._versions(c, originator_ids)

    def outcomes(self, message_ids: Sequence[str]) -> dict[str, str]:
        with self.datastore.transaction(commit=False) as c:
            rows = _select_in(
                c, "SELECT message_id, outcome FROM inbox WHERE message_id IN ({marks})", message_ids
            )
        return {r[0]: r[1] for r in rows}

    def outcome_at(self, stream_seq: int) -> str | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT outcome FROM inbox WHERE stream_seq = ?", (stream_seq,))
            row = c.fetchone()
        return row[0] if row is not None else None

    def select_states(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        """(notification id, topic, state) of the next events: all the read models need."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, topic, state FROM {self.events_table_name} WHERE rowid>? ORDER BY rowid LIMIT ?",
                (after, limit),
            )
            return [tuple(r) for r in c.fetchall()]  # type: ignore[misc]

    def stored_events_of(self, originator_ids: Sequence[UUID], after: Sequence[int]) -> list[StoredEvent]:
        """The events of each aggregate after the version given for it, in order."""
        with self.datastore.transaction(commit=False) as c:
            rows = _select_in(
                c,
                "WITH ids(id, after) AS (VALUES {marks}) SELECT e.originator_id, e.originator_version, "
                f"e.topic, e.state FROM ids JOIN {self.events_table_name} AS e ON e.originator_id = ids.id "
                "AND e.originator_version > ids.after ORDER BY e.originator_id, e.originator_version",
                [(o.hex, v) for o, v in zip(originator_ids, after, strict=True)],
                mark="(?,?)",
            )
        return [StoredEvent(UUID(r[0]), r[1], r[2], r[3]) for r in rows]

    def snapshots_of(self, originator_ids: Sequence[UUID]) -> list[Snapshot]:
        with self.datastore.transaction(commit=False) as c:
            rows = _select_in(
                c,
                "SELECT originator_id, originator_version, topic, fingerprint, state "
                "FROM aggregate_snapshots WHERE originator_id IN ({marks})",
                [o.hex for o in originator_ids],
            )
        return [Snapshot(UUID(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def _select_in(c: Any, template: str, values: Sequence[Any], mark: str = "?") -> list[Any]:
    """The rows of ``template`` for every chunk of ``values``; ``{marks}`` stands for one ``mark``
    (placeholder) per value of the chunk, and a tuple value fills a mark of as many."""
    rows: list[Any] = []
    for i in range(0, len(values), CHUNK):
        chunk = list(values[i : i + CHUNK])
        params = [p for v in chunk for p in v] if isinstance(chunk[0], tuple) else chunk
        c.execute(template.format(marks=",".join([mark] * len(chunk))), params)
        rows += c.fetchall()
    return rows


# SQLite's page cache per connection (KiB). Its default, 2 MB, is far smaller than the index of
# events by aggregate, whose inserts land all over it (aggregate ids are random): as the log grew
# past a million events, inserting a batch's rows took twice the share of the ingest's time.
PAGE_CACHE_KIB = 65_536
# Pages in the write-ahead log before a commit copies them back into the database (SQLite's
# default: 1,000, 4 MB). A batch's inserts change index pages all over the database, and with
# the default each batch or two wrote them back; with 40 MB, a page changed by several batches
# is written back once. It does not change durability (every commit still syncs the log). A
# worker on a million messages of history: 6,280 against 5,608 msg/s (means of four runs each,
# alternated, 2026-11-28).
WAL_CHECKPOINT_PAGES = 10_000


class InboxSQLiteFactory(SQLiteFactory):
    process_recorder_class = InboxSQLiteRecorder

    def __init__(self, env: Any):
        super().__init__(env)
        pool = self.datastore.pool
        create = pool._create_connection

        def with_page_cache() -> Any:
            connection = create()
            connection._sqlite_conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            connection._sqlite_conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            return connection

        pool._create_connection = with_page_cache  # type: ignore[method-assign]
