"""Stream order across workers, without IO: which earlier messages of other shards a message of
ours waits for, and the watermarks read from the workers' stored positions."""

from __future__ import annotations

from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.accounts import AddAccount, token_hash
from pingzhan.domain.errors import DomainError
from pingzhan.domain.stamp import Stamp
from pingzhan.services.ingest.order import Order, keys_of, shard_of_subject, watermarks
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import Parsed, parse
from pingzhan.services.org.data import load_org, read_org_file
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.traffic.simulator import Simulator


def message(seq: int, shard: int, kind: str, **fields: object) -> Parsed:
    """A message at stream sequence ``seq`` on ``shard`` (id ``m{seq}`` unless given)."""
    body = {
        "id": f"m{seq}",
        "kind": kind,
        "occurred_at": "2022-07-15T20:00:00+08:00",
        "actor": "op",
        **fields,
    }
    return parse(Inbound(seq, f"pingzhan.in.{shard}.{kind}", orjson.dumps(body)))


def registration(seq: int, shard: int, cadre: str = "C1") -> Parsed:
    return message(seq, shard, "cadre.registered", cadre_id=cadre, name="n", unit="u")


def dispatch(seq: int, shard: int, cadre: str = "C1") -> Parsed:
    return message(seq, shard, "cadre.dispatched", cadre_id=cadre, grid_id="BT-QG-01-01")


def worker_0_of_2() -> Order:
    return Order(workers=2, index=0, prefix="pingzhan")


def test_a_dispatch_waits_for_the_earlier_registration_of_its_cadre_on_another_shard() -> None:
    order = worker_0_of_2()
    order.note(registration(5, shard=3))

    assert order.blocked(dispatch(8, shard=4))


def test_it_waits_only_until_that_shard_has_committed_past_the_registration() -> None:
    order = worker_0_of_2()
    order.note(registration(5, shard=3))
    marks = [0] * 16

    marks[3] = 4
    still = order.advance(marks)
    marks[3] = 5
    committed = order.advance(marks)

    assert still == set()
    assert ids.cadre("C1").int in committed  # what a cached copy of must be read again
    assert not order.blocked(dispatch(8, shard=4))
    assert order.pending() == 0


def test_a_later_message_or_one_about_something_else_does_not_hold_it_up() -> None:
    order = worker_0_of_2()
    order.note(registration(9, shard=3))  # after the dispatch in the stream
    order.note(registration(6, shard=5, cadre="C2"))

    assert not order.blocked(dispatch(8, shard=4))


def test_a_message_resending_an_earlier_id_waits_for_it_whatever_it_is_about() -> None:
    order = worker_0_of_2()
    order.note(registration(5, shard=3))
    resent = message(8, 4, "hazard.reported", id="m5", hazard_id="HZ1", grid_id="BT-QG-01-01",
                     hazard_kind="other", location="l", severity="low")  # fmt: skip

    assert order.blocked(resent)


def test_an_invalid_message_depends_on_its_id_only() -> None:
    broken = message(7, 4, "cadre.dispatched", cadre_id="C1")  # no grid: rejected (schema)

    assert broken.rejected is not None
    assert keys_of(broken) == {("id", "m7")}


def test_mode_messages_do_not_wait_for_each_other_only_because_both_read_the_accounts() -> None:
    order = worker_0_of_2()
    order.note(message(5, 3, "mode.switched_to_wartime", scope="street:BT-BS", level="II", reason="r"))
    other_street = message(8, 4, "mode.switched_to_wartime", scope="street:BT-QG", level="II", reason="r")
    same_street = message(9, 4, "mode.switched_to_peacetime", scope="street:BT-BS", reason="r")

    assert not order.blocked(other_street)
    assert order.blocked(same_street)


def test_a_message_committed_before_it_was_read_is_not_remembered_but_its_keys_are_given_back() -> None:
    order = worker_0_of_2()
    marks = [0] * 16
    marks[3] = 10
    order.forget(marks)

    stale = order.note(registration(5, shard=3))

    assert ids.cadre("C1").int in stale
    assert order.pending() == 0 and not order.blocked(dispatch(8, shard=4))


def test_each_shard_belongs_to_one_worker_and_a_subject_without_a_shard_to_worker_0() -> None:
    workers = [Order(3, k, "pingzhan") for k in range(3)]
    subjects = [f"pingzhan.in.{s}.cadre.registered" for s in range(16)]
    subjects += ["pingzhan.in.21.cadre.registered", "pingzhan.in.-5.x", "pingzhan.in.x.y", "other.in.3.z"]

    owners = [[w.index for w in workers if w.owns(s)] for s in subjects]

    assert all(len(o) == 1 for o in owners)
    assert [o[0] for o in owners[16:]] == [0, 0, 0, 0]
    assert [shard_of_subject(s, "pingzhan") for s in subjects[:3]] == [0, 1, 2]


def test_a_shard_is_committed_up_to_the_best_position_of_any_worker_that_owned_it() -> None:
    positions = {
        "nats:ingest-0-of-1": 50,  # every shard, earlier
        "nats:ingest-0-of-2": 120,  # even shards
        "nats:ingest-1-of-2": 90,  # odd shards
        "nats:ingest-3-of-4": 200,  # shards 3, 7, 11, 15
        "nats:other": 999,
    }

    marks = watermarks(positions)

    assert marks[0] == marks[2] == 120
    assert marks[1] == marks[5] == 90
    assert marks[3] == marks[7] == marks[15] == 200
    assert watermarks({}) == [0] * 16


class Recording:
    """A workspace over aggregates kept in memory that notes every aggregate a command asks for."""

    def __init__(self, aggregates: dict[UUID, Aggregate]):
        self.aggregates, self.used = aggregates, set[UUID]()

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        self.used.add(aggregate_id)
        return self.aggregates.get(aggregate_id)

    def add(self, aggregate: Aggregate) -> None:
        self.used.add(aggregate.id)
        self.aggregates[aggregate.id] = aggregate


def test_every_command_of_the_simulated_year_touches_only_what_it_declares_it_needs() -> None:
    # The order between workers rests on it: needs() must name everything a command reads or writes.
    org = load_org()
    aggregates: dict[UUID, Aggregate] = {}
    seen: set[str] = set()
    beyond: list[tuple[str, str]] = []
    operators = [AddAccount(name, "operator", token_hash(name)) for name in OPERATORS]
    for n, add in enumerate(operators):
        add.run(Recording(aggregates), None, Stamp(f"setup-{n}", "admin", "2022-01-01T00:00:00+08:00"))
    simulator = Simulator(read_org_file(), seed=3, scale=0.02)

    for n, (_, subject, body) in enumerate(simulator.messages(), start=1):
        p = parse(Inbound(n, subject, body))
        if p.command is None or p.stamp is None:
            continue
        ws = Recording(aggregates)
        try:
            p.command.run(ws, org, p.stamp)
        except DomainError:
            pass
        for i in ws.used & aggregates.keys():
            aggregates[i].collect_events()
        seen.add(type(p.command).__name__)
        beyond += [(type(p.command).__name__, str(i)) for i in ws.used - set(p.command.needs())]

    assert beyond == []
    assert {"RegisterCadre", "DispatchCadre", "StaffCheckpoint", "SwitchToWartime", "VisitHousehold"} <= seen
