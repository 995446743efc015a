"""Problems and the whistle-and-report loop (吹哨报到): reported in a grid (taking over a hazard or
an opinion), escalated by the community, acknowledged, forwarded and reported back on by offices,
reopened or resolved (confirmed) by the community. The rules are the Problem's (``problem.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pingzhan.domain import ids
from pingzhan.domain.errors import ProblemError
from pingzhan.domain.org import Org
from pingzhan.domain.problem import Problem
from pingzhan.domain.stamp import Stamp
from pingzhan.domain.workspace import Workspace, check_new, get_hazard, get_opinion, get_problem


@dataclass(frozen=True, slots=True)
class ReportProblem:
    problem_id: str
    grid_id: str
    what: str
    where: str
    hazard_id: str | None = None  # a hazard of the grid the problem takes over
    opinion_id: str | None = None  # an opinion collected in the grid the problem takes over

    def needs(self) -> tuple[UUID, ...]:
        hazard = (ids.hazard(self.hazard_id),) if self.hazard_id else ()
        opinion = (ids.opinion(self.opinion_id),) if self.opinion_id else ()
        return (ids.problem(self.problem_id), *hazard, *opinion)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        check_new(
            ws, ids.problem(self.problem_id), ProblemError(f"problem {self.problem_id} was already reported")
        )
        hazard = get_hazard(ws, self.hazard_id) if self.hazard_id else None
        opinion = get_opinion(ws, self.opinion_id) if self.opinion_id else None
        if opinion is not None:  # checked before the hazard changes: a rejection leaves nothing behind
            opinion.check_raisable(self.grid_id)
        if hazard is not None:
            hazard.raise_as_problem(self.problem_id, self.grid_id, stamp)
        if opinion is not None:
            opinion.raise_as_problem(self.problem_id, self.grid_id, stamp)
        ws.add(
            Problem.report(
                self.problem_id, self.grid_id, self.what, self.where, stamp, self.hazard_id, self.opinion_id
            )
        )


@dataclass(frozen=True, slots=True)
class EscalateProblem:
    problem_id: str
    office: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_problem(ws, self.problem_id).escalate(self.office, stamp)


@dataclass(frozen=True, slots=True)
class AcknowledgeProblem:
    problem_id: str
    office: str
    by: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_problem(ws, self.problem_id).acknowledge(self.office, self.by, stamp)


@dataclass(frozen=True, slots=True)
class ForwardProblem:
    problem_id: str
    office: str
    to: str
    reason: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_problem(ws, self.problem_id).forward(self.office, self.to, self.reason, stamp)


@dataclass(frozen=True, slots=True)
class ReportBackOnProblem:
    problem_id: str
    office: str
    result: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_problem(ws, self.problem_id).report_back(self.office, self.result, stamp)


@dataclass(frozen=True, slots=True)
class ReopenProblem:
    problem_id: str
    reason: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_problem(ws, self.problem_id).reopen(self.reason, stamp)


@dataclass(frozen=True, slots=True)
class ResolveProblem:
    problem_id: str
    resolution: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_problem(ws, self.problem_id).resolve(self.resolution, stamp)
