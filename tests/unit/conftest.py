"""Test support for the unit tests: the domain, given/when/then over events, with no IO.

The ``domain`` fixture is an empty in-memory workspace on the shipped organisation::

    domain.given(c.RegisterCadre("CD1", "张三", "RSJ"))           # what happened before

    events = domain.when(c.DispatchCadre("CD1", "BT-QG-01-01"))  # the new events
    error = domain.rejects(c.RecallCadre("CD2"))                  # or the DomainError

    domain.then(events, (Cadre.DispatchedToGrid, {"grid_id": "BT-QG-01-01"}))
    domain.then_rejected(error, errors.UnknownCadreError, "unknown cadre 'CD2'")

Mode commands are taken only from registered operators: ``domain.operators("op", "op-b")`` adds
their accounts first, with the command ``pingzhan token add NAME --role operator`` records.

Commands run as the ingest runs them: one Stamp each (message ids ``m0``, ``m1``, ... and field
times a minute apart from ``START`` unless given), and the new events in the order the ingest
stores them. Every rejection is checked to leave nothing behind: no new aggregate and no pending
event, as the ingest requires. ``domain.cadre_rows(period("2022-03"))`` gives the assessment
of the events so far, as `pingzhan report cadres` would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from pingzhan.domain.accounts import AddAccount, token_hash
from pingzhan.domain.commands import Command
from pingzhan.domain.errors import DomainError
from pingzhan.domain.org import Org
from pingzhan.domain.stamp import Stamp
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.duty import on_duty
from pingzhan.projections.episodes import real_episodes
from pingzhan.projections.facts import Facts, Period
from pingzhan.projections.grading import cadre_assessment
from pingzhan.services.org.data import load_org

START = "2022-07-15T20:00:00+08:00"
# the assessment's fact tables whose rows are (position, cadre, day, ...), and the Facts field of each
FACT_TABLES = {
    "fact_service": "service",
    "fact_visit": "visits",
    "fact_verification": "verifications",
    "fact_rating": "ratings",
    "fact_inspection": "inspections",
    "fact_work": "work",
}
Expected = type | tuple[type, dict[str, Any]]


class Domain:
    """Commands against an in-memory workspace; also the workspace the commands see."""

    def __init__(self, org: Org, start: str = START):
        self.org = org
        self.aggregates: dict[UUID, Aggregate] = {}
        self.events: list[Any] = []  # every accepted event so far, in stored order
        self._touched: dict[UUID, Aggregate] = {}
        self._sent = 0
        self._next_at = datetime.fromisoformat(start)
        self._folded: tuple[int, Assessment, AuditTrail] | None = None

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        aggregate = self.aggregates.get(aggregate_id)
        if aggregate is not None:
            self._touched[aggregate_id] = aggregate
        return aggregate

    def add(self, aggregate: Aggregate) -> None:
        self.aggregates[aggregate.id] = aggregate
        self._touched[aggregate.id] = aggregate

    def operators(self, *names: str) -> Domain:
        """Register these names as operators, as `pingzhan token add NAME --role operator` does
        (its own message ids; the field times of the commands that follow do not move)."""
        for name in names:
            stamp = Stamp(f"token-add-{name}", "token-admin", self._next_at.isoformat())
            self._run(AddAccount(name, "operator", token_hash(f"pz_token-of-{name}")), stamp)
        return self

    def given(self, *commands: Command, actor: str = "op") -> Domain:
        """What happened before: commands that must each be accepted."""
        for command in commands:
            self.when(command, actor=actor)
        return self

    def when(
        self, command: Command, actor: str = "op", at: str | None = None, message_id: str | None = None
    ) -> list[Any]:
        """Run one command and return its new events; a rejection raises its DomainError."""
        return self._run(command, self._stamp(actor, at, message_id))

    def _run(self, command: Any, stamp: Stamp) -> list[Any]:
        before = len(self.aggregates)  # aggregates are only ever added, in order
        self._touched = {}
        try:
            command.run(self, self.org, stamp)
        except DomainError:
            left = [type(a).__name__ for a in self.aggregates.values() if a.pending_events]
            added = list(self.aggregates)[before:]
            assert not left and not added, f"the rejected {command} left {left} {added} behind"
            raise
        new = [e for a in self._touched.values() for e in a.collect_events()]
        self.events += new
        return new

    def rejects(self, command: Command, actor: str = "op", at: str | None = None) -> DomainError:
        """The DomainError the command is rejected with; fails the test when it is accepted."""
        with pytest.raises(DomainError) as rejected:
            self.when(command, actor, at)
        return rejected.value

    def then(self, events: Sequence[Any], *expected: Expected) -> None:
        """The events are exactly the expected ones, in order: each an event class, or an event
        class with the fields that matter."""
        wanted = [(x, {}) if isinstance(x, type) else x for x in expected]
        assert [type(e).__qualname__ for e in events] == [cls.__qualname__ for cls, _ in wanted]
        for event, (cls, fields) in zip(events, wanted, strict=True):
            assert type(event) is cls
            assert {name: getattr(event, name) for name in fields} == fields

    def then_rejected(
        self, error: DomainError, expected: type[DomainError], reason: str | None = None
    ) -> None:
        """The rejection is exactly this DomainError class (and code), with this reason if given."""
        assert (type(error), error.code) == (expected, expected.code)
        if reason is not None:
            assert str(error) == reason

    def cadre_rows(self, p: Period) -> dict[str, dict[str, Any]]:
        """The cadre rows of period ``p`` from the events so far, as `pingzhan report cadres` makes
        them from the read models (the facts dated within the period, the real episodes)."""
        if self._folded is None or self._folded[0] != len(self.events):  # once per new events
            self._folded = (
                len(self.events),
                Assessment().fold(self.events),
                AuditTrail(self.org).fold(self.events),
            )
        _, model, trail = self._folded
        lo, hi = p.start.isoformat(), p.end.isoformat()
        facts = Facts(cadres={k[0]: v for k, v in model.rows["cadre_info"].items()})
        for table, name in FACT_TABLES.items():
            setattr(facts, name, [r[1:] for r in model.appended[table] if lo <= r[2] <= hi])
        facts.shifts = [
            (r[2], r[5], r[1]) for r in model.appended["fact_shift"] if r[4] == "start" and lo <= r[5] <= hi
        ]
        facts.tasks = [tuple(v) for v in model.rows["fact_task"].values() if lo <= v[1] <= hi]  # type: ignore[misc]
        facts.episodes = real_episodes(
            (v[0], v[3], v[5], v[8], v[9]) for v in trail.rows["episodes"].values()
        )
        return {r["cadre_id"]: r for r in cadre_assessment(facts, self.org, p)}

    def duty_at(self, moment: str, grid: str | None = None) -> list[tuple[str, str, str]]:
        """(duty, post, cadre) of who was on duty at ``moment``, as `pingzhan duty --at` gives them."""
        model = Assessment().fold(self.events)
        shifts = [(r[1], r[2], r[3], r[4], r[6], r[7]) for r in model.appended["fact_shift"]]
        tasks = [(*k, *v) for k, v in model.rows["duty_task"].items()]
        roles = {k[0]: v[2] for k, v in model.rows["team_info"].items()}
        rows = on_duty(shifts, tasks, datetime.fromisoformat(moment), grid, roles)  # type: ignore[arg-type]
        return [(r["duty"], r["post"], r["cadre"]) for r in rows]

    def _stamp(self, actor: str, at: str | None, message_id: str | None) -> Stamp:
        occurred_at = at if at is not None else self._next_at.isoformat()
        self._next_at = datetime.fromisoformat(occurred_at) + timedelta(minutes=1)
        self._sent += 1
        return Stamp(message_id or f"m{self._sent - 1}", actor, occurred_at)


@pytest.fixture(scope="session")
def org() -> Org:
    """The shipped organisation (Baota district)."""
    return load_org()


@pytest.fixture(scope="session")
def workspace(org: Org) -> Callable[[], Domain]:
    """Makes empty workspaces, for fixtures that outlive one test (a whole simulated year)."""
    return lambda: Domain(org)


@pytest.fixture
def domain(org: Org) -> Domain:
    """An empty in-memory workspace on the shipped organisation."""
    return Domain(org)
