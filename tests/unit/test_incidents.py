"""Flood hazards and their tasks, problems escalated and resolved; given/when/then with no IO."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.problem import Problem

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID = "BT-BS-01-01"
HAZARD = c.ReportHazard("H1", GRID, "blocked_channel", "一建巷", "high")
CADRE = c.RegisterCadre("CD1", "张三", "RSJ")
PATROL = c.AssignHazardTask("H1", "T1", "patrol", "CD1")
PROBLEM = c.ReportProblem("P1", GRID, "一建巷 channel overflows", "一建巷")
CITY_OFFICE = "市内涝办 (city waterlogging office)"


def test_a_hazard_is_reported_once(domain: Domain) -> None:
    reported = domain.when(HAZARD)
    again = domain.rejects(HAZARD)

    domain.then(reported, (Hazard.Reported, {"hazard_id": "H1", "grid_id": GRID, "severity": "high"}))
    domain.then_rejected(again, errors.HazardExistsError, "hazard H1 was already reported")


def test_a_hazard_in_an_unknown_grid_is_rejected(domain: Domain) -> None:
    error = domain.rejects(c.ReportHazard("H1", "NOWHERE", "landslide", "坡", "low"))

    domain.then_rejected(error, errors.UnknownScopeError, "unknown grid 'NOWHERE'")


def test_a_hazard_is_resolved_once(domain: Domain) -> None:
    domain.given(HAZARD)

    resolved = domain.when(c.ResolveHazard("H1", "channel cleared"))
    again = domain.rejects(c.ResolveHazard("H1", "again"))

    domain.then(resolved, (Hazard.Resolved, {"grid_id": GRID, "resolution": "channel cleared"}))
    domain.then_rejected(again, errors.HazardResolvedError, "hazard H1 is already resolved")


def test_an_unknown_hazard_cannot_be_resolved(domain: Domain) -> None:
    error = domain.rejects(c.ResolveHazard("H9", "x"))

    domain.then_rejected(error, errors.UnknownHazardError, "unknown hazard 'H9'")


def test_a_task_is_assigned_to_a_registered_cadre_and_done(domain: Domain) -> None:
    domain.given(HAZARD, CADRE)

    assigned = domain.when(PATROL)
    done = domain.when(c.FinishHazardTask("H1", "T1"))

    domain.then(assigned, (Hazard.TaskAssigned, {"task_id": "T1", "task": "patrol", "cadre_id": "CD1"}))
    domain.then(done, (Hazard.TaskDone, {"task_id": "T1", "task": "patrol", "grid_id": GRID}))


def test_a_task_cannot_be_assigned_to_an_unknown_cadre(domain: Domain) -> None:
    domain.given(HAZARD)

    error = domain.rejects(PATROL)

    domain.then_rejected(error, errors.UnknownCadreError, "unknown cadre 'CD1'")


def test_a_task_id_is_used_once_even_after_the_task_is_done(domain: Domain) -> None:
    domain.given(HAZARD, CADRE, PATROL)

    while_open = domain.rejects(c.AssignHazardTask("H1", "T1", "warning", "CD1"))
    domain.when(c.FinishHazardTask("H1", "T1"))
    when_done = domain.rejects(c.AssignHazardTask("H1", "T1", "warning", "CD1"))

    domain.then_rejected(while_open, errors.TaskError, "task T1 of hazard H1 already exists")
    domain.then_rejected(when_done, errors.TaskError, "task T1 of hazard H1 already exists")


def test_only_an_open_task_can_be_done(domain: Domain) -> None:
    domain.given(HAZARD, CADRE, PATROL, c.FinishHazardTask("H1", "T1"))

    done_twice = domain.rejects(c.FinishHazardTask("H1", "T1"))
    never_assigned = domain.rejects(c.FinishHazardTask("H1", "T9"))

    domain.then_rejected(done_twice, errors.TaskError, "hazard H1 has no open task T1")
    domain.then_rejected(never_assigned, errors.TaskError, "hazard H1 has no open task T9")


def test_a_hazard_with_open_tasks_cannot_be_resolved(domain: Domain) -> None:
    domain.given(HAZARD, CADRE, PATROL, c.AssignHazardTask("H1", "T2", "warning", "CD1"))

    error = domain.rejects(c.ResolveHazard("H1", "cleared"))

    domain.then_rejected(error, errors.TaskError, "hazard H1 still has 2 open task(s): T1, T2")


def test_a_hazard_whose_tasks_are_all_done_can_be_resolved(domain: Domain) -> None:
    domain.given(HAZARD, CADRE, PATROL, c.FinishHazardTask("H1", "T1"))

    events = domain.when(c.ResolveHazard("H1", "cleared"))

    domain.then(events, Hazard.Resolved)


def test_no_task_is_assigned_on_a_resolved_hazard(domain: Domain) -> None:
    domain.given(HAZARD, CADRE, c.ResolveHazard("H1", "cleared"))

    error = domain.rejects(PATROL)

    domain.then_rejected(error, errors.HazardResolvedError, "hazard H1 is already resolved")


def test_a_problem_is_reported_escalated_and_resolved(domain: Domain) -> None:
    reported = domain.when(PROBLEM)
    escalated = domain.when(c.EscalateProblem("P1", CITY_OFFICE))
    resolved = domain.when(c.ResolveProblem("P1", "channel rebuilt"))

    domain.then(reported, (Problem.Reported, {"problem_id": "P1", "grid_id": GRID, "where": "一建巷"}))
    domain.then(escalated, (Problem.Escalated, {"office": CITY_OFFICE, "grid_id": GRID}))
    domain.then(resolved, (Problem.Resolved, {"resolution": "channel rebuilt"}))


def test_a_problem_is_reported_once(domain: Domain) -> None:
    domain.given(PROBLEM)

    error = domain.rejects(PROBLEM)

    domain.then_rejected(error, errors.ProblemError, "problem P1 was already reported")


def test_a_problem_already_with_an_office_is_not_escalated_to_it_again(domain: Domain) -> None:
    domain.given(PROBLEM, c.EscalateProblem("P1", CITY_OFFICE))

    same = domain.rejects(c.EscalateProblem("P1", CITY_OFFICE))
    other = domain.when(c.EscalateProblem("P1", "街道办 (street office)"))

    domain.then_rejected(same, errors.ProblemError, f"problem P1 is already escalated to {CITY_OFFICE}")
    domain.then(other, (Problem.Escalated, {"office": "街道办 (street office)"}))


def test_a_resolved_problem_is_neither_escalated_nor_resolved_again(domain: Domain) -> None:
    domain.given(PROBLEM, c.ResolveProblem("P1", "fixed"))

    escalated = domain.rejects(c.EscalateProblem("P1", CITY_OFFICE))
    resolved = domain.rejects(c.ResolveProblem("P1", "again"))

    domain.then_rejected(escalated, errors.ProblemError, "problem P1 is already resolved")
    domain.then_rejected(resolved, errors.ProblemError, "problem P1 is already resolved")


def test_an_unknown_problem_cannot_be_escalated(domain: Domain) -> None:
    error = domain.rejects(c.EscalateProblem("P9", CITY_OFFICE))

    domain.then_rejected(error, errors.ProblemError, "unknown problem 'P9'")
