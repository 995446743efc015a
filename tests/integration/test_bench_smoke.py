"""The benchmark's phases run (tiny sizes): `make bench` must not be the first to find a break."""

from __future__ import annotations

import asyncio

from pingzhan.domain.ids import accounts as accounts_id
from pingzhan.services.org.data import read_org_file
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger, open_ledger

from bench import durability, floor, history, latency, phases
from bench.env import Stores
from bench.traffic import Traffic


def test_the_raw_naive_and_ingest_phases_run_and_find_nothing_lost(postgres_reason) -> None:
    traffic = Traffic(read_org_file(), seed=4, count=3000)
    stores = Stores("sqlite")
    try:
        raw = phases.raw_store(stores, traffic, 500)
        naive = asyncio.run(phases.naive(stores, traffic, 200))
        backlog = asyncio.run(phases.ingest_backlog(stores, traffic, 500))
        backlog["server"].stop()
    finally:
        stores.close()

    assert raw > 0 and naive > 0 and backlog["ingest_msgs_per_s"] > 0 and backlog["publish_msgs_per_s"] > 0
    assert (backlog["lost"], backlog["duplicated"]) == (0, 0)
    assert backlog["events"] > 3000


def test_the_floor_records_every_message_and_at_least_once_keeps_no_inbox_nor_position() -> None:
    traffic = Traffic(read_org_file(), seed=4, count=3000)
    ids = list(traffic.ids())
    stores = Stores("sqlite")
    try:
        low = asyncio.run(floor.floor(stores, traffic, 500))
        at_least_once = asyncio.run(floor.at_least_once(stores, traffic, 500))
        floor_store = open_ledger(Settings(store="sqlite", data_dir=stores.root / "floor"))
        alo_store = open_ledger(Settings(store="sqlite", data_dir=stores.root / "atleastonce"))
        floor_rows = (
            len(floor_store.outcomes(ids)),
            floor_store.recorder.positions("nats:"),  # type: ignore[attr-defined]
            stored_beyond_setup(floor_store),
        )
        alo_rows = (
            alo_store.outcomes(ids),
            alo_store.recorder.positions("nats:"),  # type: ignore[attr-defined]
            stored_beyond_setup(alo_store),
        )
    finally:
        stores.close()

    assert low > 0 and at_least_once > 0
    # an inbox row and an event per message, and the position
    assert floor_rows == (3000, {"nats:floor": 3000}, 3000)
    # Every message decided (an event at least each), and neither inbox rows nor a position kept.
    assert alo_rows[:2] == ({}, {}) and alo_rows[2] >= 3000


def stored_beyond_setup(ledger: Ledger) -> int:
    """Events stored, but for the operators' accounts recorded before the stream."""
    stored = ledger.recorder.max_notification_id() or 0  # type: ignore[attr-defined]
    return int(stored - ledger.versions([accounts_id()]).get(accounts_id(), 0))


def test_the_sync_always_phase_runs_on_a_server_that_fsyncs_every_write() -> None:
    traffic = Traffic(read_org_file(), seed=4, count=2000)
    stores = Stores("sqlite")
    try:
        default = asyncio.run(phases.ingest_backlog(stores, traffic, 500))
        default["server"].stop()
        priced = durability.sync_always(stores, traffic, 500, default)
        config = (stores.root / "nats-ingest-sync-always" / "nats-server.conf").read_text()
    finally:
        stores.close()

    assert "sync_interval: always" in config and priced["server_sync_always"] is True
    assert priced["ingest_msgs_per_s"] > 0 and priced["ingest_vs_default"] > 0
    assert (priced["lost"], priced["duplicated"]) == (0, 0)


def test_the_latency_phases_stop_taking_samples_at_their_budget_and_say_so() -> None:
    traffic = Traffic(read_org_file(), seed=11, count=2000)
    stores = Stores("sqlite")
    try:
        backlog = asyncio.run(phases.ingest_backlog(stores, traffic, 500))
        settings, server = backlog.pop("settings"), backlog.pop("server")
        found = latency.operator_latencies(settings, traffic.after(), quick=True, budget_s=1.0)
        server.stop()
    finally:
        stores.close()

    roster, sse = found["switch_latency_ms"], found["switch_to_sse_ms"]
    assert "error" not in roster and "error" not in sse, found
    # 20 and 40 samples asked, each at least 0.1 s apart: a second's budget holds fewer
    assert 0 < roster["samples"] < 20 and 0 < sse["samples"] < 40
    assert roster["cut_short_after_s"] >= 1.0 and sse["cut_short_after_s"] >= 1.0
    assert 0 < roster["p50"] <= roster["p99"] and 0 < sse["p50"] <= sse["p99"]
    assert "cut short after" in latency.cut(sse)


def test_the_history_phase_grows_one_store_through_its_sizes_and_plots_them(tmp_path) -> None:
    result = history.run("sqlite", (4000, 2500), window=1000, batch_size=500)
    history.plot([result], tmp_path / "history.png")

    sizes = result["sizes"]
    assert [s["messages"] for s in sizes] == [2500, 4000]
    # grown in the bench's process, then each window from a stream numbered on from the history:
    # the worker reached the position of the size's last message
    assert [s["position"] for s in sizes] == [2500, 4000]
    # all the history is in the store at the end: every message recorded once, rebuilt and read
    assert sizes[-1]["events"] > 4000 > sizes[0]["events"] > 2500
    assert all(
        s["ingest_msgs_per_s"] > 0 and s["peak_rss_mb"] > 0 and s["roster_ms"]["p99"] > 0 for s in sizes
    )
    assert set(result["targets"]) >= {"peak RSS <= 300 MB", "roster p99 <= 50 ms"}
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
