"""Runs the read models over the event store's notification log: resumable and rebuildable.

Each read model has its own position (table ``view_tracking``), written in the same transaction
as its rows. A page of notifications is folded in memory and flushed in one transaction.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Sequence

import orjson
from pingzhan.projections.base import ReadModel
from pingzhan.services import trace
from pingzhan.services.logs import Trouble
from pingzhan.services.read import tables
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.store.ledger import Ledger
from pingzhan.services.store.locks import VIEW_SCHEMA_LOCK

TRACKING_DDL = "CREATE TABLE IF NOT EXISTS view_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
SCHEMA_DDL = "CREATE TABLE IF NOT EXISTS view_schema (name TEXT PRIMARY KEY, version BIGINT NOT NULL)"
UPSERT_TRACKING = (
    "INSERT INTO view_tracking VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position"
)


class Recorded:
    """A stored event as the read models see it: its type's name and its fields, nothing more.

    Cheaper than the library's mapper, which would rebuild the domain event class, its UUIDs and
    datetimes for every event; the read models only read names and strings.
    """


_RECORDED: dict[str, type[Recorded]] = {}


def recorded(topic: str, state: bytes) -> Recorded:
    cls = _RECORDED.get(topic)
    if cls is None:
        qualname = topic.rsplit(":", 1)[1]
        cls = _RECORDED[topic] = type(qualname, (Recorded,), {"__qualname__": qualname})
    event = cls.__new__(cls)
    event.__dict__ = orjson.loads(state)
    return event


class Projector:
    def __init__(self, ledger: Ledger, db: ViewDb, models: Sequence[ReadModel], page: int = 5000):
        self.ledger, self.db, self.models, self.page = ledger, db, list(models), page
        self.positions: dict[str, int] = {}
        self.caught_up = threading.Condition()
        self.listeners: list[Callable[[int], None]] = []  # told the position after each step
        with db.transaction() as cur:
            if db.dialect == "postgres":
                cur.execute(
                    "SELECT pg_advisory_xact_lock(?)", (VIEW_SCHEMA_LOCK,)
                )  # one process creates the tables
            cur.execute(TRACKING_DDL)
            cur.execute(SCHEMA_DDL)
            versions = dict(cur.execute("SELECT name, version FROM view_schema").fetchall())
            for model in self.models:
                if model.name not in versions and tables.exists(cur, model.tables[0].name):
                    versions[model.name] = 1  # tables from before layouts had versions
                if versions.get(model.name, model.version) != model.version:
                    # Tables of an older layout: drop them and let the catch-up rebuild them.
                    tables.drop(cur, model)
                    cur.execute("DELETE FROM view_tracking WHERE name = ?", (model.name,))
                tables.create(cur, model)
                cur.execute(
                    "INSERT INTO view_schema VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                    (model.name, model.version),
                )
        self._load()

    def _load(self) -> None:
        with self.db.transaction(write=False) as cur:
            stored = dict(cur.execute("SELECT name, position FROM view_tracking").fetchall())
            for model in self.models:
                tables.load(cur, model)
                self.positions[model.name] = int(stored.get(model.name, 0))

    @property
    def position(self) -> int:
        return min(self.positions.values())

    def step(self) -> int:
        """Fold the next page of notifications into every read model; returns how many were read."""
        times = [time.monotonic()]
        rows = self.ledger.recorder.select_states(self.position, self.page)  # type: ignore[attr-defined]
        if not rows:
            return 0
        times.append(time.monotonic())
        events = [(notification_id, recorded(topic, state)) for notification_id, topic, state in rows]
        for model in self.models:
            after = self.positions[model.name]
            for notification_id, event in events:
                if notification_id > after:
                    model.apply(notification_id, event)
            times.append(time.monotonic())
        last = rows[-1][0]
        with self.db.transaction(pipelined=True) as cur:
            for model in self.models:
                tables.flush(cur, model)
                cur.execute(UPSERT_TRACKING, (model.name, last))
        times.append(time.monotonic())
        with self.caught_up:
            for model in self.models:
                self.positions[model.name] = last
            self.caught_up.notify_all()
        for listener in self.listeners:
            listener(last)
        if trace.on():
            self._trace(events, [*times, time.monotonic()])
        gc.freeze()  # the read models' rows are long-lived: keep the cyclic collector off them
        return len(rows)

    def _trace(self, events: list[tuple[int, Recorded]], times: list[float]) -> None:
        ids = [m for _, e in events if (m := e.__dict__.get("message_id", "")).startswith("op-")]
        stages = ["step_start", "read", *(f"fold_{m.name}" for m in self.models), "flushed", "told"]
        for stage, at in zip(stages, times, strict=True):
            trace.mark(stage, ids, at)

    def catch_up(self) -> int:
        """Step until nothing is left; returns how many notifications were read."""
        total = 0
        while n := self.step():
            total += n
        return total

    def rebuild(self) -> int:
        """Empty every read model and its position, then fold the whole log again."""
        with self.db.transaction() as cur:
            for model in self.models:
                tables.empty(cur, model)
            cur.execute("DELETE FROM view_tracking")
        for model in self.models:
            self.positions[model.name] = 0
        return self.catch_up()

    def run(self, stop: threading.Event, wake: threading.Event, idle_s: float = 0.2) -> None:
        """Follow the log until ``stop``; ``wake`` is set by ingest after each commit."""
        trouble = Trouble("read models not updated; retrying")
        while not stop.is_set():
            try:
                folded = self.step()
                trouble.ok()
                if folded == 0:
                    wake.wait(idle_s)
                    wake.clear()
            except Exception as e:  # the view database is away: keep trying, from what is stored
                trouble.failed(e)
                stop.wait(1.0)
                try:
                    self._load()
                except Exception:
                    pass

    def wait_for(self, position: int, timeout: float) -> bool:
        with self.caught_up:
            return self.caught_up.wait_for(lambda: self.position >= position, timeout)
