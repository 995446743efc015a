"""Wire contract v1: the inbound messages, validated by pydantic, each turned into a domain command.

Subject: ``{prefix}.in.{shard}.{kind}``, shard = crc32(routing key) mod 16 (see ``routing_key``).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pingzhan.domain import commands as c
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, field_serializer

SHARDS = 16
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-:.]+$")]
MessageId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_\-:]+$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Scope = Annotated[str, Field(pattern=r"^(district|street|community|grid):[A-Za-z0-9_\-]+$")]
Level = Literal["I", "II", "III", "IV"]
HazardKind = Literal["waterlogging", "blocked_channel", "landslide", "road_damage", "building", "other"]
Severity = Literal["low", "medium", "high", "critical"]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: MessageId
    occurred_at: AwareDatetime
    actor: Ident

    @field_serializer("occurred_at")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()

    def routing_key(self) -> str:
        return routing_key(self.__dict__)

    def command(self) -> c.Command:
        raise NotImplementedError


class CadreRegistered(Envelope):
    kind: Literal["cadre.registered"]
    cadre_id: Ident
    name: Text
    unit: Ident

    def command(self) -> c.Command:
        return c.RegisterCadre(self.cadre_id, self.name, self.unit)


class CadreDispatched(Envelope):
    kind: Literal["cadre.dispatched"]
    cadre_id: Ident
    grid_id: Ident

    def command(self) -> c.Command:
        return c.DispatchCadre(self.cadre_id, self.grid_id)


class CadreRecalled(Envelope):
    kind: Literal["cadre.recalled"]
    cadre_id: Ident

    def command(self) -> c.Command:
        return c.RecallCadre(self.cadre_id)


class CheckpointEstablished(Envelope):
    kind: Literal["checkpoint.established"]
    checkpoint_id: Ident
    grid_id: Ident
    name: Text

    def command(self) -> c.Command:
        return c.EstablishCheckpoint(self.checkpoint_id, self.grid_id, self.name)


class CheckpointStaffed(Envelope):
    kind: Literal["checkpoint.staffed"]
    checkpoint_id: Ident
    cadre_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.StaffCheckpoint(self.checkpoint_id, self.cadre_id)


class CheckpointRelieved(Envelope):
    kind: Literal["checkpoint.relieved"]
    checkpoint_id: Ident
    cadre_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.RelieveCheckpoint(self.checkpoint_id, self.cadre_id)


class CheckpointClosed(Envelope):
    kind: Literal["checkpoint.closed"]
    checkpoint_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.CloseCheckpoint(self.checkpoint_id)


class HazardReported(Envelope):
    kind: Literal["hazard.reported"]
    hazard_id: Ident
    grid_id: Ident
    hazard_kind: HazardKind
    location: Text
    severity: Severity

    def command(self) -> c.Command:
        return c.ReportHazard(self.hazard_id, self.grid_id, self.hazard_kind, self.location, self.severity)


class HazardResolved(Envelope):
    kind: Literal["hazard.resolved"]
    hazard_id: Ident
    resolution: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.ResolveHazard(self.hazard_id, self.resolution)


class ModeSwitchedToWartime(Envelope):
    kind: Literal["mode.switched_to_wartime"]
    scope: Scope
    level: Level
    reason: Text
    exercise: bool = False

    def command(self) -> c.Command:
        return c.SwitchToWartime(self.scope, self.level, self.reason, self.exercise)


class ModeLevelChanged(Envelope):
    kind: Literal["mode.level_changed"]
    scope: Scope
    level: Level
    reason: Text

    def command(self) -> c.Command:
        return c.ChangeLevel(self.scope, self.level, self.reason)


class ModeSwitchConfirmed(Envelope):
    kind: Literal["mode.switch_confirmed"]
    scope: Scope
    proposal_id: MessageId

    def command(self) -> c.Command:
        return c.ConfirmSwitch(self.scope, self.proposal_id)


class ModeSwitchedToPeacetime(Envelope):
    kind: Literal["mode.switched_to_peacetime"]
    scope: Scope
    reason: Text

    def command(self) -> c.Command:
        return c.SwitchToPeacetime(self.scope, self.reason)


# Peacetime work -------------------------------------------------------------------------------------------
HouseholdId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_\-]+-H[0-9]+$")]


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

    def command(self) -> c.Command:
        return c.CollectOpinion(self.cadre_id, self.grid_id, self.category, self.text)


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

    def command(self) -> c.Command:
        return c.Inspect(self.inspection_id, self.group, self.cadre_id, self.grid_id, self.finding)


class RegistrationRecorded(Envelope):
    kind: Literal["registration.recorded"]
    drive_id: Ident
    compound_id: Ident
    cadre_id: Ident
    households: int = Field(ge=0, le=10_000)
    persons: int = Field(ge=0, le=50_000)
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.RecordRegistration(
            self.drive_id, self.compound_id, self.cadre_id, self.households, self.persons
        )


class ProblemReported(Envelope):
    kind: Literal["problem.reported"]
    problem_id: Ident
    grid_id: Ident
    what: Text
    where: Text

    def command(self) -> c.Command:
        return c.ReportProblem(self.problem_id, self.grid_id, self.what, self.where)


class ProblemEscalated(Envelope):
    kind: Literal["problem.escalated"]
    problem_id: Ident
    office: Text
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.EscalateProblem(self.problem_id, self.office)


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


Message = Annotated[
    CadreRegistered
    | CadreDispatched
    | CadreRecalled
    | CheckpointEstablished
    | CheckpointStaffed
    | CheckpointRelieved
    | CheckpointClosed
    | HazardReported
    | HazardResolved
    | ModeSwitchedToWartime
    | ModeLevelChanged
    | ModeSwitchConfirmed
    | ModeSwitchedToPeacetime
    | ServiceCheckedIn
    | ServiceCheckedOut
    | HouseholdVisited
    | InformationVerified
    | OpinionCollected
    | VolunteerServed
    | SatisfactionRated
    | InspectionMade
    | RegistrationRecorded
    | ProblemReported
    | ProblemEscalated
    | ProblemResolved
    | HazardTaskAssigned
    | HazardTaskDone,
    Field(discriminator="kind"),
]
MESSAGE = TypeAdapter(Message)
KINDS = tuple(
    m.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in Envelope.__subclasses__()
)


def routing_key(fields: Mapping[str, Any]) -> str:
    """What a message is routed by, from its fields (a model's or a raw JSON object's): its grid
    (given, or the grid of its household), else its scope, else the checkpoint, hazard, problem
    or cadre it is about, else its id. Messages about one grid land on one shard."""
    if isinstance(fields.get("grid_id"), str):
        return str(fields["grid_id"])
    if isinstance(fields.get("household_id"), str):
        return str(fields["household_id"]).rpartition("-H")[0]
    for key in ("scope", "checkpoint_id", "hazard_id", "problem_id", "cadre_id", "id"):
        if isinstance(fields.get(key), str):
            return str(fields[key])
    return ""


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


def subject_of(prefix: str, fields: Mapping[str, Any]) -> str:
    """The inbound subject of a message given as a JSON object (valid or not)."""
    kind = fields.get("kind")
    token = (
        kind
        if isinstance(kind, str) and re.fullmatch(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*", kind)
        else "unknown"
    )
    return f"{prefix}.in.{shard_of(routing_key(fields))}.{token}"


def subject_for(prefix: str, message: Envelope) -> str:
    return subject_of(prefix, message.__dict__)
