"""A flood hazard (防汛隐患) reported in a grid and later resolved.

A hazard the grid cannot remove itself (a blocked flood channel that cracked a road) is raised as a
problem, which the community escalates to an office; the hazard is then resolved by way of that
problem, once the problem is resolved.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import HazardResolvedError, ProblemError, TaskError
from pingzhan.domain.problem import Problem
from pingzhan.domain.stamp import Stamp, Stamped


class Hazard(Aggregate):
    class Reported(Aggregate.Created, Stamped):
        hazard_id: str
        grid_id: str
        hazard_kind: str
        location: str
        severity: str

    class Resolved(Aggregate.Event, Stamped):
        hazard_id: str
        grid_id: str
        resolution: str
        problem_id: str | None  # the problem it was resolved by way of (none on older events)

        def apply(self, hazard: Hazard) -> None:
            hazard.resolved = True

    class RaisedAsProblem(Aggregate.Event, Stamped):
        hazard_id: str
        grid_id: str
        problem_id: str

        def apply(self, hazard: Hazard) -> None:
            hazard.problem_id = self.problem_id

    class TaskAssigned(Aggregate.Event, Stamped):
        hazard_id: str
        grid_id: str
        task_id: str
        task: str  # patrol | warning | clearing | pipe_unblocking
        cadre_id: str

        def apply(self, hazard: Hazard) -> None:
            hazard.open_tasks[self.task_id] = self.task

    class TaskDone(Aggregate.Event, Stamped):
        hazard_id: str
        grid_id: str
        task_id: str
        task: str

        def apply(self, hazard: Hazard) -> None:
            hazard.open_tasks.pop(self.task_id, None)
            hazard.done_tasks.add(self.task_id)

    def __init__(
        self,
        hazard_id: str,
        grid_id: str,
        hazard_kind: str,
        location: str,
        severity: str,
        message_id: str,
        actor: str,
        occurred_at: str,
    ):
        self.hazard_id = hazard_id
        self.grid_id = grid_id
        self.hazard_kind = hazard_kind
        self.location = location
        self.severity = severity
        self.resolved = False
        self.problem_id: str | None = None  # the problem it was raised as
        self.open_tasks: dict[str, str] = {}
        self.done_tasks: set[str] = set()

    @classmethod
    def report(
        cls, hazard_id: str, grid_id: str, hazard_kind: str, location: str, severity: str, stamp: Stamp
    ) -> Hazard:
        return cls._create(
            cls.Reported,
            id=ids.hazard(hazard_id),
            hazard_id=hazard_id,
            grid_id=grid_id,
            hazard_kind=hazard_kind,
            location=location,
            severity=severity,
            **stamp.fields(),
        )

    def assign_task(self, task_id: str, task: str, cadre_id: str, stamp: Stamp) -> None:
        if self.resolved:
            raise HazardResolvedError(f"hazard {self.hazard_id} is already resolved")
        if task_id in self.open_tasks or task_id in self.done_tasks:
            raise TaskError(f"task {task_id} of hazard {self.hazard_id} already exists")
        self._record(self.TaskAssigned, stamp, task_id=task_id, task=task, cadre_id=cadre_id)

    def finish_task(self, task_id: str, stamp: Stamp) -> None:
        if task_id not in self.open_tasks:
            raise TaskError(f"hazard {self.hazard_id} has no open task {task_id}")
        self._record(self.TaskDone, stamp, task_id=task_id, task=self.open_tasks[task_id])

    def raise_as_problem(self, problem_id: str, grid_id: str, stamp: Stamp) -> None:
        """The hazard is taken over by a new problem of the same grid (to escalate it to an office)."""
        if self.resolved:
            raise HazardResolvedError(f"hazard {self.hazard_id} is already resolved")
        if self.problem_id is not None:
            raise ProblemError(f"hazard {self.hazard_id} is already raised as problem {self.problem_id}")
        if grid_id != self.grid_id:
            raise ProblemError(f"hazard {self.hazard_id} is in grid {self.grid_id}, not in grid {grid_id}")
        self._record(self.RaisedAsProblem, stamp, problem_id=problem_id)

    def resolve(self, resolution: str, stamp: Stamp, problem: Problem | None = None) -> None:
        """Resolve the hazard; one raised as a problem only by way of that problem, resolved first."""
        if self.resolved:
            raise HazardResolvedError(f"hazard {self.hazard_id} is already resolved")
        if self.open_tasks:
            raise TaskError(
                f"hazard {self.hazard_id} still has {len(self.open_tasks)} open task(s): "
                f"{', '.join(sorted(self.open_tasks))}"
            )
        self._check_resolved_by(problem)
        problem_id = problem.problem_id if problem is not None else None
        self._record(self.Resolved, stamp, resolution=resolution, problem_id=problem_id)

    def _check_resolved_by(self, problem: Problem | None) -> None:
        if self.problem_id is None and problem is not None:
            raise ProblemError(f"hazard {self.hazard_id} was not raised as problem {problem.problem_id}")
        if self.problem_id is None:
            return
        if problem is None or problem.problem_id != self.problem_id:
            raise ProblemError(
                f"hazard {self.hazard_id} was raised as problem {self.problem_id}: it is resolved "
                f"by way of that problem (problem_id {self.problem_id})"
            )
        if not problem.resolved:
            raise ProblemError(
                f"problem {self.problem_id} is not resolved yet: hazard {self.hazard_id} is resolved after it"
            )

    def _record(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event, hazard_id=self.hazard_id, grid_id=self.grid_id, **fields, **stamp.fields())
