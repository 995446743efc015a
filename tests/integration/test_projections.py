"""Read models over a real store: live, resumed after a restart, and rebuilt from zero, all equal."""

from __future__ import annotations

from pingzhan.services.settings import Settings

from tests.integration.helpers import (
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


async def test_read_models_resumed_mid_stream_and_rebuilt_from_zero_equal_the_live_ones(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=100))
    items = workload(3, 4000)
    await publish(nats_server.url, items[:2500])
    async with running(settings) as service:
        await wait_until(lambda: service.projector.position > 500, what="the projector to start")
    stopped_at = service.projector.position
    await publish(nats_server.url, items[2500:])

    await drain(settings, nats_server.url)  # resumes the projector from where it stopped

    async with running(settings, project=False) as service:
        live = dump_views(service)
        head = service.ledger.recorder.max_notification_id()
        events = stored_events(service)
        rebuilt_count = service.projector.rebuild()
        rebuilt = dump_views(service)
    assert 0 < stopped_at < head
    assert rebuilt_count == head
    tracked = sum(1 for e in events if e[2].endswith("ScopeMode.Tracked"))
    # one row per event, bookkeeping events aside (and the Accounts.Opened of the operators' accounts)
    assert len(live["audit"]) == head - tracked - 1
    assert live == rebuilt
