"""The benchmark's phases; each returns its figures and leaves nothing running."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import nats
from eventsourcing.domain import Aggregate
from pingzhan.domain.errors import DomainError
from pingzhan.domain.ids import accounts as accounts_id
from pingzhan.services.bootstrap import build
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.cache import CacheView
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import parse
from pingzhan.services.nats.stream import bind_consumer
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from .env import Stores, Worker
from .traffic import Traffic, check_exactly_once, chunks, missing, publish

Item = tuple[str, str, bytes]
MAX_CACHED = 50_000  # aggregates the raw store phase keeps, as many as the ingest (Ingest.max_cached)
# The latency phases: a switch not shown within BEHIND_S means the service is that far behind the
# background load (each later switch would wait behind more), so the phase ends with that said;
# a phase stops taking samples after its budget (what it has is reported, with `cut_short_after_s`).
BEHIND_S = 10.0
BUDGET_S = {True: 20.0, False: 180.0}  # by quick


def wait_for(predicate: Any, timeout: float, what: str, every: float = 0.005) -> float:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(every)
    return time.monotonic()


def position_of(settings: Settings, consumer: str) -> Any:
    ledger = open_ledger(settings)
    return lambda: ledger.recorder.max_tracking_id(f"nats:{consumer}") or 0


def raw_store(stores: Stores, traffic: Traffic, batch_size: int) -> float:
    """The same domain commands, applied and saved with app.save(), batch by batch: no NATS, no
    inbox. Only applying and saving is timed (not making and parsing the messages)."""
    ledger = open_ledger(stores.fresh("raw"))
    org = load_org()
    cache: dict[Any, Aggregate] = {}
    took = 0.0
    seq = itertools.count(1)
    for batch in chunks(traffic.items(), batch_size):
        parsed = [parse(Inbound(next(seq), s, b, i)) for i, s, b in batch]
        started = time.perf_counter()
        chunk = [p for p in parsed if p.command is not None]
        wanted = {i for p in chunk for i in p.command.needs() if i.int not in cache}  # type: ignore[union-attr]
        cache.update((a.int, aggregate) for a, aggregate in ledger.load(wanted).items())
        touched: dict[Any, Aggregate] = {}
        for p in chunk:
            ws = CacheView(cache, {})
            try:
                p.command.run(ws, org, p.stamp)  # type: ignore[union-attr, arg-type]
            except DomainError:
                pass
            touched.update(ws.touched)
        ledger.save(*touched.values())
        if len(cache) > MAX_CACHED:
            cache.clear()  # bounded as the ingest's cache is: the store has it all
        took += time.perf_counter() - started
    return traffic.count / took


async def naive(stores: Stores, traffic: Traffic, count: int) -> float:
    """One message -> one load -> one save -> one ack, through NATS (the first ``count`` messages)."""
    settings = stores.fresh("naive")
    with stores.nats("naive") as server:
        settings = settings.model_copy(update={"nats_url": server.url, "batch_size": 1})
        await publish(server.url, settings, traffic.items(count))
        ledger = open_ledger(settings)
        ingest = Ingest(ledger, load_org(), "naive")
        nc = await nats.connect(server.url)
        sub = await bind_consumer(nc.jetstream(), settings, 0)
        started = time.perf_counter()
        done = 0
        while done < count:
            (m,) = await sub.fetch(1, timeout=5)
            ingest.cached.clear()  # nothing kept between messages: every message loads what it needs
            ingest.process(
                [Inbound(m.metadata.sequence.stream, m.subject, m.data, m.headers.get("Nats-Msg-Id"))]
            )
            await m.ack()
            done += 1
        took = time.perf_counter() - started
        await nc.close()
    return count / took


async def ingest_backlog(
    stores: Stores, traffic: Traffic, batch_size: int, sync_always: bool = False
) -> dict[str, Any]:
    """Published backlog (with every 200th message resent past NATS's dedupe) -> committed and
    acknowledged by a `pingzhan serve --role ingest` process. ``sync_always``: on a nats-server
    that fsyncs after every write."""
    name = "ingest-sync-always" if sync_always else "ingest"
    settings = stores.fresh(name.replace("-", "_"), batch_size=batch_size)
    server = stores.nats(name, sync_always).start()
    settings = settings.model_copy(update={"nats_url": server.url})
    position = position_of(settings, settings.consumer_name)
    sent = await publish(server.url, settings, traffic.items())
    resent = await publish(server.url, settings, traffic.resends(), headers=False)
    worker = Worker(settings)
    try:
        started = worker.wait_ready()
        finished = wait_for(lambda: position() >= resent.last_seq, 600, "ingest of the backlog")
        rss = worker.peak_rss_mb()
    finally:
        worker.stop()
    ledger = open_ledger(settings)
    setup = ledger.versions([accounts_id()]).get(accounts_id(), 0)  # the operators, made before
    lost, duplicated, events = check_exactly_once(ledger, traffic.ids(), setup)
    return {
        "settings": settings,
        "server": server,
        "ingest_msgs_per_s": (sent.count + resent.count) / (finished - started),
        "publish_msgs_per_s": sent.count / sent.seconds,
        "peak_rss_mb": rss,
        "lost": lost,
        "duplicated": duplicated,
        "events": events,
    }


async def ingest_live(stores: Stores, traffic: Traffic, batch_size: int) -> float:
    """Messages published while the worker runs: first publish -> last committed."""
    settings = stores.fresh("live", batch_size=batch_size)
    with stores.nats("live") as server:
        settings = settings.model_copy(update={"nats_url": server.url})
        position = position_of(settings, settings.consumer_name)
        await publish(server.url, settings, [])  # the stream exists before the worker binds
        worker = Worker(settings)
        try:
            worker.wait_ready()
            started = time.monotonic()
            sent = await publish(server.url, settings, traffic.items())
            finished = await asyncio.to_thread(
                wait_for, lambda: position() >= sent.last_seq, 600, "live ingest"
            )
        finally:
            worker.stop()
    return sent.count / (finished - started)


def rebuild(settings: Settings) -> tuple[float, int]:
    """`pingzhan rebuild`'s work (every read model folded from the whole log into new tables,
    then swapped in): events per second, and how many."""
    service = build(settings)
    try:
        service.projector.catch_up()  # the live tables current, as under serve
        started = time.perf_counter()
        progress = service.rebuild()
        took = time.perf_counter() - started
    finally:
        service.close()
    return progress.done / took, progress.done


async def workers(stores: Stores, traffic: Traffic, batch_size: int, count: int) -> dict[str, float]:
    """``count`` `serve --role ingest` processes deciding the stream by shard, in stream order: their
    rate on the published backlog, and how often and how long they waited for another worker's
    shard (from each worker's last "cross-shard waits" log line, written when it stops)."""
    settings = stores.fresh(f"workers{count}", batch_size=batch_size)
    with stores.nats(f"workers{count}") as server:
        settings = settings.model_copy(update={"nats_url": server.url, "workers": count})
        ledger = open_ledger(settings)
        sent = await publish(server.url, settings, traffic.items())
        procs = [
            Worker(settings, PINGZHAN_WORKERS=str(count), PINGZHAN_WORKER_INDEX=str(k)) for k in range(count)
        ]
        try:
            started = max(w.wait_ready() for w in procs)
            finished = await asyncio.to_thread(_until_recorded, ledger, traffic)
        finally:
            for w in procs:
                w.stop()
    waits = [_last_waits(w.log.read_text()) for w in procs]
    return {
        "msgs_per_s": sent.count / (finished - started),
        "cross_shard_waits": sum(n for n, _ in waits),
        "cross_shard_waited_s": round(sum(s for _, s in waits), 3),
    }


def _last_waits(log: str) -> tuple[int, float]:
    """A worker's last count of cross-shard waits and the seconds they took (0 if it never waited)."""
    for line in reversed(log.splitlines()):
        if line.startswith("{") and '"cross-shard waits"' in line:
            doc = json.loads(line)
            return int(doc["waits"]), float(doc["waited_s"])
    return 0, 0.0


def _until_recorded(ledger: Any, traffic: Traffic, timeout: float = 600) -> float:
    """When every message of ``traffic`` has an outcome (whichever worker recorded it)."""
    deadline = time.monotonic() + timeout
    for left in missing(ledger, traffic.ids()):
        while left:
            if time.monotonic() > deadline:
                raise RuntimeError("timed out waiting for the workers")
            time.sleep(0.05)
            left = list(missing(ledger, left))[0]
    return time.monotonic()
