"""The whistle-and-report loop (吹哨报到): every step and every rejection, given/when/then with no IO.

reported -> escalated -> acknowledged -> (forwarded -> acknowledged)* -> reported_back
         -> resolved (the community confirms) | reopened -> acknowledged -> ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.opinion import Opinion
from pingzhan.domain.problem import Problem

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID = "BT-BS-01-01"
CITY, STREET = "市内涝办 (city waterlogging office)", "街道办 (street office)"
REPORTED = c.ReportProblem("P1", GRID, "排洪渠堵塞", "一建巷")
ESCALATED = c.EscalateProblem("P1", CITY)
ACKNOWLEDGED = c.AcknowledgeProblem("P1", CITY, "王工 (engineer Wang)")
FORWARDED = c.ForwardProblem("P1", CITY, STREET, "not ours")
STREET_ACKNOWLEDGED = c.AcknowledgeProblem("P1", STREET, "李主任")
REPORTED_BACK = c.ReportBackOnProblem("P1", CITY, "channel cleared")
REOPENED = c.ReopenProblem("P1", "the road still sinks")
CONFIRMED = c.ResolveProblem("P1", "checked on site")


def test_the_office_acknowledges_reports_back_and_the_community_confirms(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED)

    acknowledged = domain.when(ACKNOWLEDGED, actor="office-nlb")
    back = domain.when(REPORTED_BACK, actor="office-nlb")
    confirmed = domain.when(CONFIRMED, actor="community-bt-bs-01")

    domain.then(acknowledged, (Problem.Acknowledged, {"office": CITY, "by": "王工 (engineer Wang)"}))
    assert acknowledged[0].actor == "office-nlb" and acknowledged[0].occurred_at  # who and when
    domain.then(back, (Problem.ReportedBack, {"office": CITY, "result": "channel cleared"}))
    domain.then(confirmed, (Problem.Resolved, {"confirms": CITY, "resolution": "checked on site"}))


def test_an_office_forwards_what_it_acknowledged_and_the_next_office_acknowledges_it(
    domain: Domain,
) -> None:
    domain.given(REPORTED, ESCALATED, ACKNOWLEDGED)

    forwarded = domain.when(FORWARDED)
    acknowledged = domain.when(STREET_ACKNOWLEDGED)
    back = domain.when(c.ReportBackOnProblem("P1", STREET, "cleared"))

    domain.then(forwarded, (Problem.Forwarded, {"office": CITY, "to": STREET, "reason": "not ours"}))
    domain.then(acknowledged, (Problem.Acknowledged, {"office": STREET}))
    domain.then(back, (Problem.ReportedBack, {"office": STREET}))


def test_a_reopened_problem_goes_back_to_the_office_that_reported_back(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED, ACKNOWLEDGED, REPORTED_BACK)

    reopened = domain.when(REOPENED)
    too_soon = domain.rejects(CONFIRMED)
    again = domain.when(ACKNOWLEDGED)
    domain.given(REPORTED_BACK)
    confirmed = domain.when(CONFIRMED)

    domain.then(reopened, (Problem.Reopened, {"office": CITY, "reason": "the road still sinks"}))
    domain.then_rejected(
        too_soon,
        errors.ProblemError,
        f"problem P1 is in the whistle-and-report loop (reopened with {CITY}, not acknowledged again "
        "yet): the community confirms it after the office reports back (problem.reported_back)",
    )
    domain.then(again, Problem.Acknowledged)
    domain.then(confirmed, (Problem.Resolved, {"confirms": CITY}))


def test_a_reopened_problem_may_be_escalated_to_another_office(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED, ACKNOWLEDGED, REPORTED_BACK, REOPENED)

    same = domain.rejects(ESCALATED)
    other = domain.when(c.EscalateProblem("P1", STREET))

    domain.then_rejected(same, errors.ProblemError, f"problem P1 is already escalated to {CITY}")
    domain.then(other, (Problem.Escalated, {"office": STREET}))


def test_a_problem_no_office_acknowledged_is_resolved_as_before_the_loop(domain: Domain) -> None:
    """Compatibility: v1's reported -> escalated -> resolved, and a problem fixed in the grid."""
    domain.given(REPORTED, ESCALATED, c.ReportProblem("P2", GRID, "灯", "巷口"))

    escalated_only = domain.when(CONFIRMED)
    in_the_grid = domain.when(c.ResolveProblem("P2", "fixed"))

    domain.then(escalated_only, (Problem.Resolved, {"confirms": None}))
    domain.then(in_the_grid, (Problem.Resolved, {"confirms": None}))


