"""Time moves forward within a scope: mode commands dated before the scope's current state began
are rejected (code ``time_order``); field reports are not ordered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.scope_mode import ScopeMode

if TYPE_CHECKING:
    from tests.unit.conftest import Domain


@pytest.fixture(autouse=True)
def operators(domain: Domain) -> None:
    """The operators these tests switch as, registered as `pingzhan token add` registers them."""
    domain.operators("op", "op-a", "op-b")


STREET, DISTRICT = "street:BT-QG", "district:BT"
GRID = "BT-QG-01-01"


@pytest.mark.parametrize(
    ("proposed_at", "confirmed_at"),
    [
        ("2026-03-04T10:00:00+08:00", "2026-03-04T09:50:00+08:00"),  # ten minutes before
        ("2099-01-01T00:00:00+08:00", "2026-01-01T00:00:00+08:00"),  # 73 years before
    ],
)
def test_a_confirmation_dated_before_its_proposal_is_rejected(
    domain: Domain, proposed_at: str, confirmed_at: str
) -> None:
    proposal = c.SwitchToWartime(DISTRICT, "I", "epidemic")
    domain.when(proposal, actor="op-a", at=proposed_at, message_id="p")

    error = domain.rejects(c.ConfirmSwitch(DISTRICT, "p"), actor="op-b", at=confirmed_at)

    domain.then_rejected(
        error,
        errors.TimeOrderError,
        f"the confirmation at {confirmed_at} is dated before its proposal at {proposed_at}",
    )


def test_a_stand_down_dated_before_its_episode_started_is_rejected(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2026-07-15T20:00:00+08:00")

    error = domain.rejects(c.SwitchToPeacetime(STREET, "over"), at="2022-07-15T20:00:00+08:00")

    domain.then_rejected(
        error,
        errors.TimeOrderError,
        f"the stand-down at 2022-07-15T20:00:00+08:00 is dated before {STREET}'s current state "
        f"(episode {STREET}#1 at level II) began at 2026-07-15T20:00:00+08:00",
    )


def test_a_level_change_dated_before_the_current_level_began_is_rejected(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "III", "rain"), at="2022-07-15T20:00:00+08:00")
    domain.when(c.ChangeLevel(STREET, "II", "worse"), at="2022-07-15T22:00:00+08:00")

    error = domain.rejects(c.ChangeLevel(STREET, "IV", "better"), at="2022-07-15T21:00:00+08:00")

    assert (type(error), error.code) == (errors.TimeOrderError, "time_order")


def test_a_switch_dated_before_the_last_stand_down_is_rejected(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00")
    domain.when(c.SwitchToPeacetime(STREET, "over"), at="2022-07-16T08:00:00+08:00")

    error = domain.rejects(c.SwitchToWartime(STREET, "II", "again"), at="2022-07-16T07:00:00+08:00")

    assert error.code == "time_order"


def test_times_are_compared_as_instants_not_as_strings(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00")  # 12:00 UTC

    events = domain.when(c.SwitchToPeacetime(STREET, "over"), at="2022-07-15T12:30:00+00:00")

    domain.then(events, ScopeMode.SwitchedToPeacetime)


def test_a_mode_command_at_the_very_instant_the_state_began_is_accepted(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00")

    events = domain.when(c.ChangeLevel(STREET, "III", "calmer"), at="2022-07-15T20:00:00+08:00")

    domain.then(events, ScopeMode.LevelChanged)


def test_a_late_field_report_from_before_the_switch_is_still_accepted(domain: Domain) -> None:
    domain.given(c.RegisterCadre("CD1", "张三", "RSJ"), c.DispatchCadre("CD1", GRID))
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00")

    events = domain.when(
        c.ReportHazard("H1", GRID, "waterlogging", "路口", "high"), at="2022-07-15T08:00:00+08:00"
    )

    assert [type(e).__qualname__ for e in events] == ["Hazard.Reported"]


def test_a_stand_down_dated_before_the_pending_proposal_is_rejected(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T12:00:00+08:00")
    domain.when(c.ChangeLevel(STREET, "I", "worse"), at="2022-07-15T12:20:00+08:00", message_id="p1")

    error = domain.rejects(c.SwitchToPeacetime(STREET, "over"), at="2022-07-15T12:15:00+08:00")

    domain.then_rejected(
        error,
        errors.TimeOrderError,
        f"the stand-down at 2022-07-15T12:15:00+08:00 is dated before the proposal p1 pending on {STREET}, "
        "made at 2022-07-15T12:20:00+08:00",
    )
