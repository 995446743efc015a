"""A store's identity: a short id made once and kept in the store itself.

Durable consumer names carry it, so two `pingzhan serve` processes with different stores on the
same NATS never take each other's consumer (each would otherwise delete and re-create
``ingest-0-of-1`` from its own position, and one of them would stall on a partial state).
The store's own tracking names (``nats:ingest-{i}-of-{n}``) stay as they are.
"""

from __future__ import annotations

import uuid

from eventsourcing.sqlite import SQLiteProcessRecorder
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger
from pingzhan.services.store.locks import schema_lock

DDL = (
    "CREATE TABLE IF NOT EXISTS store_identity "
    "(one INTEGER PRIMARY KEY CHECK (one = 1), store_id TEXT NOT NULL)"
)


def store_id(settings: Settings, ledger: Ledger) -> str:
    """The store's id (8 hex digits), made on first use; the same in every process of the store."""
    with schema_lock(settings):  # processes starting together on a new store make it once
        return _store_id(ledger)


def _store_id(ledger: Ledger) -> str:
    mark = "?" if isinstance(ledger.recorder, SQLiteProcessRecorder) else "%s"
    datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=True) as c:
        c.execute(DDL)
    # A write first, in a transaction of its own: on SQLite a transaction that read before it
    # writes fails at once ("database is locked") when a worker wrote meanwhile, instead of waiting.
    with datastore.transaction(commit=True) as c:
        made = uuid.uuid4().hex[:8]
        c.execute(f"INSERT INTO store_identity VALUES (1, {mark}) ON CONFLICT DO NOTHING", (made,))
        c.execute("SELECT store_id FROM store_identity")
        return str(c.fetchone()["store_id"])


def durable_name(settings: Settings, ledger: Ledger) -> str:
    """This worker's durable consumer: ``ingest-{index}-of-{workers}-{store id}``."""
    return f"{settings.consumer_name}-{store_id(settings, ledger)}"
