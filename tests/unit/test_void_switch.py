"""A mistaken switch can be voided: proposed by one operator, confirmed by a second within the
confirmation window. A void episode stays in the audit trail, marked void, and never counts as
real wartime."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import AuditTrail, episode_list
from pingzhan.projections.episodes import real_episodes
from pingzhan.projections.facts import Facts, period
from pingzhan.projections.grading import cadre_assessment
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view

if TYPE_CHECKING:
    from tests.unit.conftest import Domain


@pytest.fixture(autouse=True)
def operators(domain: Domain) -> None:
    """The operators these tests switch as, registered as `pingzhan token add` registers them."""
    domain.operators("op", "op-a", "op-b")


STREET = "street:BT-QG"
EPISODE = f"{STREET}#1"
WEDNESDAY = "2022-03-09"


def mistaken_switch(domain: Domain) -> None:
    """A one-minute street switch on a Wednesday morning, stood down, then proposed void."""
    domain.when(c.SwitchToWartime(STREET, "II", "wrong street"), at=f"{WEDNESDAY}T09:00:00+08:00")
    domain.when(c.SwitchToPeacetime(STREET, "oops"), at=f"{WEDNESDAY}T09:01:00+08:00")
    domain.when(c.VoidSwitch(STREET, EPISODE, "switched the wrong street"), actor="op-a", message_id="v1")


def test_a_void_is_proposed_first_and_changes_nothing_else(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "wrong street"))

    events = domain.when(c.VoidSwitch(STREET, EPISODE, "mistake"), actor="op-a", message_id="v1")

    domain.then(events, (ScopeMode.VoidProposed, {"episode": EPISODE, "reason": "mistake"}))


def test_a_second_operator_confirms_the_void_of_an_open_episode_which_returns_to_peacetime(
    domain: Domain,
) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "wrong street"))
    domain.when(c.VoidSwitch(STREET, EPISODE, "mistake"), actor="op-a", message_id="v1")

    events = domain.when(c.ConfirmSwitch(STREET, "v1"), actor="op-b")

    domain.then(
        events,
        (
            ScopeMode.EpisodeVoided,
            {"episode": EPISODE, "proposed_by": "op-a", "confirmed_by": "op-b", "closed": True},
        ),
    )
    assert roster_view(domain.org, Roster().fold(domain.events).rows)["wartime_scopes"] == []


def test_the_proposer_cannot_confirm_the_void(domain: Domain) -> None:
    mistaken_switch(domain)

    error = domain.rejects(c.ConfirmSwitch(STREET, "v1"), actor="op-a")

    domain.then_rejected(
        error,
        errors.ConfirmationError,
        "a void needs a second operator: op-a proposed it and cannot confirm it",
    )


def test_a_void_not_confirmed_within_the_window_lapses(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "wrong street"), at="2022-03-09T09:59:00+08:00")
    domain.when(
        c.VoidSwitch(STREET, EPISODE, "mistake"),
        actor="op-a",
        at="2022-03-09T10:00:00+08:00",
        message_id="v1",
    )

    error = domain.rejects(c.ConfirmSwitch(STREET, "v1"), actor="op-b", at="2022-03-09T10:31:00+08:00")

    assert error.code == "confirmation"


def test_only_an_episode_of_the_scope_that_was_not_voided_before_can_be_voided(domain: Domain) -> None:
    mistaken_switch(domain)
    domain.when(c.ConfirmSwitch(STREET, "v1"), actor="op-b")

    unknown = domain.rejects(c.VoidSwitch(STREET, f"{STREET}#2", "x"))
    again = domain.rejects(c.VoidSwitch(STREET, EPISODE, "x"))
    other = domain.rejects(c.VoidSwitch(STREET, "street:BT-NS#1", "x"))

    domain.then_rejected(unknown, errors.ModeError, f"{STREET} has no episode '{STREET}#2'")
    domain.then_rejected(again, errors.ModeError, f"episode {EPISODE} is already void")
    domain.then_rejected(other, errors.ModeError, f"{STREET} has no episode 'street:BT-NS#1'")


def test_a_void_dated_before_the_scopes_current_state_began_is_rejected(domain: Domain) -> None:
    mistaken_switch(domain)

    error = domain.rejects(c.VoidSwitch(STREET, EPISODE, "x"), at=f"{WEDNESDAY}T08:00:00+08:00")

    assert error.code == "time_order"


def test_a_void_episode_stays_in_the_audit_trail_marked_void(domain: Domain) -> None:
    mistaken_switch(domain)
    domain.when(c.ConfirmSwitch(STREET, "v1"), actor="op-b")

    model = AuditTrail(domain.org).fold(domain.events)

    (episode,) = episode_list(model.rows["episodes"])
    assert (episode["episode"], episode["void"], episode["void_reason"]) == (
        EPISODE,
        True,
        "switched the wrong street",
    )
    assert episode["ended_at"] == f"{WEDNESDAY}T09:01:00+08:00"  # the stand-down's, kept
    summaries = [r[7] for r in model.appended["audit"]]
    assert any(
        s.startswith(f"episode {EPISODE} VOID (proposed by op-a, confirmed by op-b)") for s in summaries
    )


def test_a_voided_mistaken_switch_leaves_every_cadre_of_the_street_that_wednesday_expected(
    domain: Domain,
) -> None:
    grids = domain.org.grids_under(STREET)[:3]
    for n, grid in enumerate(grids):
        domain.given(c.RegisterCadre(f"C{n}", "某", "RSJ"), c.DispatchCadre(f"C{n}", grid))
    mistaken_switch(domain)
    domain.when(c.ConfirmSwitch(STREET, "v1"), actor="op-b")
    audit = AuditTrail(domain.org).fold(domain.events)
    assessment = Assessment().fold(domain.events)
    episodes = [(v[0], v[3], v[5], v[8], v[9]) for v in audit.rows["episodes"].values()]
    facts = Facts(
        cadres={k[0]: v for k, v in assessment.rows["cadre_info"].items()},
        episodes=real_episodes(episodes),
    )

    rows = cadre_assessment(facts, domain.org, period("2022-03"))

    assert [r["expected_service_days"] for r in rows] == [5, 5, 5]  # March 2, 9, 16, 23, 30
    not_voided = Facts(cadres=facts.cadres, episodes=real_episodes([(*e[:4], None) for e in episodes]))
    assert [
        r["expected_service_days"] for r in cadre_assessment(not_voided, domain.org, period("2022-03"))
    ] == [
        4,
        4,
        4,
    ]


def test_a_pending_void_shows_in_the_roster_as_a_proposal(domain: Domain) -> None:
    mistaken_switch(domain)

    (pending,) = roster_view(domain.org, Roster().fold(domain.events).rows)["pending_proposals"]

    assert (pending["proposal"], pending["voids"], pending["level"]) == ("v1", EPISODE, None)
