"""The views say how old they are, and warn when nobody keeps them current."""

from __future__ import annotations

import asyncio

from pingzhan.services.bootstrap import build
from pingzhan.services.read.freshness import freshness
from pingzhan.services.settings import Settings
from pingzhan.services.store.locks import RoleLock

from tests.integration.helpers import last_seq, on_stream, publish, running, wait_until, workload


async def test_views_kept_current_by_a_running_projector_carry_no_warning(
    nats_server, store: Settings
) -> None:
    settings = await on_stream(nats_server, store)
    await publish(nats_server.url, workload(seed=11, count=300))
    head = await last_seq(nats_server.url, settings.stream)

    async with running(settings) as service:
        await wait_until(lambda: service.ingest.position >= head, what="ingest")
        top = service.ledger.recorder.max_notification_id()
        await asyncio.to_thread(service.projector.wait_for, top, 30)
        doc = freshness(settings, service.views, service.ledger)

    assert doc["position"] == doc["head"] == top
    assert doc["recorded_at"] is not None
    assert doc["projector_running"] is True and doc["behind_s"] is None and doc["warning"] is None


async def test_views_of_a_stopped_projector_warn_that_it_is_not_running(nats_server, store: Settings) -> None:
    settings = await on_stream(nats_server, store)
    await publish(nats_server.url, workload(seed=11, count=100))
    head = await last_seq(nats_server.url, settings.stream)
    async with running(settings) as service:
        await wait_until(lambda: service.ingest.position >= head, what="ingest")
        await asyncio.to_thread(service.projector.wait_for, service.ledger.recorder.max_notification_id(), 30)

    reader = build(settings)
    doc = freshness(settings, reader.views, reader.ledger)
    reader.close()

    assert doc["projector_running"] is False
    assert doc["warning"].startswith("the projector is not running")


async def test_views_behind_the_store_for_longer_than_stale_after_s_warn_how_far(
    nats_server, store: Settings
) -> None:
    settings = await on_stream(nats_server, store, stale_after_s=0.2)
    await publish(nats_server.url, workload(seed=11, count=100))
    head = await last_seq(nats_server.url, settings.stream)
    views = build(settings)
    assert views.projector.position == 0  # the views' tables, never filled: the projector is stuck
    views.close()
    stuck = RoleLock(settings, "projector")
    try:
        async with running(settings, project=False) as service:
            await wait_until(lambda: service.ingest.position >= head, what="ingest")
            await asyncio.sleep(0.5)
            doc = freshness(settings, service.views, service.ledger)
    finally:
        stuck.release()

    assert doc["projector_running"] is True
    assert doc["position"] == 0 and doc["head"] > 0 and doc["behind_s"] >= 0.5
    assert doc["warning"] == (
        f"the views are {doc['head']} events and {doc['behind_s']:.0f} s behind the event store (more than 0.2 s)"
    )
