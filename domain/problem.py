"""A problem found in a grid (社情民意, 烦心事): reported, escalated to a named office, resolved.
It may take over a hazard of the grid (``hazard_id``), which is then resolved by way of it."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import ProblemError
from pingzhan.domain.stamp import Stamp, Stamped


class Problem(Aggregate):
    class Reported(Aggregate.Created, Stamped):
        problem_id: str
        grid_id: str
        what: str
        where: str
        hazard_id: str | None  # the hazard it takes over (none on older events)

    class Escalated(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        office: str

        def apply(self, problem: Problem) -> None:
            problem.escalated_to = self.office

    class Resolved(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        resolution: str

        def apply(self, problem: Problem) -> None:
            problem.resolved = True

    def __init__(
        self,
        problem_id: str,
        grid_id: str,
        what: str,
        where: str,
        message_id: str,
        actor: str,
        occurred_at: str,
        hazard_id: str | None = None,
    ):
        self.problem_id = problem_id
        self.grid_id = grid_id
        self.hazard_id = hazard_id
        self.escalated_to: str | None = None
        self.resolved = False

    @classmethod
    def report(
        cls, problem_id: str, grid_id: str, what: str, where: str, stamp: Stamp, hazard_id: str | None = None
    ) -> Problem:
        return cls._create(
            cls.Reported,
            id=ids.problem(problem_id),
            problem_id=problem_id,
            grid_id=grid_id,
            what=what,
            where=where,
            hazard_id=hazard_id,
            **stamp.fields(),
        )

    def escalate(self, office: str, stamp: Stamp) -> None:
        self._check_open()
        if self.escalated_to == office:
            raise ProblemError(f"problem {self.problem_id} is already escalated to {office}")
        self._record(self.Escalated, stamp, office=office)

    def resolve(self, resolution: str, stamp: Stamp) -> None:
        self._check_open()
        self._record(self.Resolved, stamp, resolution=resolution)

    def _check_open(self) -> None:
        if self.resolved:
            raise ProblemError(f"problem {self.problem_id} is already resolved")

    def _record(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(
            event, problem_id=self.problem_id, grid_id=self.grid_id, **fields, **stamp.fields()
        )
