"""A problem found in a grid (社情民意, 烦心事) and the whistle-and-report loop (吹哨报到) that closes it.

The grid reports it; the community escalates it to an office (吹哨); the office acknowledges it
(报到), may forward it to another office, which acknowledges it in turn, and reports back; the
community confirms the fix (``problem.resolved``) or reopens it, which sends it back to that
office::

    reported -> escalated -> acknowledged -> (forwarded -> acknowledged)* -> reported_back
             -> resolved (confirmed) | reopened -> acknowledged -> ... -> reported_back -> ...

Once an office has acknowledged a problem, it is resolved only by confirming a report-back. A
problem no office ever acknowledged is resolved as before the loop existed (fixed in the grid, or
closed before an office took it). Each step of the loop is dated not before the one it follows.

A problem may take over a hazard of its grid (``hazard_id``, resolved by way of it) or an opinion
collected there (``opinion_id``: a resident's opinion routed through the same loop).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import ProblemError, TimeOrderError
from pingzhan.domain.stamp import Stamp, Stamped

REPORTED, ESCALATED, ACKNOWLEDGED, FORWARDED = "reported", "escalated", "acknowledged", "forwarded"
REPORTED_BACK, REOPENED, RESOLVED = "reported_back", "reopened", "resolved"
AWAITING_OFFICE = (ESCALATED, FORWARDED, REOPENED)  # sent to an office that has not acknowledged it yet


class Problem(Aggregate):
    class Reported(Aggregate.Created, Stamped):
        problem_id: str
        grid_id: str
        what: str
        where: str
        hazard_id: str | None  # the hazard it takes over (none on older events)
        opinion_id: str | None  # the opinion it takes over (none on older events)

    class Escalated(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        office: str

        def apply(self, problem: Problem) -> None:
            problem._step(ESCALATED, self.occurred_at, self.office)

    class Acknowledged(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        office: str
        by: str  # who at the office took it

        def apply(self, problem: Problem) -> None:
            problem._step(ACKNOWLEDGED, self.occurred_at, self.office)
            problem.acknowledged_ever = True

    class Forwarded(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        office: str  # the office that forwards it
        to: str  # the office it goes to
        reason: str

        def apply(self, problem: Problem) -> None:
            problem._step(FORWARDED, self.occurred_at, self.to)

    class ReportedBack(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        office: str
        result: str  # what the office did

        def apply(self, problem: Problem) -> None:
            problem._step(REPORTED_BACK, self.occurred_at, self.office)

    class Reopened(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        office: str  # the office whose report-back was not accepted: it has the problem again
        reason: str

        def apply(self, problem: Problem) -> None:
            problem._step(REOPENED, self.occurred_at, self.office)

    class Resolved(Aggregate.Event, Stamped):
        problem_id: str
        grid_id: str
        resolution: str
        confirms: str | None  # the office whose report-back this confirms (none: no loop, or older)

        def apply(self, problem: Problem) -> None:
            problem._step(RESOLVED, self.occurred_at, problem.office)
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
        opinion_id: str | None = None,
    ):
        self.problem_id = problem_id
        self.grid_id = grid_id
        self.hazard_id = hazard_id
        self.opinion_id = opinion_id
        self.state = REPORTED
        self.since = occurred_at  # when the current state began
        self.office: str | None = None  # the office that has it, or that it was sent to
        self.acknowledged_ever = False
        self.resolved = False

    def _step(self, state: str, occurred_at: str, office: str | None) -> None:
        self.state, self.since, self.office = state, occurred_at, office

    @classmethod
    def report(
        cls,
        problem_id: str,
        grid_id: str,
        what: str,
        where: str,
        stamp: Stamp,
        hazard_id: str | None = None,
        opinion_id: str | None = None,
    ) -> Problem:
        return cls._create(
            cls.Reported,
            id=ids.problem(problem_id),
            problem_id=problem_id,
            grid_id=grid_id,
            what=what,
            where=where,
            hazard_id=hazard_id,
            opinion_id=opinion_id,
            **stamp.fields(),
        )

    # the community -------------------------------------------------------------------------
    def escalate(self, office: str, stamp: Stamp) -> None:
        """Send the problem to an office (吹哨): one in the grid's hands, sent to an office that has
        not acknowledged it yet (then the new office replaces that one), or reopened."""
        self._check_open()
        if self.state in (ACKNOWLEDGED, FORWARDED, REPORTED_BACK):
            raise ProblemError(f"problem {self.problem_id} {self._held()}")
        if self.office == office and self.state != REPORTED:
            raise ProblemError(f"problem {self.problem_id} is already escalated to {office}")
        self._record(self.Escalated, stamp, office=office)

    def reopen(self, reason: str, stamp: Stamp) -> None:
        """The community does not accept the report-back: the office has the problem again."""
        self._check_open()
        if self.state != REPORTED_BACK:
            raise ProblemError(
                f"problem {self.problem_id} has no report-back to reopen: it is {self._state_in_words()}"
            )
        self._check_after(stamp)
        self._record(self.Reopened, stamp, office=self.office, reason=reason)

    def resolve(self, resolution: str, stamp: Stamp) -> None:
        """The community closes the problem: by confirming the office's report-back, or, when no
        office ever acknowledged it, as fixed (in the grid, or before an office took it)."""
        self._check_open()
        confirms = self.office if self.state == REPORTED_BACK else None
        if confirms is None and self.acknowledged_ever:
            raise ProblemError(
                f"problem {self.problem_id} is in the whistle-and-report loop ({self._state_in_words()}): "
                f"the community confirms it after the office reports back (problem.reported_back)"
            )
        if confirms is not None:
            self._check_after(stamp)
        self._record(self.Resolved, stamp, resolution=resolution, confirms=confirms)

    # the office ----------------------------------------------------------------------------
    def acknowledge(self, office: str, by: str, stamp: Stamp) -> None:
        """The office the problem was sent to takes it (报到)."""
        self._check_open()
        if self.state not in AWAITING_OFFICE:
            raise ProblemError(f"problem {self.problem_id} is not waiting for an office: {self._held()}")
        self._check_office(office)
        self._check_after(stamp)
        self._record(self.Acknowledged, stamp, office=office, by=by)

    def forward(self, office: str, to: str, reason: str, stamp: Stamp) -> None:
        """The office that acknowledged the problem passes it on to another office."""
        self._check_acknowledged_by(office, "forwards")
        if to == office:
            raise ProblemError(f"problem {self.problem_id} is already with {office}")
        self._check_after(stamp)
        self._record(self.Forwarded, stamp, office=office, to=to, reason=reason)

    def report_back(self, office: str, result: str, stamp: Stamp) -> None:
        """The office that acknowledged the problem says what it did."""
        self._check_acknowledged_by(office, "reports back on")
        self._check_after(stamp)
        self._record(self.ReportedBack, stamp, office=office, result=result)

    # checks --------------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.resolved:
            raise ProblemError(f"problem {self.problem_id} is already resolved")

    def _check_office(self, office: str) -> None:
        if office != self.office:
            raise ProblemError(f"problem {self.problem_id} is with {self.office}, not with {office}")

    def _check_acknowledged_by(self, office: str, does: str) -> None:
        self._check_open()
        if self.state != ACKNOWLEDGED:
            raise ProblemError(
                f"problem {self.problem_id} is {self._state_in_words()}: an office {does} only a "
                f"problem it acknowledged (problem.acknowledged)"
            )
        self._check_office(office)

    def _check_after(self, stamp: Stamp) -> None:
        if datetime.fromisoformat(stamp.occurred_at) < datetime.fromisoformat(self.since):
            raise TimeOrderError(
                f"problem {self.problem_id} is {self._state_in_words()} since {self.since}: "
                f"the next step cannot be dated {stamp.occurred_at}, before that"
            )

    def _held(self) -> str:
        """Who has to act on the problem now, in words."""
        if self.state == ACKNOWLEDGED:
            return f"is with {self.office}, which acknowledged it: that office reports back or forwards it"
        if self.state == REPORTED_BACK:
            return (
                f"was reported back on by {self.office}: the community confirms it (problem.resolved) "
                f"or reopens it (problem.reopened)"
            )
        if self.state in AWAITING_OFFICE:
            return f"is {self._state_in_words()}: that office acknowledges it (problem.acknowledged)"
        return "was not escalated to any office yet (problem.escalated)"

    def _state_in_words(self) -> str:
        return {
            REPORTED: "not escalated to any office",
            ESCALATED: f"escalated to {self.office}, not acknowledged yet",
            ACKNOWLEDGED: f"acknowledged by {self.office}",
            FORWARDED: f"forwarded to {self.office}, not acknowledged yet",
            REPORTED_BACK: f"reported back on by {self.office}",
            REOPENED: f"reopened with {self.office}, not acknowledged again yet",
            RESOLVED: "resolved",
        }[self.state]

    def _record(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(
            event, problem_id=self.problem_id, grid_id=self.grid_id, **fields, **stamp.fields()
        )
