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
import psycopg
from pingzhan.projections.base import ReadModel
from pingzhan.services import trace
from pingzhan.services.logs import Trouble, log
from pingzhan.services.read import tables
from pingzhan.services.read.viewdb import Cursor, ViewDb
from pingzhan.services.store.ledger import Ledger
from pingzhan.services.store.locks import VIEW_SCHEMA_LOCK, VIEW_SWAP_LOCK

TRACKING_DDL = "CREATE TABLE IF NOT EXISTS view_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
SCHEMA_DDL = "CREATE TABLE IF NOT EXISTS view_schema (name TEXT PRIMARY KEY, version BIGINT NOT NULL)"
GENERATION_DDL = (
    "CREATE TABLE IF NOT EXISTS view_generation (name TEXT PRIMARY KEY, generation BIGINT NOT NULL)"
)
UPSERT_TRACKING = (
    "INSERT INTO view_tracking VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position"
)
UPSERT_SCHEMA = (
    "INSERT INTO view_schema VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version"
)


class Swapped(Exception):
    """A rebuild put new tables in place since the projector loaded its rows."""


def prepare(cur: Cursor, models: Sequence[ReadModel]) -> None:
    """The bookkeeping tables, and the tables of every model new here or of this layout (one
    process at a time on PostgreSQL). Tables of another layout are left as they are, for a
    rebuild to replace (``services/read/rebuild.py``)."""
    if cur.db.dialect == "postgres":
        cur.execute("SELECT pg_advisory_xact_lock(?)", (VIEW_SCHEMA_LOCK,))
    cur.execute(TRACKING_DDL)
    cur.execute(SCHEMA_DDL)
    cur.execute(GENERATION_DDL)
    versions = dict(cur.execute("SELECT name, version FROM view_schema").fetchall())
    for model in models:
        if model.name not in versions and tables.exists(cur, model.tables[0].name):
            versions[model.name] = 1  # tables from before layouts had versions
            cur.execute(UPSERT_SCHEMA, (model.name, 1))
        if versions.get(model.name, model.version) == model.version:
            tables.create(cur, model)
            cur.execute(UPSERT_SCHEMA, (model.name, model.version))
        cur.execute("INSERT INTO view_generation VALUES (?, 0) ON CONFLICT (name) DO NOTHING", (model.name,))


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
    """Keeps the read models current. A rebuild (``services/read/rebuild.py``) may put new tables
    in the place of a model's while this runs: it bumps the model's generation, and each flush
    first checks the generations (under the swap lock) and, when one moved, writes nothing and
    loads the rows again. Models whose tables are of another layout (``pending``) are left to
    such a rebuild and not folded here; their old tables stay readable until the swap."""

    def __init__(self, ledger: Ledger, db: ViewDb, models: Sequence[ReadModel], page: int = 5000):
        self.ledger, self.db, self.models, self.page = ledger, db, list(models), page
        self.positions: dict[str, int] = {}
        self.generations: dict[str, int] = {}
        self.pending: set[str] = set()  # tables of another layout, waiting for their rebuild
        self.caught_up = threading.Condition()
        self.listeners: list[Callable[[int], None]] = []  # told the position after each step
        with db.transaction() as cur:
            prepare(cur, self.models)
        self._load()

    def _load(self) -> None:
        """The rows, positions and generations as stored. Should the database fail halfway, the
        positions and generations stay as they were: what was not loaded is folded again (the
        handlers are idempotent), and a swap is still seen at the next flush."""
        with self.db.transaction(write=False) as cur:
            stored = dict(cur.execute("SELECT name, position FROM view_tracking").fetchall())
            versions = dict(cur.execute("SELECT name, version FROM view_schema").fetchall())
            generations = dict(cur.execute("SELECT name, generation FROM view_generation").fetchall())
            pending = {m.name for m in self.models if versions.get(m.name) != m.version}
            for model in self.models:
                if model.name in pending:
                    model.clear()
                else:
                    tables.load(cur, model)
        self.generations, self.pending = generations, pending
        for model in self.models:
            self.positions[model.name] = int(stored.get(model.name, 0))

    @property
    def active(self) -> list[ReadModel]:
        """The models this projector folds (not those waiting for a rebuild to a new layout)."""
        return [m for m in self.models if m.name not in self.pending]

    def swapped(self) -> bool:
        """Has a rebuild swapped tables in since the rows were loaded?"""
        stored = dict(self.db.query("SELECT name, generation FROM view_generation"))
        return any(stored.get(m.name) != self.generations.get(m.name) for m in self.models)

    def _guard(self, cur: Cursor) -> None:
        """First in a flush: wait for a swap under way (the swap lock; SQLite: the write lock the
        flush holds already), then fail the flush if a swap came since the rows were loaded. On
        PostgreSQL the check joins the flush's pipeline, nobody waiting for its answer: a moved
        generation makes it divide by zero, which fails the flush at its commit."""
        if self.db.dialect == "sqlite":
            stored = dict(cur.execute("SELECT name, generation FROM view_generation").fetchall())
            if any(stored.get(m.name) != self.generations.get(m.name) for m in self.models):
                raise Swapped
            return
        cur.execute("SELECT pg_advisory_xact_lock_shared(?)", (VIEW_SWAP_LOCK,))
        expected = [f"{name}:{generation}" for name, generation in self.generations.items()]
        cur.execute(
            "SELECT 1 / (count(*) = ?)::int FROM view_generation WHERE name || ':' || generation = ANY(?)",
            (len(expected), expected),
        )

    def reload_if_swapped(self) -> bool:
        """Load the rows again if a rebuild swapped tables in (called when idle)."""
        if not self.swapped():
            return False
        self._reload()
        return True

    def _reload(self) -> None:
        with self.caught_up:
            self._load()
            self.caught_up.notify_all()
        log.info("read models reloaded after a rebuild", pending=sorted(self.pending) or None)

    @property
    def position(self) -> int:
        """The log position every model this projector folds has reached."""
        return min((self.positions[m.name] for m in self.active), default=0)

    def step(self) -> int:
        """Fold the next page of notifications into every read model; returns how many were read."""
        times = [time.monotonic()]
        active = self.active
        if not active:
            return 0
        rows = self.ledger.recorder.select_states(self.position, self.page)  # type: ignore[attr-defined]
        if not rows:
            return 0
        times.append(time.monotonic())
        events = [(notification_id, recorded(topic, state)) for notification_id, topic, state in rows]
        for model in active:
            after = self.positions[model.name]
            for notification_id, event in events:
                if notification_id > after:
                    model.apply(notification_id, event)
            times.append(time.monotonic())
        last = rows[-1][0]
        try:
            with self.db.transaction(pipelined=True) as cur:
                self._guard(cur)
                for model in active:
                    tables.flush(cur, model)
                    cur.execute(UPSERT_TRACKING, (model.name, last))
        except (Swapped, psycopg.errors.DivisionByZero):  # folded from the old rows: nothing written
            self._reload()
            return len(rows)
        times.append(time.monotonic())
        with self.caught_up:
            for model in active:
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
        stages = ["step_start", "read", *(f"fold_{m.name}" for m in self.active), "flushed", "told"]
        for stage, at in zip(stages, times, strict=True):
            trace.mark(stage, ids, at)

    def catch_up(self) -> int:
        """Step until nothing is left; returns how many notifications were read."""
        total = 0
        while n := self.step():
            total += n
        return total

    def rebuild(self) -> int:
        """Empty every read model and its position, then fold the whole log again, in place (for
        tests and the benchmark; `pingzhan rebuild` builds new tables beside the old ones)."""
        with self.db.transaction() as cur:
            for model in self.active:
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
                if folded == 0 and not self.reload_if_swapped():
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
