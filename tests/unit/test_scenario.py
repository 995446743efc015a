"""The demo scenario tells the 一建巷 story as the seed does, and the domain takes it (no IO)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pingzhan.domain.errors import CadreNotDispatchedError, DomainError
from pingzhan.services.org.data import load_org, read_org_file
from pingzhan.services.traffic.district import OPERATORS, WANGJIAPING
from pingzhan.services.traffic.scenario import scenario

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

DATA = read_org_file()
ACT1, ACT2 = scenario(DATA, load_org())


def story() -> list[Any]:
    """The messages about the 一建巷 hazard or its problem, in the order they are sent."""
    return [
        m
        for m in ACT1 + ACT2
        if {"HZ-YJX-1", "PB-YJX-1"} & {getattr(m, "hazard_id", None), getattr(m, "problem_id", None)}
    ]


def test_the_domain_takes_the_scenario_but_the_staffing_from_another_grid(domain: Domain) -> None:
    domain.operators(*OPERATORS)
    rejected = []

    for m in ACT1 + ACT2:
        try:
            domain.when(m.command(), actor=m.actor, at=m.occurred_at.isoformat(), message_id=m.id)
        except DomainError as e:
            rejected.append((m.kind, type(e)))  # type: ignore[attr-defined]

    assert rejected == [("checkpoint.staffed", CadreNotDispatchedError)]


def test_the_courts_cadres_find_the_channel_on_a_patrol_and_the_city_office_fixes_it() -> None:
    cadre = {c["id"]: c for c in DATA["cadres"]}
    community = {g["id"]: g["community"] for g in DATA["grids"]}
    found, raised, escalated, acknowledged, reported_back, fixed, resolved = story()

    assert [m.kind for m in story()] == [
        "hazard.reported",
        "problem.reported",
        "problem.escalated",
        "problem.acknowledged",
        "problem.reported_back",
        "problem.resolved",
        "hazard.resolved",
    ]
    assert acknowledged.office == reported_back.office == escalated.office
    assert escalated.occurred_at < acknowledged.occurred_at < reported_back.occurred_at < fixed.occurred_at
    assert cadre[found.actor.upper()]["unit"] == "FY"  # 区法院
    assert community[cadre[found.actor.upper()]["grid"]] == WANGJIAPING == community[found.grid_id]
    assert "例行走访巡查" in found.location and "裂缝" in raised.what
    assert raised.hazard_id == found.hazard_id and resolved.problem_id == raised.problem_id
    assert escalated.office.startswith("市内涝办")
    assert found.occurred_at < raised.occurred_at < escalated.occurred_at < fixed.occurred_at
    assert fixed.occurred_at < resolved.occurred_at
    assert acknowledged in ACT1 and fixed in ACT2  # with the office, while the street is in wartime


def test_duty_at_the_readme_moment_of_the_rainstorm_night_shows_the_checkpoints(domain: Domain) -> None:
    domain.operators(*OPERATORS)
    for m in ACT1 + ACT2:
        try:
            domain.when(m.command(), actor=m.actor, at=m.occurred_at.isoformat(), message_id=m.id)
        except DomainError:
            pass  # the staffing from another grid

    night = domain.duty_at("2022-07-15T23:00:00+08:00")

    assert [d for d, _, _ in night] == ["checkpoint", "checkpoint"]
    assert domain.duty_at("2022-07-15T14:00:00+08:00") == []  # before the storm: why README asks 23:00
