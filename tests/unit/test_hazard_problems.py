"""A hazard raised as a problem, escalated to an office and resolved by way of it (the 一建巷 story:
the blocked flood channel found on a patrol, taken to 市内涝办, fixed); given/when/then with no IO,
and how the roster and the audit trail tell it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson
from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.problem import Problem
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view
from pingzhan.services.read.projector import recorded

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID, OTHER_GRID = "BT-BS-01-01", "BT-BS-01-02"
HAZARD = c.ReportHazard("HZ-YJX-1", GRID, "blocked_channel", "一建巷排洪渠", "high")
RAISED = c.ReportProblem("PB-YJX-1", GRID, "排洪渠堵塞, 路面裂缝", "一建巷", "HZ-YJX-1")
OFFICE = "市内涝办 (city waterlogging office)"
ESCALATED = c.EscalateProblem("PB-YJX-1", OFFICE)
FIXED = c.ResolveProblem("PB-YJX-1", "channel cleared, road repaired")
BY_WAY_OF = c.ResolveHazard("HZ-YJX-1", "hazard removed", "PB-YJX-1")


def test_a_problem_that_takes_over_a_hazard_links_both(domain: Domain) -> None:
    domain.given(HAZARD)

    events = domain.when(RAISED)

    domain.then(
        events,
        (Hazard.RaisedAsProblem, {"hazard_id": "HZ-YJX-1", "problem_id": "PB-YJX-1"}),
        (Problem.Reported, {"problem_id": "PB-YJX-1", "hazard_id": "HZ-YJX-1", "grid_id": GRID}),
    )


def test_a_hazard_is_raised_as_one_problem_of_its_own_grid_while_open(domain: Domain) -> None:
    domain.given(HAZARD, c.ReportHazard("H2", GRID, "waterlogging", "路口", "low"))
    domain.given(c.ResolveHazard("H2", "drained"), RAISED)

    twice = domain.rejects(c.ReportProblem("P2", GRID, "again", "一建巷", "HZ-YJX-1"))
    closed = domain.rejects(c.ReportProblem("P4", GRID, "late", "路口", "H2"))
    unknown = domain.rejects(c.ReportProblem("P5", GRID, "what", "where", "NOPE"))

    domain.then_rejected(twice, errors.ProblemError, "hazard HZ-YJX-1 is already raised as problem PB-YJX-1")
    domain.then_rejected(closed, errors.HazardResolvedError, "hazard H2 is already resolved")
    domain.then_rejected(unknown, errors.UnknownHazardError, "unknown hazard 'NOPE'")


def test_a_problem_names_a_hazard_of_its_own_grid(domain: Domain) -> None:
    domain.given(HAZARD)

    elsewhere = domain.rejects(c.ReportProblem("P3", OTHER_GRID, "far", "王家坪", "HZ-YJX-1"))

    domain.then_rejected(
        elsewhere, errors.ProblemError, f"hazard HZ-YJX-1 is in grid {GRID}, not in grid {OTHER_GRID}"
    )


def test_a_raised_hazard_is_resolved_only_by_way_of_its_problem_once_that_is_resolved(
    domain: Domain,
) -> None:
    domain.given(HAZARD, RAISED, ESCALATED)

    alone = domain.rejects(c.ResolveHazard("HZ-YJX-1", "looks fine"))
    too_early = domain.rejects(BY_WAY_OF)
    domain.when(FIXED)
    resolved = domain.when(BY_WAY_OF)

    domain.then_rejected(
        alone,
        errors.ProblemError,
        "hazard HZ-YJX-1 was raised as problem PB-YJX-1: it is resolved by way of that problem "
        "(problem_id PB-YJX-1)",
    )
    domain.then_rejected(
        too_early,
        errors.ProblemError,
        "problem PB-YJX-1 is not resolved yet: hazard HZ-YJX-1 is resolved after it",
    )
    domain.then(resolved, (Hazard.Resolved, {"problem_id": "PB-YJX-1", "resolution": "hazard removed"}))


def test_a_hazard_is_not_resolved_by_way_of_a_problem_it_was_not_raised_as(domain: Domain) -> None:
    domain.given(HAZARD, c.ReportProblem("P9", GRID, "lights", "巷口"), c.ResolveProblem("P9", "fixed"))

    error = domain.rejects(c.ResolveHazard("HZ-YJX-1", "done", "P9"))
    plain = domain.when(c.ResolveHazard("HZ-YJX-1", "done"))

    domain.then_rejected(error, errors.ProblemError, "hazard HZ-YJX-1 was not raised as problem P9")
    domain.then(plain, (Hazard.Resolved, {"problem_id": None}))


def test_the_roster_shows_the_hazard_with_its_problem_and_the_office(domain: Domain) -> None:
    domain.given(HAZARD, RAISED, ESCALATED)

    grid = next(
        g for g in roster_view(domain.org, Roster().fold(domain.events).rows)["grids"] if g["grid"] == GRID
    )

    assert [(h["hazard"], h["problem"]) for h in grid["open_hazards"]] == [("HZ-YJX-1", "PB-YJX-1")]
    assert [(p["problem"], p["hazard"], p["escalated_to"]) for p in grid["open_problems"]] == [
        ("PB-YJX-1", "HZ-YJX-1", OFFICE)
    ]


def test_the_audit_trail_tells_the_story_in_order(domain: Domain) -> None:
    domain.given(HAZARD, RAISED, ESCALATED, FIXED, BY_WAY_OF)

    trail = [row[7] for row in AuditTrail(domain.org).fold(domain.events).appended["audit"]]

    assert trail == [
        "high blocked_channel hazard HZ-YJX-1 reported at 一建巷排洪渠",
        "hazard HZ-YJX-1 raised as problem PB-YJX-1",
        "problem PB-YJX-1 reported at 一建巷 (taking over hazard HZ-YJX-1): 排洪渠堵塞, 路面裂缝",
        f"problem PB-YJX-1 escalated to {OFFICE}",
        "problem PB-YJX-1 resolved: channel cleared, road repaired",
        "hazard HZ-YJX-1 resolved by way of problem PB-YJX-1: hazard removed",
    ]


def test_events_recorded_before_the_link_existed_read_as_unlinked(domain: Domain) -> None:
    """Stored events from before: a problem without hazard_id, a resolution without problem_id."""
    stamp = {"message_id": "old", "actor": "cd1", "occurred_at": "2021-07-15T20:00:00+08:00"}
    old = [
        recorded(
            "pingzhan.domain.hazard:Hazard.Reported",
            orjson.dumps(
                {
                    **stamp,
                    "hazard_id": "H0",
                    "grid_id": GRID,
                    "hazard_kind": "other",
                    "location": "巷",
                    "severity": "low",
                    "timestamp": stamp["occurred_at"],
                }
            ),
        ),
        recorded(
            "pingzhan.domain.problem:Problem.Reported",
            orjson.dumps(
                {
                    **stamp,
                    "problem_id": "P0",
                    "grid_id": GRID,
                    "what": "w",
                    "where": "v",
                    "timestamp": stamp["occurred_at"],
                }
            ),
        ),
        recorded(
            "pingzhan.domain.hazard:Hazard.Resolved",
            orjson.dumps(
                {
                    **stamp,
                    "hazard_id": "H0",
                    "grid_id": GRID,
                    "resolution": "ok",
                    "timestamp": stamp["occurred_at"],
                }
            ),
        ),
    ]

    rows = Roster().fold(old).rows
    trail = [row[7] for row in AuditTrail(domain.org).fold(old).appended["audit"]]

    assert rows["roster_problem"][("P0",)][-1] is None and not rows["roster_hazard"]
    assert trail[1:] == ["problem P0 reported at v: w", "hazard H0 resolved: ok"]
