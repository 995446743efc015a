"""What a code review found on the ingest path: a bounded cache under a backlog, resent ids said
as such on NATS too, and no raw junk from a rejected body in the views."""

from __future__ import annotations

import asyncio

from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.consume import Consumer
from pingzhan.services.ingest.outcome import Inbound, Outcome
from pingzhan.services.ingest.parse import scope_of
from pingzhan.services.nats.connection import connect
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import inbound, last_seq, on_stream, publish, with_operators, workload

MAX_CACHED = 300


async def test_the_aggregate_cache_stays_bounded_while_a_backlog_is_ingested(nats_server, tmp_path) -> None:
    settings = await on_stream(nats_server, Settings(store="sqlite", data_dir=tmp_path / "d"), batch_size=200)
    with_operators(settings)
    await publish(nats_server.url, workload(3, 4_000))
    head = await last_seq(nats_server.url, settings.stream)
    ingest = Ingest(open_ledger(settings), load_org(), settings.consumer_name, max_cached=MAX_CACHED)
    sizes: list[int] = []
    stop = asyncio.Event()

    def committed(_: list[Outcome]) -> None:
        sizes.append(len(ingest.cache))
        if ingest.position >= head:
            stop.set()

    nc = await connect(nats_server.url, "test")
    await asyncio.wait_for(Consumer(nc, ingest, settings, committed).run(stop), 120)
    await nc.close()

    # Each batch of 200 touches at most a few hundred aggregates: over the limit only by a batch.
    assert ingest.position == head and len(sizes) > 5
    assert max(sizes) <= MAX_CACHED + 2 * 200 * 3, sizes


def test_an_outcome_sent_again_for_a_resent_id_says_so_in_its_json(store: Settings) -> None:
    worker = Ingest(open_ledger(store), load_org(), "ingest-0-of-1")
    register = inbound(1, "cadre.registered", cadre_id="C1", name="n", unit="u")
    (first,) = worker.process([register])

    (again,) = worker.process([Inbound(2, register.subject, register.data)])  # the same id, later

    assert b"replayed" not in first.to_json()
    assert again.replayed and Outcome.from_json(again.to_json()).replayed
    assert Outcome.from_json(again.to_json()).events == first.events


def test_a_rejected_body_gives_the_views_no_scope_that_is_not_one() -> None:
    nul = b'{"kind":"nope","scope":"street:BT\\u0000QG","grid_id":"x\\u0000"}'
    junk = b'{"kind":"nope","scope":"' + b"s" * 5000 + b'"}'

    assert scope_of(None, nul) is None and scope_of(None, junk) is None
    assert scope_of(None, b'{"kind":"nope","grid_id":"BT-QG-01-01"}') == "grid:BT-QG-01-01"
