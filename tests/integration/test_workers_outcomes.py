"""With several workers, every outcome is published once the traffic stops: a worker whose last
batch was committed does not keep its acknowledgement and outcomes until more messages come."""

from __future__ import annotations

import nats
from pingzhan.services.ingest.order import shard_of_subject
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.settings import Settings

from tests.integration.helpers import WorkerProcess, on_stream, publish, wait_until, with_operators, workload


async def test_two_workers_publish_every_outcome_when_the_traffic_stops(nats_server, store: Settings) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=100, workers=2))
    # Worker 0's shards only: it never waits for worker 1, the one way its batch was settled early.
    items = [m for m in workload(21, 900) if shard_of_subject(m[1], settings.subject_prefix) % 2 == 0]
    ids = {i for i, _, _ in items}
    published: set[str] = set()
    nc = await nats.connect(nats_server.url)

    async def collect(msg) -> None:  # type: ignore[no-untyped-def]
        published.add(Outcome.from_json(msg.data).message_id)

    await nc.subscribe(f"{settings.subject_prefix}.outcome.>", cb=collect)
    workers = [
        WorkerProcess(settings, role="ingest", PINGZHAN_WORKERS="2", PINGZHAN_WORKER_INDEX=str(k)).start()
        for k in range(2)
    ]
    try:
        await publish(nats_server.url, items)
        await wait_until(lambda: published >= ids, 30, "an outcome published for every message")
    finally:
        for w in workers:
            w.stop()
        await nc.close()

    assert published == ids
