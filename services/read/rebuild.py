"""Rebuilds without downtime: new tables beside the live ones, then one swap.

A rebuild folds the whole notification log into fresh read models and writes them, page by
page, into shadow tables (``roster_scope__next`` ...), while the live tables keep answering and
the live projector (in `pingzhan serve`) keeps them current. Near the head it swaps, in one
transaction: it takes the swap lock (which the live projector's flushes take too, so neither
writes while the other does), bumps the models' generations, folds the events stored since,
drops the live tables and renames the shadow ones in their place, and sets the models'
positions and layout versions.
The live projector sees the new generation at its next flush (or when idle), writes nothing it
folded from the old rows, and loads the new ones (``services/read/projector.py``).

Cancelled (``cancel`` set) or failed, the shadow tables are dropped and the live ones are as they
were. Shadow tables a killed rebuild left behind are dropped by the next rebuild, or by serve.
One rebuild at a time per store: the caller holds ``rebuild_lock`` (``services/store/locks.py``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pingzhan.projections.base import ReadModel
from pingzhan.services.logs import log
from pingzhan.services.read import tables
from pingzhan.services.read.projector import UPSERT_SCHEMA, UPSERT_TRACKING, prepare, recorded
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger
from pingzhan.services.store.locks import VIEW_SWAP_LOCK, AlreadyRunning, rebuild_lock

SHADOW = "__next"  # the suffix of the tables a rebuild fills


class Cancelled(Exception):
    def __init__(self) -> None:
        super().__init__("rebuild cancelled; the read models are unchanged")


@dataclass
class Progress:
    """How far a rebuild is: ``done`` of ``total`` events after ``seconds``."""

    models: tuple[str, ...]
    done: int = 0
    total: int = 0
    seconds: float = 0.0
    position: int = 0  # the last event folded (after the swap: the last the new tables include)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None

    def line(self) -> str:
        """E.g. ``rebuilding roster, audit: 120,000 of 800,512 events (15%), 61,234 events/s, ETA 0:11``."""
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        eta = "" if self.eta_s is None else f", ETA {clock(self.eta_s)}"
        return (
            f"rebuilding {', '.join(self.models)}: {self.done:,} of {self.total:,} events{share}, "
            f"{self.rate:,.0f} events/s{eta}"
        )

    def done_line(self) -> str:
        return (
            f"rebuilt {', '.join(self.models)} from {self.done:,} events in {self.seconds:.2f} s "
            f"({self.rate:,.0f} events/s); swapped in at event {self.position:,}"
        )


def clock(seconds: float) -> str:
    """``0:07``, ``12:30``, ``1:02:03``."""
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02}:{s % 60:02}" if s >= 3600 else f"{s // 60}:{s % 60:02}"


def choose(models: Sequence[ReadModel], name: str) -> list[ReadModel]:
    """The models ``name`` means: one by its name, or ``all``."""
    if name == "all":
        return list(models)
    chosen = [m for m in models if m.name == name]
    if not chosen:
        names = ", ".join(m.name for m in models)
        raise LookupError(f"no read model {name!r}: one of {names}, or all")
    return chosen


def behind(db: ViewDb, models: Iterable[ReadModel]) -> list[ReadModel]:
    """The models whose tables are of another layout than this code's."""
    with db.transaction() as cur:
        prepare(cur, list(models))
        versions = dict(cur.execute("SELECT name, version FROM view_schema").fetchall())
    return [m for m in models if versions.get(m.name) != m.version]


def drop_shadows(db: ViewDb) -> list[str]:
    """Drop the shadow tables a cancelled or killed rebuild left (under the rebuild lock)."""
    with db.transaction() as cur:
        names = tables.named(cur, SHADOW)
        for name in names:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
    return names


