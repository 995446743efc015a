"""The composition root: the one place that builds pingzhan's parts from settings.

``build(settings)`` returns an ``App`` whose parts are made when first asked for, so each command
opens only what it uses: a read command the view database and the organisation; ``serve`` also the
event store, the ingest and the projector. Every CLI command gets its parts here, and nowhere else
builds them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any, Literal

from pingzhan.domain.org import Org
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.base import ReadModel
from pingzhan.projections.drives import Drives
from pingzhan.projections.problems import Problems
from pingzhan.projections.roster import Roster
from pingzhan.services import metrics, trace
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.consume import Consumer
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.ledger.checkpointer import Checkpointer
from pingzhan.services.ledger.keys import KeyMissing, load_signer
from pingzhan.services.ledger.leaves import LogReader, reader_for
from pingzhan.services.logs import log
from pingzhan.services.nats.connection import WORKER_INBOX, connect
from pingzhan.services.org.admin import active_org_data
from pingzhan.services.org.data import load_org_data
from pingzhan.services.read.projector import Projector
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.identity import durable_name, store_id
from pingzhan.services.store.ledger import Ledger, open_ledger
from pingzhan.services.store.locks import RoleLock, WorkerCount

Role = Literal["all", "ingest", "project"]
ROLES: tuple[Role, ...] = ("all", "ingest", "project")


def read_models(org: Org, tz: tzinfo, snapshot_every: int | None = None) -> list[ReadModel]:
    """Every read model the projector keeps, in the order it folds them."""
    return [Roster(snapshot_every), AuditTrail(org), Assessment(tz), Drives(tz), Problems(tz)]


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

    @cached_property
    def projector(self) -> Projector:
        return Projector(
            self.ledger,
            self.views,
            read_models(self.org, self.settings.tz, self.settings.roster_snapshot_every),
        )

    async def run(
        self, role: Role, stop: asyncio.Event, on_http: Callable[[str], None] = lambda _: None
    ) -> None:
        """Serve until ``stop``: ingest from NATS, keep the read models current, or both. Beside
        the projector (roles all and project): the HTTP API and the NATS change feed, ``on_http``
        told the API's URL. One process per consumer and one projector per store: each role
        holds its lock."""
        self.on_http: Callable[[str], None] = on_http
        trace.start(self.settings.trace_file)
        if self.settings.metrics_port is not None:
            port = metrics.serve(self.settings.http_host, self.settings.metrics_port)
            log.info("metrics", url=f"http://{self.settings.http_host}:{port}/metrics")
        if role != "ingest":
            metrics.follow_projector(self._projector_lag)
        locks = []
        try:
            if role in ("all", "ingest"):
                locks.append(RoleLock(self.settings, self.settings.consumer_name))
                locks.append(count := WorkerCount(self.settings))
                await self._alone_with_our_number(count, stop)
            if role in ("all", "project"):
                locks.append(RoleLock(self.settings, "projector"))
            if not stop.is_set():
                await self._run(role, stop)
        finally:
            for lock in locks:
                lock.release()

    async def _alone_with_our_number(self, count: WorkerCount, stop: asyncio.Event) -> None:
        """Wait until no ingest worker with another number of workers runs on the store."""
        said = False
        while (other := await asyncio.to_thread(count.take)) is not None and not stop.is_set():
            if not said:
                log.warning(
                    f"waiting for the ingest workers started with PINGZHAN_WORKERS={other} to stop "
                    f"(this one has {self.settings.workers}): workers of one number at a time"
                )
                said = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)

    async def _run(self, role: Role, stop: asyncio.Event) -> None:
        halt = threading.Event()
        # Ingest wakes the projector after each stored batch: in this process directly, from
        # another by a notice on NATS (``_follow_ingest``); it also polls the store, in case.
        idle_s = 0.2
        projecting = threading.Thread(target=self.projector.run, args=(halt, self.wake, idle_s), daemon=True)
        opened = None if role == "ingest" else self._open_edge()  # a port in use stops us here
        if role != "ingest":
            projecting.start()
        edge = [] if opened is None else [asyncio.create_task(self._edge(*opened, stop))]
        for task in edge:  # an API that cannot start stops the service, and says why
            task.add_done_callback(lambda t: stop.set() if not t.cancelled() and t.exception() else None)
        # Beside the projector: the ledger's checkpoints (one signer per store, as one projector).
        ledger = [] if role == "ingest" else [asyncio.create_task(self._checkpoints(stop))]
        try:
            if role == "project":
                await self._follow_ingest(stop)
            else:
                await self._consume(stop, announce=role == "ingest")
        finally:
            stop.set()
            if edge:
                await edge[0]
            for task in ledger:
                await task
            halt.set()
            self.wake.set()
            if projecting.is_alive():
                await asyncio.to_thread(projecting.join)

    def _projector_lag(self) -> float:
        head = self.ledger.recorder.max_notification_id() or 0
        return float(max(0, head - self.projector.position))

    def _open_edge(self) -> tuple[Any, Any]:
        """The HTTP API (its port bound now) and what it reads with."""
        from pingzhan.services.api.app import create_api
        from pingzhan.services.api.parts import Parts
        from pingzhan.services.api.server import HttpServer

        parts = Parts(self)
        server = None
        if self.settings.http:
            server = HttpServer(create_api(self, parts), self.settings.http_host, self.settings.http_port)
        return parts, server

    async def _edge(self, parts: Any, server: Any, stop: asyncio.Event) -> None:
        """The HTTP API and the change feed on NATS, both woken by the projector's steps."""
        from pingzhan.services.read.changes import ChangePublisher, ChangeReader

        parts.ticker.bind()
        self.projector.listeners.append(parts.ticker.tick)
        # The feed reads through a connection of its own: the app's is one query at a time, and
        # live streams waited behind the feed's reads after every step.
        feed = ChangeReader(ViewDb(self.settings), self.org)
        tasks = [ChangePublisher(feed, self.settings, parts.ticker).run(stop)]
        if server is not None:
            tasks.append(server.run(stop, self.on_http))

        async def closing() -> None:  # live streams end when the service stops, not when clients go
            await stop.wait()
            parts.ticker.close()

        tasks.append(closing())
        try:
            await asyncio.gather(*tasks)
        finally:
            parts.close()
            feed.views.close()

    async def _checkpoints(self, stop: asyncio.Event) -> None:
        """Sign the log's root now and then (services/ledger/checkpointer.py); trouble here is
        logged and never stops the service."""
        try:
            signer = load_signer(self.settings)
        except KeyMissing as e:
            log.warning(f"ledger: no checkpoints are made: {e}")
            return
        try:
            nc = await connect(
                self.settings.nats_url,
                "pingzhan-ledger",
                inbox_prefix=WORKER_INBOX,
                **self.settings.nats_credentials,
            )
        except Exception as e:
            log.error("ledger: no checkpoints are made: NATS is not reachable", error=str(e))
            return
        try:
            await self.checkpointer.run(nc.jetstream(), signer, stop)
        except Exception as e:
            log.error("ledger: checkpoints stopped", error=str(e) or type(e).__name__)
        finally:
            await nc.drain()

    async def _follow_lag(self, nc: Any, durable: str, stop: asyncio.Event) -> None:
        """The consumer's lag for the metrics: JetStream's count of what it has not had
        acknowledged, every 5 s."""
        js = nc.jetstream()
        while not stop.is_set():
            try:
                info = await js.consumer_info(self.settings.stream, durable)
                metrics.CONSUMER_LAG.set((info.num_pending or 0) + (info.num_ack_pending or 0))
            except Exception:  # NATS away: the consumer says so in the log
                pass
            try:
                await asyncio.wait_for(stop.wait(), 5.0)
            except TimeoutError:
                pass

    async def _follow_ingest(self, stop: asyncio.Event) -> None:
        """Role project: the ingest workers are other processes, and each says on
        ``{prefix}.stored`` when it has stored a batch; that wakes the projector at once (it
        polls the store too, should a notice be lost)."""
        nc = await connect(
            self.settings.nats_url,
            "pingzhan-projector",
            inbox_prefix=WORKER_INBOX,
            **self.settings.nats_credentials,
        )

        async def stored(_: Any) -> None:
            self.wake.set()

        try:
            await nc.subscribe(f"{self.settings.subject_prefix}.stored", cb=stored)
            await stop.wait()
        finally:
            await nc.close()

    async def _consume(self, stop: asyncio.Event, announce: bool = False) -> None:
        """Ingest until ``stop``; with ``announce`` (the projector is another process), each
        stored batch is told on ``{prefix}.stored``."""
        nc = await connect(
            self.settings.nats_url,
            f"pingzhan-{self.settings.consumer_name}",
            inbox_prefix=WORKER_INBOX,
            **self.settings.nats_credentials,
        )
        loop = asyncio.get_running_loop()
        notice = f"{self.settings.subject_prefix}.stored"

        def stored() -> None:  # from the committing thread
            self.wake.set()
            if announce:
                asyncio.run_coroutine_threadsafe(nc.publish(notice, b""), loop)

        def committed(outcomes: list[Outcome]) -> None:
            self.wake.set()
            metrics.decided(outcomes)

        try:
            durable = durable_name(self.settings, self.ledger)
            # The projector is woken as soon as a batch is stored, not when the next one has been
            # decided and this one acknowledged: that wait was on the path of every change.
            consumer = Consumer(nc, self.ingest, self.settings, committed, durable, on_stored=stored)
            lag = asyncio.create_task(self._follow_lag(nc, durable, stop))
            try:
                await consumer.run(stop)
            finally:
                lag.cancel()
        finally:
            await nc.drain()

    def rebuild(self) -> int:
        """Empty the read models and fold the whole log again; not while a projector runs."""
        lock = RoleLock(self.settings, "projector")
        try:
            return self.projector.rebuild()
        finally:
            lock.release()

    def close(self) -> None:
        """Close what was opened."""
        for part in ("views", "ledger"):
            if part in self.__dict__:
                self.__dict__[part].close()


def build(settings: Settings) -> App:
    return App(settings)
