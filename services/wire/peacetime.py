"""Peacetime work on the wire: service days, visits, verification, opinions, volunteering, ratings,
inspections, registration drives, problems, and flood-duty tasks."""

from __future__ import annotations

from typing import Literal

from pingzhan.domain import commands as c
from pingzhan.services.wire.envelope import Envelope, HouseholdId, Ident, Text
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError


class ServiceCheckedIn(Envelope):
    kind: Literal["service.checked_in"]
    cadre_id: Ident
    grid_id: Ident

    def command(self) -> c.Command:
        return c.CheckIn(self.cadre_id, self.grid_id)


class ServiceCheckedOut(Envelope):
    kind: Literal["service.checked_out"]
    cadre_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.CheckOut(self.cadre_id)


class HouseholdVisited(Envelope):
    kind: Literal["household.visited"]
    cadre_id: Ident
    household_id: HouseholdId
    persons: int = Field(ge=0, le=60)
    info_collected: bool = False

    def command(self) -> c.Command:
        return c.VisitHousehold(self.cadre_id, self.household_id, self.persons, self.info_collected)


class InformationVerified(Envelope):
    kind: Literal["information.verified"]
    household_id: HouseholdId
    result: Literal["correct", "corrected"]

    def command(self) -> c.Command:
        return c.VerifyInformation(self.household_id, self.result)


class OpinionCollected(Envelope):
    kind: Literal["opinion.collected"]
    cadre_id: Ident
    grid_id: Ident
    category: Literal["livelihood", "environment", "safety", "services", "other"]
    text: Text
    opinion_id: Ident | None = None  # an id to follow the opinion by (raised as a problem)

    def command(self) -> c.Command:
        return c.CollectOpinion(self.cadre_id, self.grid_id, self.category, self.text, self.opinion_id)


class VolunteerServed(Envelope):
    kind: Literal["volunteer.served"]
    cadre_id: Ident
    grid_id: Ident
    activity: Text
    hours: float = Field(gt=0, le=24)

    def command(self) -> c.Command:
        return c.ServeAsVolunteer(self.cadre_id, self.grid_id, self.activity, self.hours)


class SatisfactionRated(Envelope):
    kind: Literal["satisfaction.rated"]
    cadre_id: Ident
    household_id: HouseholdId
    score: int = Field(ge=1, le=5)

    def command(self) -> c.Command:
        return c.RateCadre(self.cadre_id, self.household_id, self.score)


class InspectionMade(Envelope):
    kind: Literal["inspection.made"]
    inspection_id: Ident
    group: int = Field(ge=1, le=6)
    cadre_id: Ident
    grid_id: Ident
    finding: Literal["present", "absent", "idle"]
    checkpoint_id: Ident | None = None  # in wartime: the checkpoint whose presence was checked

    def command(self) -> c.Command:
        return c.Inspect(
            self.inspection_id, self.group, self.cadre_id, self.grid_id, self.finding, self.checkpoint_id
        )


class RegistrationRecorded(Envelope):
    """A registration-style drive's progress: the target is the compound, or without one the grid."""

    kind: Literal["registration.recorded"]
    drive_id: Ident
    compound_id: Ident | None = None
    cadre_id: Ident
    households: int = Field(ge=0, le=10_000)
    persons: int = Field(ge=0, le=50_000)
    grid_id: Ident | None = None  # the target without a compound_id; else a routing hint only

    @model_validator(mode="after")
    def _names_a_target(self) -> RegistrationRecorded:
        if self.compound_id is None and self.grid_id is None:
            raise PydanticCustomError("target", "needs compound_id or grid_id (the drive's target)")
        return self

    def command(self) -> c.Command:
        return c.RecordRegistration(
            self.drive_id, self.compound_id, self.cadre_id, self.households, self.persons, self.grid_id
        )


class ProblemReported(Envelope):
    kind: Literal["problem.reported"]
    problem_id: Ident
    grid_id: Ident
    what: Text
    where: Text
    hazard_id: Ident | None = None  # a hazard of the grid this problem takes over (to escalate it)
    opinion_id: Ident | None = None  # an opinion collected in the grid this problem takes over

    def command(self) -> c.Command:
        return c.ReportProblem(
            self.problem_id, self.grid_id, self.what, self.where, self.hazard_id, self.opinion_id
        )


class ProblemEscalated(Envelope):
    kind: Literal["problem.escalated"]
    problem_id: Ident
    office: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.EscalateProblem(self.problem_id, self.office)


class ProblemAcknowledged(Envelope):
    """The office the problem was sent to takes it (报到): ``by`` who at the office."""

    kind: Literal["problem.acknowledged"]
    problem_id: Ident
    office: Text
    by: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.AcknowledgeProblem(self.problem_id, self.office, self.by)


class ProblemForwarded(Envelope):
    kind: Literal["problem.forwarded"]
    problem_id: Ident
    office: Text  # the office that acknowledged it and passes it on
    to: Text
    reason: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.ForwardProblem(self.problem_id, self.office, self.to, self.reason)


class ProblemReportedBack(Envelope):
    kind: Literal["problem.reported_back"]
    problem_id: Ident
    office: Text
    result: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.ReportBackOnProblem(self.problem_id, self.office, self.result)


class ProblemReopened(Envelope):
    kind: Literal["problem.reopened"]
    problem_id: Ident
    reason: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.ReopenProblem(self.problem_id, self.reason)


class ProblemResolved(Envelope):
    kind: Literal["problem.resolved"]
    problem_id: Ident
    resolution: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.ResolveProblem(self.problem_id, self.resolution)


class HazardTaskAssigned(Envelope):
    kind: Literal["hazard.task_assigned"]
    hazard_id: Ident
    task_id: Ident
    task: Literal["patrol", "warning", "clearing", "pipe_unblocking"]
    cadre_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.AssignHazardTask(self.hazard_id, self.task_id, self.task, self.cadre_id)


class HazardTaskDone(Envelope):
    kind: Literal["hazard.task_done"]
    hazard_id: Ident
    task_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.FinishHazardTask(self.hazard_id, self.task_id)
