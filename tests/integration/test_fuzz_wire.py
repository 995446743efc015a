"""Fuzzing the wire through a real nats-server: 10,000 messages drawn by Hypothesis from the wire
models (``tests/wire_strategies.py``), valid ones and ones with one field broken, removed, retyped
or oversized, to a `pingzhan serve --role ingest` process on SQLite and on PostgreSQL.

Each batch of 100 ends with two messages that must be accepted (a new cadre registered and
dispatched). Every message gets exactly one outcome; a broken one is a `schema` rejection whose
reason names the broken field; a valid one is accepted or refused by an invariant, never as
`schema`, `subject` or `internal_error`; the worker stays alive throughout."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from typing import Any

import nats
import orjson
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger
from pingzhan.services.wire import subject_of

from tests.integration.helpers import WorkerProcess, on_stream, with_operators
from tests.wire_strategies import FUZZED_CADRES, GRIDS, broken, valid

BATCH, EXAMPLES = 100, 100  # 10,000 messages for each store
NOT_INVARIANTS = {"schema", "subject", "malformed_json", "unknown_kind", "internal_error"}
DRAWN = st.lists(
    st.one_of(valid().map(lambda m: (m, None)), broken()), min_size=BATCH - 2, max_size=BATCH - 2
)


def inbox_rows(store: Settings) -> int:
    if store.store == "sqlite":
        import sqlite3

        with sqlite3.connect(store.data_dir / "events.sqlite") as db:
            return int(db.execute("SELECT count(*) FROM inbox").fetchone()[0])
    with store.connect_postgres() as db:
        return int(db.execute("SELECT count(*) FROM inbox").fetchone()[0])  # type: ignore[index]


async def publish(url: str, prefix: str, messages: list[dict[str, Any]]) -> list[int]:
    """Each message on its subject, with its id as Nats-Msg-Id; the stream sequences."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    seqs = []
    for m in messages:
        ack = await js.publish(subject_of(prefix, m), orjson.dumps(m), headers={"Nats-Msg-Id": m["id"]})
        seqs.append(ack.seq)
    await nc.close()
    return seqs


def test_ten_thousand_fuzzed_messages_each_get_one_outcome_and_the_worker_keeps_going(
    nats_server, store
) -> None:
    service = with_operators(asyncio.run(on_stream(nats_server, store)))
    ledger = open_ledger(service)
    worker = WorkerProcess(service, role="ingest", PINGZHAN_HTTP="false").start()
    # The cadres the strategies name, registered and dispatched first: more of what follows is taken.
    setup = [
        {"id": f"fz-setup-{what}-{c}", "kind": f"cadre.{what}", "occurred_at": "2022-01-01T08:00:00+08:00",
         "actor": "fz", "cadre_id": c, **fields}
        for i, c in enumerate(FUZZED_CADRES[:40])
        for what, fields in (("registered", {"name": "干部", "unit": "RSJ"}), ("dispatched", {"grid_id": GRIDS[i % 12]}))
    ]  # fmt: skip
    assert {
        o.status for o in wait_for_outcomes(ledger, asyncio.run(publish(nats_server.url, "pingzhan", setup)))
    } == {"accepted"}
    numbers = itertools.count(1)
    published = 0
    codes: Counter[str] = Counter()  # the valid drawn messages' outcomes

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],  # a failing batch is shown whole: shrinking one takes minutes
        suppress_health_check=list(HealthCheck),
    )
    @given(drawn=DRAWN)
    def batch(drawn: list[tuple[dict[str, Any], str | None]]) -> None:
        nonlocal published
        n = next(numbers)
        sentinel = f"FZ-S{n}"
        drawn = drawn + [
            ({"kind": "cadre.registered", "occurred_at": "2022-03-01T09:00:00+08:00", "actor": "fz",
              "cadre_id": sentinel, "name": "哨兵", "unit": "RSJ"}, "must be accepted"),
            ({"kind": "cadre.dispatched", "occurred_at": "2022-03-01T09:05:00+08:00", "actor": "fz",
              "cadre_id": sentinel, "grid_id": "BT-QG-01-01"}, "must be accepted"),
        ]  # fmt: skip
        messages = [{"id": f"fz-{n}-{k}", **m} for k, (m, _) in enumerate(drawn)]
        seqs = asyncio.run(publish(nats_server.url, service.subject_prefix, messages))
        published += len(seqs)
        outcomes = wait_for_outcomes(ledger, seqs)
        for (message, how), outcome in zip(drawn, outcomes, strict=True):
            seen = f"{how or 'valid'}: {message} -> {outcome.doc()}"
            if how == "must be accepted":
                assert outcome.status == "accepted", seen
            elif how is None:
                assert outcome.status == "accepted" or outcome.code not in NOT_INVARIANTS, seen
                codes[outcome.code or "accepted"] += 1
            else:
                field = how.split()[-1]
                assert (outcome.status, outcome.code) == ("rejected", "schema"), seen
                assert field in (outcome.reason or ""), seen
        assert worker.process.poll() is None, "the worker stopped"

    try:
        batch()
        assert published == BATCH * EXAMPLES
        assert inbox_rows(service) == len(setup) + published  # one outcome each, no more
        assert worker.process.poll() is None
        print(codes.most_common())
        assert codes["accepted"] >= BATCH * EXAMPLES // 100  # the domain takes some: not only refusals
    finally:
        worker.stop()
        ledger.close()


def wait_for_outcomes(ledger: Any, seqs: list[int], timeout: float = 60) -> list[Outcome]:
    deadline = time.monotonic() + timeout
    found: dict[int, Outcome] = {}
    while len(found) < len(seqs):
        for seq in seqs:
            if seq not in found and (raw := ledger.outcome_at(seq)) is not None:
                found[seq] = Outcome.from_json(raw)
        if len(found) < len(seqs):
            assert time.monotonic() < deadline, f"no outcome within {timeout} s for {len(seqs) - len(found)}"
            time.sleep(0.02)
    return [found[s] for s in seqs]
