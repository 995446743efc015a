"""The limits the ingest is measured against, in the same run on the same traffic.

``floor``: what this pipeline can do at most in one Python process, with no validation and no
domain. Per batch: pull it from NATS, ``orjson.loads`` each body, then one store transaction with
an inbox row and one event row per message and the consumer position (the same ``record_stored``
the ingest commits with), then acknowledge the batch (AckPolicy.ALL). Nothing else.

``at_least_once``: the real pipeline without the inbox and the position (``at_least_once.py``), in
a process of its own like the ingest's.

The ingest ÷ floor shows how much of the ceiling the real work leaves; ingest ÷ at_least_once what
exactly-once costs (Kafka's transactional producer keeps 0.97 of its at-least-once throughput).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import nats
import orjson
from eventsourcing.persistence import StoredEvent, Tracking
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.nats.puller import Puller, to_inbound
from pingzhan.services.nats.stream import bind_consumer
from pingzhan.services.store.ledger import open_ledger

from .env import Stores, Worker
from .phases import wait_for
from .traffic import Traffic, publish

TOPIC = "bench.floor:Message"  # the floor's events: the message body as it came, one row each
REPO = Path(__file__).resolve().parents[1]


async def floor(stores: Stores, traffic: Traffic, batch_size: int) -> float:
    """Messages per second, from the first pull to the last acknowledgement. The backlog is the
    traffic without its resends: the floor has no inbox lookup to tell a resent id."""
    settings = stores.fresh("floor", batch_size=batch_size)
    with stores.nats("floor") as server:
        sent = await publish(server.url, settings, traffic.items())
        ledger = open_ledger(settings)
        nc = await nats.connect(server.url)
        puller = Puller(await bind_consumer(nc.jetstream(), settings, 0, "floor"), batch_size)
        tracking = "nats:floor"
        ids = random.Random(1)  # aggregate ids spread over the index as the domain's are
        done = 0
        started = time.perf_counter()
        while done < sent.count:
            msgs = await puller.pull(5.0)
            if not msgs:
                raise RuntimeError(f"the floor's stream ran dry after {done} of {sent.count} messages")
            stored: list[StoredEvent] = []
            inbox: list[tuple[str, int, str]] = []
            for m in to_inbound(msgs):
                body = orjson.loads(m.data)
                stored.append(StoredEvent(UUID(int=ids.getrandbits(128)), 1, TOPIC, m.data))
                outcome = Outcome(body["id"], "accepted", body["kind"])
                inbox.append((body["id"], m.seq, outcome.to_json().decode()))
            ledger.record_stored(stored, Tracking(tracking, inbox[-1][1]), inbox)
            await msgs[-1].ack()
            done += len(msgs)
        took = time.perf_counter() - started
        await nc.close()
        ledger.close()
    return done / took


async def at_least_once(stores: Stores, traffic: Traffic, batch_size: int) -> float:
    """From ready to the last commit, by the real pipeline without inbox and position. The backlog
    is the traffic without its resends, as the floor's: deciding a resent message again is what
    at-least-once does, and its rejection (keyed by message id) would then conflict with the
    first one, and the batch be redone from the start of the stream (there is no position)."""
    settings = stores.fresh("atleastonce", batch_size=batch_size)
    with stores.nats("atleastonce") as server:
        settings = settings.model_copy(update={"nats_url": server.url})
        sent = await publish(server.url, settings, traffic.items())
        command = [sys.executable, "-m", "bench.at_least_once"]
        worker = Worker(settings, command=command, PYTHONPATH=str(REPO))
        try:
            started = worker.wait_ready()
            wait_for(lambda: committed(worker.log) >= sent.last_seq, 600, "at-least-once ingest", 0.05)
        finally:
            worker.stop()
        finished = commit_time(worker.log, sent.last_seq)
    return sent.count / (finished - started)


def _commits(log: Path) -> list[tuple[int, float]]:
    lines = log.read_text().splitlines()
    return [(int(w[1]), float(w[2])) for w in (line.split() for line in lines) if w and w[0] == "committed"]


def committed(log: Path) -> int:
    """The last stream sequence the at-least-once worker says it committed."""
    return max((seq for seq, _ in _commits(log)), default=0)


def commit_time(log: Path, seq: int) -> float:
    """When (``time.monotonic``) the worker committed the batch that holds ``seq``."""
    return min(t for s, t in _commits(log) if s >= seq)


def ratios(result: dict[str, Any]) -> dict[str, float]:
    ingest = result["ingest_msgs_per_s"]
    return {
        "ingest_over_floor": ingest / result["floor_msgs_per_s"],
        "ingest_over_at_least_once": ingest / result["at_least_once_msgs_per_s"],
    }
