"""The ingest's aggregate cache stays bounded however long the log grows, and keeps what is in use."""

from __future__ import annotations

from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import with_operators, workload

MAX_CACHED, BATCH = 8_000, 200  # half of it holds what the workload has in use (~2,600)


def test_the_cache_turns_over_within_its_bound_and_keeps_the_aggregates_in_use(tmp_path) -> None:
    settings = with_operators(Settings(store="sqlite", data_dir=tmp_path / "d"))
    ingest = Ingest(open_ledger(settings), load_org(), settings.consumer_name, max_cached=MAX_CACHED)
    items = [Inbound(n, s, b, i) for n, (i, s, b) in enumerate(workload(5, 60_000), start=1)]
    held, turns, young = [], 0, 0

    for k in range(0, len(items), BATCH):
        outcomes = ingest.process(items[k : k + BATCH])
        assert all(o.status == "accepted" or o.code == "schema" for o in outcomes), outcomes
        held.append(len(ingest.cached))
        turns += len(ingest.cache) < young  # it turned over (let go of what was not in use)
        young = len(ingest.cache)

    # Far more aggregates were made than the cache may hold, so it turned over several times...
    made = ingest.cached.lookups.new
    assert made > 2 * MAX_CACHED and turns >= 2, (made, turns)
    # ... never holding more than its bound (and one batch's worth beyond it) ...
    assert max(held) <= MAX_CACHED + 3 * BATCH, max(held)
    # ... and what was in use stayed: cadres on duty, open checkpoints and hazards were found in
    # it, not loaded again from the store (all of them were made by this worker: a load is of one
    # the cache let go of, a cadre idle for a whole turn). Emptying the cache at its bound instead
    # loads the whole working set again after each turn: thousands of loads here.
    assert ingest.cached.lookups.hits > 3 * made
    assert ingest.cached.lookups.hit_rate > 0.98, ingest.cached.lookups
