"""A resident's opinion (社情民意) collected by a cadre with an id of its own, so that it can be
followed: raised as a problem, it goes through the whistle-and-report loop (``problem.py``).

Opinions collected without an id stay what they were: a line of the cadre's work
(``Cadre.OpinionCollected``), counted in the reports but not routed.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import ProblemError
from pingzhan.domain.stamp import Stamp, Stamped


class Opinion(Aggregate):
    class Collected(Aggregate.Created, Stamped):
        opinion_id: str
        cadre_id: str
        grid_id: str
        category: str
        text: str

    class RaisedAsProblem(Aggregate.Event, Stamped):
        opinion_id: str
        grid_id: str
        problem_id: str

        def apply(self, opinion: Opinion) -> None:
            opinion.problem_id = self.problem_id

    def __init__(
        self,
        opinion_id: str,
        cadre_id: str,
        grid_id: str,
        category: str,
        text: str,
        message_id: str,
        actor: str,
        occurred_at: str,
    ):
        self.opinion_id = opinion_id
        self.grid_id = grid_id
        self.problem_id: str | None = None  # the problem it was raised as

    @classmethod
    def collect(
        cls, opinion_id: str, cadre_id: str, grid_id: str, category: str, text: str, stamp: Stamp
    ) -> Opinion:
        return cls._create(
            cls.Collected,
            id=ids.opinion(opinion_id),
            opinion_id=opinion_id,
            cadre_id=cadre_id,
            grid_id=grid_id,
            category=category,
            text=text,
            **stamp.fields(),
        )

    def raise_as_problem(self, problem_id: str, grid_id: str, stamp: Stamp) -> None:
        """The opinion is taken over by a new problem of the same grid (to route it to an office)."""
        self.check_raisable(grid_id)
        self.trigger_event(
            self.RaisedAsProblem,
            opinion_id=self.opinion_id,
            grid_id=self.grid_id,
            problem_id=problem_id,
            **stamp.fields(),
        )

    def check_raisable(self, grid_id: str) -> None:
        if self.problem_id is not None:
            raise ProblemError(f"opinion {self.opinion_id} is already raised as problem {self.problem_id}")
        if grid_id != self.grid_id:
            raise ProblemError(f"opinion {self.opinion_id} is of grid {self.grid_id}, not of grid {grid_id}")
