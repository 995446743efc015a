"""Flood hazards and the tasks assigned on them (a hazard raised as a problem: ``problem_commands``)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pingzhan.domain import ids
from pingzhan.domain.errors import HazardExistsError
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.org import Org
from pingzhan.domain.stamp import Stamp
from pingzhan.domain.workspace import Workspace, check_new, get_cadre, get_hazard, get_problem


@dataclass(frozen=True, slots=True)
class ReportHazard:
    hazard_id: str
    grid_id: str
    hazard_kind: str
    location: str
    severity: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.hazard(self.hazard_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        check_new(
            ws, ids.hazard(self.hazard_id), HazardExistsError(f"hazard {self.hazard_id} was already reported")
        )
        ws.add(
            Hazard.report(self.hazard_id, self.grid_id, self.hazard_kind, self.location, self.severity, stamp)
        )


@dataclass(frozen=True, slots=True)
class ResolveHazard:
    hazard_id: str
    resolution: str
    problem_id: str | None = None  # the problem the hazard was raised as, resolved first

    def needs(self) -> tuple[UUID, ...]:
        problem = (ids.problem(self.problem_id),) if self.problem_id else ()
        return (ids.hazard(self.hazard_id), *problem)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        hazard = get_hazard(ws, self.hazard_id)
        problem = get_problem(ws, self.problem_id) if self.problem_id else None
        hazard.resolve(self.resolution, stamp, problem)


@dataclass(frozen=True, slots=True)
class AssignHazardTask:
    hazard_id: str
    task_id: str
    task: str
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.hazard(self.hazard_id), ids.cadre(self.cadre_id))

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_cadre(ws, self.cadre_id)  # registration is permanent, so this read cannot go stale
        get_hazard(ws, self.hazard_id).assign_task(self.task_id, self.task, self.cadre_id, stamp)


@dataclass(frozen=True, slots=True)
class FinishHazardTask:
    hazard_id: str
    task_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.hazard(self.hazard_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_hazard(ws, self.hazard_id).finish_task(self.task_id, stamp)
