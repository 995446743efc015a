"""Two services with different stores on one NATS: each keeps its own durable consumer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nats
from pingzhan.services.bootstrap import build
from pingzhan.services.settings import Settings
from pingzhan.services.store.identity import store_id

from tests.integration.helpers import last_seq, make_stream, publish, running, wait_until, workload


async def test_two_stores_on_one_nats_each_record_the_whole_stream_with_a_consumer_of_their_own(
    nats_server, tmp_path: Path
) -> None:
    first, second = (
        Settings(store="sqlite", data_dir=tmp_path / name, nats_url=nats_server.url, batch_size=100)
        for name in ("first", "second")
    )
    await make_stream(nats_server.url, first)
    await publish(nats_server.url, workload(seed=12, count=600))
    head = await last_seq(nats_server.url, first.stream)

    async with running(first, project=False) as a, running(second, project=False) as b:
        await wait_until(lambda: a.ingest.position >= head and b.ingest.position >= head, timeout=20,
                         what="both stores to record the whole stream")  # fmt: skip
        nc = await nats.connect(nats_server.url)
        names = sorted(c.name for c in await nc.jetstream().consumers_info(first.stream))
        await nc.close()
        ids = (store_id(first, a.ledger), store_id(second, b.ledger))
        tracked = a.ledger.recorder.max_tracking_id("nats:ingest-0-of-1")

    assert ids[0] != ids[1] and all(len(i) == 8 for i in ids)
    assert names == sorted(f"ingest-0-of-1-{i}" for i in ids)
    assert tracked == head  # the store's tracking names are unchanged


def test_a_store_keeps_its_id_across_restarts(store: Settings) -> None:
    ids = []
    for _ in range(2):
        app = build(store)
        ids.append(store_id(store, app.ledger))
        app.close()

    assert ids[0] == ids[1]


def test_the_store_id_is_made_once_when_processes_start_together(store: Settings) -> None:
    apps = [build(store) for _ in range(3)]
    [app.ledger for app in apps]  # opened together  # opened first, so that only the ids are made together

    with ThreadPoolExecutor(3) as pool:
        ids = list(pool.map(lambda app: store_id(store, app.ledger), apps))
    for app in apps:
        app.close()

    assert len(set(ids)) == 1
