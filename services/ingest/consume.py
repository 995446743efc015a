"""The consume loop: pull a batch, decide it, commit it, acknowledge it, publish its outcomes.

While batch N is being committed (in a thread), batch N+1 is pulled, parsed and decided in memory
on top of it. If N's commit fails, both are done again one by one on the stored state. Nothing is
acknowledged before it is committed, and a lost delivery or a store error makes the worker start
again right after the position stored in the event store. With several workers a batch is decided
in parts, each ending before a message that must wait for another shard's commit (``order``).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

import nats
from eventsourcing.persistence import IntegrityError
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pingzhan.services import metrics, trace
from pingzhan.services.ingest.batch import Ingest, Prepared
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.ingest.parse import Parsed
from pingzhan.services.logs import Trouble, log
from pingzhan.services.nats.publish import publish_outcomes
from pingzhan.services.nats.puller import DeliveryGap, Puller, to_inbound
from pingzhan.services.nats.stream import bind_consumer, check_not_behind, ensure_stream
from pingzhan.services.settings import Settings

PULL_WAIT_S = 0.25


class CollectorPause:
    """Keeps Python's cyclic garbage collector off the hot path.

    The cache of aggregates is hundreds of thousands of long-lived objects; every full collection
    would walk all of them again (measured: ingest fell from about 20,000 to 12,000 messages/s
    as the cache grew). After each batch everything alive is frozen (ignored by the collector);
    the hot path makes no cyclic garbage (measured: none in 200,000 messages), and a full
    collection still runs once the worker has been idle for ``quiet_s``. Not sooner: under steady
    traffic an empty pull comes every few batches, and a full collection then stopped the whole
    process for 140-250 ms every ten seconds or so, to find 0 to 30 objects (measured at 5,000
    messages/s with the API and projector in the process).
    """

    def __init__(self, collect_every: int = 1000, quiet_s: float = 1.0):
        self.collect_every, self.quiet_s = collect_every, quiet_s
        self.since_collect = 0
        self.busy_at = time.monotonic()

    def committed(self) -> None:
        gc.freeze()
        self.since_collect += 1
        self.busy_at = time.monotonic()

    def idle(self) -> None:
        if self.since_collect >= self.collect_every and time.monotonic() - self.busy_at >= self.quiet_s:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.since_collect = 0


@dataclass
class Committing:
    """A batch whose commit runs in a thread while the next one is decided."""

    task: asyncio.Future[None]
    msgs: list[Msg]
    prepared: Prepared


class Consumer:
    """One worker's consume loop over its durable consumer; ``run`` until ``stop`` is set."""

    def __init__(
        self,
        nc: Client,
        ingest: Ingest,
        settings: Settings,
        on_commit: Callable[[list[Outcome]], None] = lambda _: None,
        durable: str | None = None,
        on_stored: Callable[[], None] = lambda: None,
    ):
        """``on_commit``: after a batch is acknowledged and its outcomes published;
        ``on_stored``: as soon as an overlapped batch is committed (from the committing thread),
        before the next batch is decided and this one acknowledged."""
        self.nc, self.ingest, self.settings, self.on_commit = nc, ingest, settings, on_commit
        self.on_stored = on_stored
        self.durable = durable or settings.consumer_name
        self.js: JetStreamContext = nc.jetstream()
        self.collector = CollectorPause()
        # The store away or full: said once, not once a second (the messages stay unacknowledged).
        self.store_trouble = Trouble("batch not recorded (nothing acknowledged); retrying")
        self.restart_trouble = Trouble("cannot start again from the stored position; retrying")
        self.committing: Committing | None = None
        self.reported_at = time.monotonic()
        self.fetching: asyncio.Future[list[Msg]]

    async def run(self, stop: asyncio.Event) -> None:
        await ensure_stream(self.js, self.settings)
        await check_not_behind(self.js, self.settings, self.ingest.position)
        start = await asyncio.to_thread(self.ingest.stream_start)
        self.sub = await bind_consumer(self.js, self.settings, start, self.durable)
        log.info("consuming", stream=self.settings.stream, consumer=self.durable,
                 after_seq=start)  # fmt: skip
        self._start_pulling()
        while not stop.is_set():
            try:
                msgs = await self.fetching
            except (TimeoutError, nats.errors.TimeoutError):
                msgs = []
            except DeliveryGap as gap:
                await self._rebind(str(gap), stop)  # settles first: what came before the gap was whole
                continue
            except Exception as e:  # NATS refused the pull (closed, or its buffer full after an outage)
                log.warning("pull failed", error=f"{type(e).__name__}: {e}")
                await asyncio.sleep(1.0)
                await self._rebind("pull failed", stop)
                continue
            if trace.on():
                trace.mark("fetched", ((m.headers or {}).get("Nats-Msg-Id") for m in msgs))
            if not msgs and self.committing is None:
                self.collector.idle()
            self.fetching = asyncio.ensure_future(self.puller.pull(PULL_WAIT_S))
            try:
                if self.ingest.order is None or not msgs:
                    await self._handle(msgs)  # with none: settles the batch being committed
                else:
                    await self._in_order(msgs, stop)
            except (
                Exception
            ) as e:  # the store is unreachable, full, or refused the batch: nothing more was recorded
                self.store_trouble.failed(e)
                await asyncio.sleep(1.0)
                await self._rebind("store error", stop, quiet=True)  # the line above said why
        await self._settle()
        self.fetching.cancel()
        await self._unsubscribe()
        if self.ingest.order is not None:
            self._report_waits(force=True)
        lookups = self.ingest.cached.lookups
        log.info("aggregate cache", hits=lookups.hits, loaded=lookups.loaded, new=lookups.new,
                 hit_rate=round(lookups.hit_rate, 4))  # fmt: skip

    async def _in_order(self, msgs: list[Msg], stop: asyncio.Event) -> None:
        """Several workers: decide our messages of ``msgs`` in parts, each part ending before a
        message that must first see another shard's message committed (``order``)."""
        parsed = await asyncio.to_thread(self.ingest.read, to_inbound(msgs))
        start = 0
        while start < len(msgs):
            cut = await asyncio.to_thread(self.ingest.cut, parsed, start)
            if cut == start:
                cut = await self._wait_for_other_shards(parsed, start, stop)
                if cut is None:
                    return  # stopping: the rest was not acknowledged and is read again next time
            await self._handle(msgs[start:cut], parsed[start:cut])
            start = cut

    async def _wait_for_other_shards(
        self, parsed: list[Parsed], start: int, stop: asyncio.Event
    ) -> int | None:
        """Wait until the message at ``start`` may be decided; returns where the next part ends."""
        order = self.ingest.order
        assert order is not None
        order.waits += 1
        metrics.CROSS_SHARD_WAITS.inc()
        began = time.monotonic()
        redo = await self._settle()  # ours first: the other shard may be waiting for it
        if redo:
            await asyncio.to_thread(self.ingest.reset)
            await self._one_by_one(redo)
        delay, cut = 0.001, start
        while cut == start and not stop.is_set():
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.005)
            cut = await asyncio.to_thread(self.ingest.cut, parsed, start)
        order.waited_s += time.monotonic() - began
        self._report_waits()
        return cut if cut > start else None

    def _report_waits(self, force: bool = False) -> None:
        order = self.ingest.order
        assert order is not None
        now = time.monotonic()
        if force or now - self.reported_at >= 10.0:
            self.reported_at = now
            log.info("cross-shard waits", waits=order.waits, waited_s=round(order.waited_s, 3))

    async def _handle(self, msgs: list[Msg], parsed: list[Parsed] | None = None) -> None:
        """Decide ``msgs`` while the previous batch commits, then start committing them."""
        if msgs and self.ingest.cache_full():
            # Nothing may be prepared on top of the batch being committed, or its settling could
            # not let the cache go (it holds the prepared, uncommitted changes).
            redo = await self._settle()
            if redo:
                await asyncio.to_thread(self.ingest.reset)
                await self._one_by_one(redo + msgs)
                return
        prepared: Prepared | None = None
        failed = False
        if msgs:
            try:
                if trace.on():
                    trace.mark("decide_start", ((m.headers or {}).get("Nats-Msg-Id") for m in msgs))
                prepared = await asyncio.to_thread(self.ingest.prepare, to_inbound(msgs), parsed)
                if prepared is not None and trace.on():
                    trace.mark("decided", prepared.new_ids)
            except Exception as e:
                log.warning("batch needs the robust path", error=f"{type(e).__name__}: {e}")
                failed = True
        redo = await self._settle()
        if redo or failed:
            await asyncio.to_thread(self.ingest.reset)
            await self._one_by_one(redo + msgs)
        elif prepared is not None:
            task = asyncio.ensure_future(asyncio.to_thread(self._commit, prepared))
            self.committing = Committing(task, msgs, prepared)
        elif msgs:  # redeliveries of what is already recorded, or none of ours: nothing stored
            await self._done(msgs, [], stored=False)

    def _commit(self, prepared: Prepared) -> None:
        if trace.on():
            trace.mark("commit_start", prepared.new_ids)
        with metrics.COMMIT_SECONDS.time():
            self.ingest.commit(prepared)
        self.on_stored()
        if trace.on():
            trace.mark("committed", prepared.new_ids)

    async def _settle(self) -> list[Msg]:
        """Wait for the batch being committed, then acknowledge and publish it. Returns the
        messages to do again (that batch's) if its commit failed."""
        committing, self.committing = self.committing, None
        if committing is None:
            return []
        try:
            await committing.task
        except Exception as e:  # a store fault is told by the one-by-one path if it lasts
            if isinstance(e, IntegrityError):
                metrics.CONFLICTS.inc()
                log.warning(
                    "overlapped commit conflicted; redoing one by one", error=f"{type(e).__name__}: {e}"
                )
            return committing.msgs  # the caller starts again from the store (``reset``) to redo them
        self.ingest.settle(committing.prepared)
        await self._done(committing.msgs, committing.prepared.outcomes)
        return []

    async def _done(self, msgs: list[Msg], outcomes: list[Outcome], stored: bool = True) -> None:
        if stored:
            self.store_trouble.ok()
        await msgs[-1].ack()  # AckPolicy.ALL: acknowledges the whole batch
        failed = await publish_outcomes(self.nc, self.settings.subject_prefix, outcomes)
        if failed:
            log.warning("outcomes not published", count=failed)
        self.on_commit(outcomes)
        if trace.on():
            trace.mark("settled", (o.message_id for o in outcomes))
        self.collector.committed()

    async def _one_by_one(self, msgs: list[Msg]) -> None:
        """The robust path: each batch alone, with conflict retries."""
        metrics.REDONE.inc()
        size = self.settings.batch_size
        for k in range(0, len(msgs), size):
            part = msgs[k : k + size]
            await self._done(part, await asyncio.to_thread(self.ingest.process, to_inbound(part)))

    async def _rebind(self, reason: str, stop: asyncio.Event, quiet: bool = False) -> None:
        """Start again right after the stored position, until NATS takes the new consumer
        (``quiet``: the fault that makes it do so again has been told already)."""
        if not quiet:
            log.warning("re-reading the stream from the stored position", reason=reason)
        self.fetching.cancel()
        try:  # a batch that was stored is acknowledged and its outcomes published; one that was
            await self._settle()  # not is read again from the stored position below
        except Exception as e:  # NATS away: its outcomes are lost, the messages are redelivered
            log.warning("stored batch not acknowledged", error=f"{type(e).__name__}: {e}")
        delay = 0.5
        while not stop.is_set():
            await self._unsubscribe()
            try:  # the store may still be away: its position is read inside the retries
                await asyncio.to_thread(self.ingest.reset)
                start = await asyncio.to_thread(self.ingest.stream_start)
                self.sub = await bind_consumer(self.js, self.settings, start, self.durable)
                self.restart_trouble.ok()
                break
            except Exception as e:
                self.restart_trouble.failed(e)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        self._start_pulling()

    def _start_pulling(self) -> None:
        self.puller = Puller(self.sub, self.settings.batch_size)
        self.fetching = asyncio.ensure_future(self.puller.pull(PULL_WAIT_S))

    async def _unsubscribe(self) -> None:
        try:
            await self.sub.unsubscribe()
        except Exception:
            pass
