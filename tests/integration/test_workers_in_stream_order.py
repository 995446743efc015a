"""Several workers give the answers of one: the small simulated year, published once, ingested by
1, 2 and 4 worker processes into stores of their own, and once more while workers are killed and
the number of workers changes from 1 to 2 to 4 and back to 1 mid-stream. Every run must store
the same inbox (message id, stream sequence, outcome) and the same events as one worker."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from pingzhan.domain import ids
from pingzhan.services.org.data import read_org_file
from pingzhan.services.settings import Settings
from pingzhan.services.store.conflicts import hex_id
from pingzhan.services.store.ledger import open_ledger
from pingzhan.services.store.locks import WorkerCount
from pingzhan.services.traffic.simulator import Simulator

from tests.conftest import drop_postgres_db, make_postgres_db
from tests.integration.helpers import WorkerProcess, on_stream, publish, wait_until, with_operators

SEED, SCALE = 3, 0.02


def inbox_rows(settings: Settings) -> list[tuple[str, int, str]]:
    ledger = open_ledger(settings)
    try:
        with ledger.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute("SELECT message_id, stream_seq, outcome FROM inbox ORDER BY message_id")
            return [(r["message_id"], r["stream_seq"], r["outcome"]) for r in c.fetchall()]
    finally:
        ledger.close()


def event_rows(settings: Settings) -> list[tuple[str, int, str, bytes]]:
    """Every event the stream recorded, without the time it was recorded at, by aggregate and
    version (workers interleave aggregates differently in the log; each aggregate's own history
    must be the same). The accounts are left out: each store registers its operators itself."""
    ledger = open_ledger(settings)
    rows, start, accounts = [], 1, ids.accounts().hex
    try:
        while batch := ledger.recorder.select_notifications(start=start, limit=5000):
            for n in batch:
                if hex_id(n.originator_id) != accounts:
                    state = orjson.loads(n.state)
                    state.pop("timestamp", None)
                    rows.append(
                        (
                            hex_id(n.originator_id),
                            n.originator_version,
                            n.topic,
                            orjson.dumps(state, option=orjson.OPT_SORT_KEYS),
                        )
                    )
            start = batch[-1].id + 1
    finally:
        ledger.close()
    return sorted(rows)


def digest(rows: list[Any]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def differences(got: list[Any], expected: list[Any]) -> str:
    """What a failing comparison shows: a few rows on each side only."""
    extra, missing = sorted(set(got) - set(expected)), sorted(set(expected) - set(got))
    return f"{len(extra)} rows not in the one-worker run, e.g. {extra[:3]}; {len(missing)} missing, e.g. {missing[:3]}"


def counted(settings: Settings) -> Callable[[], int]:
    ledger = open_ledger(settings)

    def count() -> int:
        with ledger.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute("SELECT count(*) AS n FROM inbox")
            return int(c.fetchone()["n"])

    return count


class Workers:
    """``pingzhan serve --role ingest`` processes of one store, as many as asked for."""

    def __init__(self, settings: Settings):
        self.settings, self.running = settings, []

    def start(self, n: int) -> None:
        env = {"PINGZHAN_WORKERS": str(n)}
        self.running = [
            WorkerProcess(self.settings, "ingest", **env, PINGZHAN_WORKER_INDEX=str(k)).start()
            for k in range(n)
        ]

    def stop(self) -> None:
        for w in self.running:
            w.stop()
        self.running = []


@pytest.fixture
async def year(nats_server, store: Settings) -> Any:
    """The small simulated year in the stream, and a fresh store on it for each run."""
    settings = await on_stream(nats_server, store, batch_size=200)
    simulator = Simulator(read_org_file(), seed=SEED, scale=SCALE)
    items = list(simulator.messages())
    await publish(nats_server.url, items)
    made: list[str] = []

    def fresh(name: str) -> Settings:
        changes: dict[str, Any] = {"data_dir": store.data_dir.parent / name}
        if store.store == "postgres":
            made.append(make_postgres_db())
            changes["postgres_dbname"] = made[-1]
        return with_operators(settings.model_copy(update=changes))

    alone = fresh("alone")  # the answer: one worker
    await ingest_all(alone, 1, len({i for i, _, _ in items}))
    yield simulator, (inbox_rows(alone), event_rows(alone)), fresh
    for name in made:
        drop_postgres_db(name)


async def ingest_all(settings: Settings, workers: int, total: int) -> None:
    """Run ``workers`` workers until the inbox holds ``total`` rows."""
    team = Workers(settings)
    team.start(workers)
    try:
        await until_recorded(settings, total)
    finally:
        team.stop()


async def until_recorded(settings: Settings, total: int, timeout: float = 300) -> None:
    count = counted(settings)
    await wait_until(lambda: count() >= total, timeout, f"{total} outcomes")


async def test_the_year_is_recorded_alike_by_1_2_and_4_workers_and_across_a_kill_and_changes_of_their_number(
    year,
) -> None:
    simulator, (inbox, events), fresh = year
    runs = {}

    for n in (2, 4):
        shared = fresh(f"workers-{n}")
        await ingest_all(shared, n, len(inbox))
        await asyncio.sleep(0.5)  # nothing more comes
        runs[f"{n} workers"] = (inbox_rows(shared), event_rows(shared))
    changing = fresh("changing")
    await ingest_changing(changing, len(inbox))
    runs["1, 2 (one killed), 4 (one killed), 1 workers"] = (inbox_rows(changing), event_rows(changing))

    rejected = {i for i, _, o in inbox if orjson.loads(o)["status"] == "rejected"}
    assert rejected == set(simulator.plan.invalid_ids)  # one worker: only the invalid ones
    for run, (got_inbox, got_events) in runs.items():
        assert digest(got_inbox) == digest(inbox), f"{run}: {differences(got_inbox, inbox)}"
        assert digest(got_events) == digest(events), f"{run}: {differences(got_events, events)}"


async def ingest_changing(settings: Settings, total: int) -> None:
    """1 worker, then 2 (one SIGKILLed and started again), then 4 (one SIGKILLed), then 1 again,
    each change at the next fifth of the outcomes."""
    team, count = Workers(settings), counted(settings)
    team.start(1)
    await wait_until(lambda: count() >= total // 5, 120, "a fifth")
    team.stop()
    team.start(2)
    await wait_until(lambda: count() >= 2 * total // 5, 120, "two fifths")
    team.running[1].kill()
    team.running[1].start()
    await wait_until(lambda: count() >= 3 * total // 5, 120, "three fifths")
    team.stop()
    team.start(4)
    await wait_until(lambda: count() >= 4 * total // 5, 120, "four fifths")
    team.running[0].kill()
    team.stop()
    team.start(1)
    try:
        await until_recorded(settings, total)
        await asyncio.sleep(0.5)
    finally:
        team.stop()


async def test_a_worker_started_with_another_number_of_workers_waits_for_the_others_to_stop(
    store: Settings,
) -> None:
    two = [WorkerCount(store.model_copy(update={"workers": 2, "worker_index": k})) for k in range(2)]
    one = WorkerCount(store)

    taken = [w.take() for w in two]
    refused = one.take()
    two[0].release()
    still = one.take()
    two[1].release()
    alone = one.take()
    one.release()

    assert (taken, refused, still, alone) == ([None, None], 2, 2, None)
