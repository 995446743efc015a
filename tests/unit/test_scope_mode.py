"""Peacetime and wartime of a scope, episodes, levels and level-I confirmation; no IO."""

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
AT = "2022-07-15T21:00:00+08:00"


def test_the_first_switch_of_a_scope_tracks_it_and_opens_episode_one(domain: Domain) -> None:
    events = domain.when(c.SwitchToWartime(STREET, "II", "rain"))

    domain.then(
        events,
        (ScopeMode.Tracked, {"scope": STREET}),
        (
            ScopeMode.SwitchedToWartime,
            {
                "scope": STREET,
                "level": "II",
                "episode": f"{STREET}#1",
                "exercise": False,
                "confirmed_by": None,
            },
        ),
    )


def test_switching_to_wartime_again_opens_the_next_episode(domain: Domain) -> None:
    domain.given(c.SwitchToWartime(STREET, "II", "rain"), c.SwitchToPeacetime(STREET, "over"))

    events = domain.when(c.SwitchToWartime(STREET, "III", "again"))

    domain.then(events, (ScopeMode.SwitchedToWartime, {"episode": f"{STREET}#2", "level": "III"}))


def test_switching_a_scope_already_in_wartime_to_wartime_is_rejected(domain: Domain) -> None:
    domain.given(c.SwitchToWartime(STREET, "II", "rain"))

    error = domain.rejects(c.SwitchToWartime(STREET, "III", "more rain"))

    domain.then_rejected(
        error, errors.ModeError, f"{STREET} is already in wartime (level II, episode {STREET}#1)"
    )


def test_the_stand_down_closes_the_episode(domain: Domain) -> None:
    domain.given(c.SwitchToWartime(STREET, "II", "rain"))

    events = domain.when(c.SwitchToPeacetime(STREET, "over"))

    domain.then(events, (ScopeMode.SwitchedToPeacetime, {"episode": f"{STREET}#1", "reason": "over"}))


@pytest.mark.parametrize(
    "given", [(), (c.SwitchToWartime(STREET, "II", "x"), c.SwitchToPeacetime(STREET, "y"))]
)
def test_switching_to_peacetime_in_peacetime_is_rejected(
    domain: Domain, given: tuple[c.Command, ...]
) -> None:
    domain.given(*given)

    error = domain.rejects(c.SwitchToPeacetime(STREET, "nothing on"))

    domain.then_rejected(error, errors.ModeError, f"{STREET} is already in peacetime")


@pytest.mark.parametrize("level", ["V", "0", "", "ii"])
def test_a_level_outside_one_to_four_is_rejected(domain: Domain, level: str) -> None:
    error = domain.rejects(c.SwitchToWartime(DISTRICT, level, "x"))

    domain.then_rejected(error, errors.LevelError, f"level {level!r} is outside I-IV")


@pytest.mark.parametrize("scope", ["street:NOPE", "planet:X", "BT"])
def test_a_switch_of_an_unknown_scope_is_rejected(domain: Domain, scope: str) -> None:
    error = domain.rejects(c.SwitchToWartime(scope, "II", "x"))

    domain.then_rejected(error, errors.UnknownScopeError)


def test_a_scope_in_wartime_can_be_escalated_and_de_escalated(domain: Domain) -> None:
    domain.given(c.SwitchToWartime(STREET, "III", "rain"))

    up = domain.when(c.ChangeLevel(STREET, "II", "worse"))
    down = domain.when(c.ChangeLevel(STREET, "IV", "easing"))

    domain.then(
        up + down,
        (ScopeMode.LevelChanged, {"previous": "III", "level": "II", "episode": f"{STREET}#1"}),
        (ScopeMode.LevelChanged, {"previous": "II", "level": "IV", "episode": f"{STREET}#1"}),
    )


def test_changing_to_the_current_level_is_rejected(domain: Domain) -> None:
    domain.given(c.SwitchToWartime(STREET, "III", "rain"))

    error = domain.rejects(c.ChangeLevel(STREET, "III", "same"))

    domain.then_rejected(error, errors.ModeError, f"{STREET} is already at level III")


