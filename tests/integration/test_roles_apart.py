"""Ingest and the projector as two processes (`serve --role ingest` and `--role project`), as on a
machine with a core for each: the ingest worker tells each stored batch on `{prefix}.stored`, and
the projector in the other process folds it."""

from __future__ import annotations

import nats
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import WorkerProcess, on_stream, publish, wait_until, with_operators, workload


async def test_the_projector_in_another_process_is_told_of_each_stored_batch(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=100))
    notices: list[bytes] = []
    nc = await nats.connect(nats_server.url)

    async def heard(msg: nats.aio.msg.Msg) -> None:
        notices.append(msg.data)

    await nc.subscribe(f"{settings.subject_prefix}.stored", cb=heard)
    ingest = WorkerProcess(settings, role="ingest", PINGZHAN_HTTP="false").start()
    projector = WorkerProcess(settings, role="project").start()
    ledger, views = open_ledger(settings), None
    try:
        items = workload(3, 1000)
        await publish(nats_server.url, items)
        ids = [i for i, _, _ in items]
        await wait_until(lambda: len(ledger.outcomes(ids)) == len(ids), 60, "an outcome for every message")
        head = ledger.recorder.max_notification_id() or 0
        views = ViewDb(settings)
        projected = lambda: views.position() >= head  # noqa: E731
        await wait_until(projected, 60, "the other process's projector to fold every event")
        assert head > 0
        assert notices and set(notices) == {b""}  # at least one batch told, each with an empty body
    finally:
        ingest.stop()
        projector.stop()
        await nc.close()
        ledger.close()
        if views is not None:
            views.close()
