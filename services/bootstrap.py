"""The composition root: builds pingzhan's parts from settings and runs them together."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from pingzhan.domain.org import Org
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.roster import Roster
from pingzhan.services.ingest.batch import Ingest, Outcome
from pingzhan.services.nats import transport as nats_io
from pingzhan.services.org.admin import active_org_data
from pingzhan.services.org.data import load_org_data
from pingzhan.services.read.projector import Projector
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger, open_ledger
from pingzhan.services.store.locks import RoleLock


@dataclass
class Service:
    settings: Settings
    org: Org
    ledger: Ledger
    ingest: Ingest
    views: ViewDb
    projector: Projector
    wake: threading.Event = field(default_factory=threading.Event)

    async def run(self, stop: asyncio.Event, project: bool = True) -> None:
        """Ingest from NATS and keep the read models current, until ``stop`` is set."""
        locks = [RoleLock(self.settings, self.settings.consumer_name)]
        try:
            if project:
                locks.append(RoleLock(self.settings, "projector"))
            await self._run(stop, project)
        finally:
            for lock in locks:
                lock.release()

    async def _run(self, stop: asyncio.Event, project: bool) -> None:
        nc = await nats_io.connect(self.settings.nats_url, f"pingzhan-{self.settings.consumer_name}")
        halt = threading.Event()
        thread = threading.Thread(target=self.projector.run, args=(halt, self.wake), daemon=True)
        if project:
            thread.start()

        def committed(_: list[Outcome]) -> None:
            self.wake.set()

        try:
            await nats_io.consume(nc, self.ingest, self.settings, stop, committed)
        finally:
            halt.set()
            self.wake.set()
            if project:
                await asyncio.to_thread(thread.join)
            await nc.drain()

    def close(self) -> None:
        self.views.close()
        self.ledger.close()


def build(settings: Settings) -> Service:
    views = ViewDb(settings)
    org = load_org_data(active_org_data(settings, views))
    ledger = open_ledger(settings)
    projector = Projector(ledger, views, [Roster(), AuditTrail(org), Assessment()])
    return Service(settings, org, ledger, Ingest(ledger, org, settings.consumer_name), views, projector)
