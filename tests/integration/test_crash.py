"""Exactly-once under SIGKILL: real worker processes, a real nats-server, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random

from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import (
    WorkerProcess,
    clean_run,
    drain,
    dump_views,
    on_stream,
    publish,
    running,
    stored_events,
    wait_until,
    with_operators,
    workload,
)

MESSAGES = 20_000


async def publish_with_resends(
    url: str, items: list, rng: random.Random, between: asyncio.Future | None = None
) -> int:
    """Publish in four chunks; 5% of the ids are sent again, half at once (NATS drops those) and
    half after the (shortened) duplicate window, which only pingzhan's inbox can catch."""
    chunks = [items[k : k + MESSAGES // 4] for k in range(0, MESSAGES, MESSAGES // 4)]
    late: list = []
    for chunk in chunks:
        resent = rng.sample(chunk, len(chunk) // 20)
        await publish(url, chunk + resent[: len(resent) // 2])
        await publish(url, late)
        late = resent[len(resent) // 2 :]
        await asyncio.sleep(1.2)  # past the duplicate window
    await publish(url, late)
    return sum(len(c) // 20 for c in chunks)


async def test_sigkill_at_three_moments_loses_and_duplicates_nothing(nats_server, store: Settings) -> None:
    rng = random.Random(2022)
    settings = with_operators(await on_stream(nats_server, store, duplicate_window_s=1.0, batch_size=500))
    items = workload(5, MESSAGES)
    ids = [i for i, _, _ in items]
    ledger = open_ledger(settings)
    worker = WorkerProcess(settings).start()
    publishing = asyncio.create_task(publish_with_resends(nats_server.url, items, rng))

    kills = 0
    for moment in sorted(rng.uniform(0.1, 0.9) for _ in range(3)):
        target = int(moment * MESSAGES)
        await wait_until(
            lambda t=target: len(ledger.outcomes(ids[t - 50 : t])) == 50, 120, f"progress to {target}"
        )
        worker.kill()
        kills += 1
        worker.start()
    await publishing
    await wait_until(lambda: len(ledger.outcomes(ids)) == len(set(ids)), 120, "an outcome for every id")
    await asyncio.sleep(1.0)  # let the late resends through too
    worker.stop()

    await drain(settings, nats_server.url)  # whatever was left, and the read models
    async with running(settings, project=False) as service:
        after_kills = stored_events(service)
        live = dump_views(service)
        service.projector.rebuild()
        rebuilt = dump_views(service)
    assert kills == 3
    assert len(ledger.outcomes(ids)) == len(set(ids)) == MESSAGES
    assert after_kills == await clean_run(store, items)
    assert live == rebuilt


async def test_two_workers_share_the_stream_and_one_of_them_is_killed(nats_server, store: Settings) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=200, workers=2))
    generated = workload(9, 8000)
    # Cadres are registered before field work starts (registration is routed by cadre, the rest by grid).
    registrations = [m for m in generated if m[1].endswith("cadre.registered")]
    field = [m for m in generated if not m[1].endswith("cadre.registered")]
    ids = [i for i, _, _ in registrations + field]
    ledger = open_ledger(settings)
    workers = [
        WorkerProcess(settings, role="ingest", PINGZHAN_WORKERS="2", PINGZHAN_WORKER_INDEX=str(k)).start()
        for k in range(2)
    ]
    await publish(nats_server.url, registrations)
    await wait_until(
        lambda: len(ledger.outcomes(ids[: len(registrations)])) == len(registrations), 60, "registrations"
    )
    await publish(nats_server.url, field)
    await wait_until(lambda: len(ledger.outcomes(ids[4000:4050])) > 0, 120, "progress")
    workers[1].kill()
    workers[1].start()
    await wait_until(lambda: len(ledger.outcomes(ids)) == len(ids), 120, "an outcome for every id")
    for w in workers:
        w.stop()

    async with running(settings.model_copy(update={"workers": 1}), project=False) as service:
        shared = stored_events(service)
        positions = [service.ledger.recorder.max_tracking_id(f"nats:ingest-{k}-of-2") for k in range(2)]
    alone = await clean_run(store, registrations + field)
    assert len(ledger.outcomes(ids)) == len(ids)
    assert all(p and p > 0 for p in positions)  # both workers did their share
    # The two logs interleave differently, but every aggregate went through the same events.
    assert sorted(shared) == sorted(alone)