def test_once_acknowledged_a_problem_is_resolved_only_after_a_report_back(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED, ACKNOWLEDGED)

    held = domain.rejects(CONFIRMED)
    domain.given(FORWARDED)
    forwarded = domain.rejects(CONFIRMED)

    domain.then_rejected(
        held,
        errors.ProblemError,
        f"problem P1 is in the whistle-and-report loop (acknowledged by {CITY}): the community confirms "
        "it after the office reports back (problem.reported_back)",
    )
    domain.then_rejected(forwarded, errors.ProblemError)


def test_only_the_office_the_problem_was_sent_to_acknowledges_it_once(domain: Domain) -> None:
    domain.given(REPORTED)

    not_sent = domain.rejects(ACKNOWLEDGED)
    domain.given(ESCALATED)
    wrong = domain.rejects(c.AcknowledgeProblem("P1", STREET, "李"))
    domain.given(ACKNOWLEDGED)
    twice = domain.rejects(ACKNOWLEDGED)
    domain.given(REPORTED_BACK)
    after_back = domain.rejects(ACKNOWLEDGED)

    domain.then_rejected(
        not_sent,
        errors.ProblemError,
        "problem P1 is not waiting for an office: was not escalated to any office yet (problem.escalated)",
    )
    domain.then_rejected(wrong, errors.ProblemError, f"problem P1 is with {CITY}, not with {STREET}")
    domain.then_rejected(
        twice,
        errors.ProblemError,
        f"problem P1 is not waiting for an office: is with {CITY}, which acknowledged it: that office "
        "reports back or forwards it",
    )
    domain.then_rejected(
        after_back,
        errors.ProblemError,
        f"problem P1 is not waiting for an office: was reported back on by {CITY}: the community "
        "confirms it (problem.resolved) or reopens it (problem.reopened)",
    )


def test_an_office_forwards_and_reports_back_only_what_it_acknowledged(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED)

    forward_early = domain.rejects(FORWARDED)
    back_early = domain.rejects(REPORTED_BACK)
    domain.given(ACKNOWLEDGED)
    other_office = domain.rejects(c.ReportBackOnProblem("P1", STREET, "done"))
    to_itself = domain.rejects(c.ForwardProblem("P1", CITY, CITY, "mine after all"))
    domain.given(REPORTED_BACK)
    back_twice = domain.rejects(REPORTED_BACK)

    domain.then_rejected(
        forward_early,
        errors.ProblemError,
        f"problem P1 is escalated to {CITY}, not acknowledged yet: an office forwards only a problem it "
        "acknowledged (problem.acknowledged)",
    )
    domain.then_rejected(
        back_early,
        errors.ProblemError,
        f"problem P1 is escalated to {CITY}, not acknowledged yet: an office reports back on only a "
        "problem it acknowledged (problem.acknowledged)",
    )
    domain.then_rejected(other_office, errors.ProblemError, f"problem P1 is with {CITY}, not with {STREET}")
    domain.then_rejected(to_itself, errors.ProblemError, f"problem P1 is already with {CITY}")
    domain.then_rejected(back_twice, errors.ProblemError)


def test_only_a_problem_reported_back_on_is_reopened(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED, ACKNOWLEDGED)

    error = domain.rejects(REOPENED)

    domain.then_rejected(
        error,
        errors.ProblemError,
        f"problem P1 has no report-back to reopen: it is acknowledged by {CITY}",
    )


def test_the_community_does_not_escalate_a_problem_an_office_holds(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED, ACKNOWLEDGED)

    held = domain.rejects(c.EscalateProblem("P1", STREET))
    domain.given(FORWARDED)
    forwarded = domain.rejects(c.EscalateProblem("P1", "区水务局"))
    domain.given(STREET_ACKNOWLEDGED, c.ReportBackOnProblem("P1", STREET, "done"))
    reported_back = domain.rejects(c.EscalateProblem("P1", CITY))

    domain.then_rejected(
        held,
        errors.ProblemError,
        f"problem P1 is with {CITY}, which acknowledged it: that office reports back or forwards it",
    )
    domain.then_rejected(
        forwarded,
        errors.ProblemError,
        f"problem P1 is forwarded to {STREET}, not acknowledged yet: that office acknowledges it "
        "(problem.acknowledged)",
    )
    domain.then_rejected(reported_back, errors.ProblemError)


