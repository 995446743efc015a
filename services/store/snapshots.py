"""Snapshots of aggregates with long histories: loading one (a worker's first batches after a
restart, or after its cache let it go) reads its latest snapshot and the events after it, not
every event since the aggregate began. A cadre gains two events a shift, for years.

A snapshot is a cache, not part of the record: the ledger does not hash it, rebuilds and read
models never read it, and emptying its table loses nothing (loads replay whole histories again).
It is written in the transaction of the batch whose events take an aggregate's version past a
multiple of ``EVERY``, so it stands for exactly the events stored with it; one row per aggregate,
replaced each time.

Only exact snapshots are kept and used:
- the aggregate's state must come back from JSON as it was, value by value and type by type
  (one holding a set, a tuple, a datetime or an object of its own is never snapshotted);
- each row carries a fingerprint of the code that made it (the source of ``domain/`` and of the
  store's decoding of events, the Python and eventsourcing versions); a row made by other code
  is ignored and the aggregate replayed from its first event, so a changed ``apply`` can never
  meet a state folded by the old one.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from pingzhan import domain

EVERY = 50  # events between two snapshots of an aggregate (a restart replays fewer than this of each)

# The library's own attributes of every aggregate, kept apart from the domain's state.
_BASE = frozenset(("_id", "_version", "_created_on", "_modified_on", "_pending_events"))


@dataclass(frozen=True, slots=True)
class Snapshot:
    originator_id: UUID
    version: int
    topic: str  # the aggregate's class
    fingerprint: str  # of the code that made it (``FINGERPRINT``)
    state: bytes  # JSON: the domain's attributes and the two timestamps


def due(first_version: int, last_version: int) -> bool:
    """Whether a batch that stored versions ``first_version``..``last_version`` of an aggregate
    takes it past a multiple of ``EVERY``."""
    return last_version // EVERY > (first_version - 1) // EVERY


def of_batch(stored: Sequence[StoredEvent], aggregates: Mapping[int, Aggregate]) -> list[Snapshot]:
    """The snapshots due with a batch's stored events: of each aggregate they take past a multiple
    of ``EVERY`` (found in ``aggregates`` by its id's integer, as the batch left it)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for s in stored:
        key = s.originator_id.int  # type: ignore[union-attr]  # the ingest's ids are UUIDs
        first.setdefault(key, s.originator_version)
        last[key] = s.originator_version
    found = []
    for key, v in last.items():
        aggregate = aggregates.get(key) if due(first[key], v) else None
        if aggregate is not None and aggregate.version == v and (snapshot := take(aggregate)) is not None:
            found.append(snapshot)
    return found


def take(aggregate: Aggregate) -> Snapshot | None:
    """The aggregate's snapshot, or None when its state would not come back exactly."""
    if FINGERPRINT is None:
        return None
    attributes = {k: v for k, v in vars(aggregate).items() if k not in _BASE}
    try:
        state = orjson.dumps(
            {
                "attributes": attributes,
                "created_on": aggregate.created_on.isoformat(),
                "modified_on": aggregate.modified_on.isoformat(),
            }
        )
    except TypeError:  # a value JSON cannot hold
        return None
    if not _same(orjson.loads(state)["attributes"], attributes):
        return None
    return Snapshot(aggregate.id, aggregate.version, get_topic(type(aggregate)), FINGERPRINT, state)


def restore(snapshot: Snapshot) -> Aggregate | None:
    """The aggregate as it was at the snapshot, or None when other code made the snapshot."""
    if FINGERPRINT is None or snapshot.fingerprint != FINGERPRINT:
        return None
    try:
        cls = resolve_topic(snapshot.topic)
        state = orjson.loads(snapshot.state)
        aggregate: Aggregate = object.__new__(cls)
        aggregate.__dict__.update(
            _id=snapshot.originator_id,
            _version=snapshot.version,
            _created_on=datetime.fromisoformat(state["created_on"]),
            _modified_on=datetime.fromisoformat(state["modified_on"]),
            _pending_events=[],
        )
        aggregate.__dict__.update(state["attributes"])
    except Exception:  # a class since removed, a row that is not a snapshot: replay the events
        return None
    return aggregate


def _fingerprint() -> str | None:
    """A digest of the code that folds events into aggregates: every module of ``domain/``, the
    store's decoding of events (``ledger.py``), the Python and eventsourcing versions; any change
    gives another one. Taken once, at import: the code this process runs. None when the source
    cannot be read (then no snapshot is taken or used)."""
    try:
        files = [*sorted(Path(domain.__file__).parent.glob("*.py")), Path(__file__).with_name("ledger.py")]
        runtime = f"python {sys.version_info[:2]} eventsourcing {version('eventsourcing')}"
        digest = hashlib.sha256(runtime.encode())
        for path in files:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    except Exception:  # no source files (a zipped install), no package metadata
        return None
    return digest.hexdigest()[:32]


FINGERPRINT = _fingerprint()


def _same(back: Any, before: Any) -> bool:
    """Equal and of the same types all the way down (JSON would turn a tuple into a list, or a
    str-valued enum into a plain str, which compare equal)."""
    if type(back) is not type(before):
        return False
    if isinstance(before, dict):
        return back.keys() == before.keys() and all(_same(back[k], v) for k, v in before.items())
    if isinstance(before, list):
        return len(back) == len(before) and all(_same(b, v) for b, v in zip(back, before, strict=True))
    return bool(back == before)
