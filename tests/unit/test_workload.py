"""The benchmark workload: streamed, linear in the count and flat in memory, with what is open kept
bounded, cadres rotating, and every valid message accepted by the domain."""

from __future__ import annotations

import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import orjson
from pingzhan.domain.errors import DomainError
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import parse
from pingzhan.services.org.data import read_org_file
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.traffic.workload import MAX_OPEN_CHECKPOINTS, MAX_OPEN_HAZARDS, Workload
from pingzhan.services.wire.routing import shard_of

if TYPE_CHECKING:
    from tests.unit.conftest import Domain


def seconds_to_generate(count: int) -> float:
    org = read_org_file()  # not timed: only the generation is
    best = float("inf")
    for _ in range(3):  # the best of three: the machine is shared
        started = time.perf_counter()
        for _ in Workload(org, seed=1).messages(count):
            pass
        best = min(best, time.perf_counter() - started)
    return best


def test_ten_times_the_messages_take_well_under_twenty_times_the_time() -> None:
    # A pick over every checkpoint ever opened (issue 13) made 50,000 take 60 times as long as 5,000.
    small, large = seconds_to_generate(10_000), seconds_to_generate(100_000)

    assert large < 20 * small, f"10,000 in {small:.3f} s but 100,000 in {large:.3f} s"


def most_open(kinds: list[str], opened: str, closed: str) -> int:
    now = peak = 0
    for kind in kinds:
        now += (kind == opened) - (kind == closed)
        peak = max(peak, now)
    return peak


def test_checkpoints_close_and_hazards_resolve() -> None:
    messages = Workload(read_org_file(), seed=2).messages(150_000)
    invalid = b'"hazard_kind":"meteor"'  # the deliberately invalid reports open nothing
    kinds = [subject.split(".", 3)[3] for _, subject, body in messages if invalid not in body]
    count: Callable[[str], int] = kinds.count

    assert most_open(kinds, "checkpoint.established", "checkpoint.closed") <= MAX_OPEN_CHECKPOINTS
    assert most_open(kinds, "hazard.reported", "hazard.resolved") <= MAX_OPEN_HAZARDS
    assert count("checkpoint.closed") > 0.8 * count("checkpoint.established")
    assert count("hazard.resolved") > 0.9 * count("hazard.reported")


def peak_bytes_to_generate(count: int) -> int:
    org = read_org_file()
    tracemalloc.start()
    try:
        for _ in Workload(org, seed=3).messages(count):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_memory_of_generating_does_not_grow_with_the_count() -> None:
    # Past the first few thousand field messages what is open stays at its caps: the peak is flat
    # (about 0.5 MB). Ten bytes kept per message would add 0.6 MB over the 60,000 more.
    small, large = peak_bytes_to_generate(20_000), peak_bytes_to_generate(80_000)

    assert large < 1.25 * small, f"peak {small:,} bytes for 20,000 messages but {large:,} for 80,000"


def test_cadres_rotate_between_grids_of_one_shard_while_off_duty() -> None:
    org = read_org_file()
    grid_of = {c["id"]: c["grid"] for c in org["cadres"]}
    on_duty: set[str] = set()
    recalled: dict[str, str] = {}  # cadre -> the grid left
    moves = []
    for _, subject, body in Workload(org, seed=4).messages(150_000):
        kind, m = subject.split(".", 3)[3], orjson.loads(body)
        if kind == "checkpoint.staffed":
            assert m["cadre_id"] not in recalled and grid_of[m["cadre_id"]] == m["grid_id"]
            on_duty.add(m["cadre_id"])
        elif kind == "checkpoint.relieved":
            on_duty.discard(m["cadre_id"])
        elif kind == "cadre.recalled":
            assert m["cadre_id"] not in on_duty
            recalled[m["cadre_id"]] = grid_of.pop(m["cadre_id"])
        elif kind == "cadre.dispatched" and m["cadre_id"] in recalled:
            left = recalled.pop(m["cadre_id"])
            grid_of[m["cadre_id"]] = m["grid_id"]
            moves.append((m["cadre_id"], left, m["grid_id"]))

    assert len(moves) > 100
    assert all(shard_of(c) == shard_of(a) == shard_of(b) and a != b for c, a, b in moves)
    assert len({c for c, _, _ in moves}) > 20  # many cadres, not one going back and forth


def test_every_valid_message_is_accepted_by_the_domain_in_stream_order(domain: Domain) -> None:
    domain.operators(*OPERATORS)
    rejected, kinds = [], Counter[str]()
    for seq, (msg_id, subject, body) in enumerate(Workload(read_org_file(), seed=5).messages(40_000), 1):
        p = parse(Inbound(seq, subject, body, msg_id))
        if p.rejected is not None:  # a deliberately invalid report
            kinds[p.rejected.code] += 1
            continue
        m = p.message
        assert m is not None
        kinds[m.kind] += 1  # type: ignore[attr-defined]
        try:
            domain.when(m.command(), actor=m.actor, at=m.occurred_at.isoformat(), message_id=m.id)
        except DomainError as e:
            rejected.append((msg_id, m.kind, str(e)))  # type: ignore[attr-defined]

    assert rejected == []
    assert kinds["cadre.recalled"] > 20 and kinds["mode.switched_to_wartime"] > 20 and kinds["schema"] > 200
