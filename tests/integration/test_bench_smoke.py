"""The benchmark's phases run (tiny sizes): `make bench` must not be the first to find a break."""

from __future__ import annotations

import asyncio

from bench import phases
from bench.env import Stores
from tests.integration.helpers import workload


def test_the_raw_naive_and_ingest_phases_run_and_find_nothing_lost(postgres_reason) -> None:
    items = workload(4, 3000)
    stores = Stores("sqlite")
    try:
        raw = phases.raw_store(stores, items, 500)
        naive = asyncio.run(phases.naive(stores, items[:200]))
        backlog = asyncio.run(phases.ingest_backlog(stores, items, items[:20], 500))
        backlog["server"].stop()
    finally:
        stores.close()

    assert raw > 0 and naive > 0 and backlog["ingest_msgs_per_s"] > 0
    assert (backlog["lost"], backlog["duplicated"]) == (0, 0)