class Rebuild:
    def __init__(
        self,
        ledger: Ledger,
        db: ViewDb,
        models: Sequence[ReadModel],
        cancel: threading.Event,
        report: Callable[[Progress], None] = lambda _: None,
        page: int = 5000,
    ):
        self.ledger, self.db, self.models, self.page = ledger, db, list(models), page
        self.cancel, self.report = cancel, report
        self.progress = Progress(tuple(m.name for m in self.models))
        self.started = 0.0

    def run(self) -> Progress:
        """Build, swap in, and say how it went; ``Cancelled`` when ``cancel`` was set first."""
        self.started = time.monotonic()
        with self.db.transaction() as cur:
            prepare(cur, self.models)
        drop_shadows(self.db)
        try:
            with self.db.transaction() as cur:
                for model in self.models:
                    model.clear()
                    tables.create(cur, model, SHADOW)
            self._swap(self._build())
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: the next rebuild drops them too
                drop_shadows(self.db)
            raise
        return self._tell()

    def _build(self) -> int:
        """Fold the log into the shadow tables until near its head; returns the last position.
        Page by page only the append-only tables are written; the keyed tables once, at the end
        (``tables.fill``)."""
        position = 0
        while True:
            self._check()
            rows = self._fold(position)
            position = rows[-1][0] if rows else position
            near_head = len(rows) < self.page
            with self.db.transaction(pipelined=True) as cur:
                for model in self.models:
                    if near_head:
                        tables.fill(cur, model, SHADOW)
                    else:
                        tables.flush(cur, model, SHADOW, keyed=False)
            if near_head:
                return position
            self._tell()

    def _swap(self, position: int) -> None:
        """The events stored since, then the shadow tables in the live ones' place, in one
        transaction that holds off the live projector's flushes (the swap lock)."""
        with self.db.transaction() as cur:
            if self.db.dialect == "postgres":  # SQLite: the write lock of BEGIN IMMEDIATE
                cur.execute("SELECT pg_advisory_xact_lock(?)", (VIEW_SWAP_LOCK,))
            for model in self.models:
                cur.execute(
                    "UPDATE view_generation SET generation = generation + 1 WHERE name = ?", (model.name,)
                )
            while rows := self._fold(position):
                position = rows[-1][0]
                if len(rows) < self.page:
                    break
            for model in self.models:
                tables.flush(cur, model, SHADOW)
                tables.replace(cur, model, SHADOW)
                cur.execute(UPSERT_TRACKING, (model.name, position))
                cur.execute(UPSERT_SCHEMA, (model.name, model.version))
            self._check()  # cancelled at the last moment: all of it rolls back

    def _fold(self, after: int) -> list[tuple[int, str, bytes]]:
        rows: list[tuple[int, str, bytes]] = self.ledger.recorder.select_states(after, self.page)  # type: ignore[attr-defined]
        for notification_id, topic, state in rows:
            event = recorded(topic, state)
            for model in self.models:
                model.apply(notification_id, event)
        self.progress.done += len(rows)
        self.progress.position = rows[-1][0] if rows else after
        return rows

    def _tell(self) -> Progress:
        self.progress.seconds = time.monotonic() - self.started
        head = int(self.ledger.recorder.max_notification_id() or 0)
        self.progress.total = self.progress.done + max(0, head - self.progress.position)
        self.report(self.progress)
        return self.progress

    def _check(self) -> None:
        if self.cancel.is_set():
            raise Cancelled


def relayout(
    settings: Settings, ledger: Ledger, models: Sequence[ReadModel], waiting: bool, halt: threading.Event
) -> None:
    """Serve's part, beside its projector: drop the shadow tables a killed rebuild left, and
    rebuild the models whose tables are of another layout (``waiting``: the projector has some),
    the old tables answering until the swap. While another rebuild runs it waits, if it has
    models to rebuild; trouble is logged and tried again; ``halt`` cancels."""
    if not waiting and not shadow_tables(settings):
        return  # nothing to do: the lock is not taken (a rebuild starting now would find it taken)
    said = False
    while not halt.is_set():
        try:
            lock = rebuild_lock(settings)
        except AlreadyRunning:
            if not waiting:
                return  # that rebuild drops what shadow tables it finds itself
            if not said:
                log.info("read models: waiting for the rebuild that runs on this store to end")
                said = True
            halt.wait(2.0)
            continue
        db = ViewDb(settings)
        try:
            if dropped := drop_shadows(db):
                log.info("read models: dropped the tables a stopped rebuild left", tables=dropped)
            if todo := behind(db, models):
                log.info("read models: rebuilding for their new layout", models=[m.name for m in todo])
                done = Rebuild(ledger, db, todo, halt, every(10.0, lambda p: log.info(p.line()))).run()
                log.info(f"read models: {done.done_line()}")
            return
        except Cancelled:
            log.info("read models: rebuild for the new layout stopped; it starts again with serve")
            return
        except Exception as e:
            log.error("read models: rebuild for the new layout failed; trying again in 10 s", error=str(e))
            halt.wait(10.0)
        finally:
            db.close()
            lock.release()


def shadow_tables(settings: Settings) -> list[str]:
    """The shadow tables a rebuild has made and not swapped in (nor dropped) yet."""
    db = ViewDb(settings)
    try:
        with db.transaction(write=False) as cur:
            return tables.named(cur, SHADOW)
    finally:
        db.close()


def every(seconds: float, report: Callable[[Progress], None]) -> Callable[[Progress], None]:
    """``report``, at most once per ``seconds``."""
    last = [time.monotonic()]

    def throttled(progress: Progress) -> None:
        if time.monotonic() - last[0] >= seconds:
            last[0] = time.monotonic()
            report(progress)

    return throttled