def test_a_resolved_or_unknown_problem_takes_no_step(domain: Domain) -> None:
    domain.given(REPORTED, ESCALATED, ACKNOWLEDGED, REPORTED_BACK, CONFIRMED)

    rejected = [domain.rejects(cmd) for cmd in (ACKNOWLEDGED, FORWARDED, REPORTED_BACK, REOPENED)]
    unknown = domain.rejects(c.AcknowledgeProblem("P9", CITY, "x"))

    for error in rejected:
        domain.then_rejected(error, errors.ProblemError, "problem P1 is already resolved")
    domain.then_rejected(unknown, errors.ProblemError, "unknown problem 'P9'")


def test_a_step_of_the_loop_is_not_dated_before_the_one_it_follows(domain: Domain) -> None:
    domain.given(REPORTED)
    domain.when(ESCALATED, at="2022-07-16T09:30:00+08:00")

    early = domain.rejects(ACKNOWLEDGED, at="2022-07-16T09:29:00+08:00")
    same_instant = domain.when(ACKNOWLEDGED, at="2022-07-16T01:30:00+00:00")  # 09:30 district time

    domain.then_rejected(
        early,
        errors.TimeOrderError,
        f"problem P1 is escalated to {CITY}, not acknowledged yet since 2022-07-16T09:30:00+08:00: the "
        "next step cannot be dated 2022-07-16T09:29:00+08:00, before that",
    )
    domain.then(same_instant, Problem.Acknowledged)


# opinions routed through the loop ---------------------------------------------------------------
CADRE = c.RegisterCadre("CD1", "胡静玉", "FY")
DISPATCHED = c.DispatchCadre("CD1", GRID)
OPINION = c.CollectOpinion("CD1", GRID, "environment", "排洪渠有异味", "OP-1")


def test_an_opinion_with_an_id_is_one_that_can_be_raised_as_a_problem(domain: Domain) -> None:
    domain.given(CADRE, DISPATCHED)

    collected = domain.when(OPINION)
    plain = domain.when(c.CollectOpinion("CD1", GRID, "other", "停车难"))
    raised = domain.when(c.ReportProblem("P1", GRID, "排洪渠堵塞", "一建巷", opinion_id="OP-1"))

    domain.then(collected, (Opinion.Collected, {"opinion_id": "OP-1", "category": "environment"}))
    domain.then(plain, (Cadre.OpinionCollected, {"category": "other"}))
    domain.then(
        raised,
        (Opinion.RaisedAsProblem, {"opinion_id": "OP-1", "problem_id": "P1"}),
        (Problem.Reported, {"problem_id": "P1", "opinion_id": "OP-1"}),
    )


def test_an_opinion_is_collected_once_by_a_cadre_of_its_grid(domain: Domain) -> None:
    domain.given(CADRE, DISPATCHED, OPINION)

    twice = domain.rejects(OPINION)
    elsewhere = domain.rejects(c.CollectOpinion("CD1", "BT-BS-01-02", "safety", "灯", "OP-2"))

    domain.then_rejected(twice, errors.OpinionExistsError, "opinion OP-1 was already collected")
    domain.then_rejected(
        elsewhere,
        errors.CadreNotDispatchedError,
        "cadre CD1 is dispatched to grid BT-BS-01-01, not to grid BT-BS-01-02",
    )


def test_an_opinion_is_raised_as_one_problem_of_its_own_grid(domain: Domain) -> None:
    domain.given(CADRE, DISPATCHED, OPINION, c.ReportHazard("H1", GRID, "other", "巷", "low"))
    domain.given(c.ReportProblem("P1", GRID, "w", "v", opinion_id="OP-1"))

    twice = domain.rejects(c.ReportProblem("P2", GRID, "w", "v", opinion_id="OP-1"))
    with_hazard = domain.rejects(c.ReportProblem("P3", GRID, "w", "v", hazard_id="H1", opinion_id="OP-1"))
    unknown = domain.rejects(c.ReportProblem("P4", GRID, "w", "v", opinion_id="OP-9"))
    domain.given(c.CollectOpinion("CD1", GRID, "safety", "灯", "OP-2"))
    other_grid = domain.rejects(c.ReportProblem("P5", "BT-BS-01-02", "w", "v", opinion_id="OP-2"))

    domain.then_rejected(twice, errors.ProblemError, "opinion OP-1 is already raised as problem P1")
    domain.then_rejected(with_hazard, errors.ProblemError, "opinion OP-1 is already raised as problem P1")
    domain.then_rejected(unknown, errors.UnknownOpinionError, "unknown opinion 'OP-9'")
    domain.then_rejected(
        other_grid, errors.ProblemError, "opinion OP-2 is of grid BT-BS-01-01, not of grid BT-BS-01-02"
    )
