"""Serving a role (``pingzhan serve``): ingest from NATS, keep the read models current, or both;
beside the projector the HTTP API, the change feed on NATS, the ledger's checkpoints and the
rebuild of read models of another layout. ``App`` (``bootstrap.py``) builds the parts; this runs
them."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pingzhan.services import metrics, trace
from pingzhan.services.ingest.consume import Consumer
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.ledger.keys import KeyMissing, load_signer
from pingzhan.services.logs import log
from pingzhan.services.nats.connection import WORKER_INBOX, connect
from pingzhan.services.read.rebuild import relayout
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.store.identity import durable_name
from pingzhan.services.store.locks import RoleLock, WorkerCount

if TYPE_CHECKING:
    from pingzhan.services.bootstrap import App, Role


class Service:
    """One process's serving of a role, with the parts of ``app``."""

    def __init__(self, app: App):
        self.app = app

    async def run(
        self, role: Role, stop: asyncio.Event, on_http: Callable[[str], None] = lambda _: None
    ) -> None:
        """Serve until ``stop``: ingest from NATS, keep the read models current, or both. Beside
        the projector (roles all and project): the HTTP API and the NATS change feed, ``on_http``
        told the API's URL. One process per consumer and one projector per store: each role
        holds its lock."""
        self.on_http: Callable[[str], None] = on_http
        trace.start(self.app.settings.trace_file)
        if self.app.settings.metrics_port is not None:
            port = metrics.serve(self.app.settings.http_host, self.app.settings.metrics_port)
            log.info("metrics", url=f"http://{self.app.settings.http_host}:{port}/metrics")
        if role != "ingest":
            metrics.follow_projector(self._projector_lag)
        locks = []
        try:
            if role in ("all", "ingest"):
                locks.append(RoleLock(self.app.settings, self.app.settings.consumer_name))
                locks.append(count := WorkerCount(self.app.settings))
                await self._alone_with_our_number(count, stop)
            if role in ("all", "project"):
                locks.append(RoleLock(self.app.settings, "projector"))
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
                    f"(this one has {self.app.settings.workers}): workers of one number at a time"
                )
                said = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)

    async def _run(self, role: Role, stop: asyncio.Event) -> None:
        halt = threading.Event()
        # Ingest wakes the projector after each stored batch: in this process directly, from
        # another by a notice on NATS (``_follow_ingest``); it also polls the store, in case.
        idle_s = 0.2
        projecting = threading.Thread(
            target=self.app.projector.run, args=(halt, self.app.wake, idle_s), daemon=True
        )
        relayout = threading.Thread(target=self._relayout, args=(halt,), daemon=True)
        opened = None if role == "ingest" else self._open_edge()  # a port in use stops us here
        if role != "ingest":
            projecting.start()
            relayout.start()
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
            self.app.wake.set()
            for thread in (projecting, relayout):
                if thread.is_alive():
                    await asyncio.to_thread(thread.join)

    def _projector_lag(self) -> float:
        head = self.app.ledger.recorder.max_notification_id() or 0
        return float(max(0, head - self.app.projector.position))

    def _open_edge(self) -> tuple[Any, Any]:
        """The HTTP API (its port bound now) and what it reads with."""
        from pingzhan.services.api.app import create_api
        from pingzhan.services.api.parts import Parts
        from pingzhan.services.api.server import HttpServer

        parts = Parts(self.app)
        server = None
        if self.app.settings.http:
            server = HttpServer(
                create_api(self.app, parts), self.app.settings.http_host, self.app.settings.http_port
            )
        return parts, server

    async def _edge(self, parts: Any, server: Any, stop: asyncio.Event) -> None:
        """The HTTP API and the change feed on NATS, both woken by the projector's steps."""
        from pingzhan.services.read.changes import ChangePublisher, ChangeReader

        parts.ticker.bind()
        self.app.projector.listeners.append(parts.ticker.tick)
        # The feed reads through a connection of its own: the app's is one query at a time, and
        # live streams waited behind the feed's reads after every step.
        feed = ChangeReader(ViewDb(self.app.settings), self.app.org)
        tasks = [ChangePublisher(feed, self.app.settings, parts.ticker).run(stop)]
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
            signer = load_signer(self.app.settings)
        except KeyMissing as e:
            log.warning(f"ledger: no checkpoints are made: {e}")
            return
        try:
            nc = await connect(
                self.app.settings.nats_url,
                "pingzhan-ledger",
                inbox_prefix=WORKER_INBOX,
                **self.app.settings.nats_credentials,
            )
        except Exception as e:
            log.error("ledger: no checkpoints are made: NATS is not reachable", error=str(e))
            return
        try:
            await self.app.checkpointer.run(nc.jetstream(), signer, stop)
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
                info = await js.consumer_info(self.app.settings.stream, durable)
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
            self.app.settings.nats_url,
            "pingzhan-projector",
            inbox_prefix=WORKER_INBOX,
            **self.app.settings.nats_credentials,
        )

        async def stored(_: Any) -> None:
            self.app.wake.set()

        try:
            await nc.subscribe(f"{self.app.settings.subject_prefix}.stored", cb=stored)
            await stop.wait()
        finally:
            await nc.close()

    async def _consume(self, stop: asyncio.Event, announce: bool = False) -> None:
        """Ingest until ``stop``; with ``announce`` (the projector is another process), each
        stored batch is told on ``{prefix}.stored``."""
        nc = await connect(
            self.app.settings.nats_url,
            f"pingzhan-{self.app.settings.consumer_name}",
            inbox_prefix=WORKER_INBOX,
            **self.app.settings.nats_credentials,
        )
        loop = asyncio.get_running_loop()
        notice = f"{self.app.settings.subject_prefix}.stored"

        def stored() -> None:  # from the committing thread
            self.app.wake.set()
            if announce:
                asyncio.run_coroutine_threadsafe(nc.publish(notice, b""), loop)

        def committed(outcomes: list[Outcome]) -> None:
            self.app.wake.set()
            metrics.decided(outcomes)

        try:
            durable = durable_name(self.app.settings, self.app.ledger)
            # The projector is woken as soon as a batch is stored, not when the next one has been
            # decided and this one acknowledged: that wait was on the path of every change.
            consumer = Consumer(nc, self.app.ingest, self.app.settings, committed, durable, on_stored=stored)
            lag = asyncio.create_task(self._follow_lag(nc, durable, stop))
            try:
                await consumer.run(stop)
            finally:
                lag.cancel()
        finally:
            await nc.drain()

    def _relayout(self, halt: threading.Event) -> None:
        """Beside the projector: models whose tables are of another layout are rebuilt into new
        tables (the old ones answering until the swap); a killed rebuild's tables are dropped."""
        models = self.app.fresh_read_models()
        relayout(self.app.settings, self.app.ledger, models, bool(self.app.projector.pending), halt)
