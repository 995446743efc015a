"""The NATS connection drops while a batch is being delivered: nothing may be lost."""

from __future__ import annotations

import orjson
from pingzhan.services.settings import Settings

from tests.integration.helpers import last_seq, make_stream, publish, running, wait_until
from tests.integration.nats_proxy import Proxy


def registrations(start: int, n: int) -> list[tuple[str, str, bytes]]:
    return [
        (
            f"m{i}",
            f"pingzhan.in.{i % 16}.cadre.registered",
            orjson.dumps(
                {
                    "id": f"m{i}",
                    "kind": "cadre.registered",
                    "occurred_at": "2022-07-15T20:25:00+08:00",
                    "actor": "op",
                    "cadre_id": f"C{i}",
                    "name": "n",
                    "unit": "u",
                }
            ),
        )
        for i in range(start, start + n)
    ]


async def test_a_connection_cut_in_the_middle_of_a_delivery_loses_nothing(
    nats_server, store: Settings
) -> None:
    proxy = await Proxy(nats_server.port).start()
    settings = store.model_copy(update={"nats_url": proxy.url, "batch_size": 1000})
    await make_stream(nats_server.url, settings)
    ids = [f"m{i}" for i in range(3010)]
    async with running(settings, project=False) as service:
        await publish(nats_server.url, registrations(0, 10))
        await wait_until(lambda: service.ingest.position >= 10, what="the first messages")
        proxy.cut_after = 40_000  # a few hundred messages into the next delivery
        await publish(nats_server.url, registrations(10, 3000))
        head = await last_seq(nats_server.url, settings.stream)
        await wait_until(lambda: service.ingest.position >= head, 60, "ingest to reach the stream head")

        recorded = service.ledger.outcomes(ids)
    proxy.close()

    assert proxy.cut_after is None  # the cut did happen
    assert len(recorded) == len(ids)
