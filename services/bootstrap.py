"""The composition root: the one place that builds pingzhan's parts from settings.

``build(settings)`` returns an ``App`` whose parts are made when first asked for, so each command
opens only what it uses: a read command the view database and the organisation; ``serve`` also the
event store, the ingest and the projector. Every CLI command gets its parts here, and nowhere else
builds them.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Literal

from pingzhan.domain.org import Org
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.base import ReadModel
from pingzhan.projections.drives import Drives
from pingzhan.projections.problems import Problems
from pingzhan.projections.roster import Roster
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ledger.checkpointer import Checkpointer
from pingzhan.services.ledger.leaves import LogReader, reader_for
from pingzhan.services.org.admin import active_org_data
from pingzhan.services.org.data import load_org_data
from pingzhan.services.read.projector import Projector
from pingzhan.services.read.rebuild import Progress, Rebuild, choose
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.serving import Service
from pingzhan.services.settings import Settings
from pingzhan.services.store.identity import store_id
from pingzhan.services.store.ledger import Ledger, open_ledger
from pingzhan.services.store.locks import rebuild_lock

# A rebuild's garbage collection. With CPython's default thresholds (700, 10, 10) a rebuild
# scanned the whole heap, the read models' growing rows among it, again and again: measured by
# gc.callbacks, 6.1 of 54 s of a rebuild of 1.47 million events (SQLite, 2-core AMD EPYC), 0.05 s
# with these. Only for the rebuild, and put back after it: serve keeps the collector off its hot
# path its own way (``CollectorPause`` in services/ingest/consume.py, and the projector's step).
REBUILD_GC_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*REBUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


Role = Literal["all", "ingest", "project"]
ROLES: tuple[Role, ...] = ("all", "ingest", "project")


def read_models(org: Org, settings: Settings) -> list[ReadModel]:
    """Every read model the projector keeps, in the order it folds them."""
    tz = settings.tz
    return [Roster(settings.roster_snapshot_every), AuditTrail(org), Assessment(tz), Drives(tz), Problems(tz)]


@dataclass
class App:
    """pingzhan's parts for one process, built on first use from ``settings``."""

    settings: Settings
    wake: threading.Event = field(default_factory=threading.Event)  # set by ingest after each commit

    @property
    def has_store(self) -> bool:
        """Is there an event store to read? (SQLite: its file; PostgreSQL: asked when used.)"""
        return self.settings.store == "postgres" or (self.settings.data_dir / "events.sqlite").exists()

    @cached_property
    def views(self) -> ViewDb:
        return ViewDb(self.settings)

    @cached_property
    def org_in_use(self) -> tuple[dict[str, Any], int | None]:
        """The organisation's data and its version in the store (see ``org.admin``)."""
        opened = self.settings.org_file is None and self.has_store  # a file set: the store is not asked
        return active_org_data(self.settings, self.ledger if opened else None)

    @property
    def org_data(self) -> dict[str, Any]:
        return self.org_in_use[0]

    @cached_property
    def org(self) -> Org:
        return load_org_data(self.org_data)

    @cached_property
    def ledger(self) -> Ledger:
        return open_ledger(self.settings)

    @cached_property
    def ingest(self) -> Ingest:
        return Ingest(
            self.ledger,
            self.org,
            self.settings.consumer_name,
            org_version=self.org_in_use[1],
            prefix=self.settings.subject_prefix,
            tz=self.settings.tz,
            clock=lambda: datetime.now(UTC),
            skew=timedelta(seconds=self.settings.clock_skew_s),
            workers=self.settings.workers,
            index=self.settings.worker_index,
        )

    @cached_property
    def log_reader(self) -> LogReader:
        """The ledger's log (events and inbox rows in one order) of this store."""
        return reader_for(self.settings, self.ledger)

    @cached_property
    def store_id(self) -> str:
        return store_id(self.settings, self.ledger)

    @cached_property
    def checkpointer(self) -> Checkpointer:
        return Checkpointer(self.settings, self.log_reader, self.store_id)

    def fresh_read_models(self) -> list[ReadModel]:
        """A set of the read models of its own (a rebuild folds into one)."""
        return read_models(self.org, self.settings)

    @cached_property
    def projector(self) -> Projector:
        return Projector(
            self.ledger,
            self.views,
            read_models(self.org, self.settings),
        )

    async def run(
        self, role: Role, stop: asyncio.Event, on_http: Callable[[str], None] = lambda _: None
    ) -> None:
        """Serve ``role`` until ``stop`` (``services/serving.py``)."""
        await Service(self).run(role, stop, on_http)

    def rebuild(
        self,
        name: str = "all",
        cancel: threading.Event | None = None,
        report: Callable[[Progress], None] = lambda _: None,
        page: int = 5000,
    ) -> Progress:
        """Fold the whole log into new tables of the read models (``name``, or all) and swap them
        in for the old ones; serve may run meanwhile (``services/read/rebuild.py``)."""
        models = choose(self.fresh_read_models(), name)
        lock = rebuild_lock(self.settings)
        views = ViewDb(self.settings)  # a connection of its own, beside the projector's
        try:
            with fewer_collections():
                return Rebuild(self.ledger, views, models, cancel or threading.Event(), report, page).run()
        finally:
            views.close()
            lock.release()

    def close(self) -> None:
        """Close what was opened."""
        for part in ("views", "ledger"):
            if part in self.__dict__:
                self.__dict__[part].close()


def build(settings: Settings) -> App:
    return App(settings)
