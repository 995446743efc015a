"""A flood hazard (防汛隐患) reported in a grid and later resolved."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import HazardResolvedError, TaskError
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

        def apply(self, hazard: Hazard) -> None:
            hazard.resolved = True

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

    def resolve(self, resolution: str, stamp: Stamp) -> None:
        if self.resolved:
            raise HazardResolvedError(f"hazard {self.hazard_id} is already resolved")
        if self.open_tasks:
            raise TaskError(
                f"hazard {self.hazard_id} still has {len(self.open_tasks)} open task(s): "
                f"{', '.join(sorted(self.open_tasks))}"
            )
        self._record(self.Resolved, stamp, resolution=resolution)

    def _record(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event, hazard_id=self.hazard_id, grid_id=self.grid_id, **fields, **stamp.fields())
