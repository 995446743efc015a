"""The event store: an eventsourcing application whose recorder also keeps the inbox.

The inbox holds one row per inbound message id with its outcome. It is written in the same
transaction as the message's events and the consumer's stream position (eventsourcing's tracking
row), so a message is either fully recorded once or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, StoredEvent, Tracking, Transcoder
from eventsourcing.utils import get_topic
from pingzhan.domain import ids
from pingzhan.domain.accounts import Accounts
from pingzhan.domain.organisation import Organisation
from pingzhan.domain.stamp import Stamp
from pingzhan.services.settings import Settings
from pingzhan.services.store import snapshots
from pingzhan.services.store.locks import schema_lock
from pingzhan.services.store.snapshots import Snapshot


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


class LeanMapper(Mapper[UUID]):
    """The library's mapper without its per-event work that pingzhan does not use: topics are
    looked up once per event class, and there is no class versioning, compression or cipher. The
    stored events are the same bytes (a unit test compares them with the library's)."""

    def __init__(self, transcoder: Transcoder):
        super().__init__(transcoder)
        self.topics: dict[type, str] = {}

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        cls = domain_event.__class__
        topic = self.topics.get(cls)
        if topic is None:
            topic = self.topics[cls] = get_topic(cls)
        state = dict(vars(domain_event))
        originator_id, originator_version = state.pop("originator_id"), state.pop("originator_version")
        return StoredEvent(originator_id, originator_version, topic, self.transcoder.encode(state))


class Ledger(Application):
    """pingzhan's event store: events, inbox and consumer positions in one database."""

    name = "pingzhan"

    def construct_recorder(self) -> Any:
        return self.factory.process_recorder()

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper[UUID]:
        return LeanMapper(transcoder=self.construct_transcoder())

    def record_stored(
        self,
        stored: Sequence[StoredEvent],
        tracking: Tracking,
        inbox: Sequence[tuple[str, int, str]],
        expect: dict[UUID, int] | None = None,
        snapshots: Sequence[Snapshot] = (),
    ) -> None:
        """Store events, inbox rows and the consumer position in one transaction; ``expect``
        gives the version each aggregate the batch read must still have (IntegrityError if not);
        ``snapshots`` replace those of their aggregates (``services/store/snapshots.py``)."""
        self.recorder.insert_events(
            stored, tracking=tracking, inbox=inbox, expect=expect or {}, snapshots=snapshots
        )

    def outcomes(self, message_ids: Sequence[str]) -> dict[str, str]:
        """Recorded outcomes (JSON text) of those of the given message ids that have one."""
        if not message_ids:
            return {}
        return self.recorder.outcomes(message_ids)  # type: ignore[attr-defined, no-any-return]

    def outcome_at(self, stream_seq: int) -> str | None:
        """The recorded outcome (JSON text) of the message at that stream sequence, if it has one
        (a resent id stores nothing: it has its first outcome under that id)."""
        return self.recorder.outcome_at(stream_seq)  # type: ignore[attr-defined, no-any-return]

    def load(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Aggregate]:
        """The current state of those of the given aggregates that exist: their usable snapshots
        and the events after them (all of them for an aggregate without). On PostgreSQL one
        statement reads both; elsewhere, and for a snapshot other code made, a second one the
        events."""
        wanted = list(dict.fromkeys(aggregate_ids))  # once each: the join would repeat events
        loaded: dict[UUID, Aggregate | None] = {}
        both = getattr(self.recorder, "snapshots_and_events", None)  # PostgreSQL: one round trip
        if both is not None:
            found, stored = both(wanted)
        else:
            found, stored = self.recorder.snapshots_of(wanted), None  # type: ignore[attr-defined]
        unusable = []
        for snapshot in found:
            aggregate = snapshots.restore(snapshot)
            if aggregate is not None:
                loaded[snapshot.originator_id] = aggregate
            else:
                unusable.append(snapshot.originator_id)
        if stored is None or unusable:  # the events after each usable snapshot, or from the first
            again = wanted if stored is None else unusable
            after = [loaded[i].version if i in loaded else 0 for i in again]  # type: ignore[union-attr]
            redo = set(again)
            stored = [e for e in stored or [] if e.originator_id not in redo]
            stored += self.recorder.stored_events_of(again, after)  # type: ignore[attr-defined]
        by_id: dict[UUID, list[Any]] = defaultdict(list)
        for event in stored:
            by_id[event.originator_id].append(self.mapper.to_domain_event(event))
        for aggregate_id, events in by_id.items():
            aggregate = loaded.get(aggregate_id)
            for domain_event in events:
                aggregate = domain_event.mutate(aggregate)
            loaded[aggregate_id] = aggregate
        return loaded  # type: ignore[return-value]

    def versions(self, aggregate_ids: Sequence[UUID]) -> dict[UUID, int]:
        """The current version of those of the given aggregates that exist (no events read)."""
        return self.recorder.versions(aggregate_ids)  # type: ignore[attr-defined, no-any-return]

    def decide(self, command: Any, stamp: Stamp) -> list[Any]:
        """Run one domain command outside the stream (an administrator's act) and save what it
        changed in one transaction; returns the new events. A DomainError leaves nothing."""
        found: dict[UUID, Aggregate] = dict(self.load(command.needs()))
        workspace = _Workspace(found)
        command.run(workspace, None, stamp)
        events = [e for a in workspace.touched.values() for e in a.collect_events()]
        self.recorder.insert_events([self.mapper.to_stored_event(e) for e in events])
        return events

    def organisation(self) -> Organisation | None:
        """The organisation imported into this store, if any (its latest version)."""
        found = self.load([ids.organisation()]).get(ids.organisation())
        assert found is None or isinstance(found, Organisation)
        return found

    def accounts(self) -> Accounts | None:
        """The accounts recorded in this store (None: none was ever added)."""
        found = self.load([ids.accounts()]).get(ids.accounts())
        assert found is None or isinstance(found, Accounts)
        return found


class _Workspace:
    """The aggregates one administrator's command works on."""

    def __init__(self, found: dict[UUID, Aggregate]):
        self.found, self.touched = found, dict(found)

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        return self.found.get(aggregate_id)

    def add(self, aggregate: Aggregate) -> None:
        self.found[aggregate.id] = self.touched[aggregate.id] = aggregate


def store_env(settings: Settings) -> dict[str, str]:
    """The environment eventsourcing is configured from, for the configured store."""
    if settings.store == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "pingzhan.services.store.sqlite:InboxSQLiteFactory",
            "SQLITE_DBNAME": str(settings.data_dir / "events.sqlite"),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    return {
        "PERSISTENCE_MODULE": "pingzhan.services.store.postgres:InboxPostgresFactory",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",  # the library's insert function would skip the inbox
        "POSTGRES_DBNAME": settings.postgres_dbname,
        "POSTGRES_HOST": settings.postgres_host,
        "POSTGRES_PORT": str(settings.postgres_port),
        "POSTGRES_USER": settings.postgres_user,
        "POSTGRES_PASSWORD": settings.postgres_password,
    }


def open_ledger(settings: Settings) -> Ledger:
    with schema_lock(settings):  # processes opening a new store together create the tables once
        return Ledger(env=store_env(settings))
