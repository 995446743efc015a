"""The simulated year tells the whistle-and-report loop (吹哨报到), at a small scale too: the 一建巷
problem goes to 市内涝办, is acknowledged, reported back on and confirmed; problems are forwarded,
acknowledged late, reopened, left open past their deadline; residents' opinions are raised as
problems. Every message is accepted by the domain, and the counts per kind are what was sent."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pingzhan.projections import loop_report
from pingzhan.projections.deadlines import Deadlines
from pingzhan.projections.deadlines import overdue as is_overdue
from pingzhan.projections.facts import period
from pingzhan.projections.problems import Problems
from pingzhan.services.org.data import read_org_file
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.traffic.simulator import Simulator
from pingzhan.services.traffic.year_plan import Plan
from pingzhan.services.wire import MESSAGE, Envelope

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

TZ = ZoneInfo("Asia/Shanghai")
CITY = "市内涝办 (city waterlogging office)"
AFTER_THE_YEAR = datetime.fromisoformat("2023-01-31T00:00:00+08:00")


@cache
def small_year() -> tuple[Plan, tuple[Envelope, ...]]:
    sim = Simulator(read_org_file(), seed=7, scale=0.02)
    messages = list(sim.messages())
    invalid = set(sim.plan.invalid_ids)
    return sim.plan, tuple(MESSAGE.validate_json(body) for i, _, body in messages if i not in invalid)


def folded(domain: Domain) -> Problems:
    """The year's problems and opinions as the read model has them, every message accepted."""
    domain.operators(*OPERATORS)
    for m in small_year()[1]:
        domain.when(m.command(), actor=m.actor, at=m.occurred_at.isoformat(), message_id=m.id)
    return Problems(TZ).fold(domain.events)  # type: ignore[return-value]


def steps_of(model: Problems) -> list[Any]:
    return [r[1:] for r in model.appended["problem_step"]]


def test_the_yijianxiang_problem_goes_round_the_loop_with_the_city_office(domain: Domain) -> None:
    loops = loop_report.loops(steps_of(folded(domain)))

    (stage,) = loops["PB-YJX-1"].stages
    assert (stage.office, stage.via, stage.ended, stage.confirmed) == (
        CITY,
        "escalated",
        "reported_back",
        True,
    )
    assert stage.received_at < stage.acknowledged_at < stage.reported_back_at  # type: ignore[operator]
    assert not stage.late(Deadlines()) and loops["PB-YJX-1"].resolved


def test_the_year_forwards_reopens_is_late_and_leaves_problems_overdue(domain: Domain) -> None:
    loops = loop_report.loops(steps_of(folded(domain))).values()
    stages = [s for loop in loops for s in loop.stages]

    assert any(s.via == "forwarded" and s.acknowledged_at for s in stages)
    assert any(s.via == "reopened" for s in stages) and any(s.reopened for s in stages)
    assert any(s.late(Deadlines()) for s in stages)
    overdue = [s for s in stages if is_overdue(s.due(Deadlines()), AFTER_THE_YEAR)]
    assert overdue and all(not loop.resolved for loop in loops if loop.current in overdue)
    assert sum(loop.resolved for loop in loops) > len(overdue)  # most are closed


def test_the_problems_report_of_the_year_adds_up(domain: Domain) -> None:
    steps = steps_of(folded(domain))

    rows = loop_report.by_office(steps, Deadlines(), AFTER_THE_YEAR, period("2022"), TZ)

    escalated = sum(1 for s in steps if s[2] == "escalated")
    forwarded = sum(1 for s in steps if s[2] == "forwarded")
    reopened = sum(1 for s in steps if s[2] == "reopened")
    assert sum(r["received"] for r in rows) == escalated + forwarded + reopened
    assert sum(r["acknowledged"] for r in rows) == sum(1 for s in steps if s[2] == "acknowledged")
    assert sum(r["forwarded"] for r in rows) == forwarded and sum(r["reopened"] for r in rows) == reopened
    assert sum(r["overdue"] for r in rows) >= 1 and sum(r["late"] for r in rows) >= 1
    assert CITY in {r["office"] for r in rows}


def test_residents_opinions_are_routed_as_problems(domain: Domain) -> None:
    model = folded(domain)
    opinions = [r[1:] for r in model.appended["opinion_log"]]

    rows = loop_report.by_grid_and_category(
        opinions, steps_of(model), Deadlines(), AFTER_THE_YEAR, domain.org
    )

    routed = sum(r["routed"] for r in rows)
    assert routed >= 1 and routed == sum(1 for o in opinions if o[0])  # every opinion with an id
    assert sum(r["collected"] for r in rows) == len(opinions) > routed
    assert all(r["resolved"] + r["open"] == r["routed"] for r in rows)


def test_the_loops_messages_are_counted_as_sent() -> None:
    plan, messages = small_year()

    sent = Counter(m.kind for m in messages)  # type: ignore[attr-defined]

    for kind in ("problem.acknowledged", "problem.forwarded", "problem.reported_back", "problem.reopened"):
        assert plan.counts[kind] == sent[kind] > 0