@pytest.mark.parametrize(
    "given", [(), (c.SwitchToWartime(STREET, "II", "x"), c.SwitchToPeacetime(STREET, "y"))]
)
def test_changing_the_level_in_peacetime_is_rejected(domain: Domain, given: tuple[c.Command, ...]) -> None:
    domain.given(*given)

    error = domain.rejects(c.ChangeLevel(STREET, "II", "x"))

    domain.then_rejected(error, errors.ModeError, f"{STREET} is in peacetime; switch it to wartime first")


def test_a_rejected_first_switch_leaves_no_scope_mode_behind(domain: Domain) -> None:
    domain.rejects(c.ChangeLevel(STREET, "II", "x"))

    events = domain.when(c.SwitchToWartime(STREET, "II", "rain"))

    domain.then(events, ScopeMode.Tracked, (ScopeMode.SwitchedToWartime, {"episode": f"{STREET}#1"}))


def test_a_level_one_switch_is_only_a_proposal_until_a_second_operator_confirms_it(domain: Domain) -> None:
    proposed = domain.when(c.SwitchToWartime(DISTRICT, "I", "epidemic"), actor="op-a", at=AT, message_id="p")
    confirmed = domain.when(c.ConfirmSwitch(DISTRICT, "p"), actor="op-b", at="2022-07-15T21:10:00+08:00")

    domain.then(
        proposed,
        ScopeMode.Tracked,
        (
            ScopeMode.SwitchProposed,
            {"level": "I", "actor": "op-a", "expires_at": "2022-07-15T21:30:00+08:00"},
        ),
    )
    domain.then(
        confirmed,
        (
            ScopeMode.SwitchedToWartime,
            {"level": "I", "confirmed_by": "op-b", "actor": "op-b", "reason": "epidemic"},
        ),
    )


def test_the_proposer_cannot_confirm_their_own_level_one_switch(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(DISTRICT, "I", "epidemic"), actor="op-a", message_id="p")

    error = domain.rejects(c.ConfirmSwitch(DISTRICT, "p"), actor="op-a")

    domain.then_rejected(
        error,
        errors.ConfirmationError,
        "a level-I switch needs a second operator: op-a proposed it and cannot confirm it",
    )


def test_an_unconfirmed_proposal_expires(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(DISTRICT, "I", "epidemic"), actor="op-a", at=AT, message_id="p")

    error = domain.rejects(c.ConfirmSwitch(DISTRICT, "p"), actor="op-b", at="2022-07-15T21:31:00+08:00")

    domain.then_rejected(error, errors.ConfirmationError, "proposal p expired at 2022-07-15T21:30:00+08:00")


@pytest.mark.parametrize("given", [(), (c.SwitchToWartime(DISTRICT, "I", "epidemic"),)])
def test_confirming_a_proposal_that_is_not_pending_is_rejected(
    domain: Domain, given: tuple[c.Command, ...]
) -> None:
    domain.given(*given)

    error = domain.rejects(c.ConfirmSwitch(DISTRICT, "nope"), actor="op-b")

    domain.then_rejected(error, errors.ConfirmationError, f"{DISTRICT} has no pending proposal 'nope'")


def test_escalating_to_level_one_also_needs_confirmation(domain: Domain) -> None:
    domain.given(c.SwitchToWartime(STREET, "II", "rain"))
    proposed = domain.when(c.ChangeLevel(STREET, "I", "dam at risk"), actor="op-a", message_id="p")

    confirmed = domain.when(c.ConfirmSwitch(STREET, "p"), actor="op-b")

    domain.then(proposed, (ScopeMode.SwitchProposed, {"level": "I"}))
    domain.then(confirmed, (ScopeMode.LevelChanged, {"previous": "II", "level": "I", "confirmed_by": "op-b"}))


def test_a_drill_is_an_episode_flagged_as_an_exercise(domain: Domain) -> None:
    scope = "community:BT-QG-01"

    events = domain.when(c.SwitchToWartime(scope, "III", "flood drill", exercise=True))
    error = domain.rejects(c.SwitchToWartime(scope, "II", "real flood"))

    domain.then(events, ScopeMode.Tracked, (ScopeMode.SwitchedToWartime, {"exercise": True}))
    domain.then_rejected(
        error, errors.ModeError, f"{scope} is already in an exercise (level III, episode {scope}#1)"
    )
