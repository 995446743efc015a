"""Wire contract v1: the inbound messages, validated by pydantic, each turned into a domain command.

Subject: ``{prefix}.in.{shard}.{kind}``, shard = crc32(routing key) mod 16 (see ``routing_key``).
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Annotated, Literal

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
        raise NotImplementedError

    def command(self) -> c.Command:
        raise NotImplementedError


class CadreRegistered(Envelope):
    kind: Literal["cadre.registered"]
    cadre_id: Ident
    name: Text
    unit: Ident

    def routing_key(self) -> str:
        return self.cadre_id

    def command(self) -> c.Command:
        return c.RegisterCadre(self.cadre_id, self.name, self.unit)


class CadreDispatched(Envelope):
    kind: Literal["cadre.dispatched"]
    cadre_id: Ident
    grid_id: Ident

    def routing_key(self) -> str:
        return self.grid_id

    def command(self) -> c.Command:
        return c.DispatchCadre(self.cadre_id, self.grid_id)


class CadreRecalled(Envelope):
    kind: Literal["cadre.recalled"]
    cadre_id: Ident

    def routing_key(self) -> str:
        return self.cadre_id

    def command(self) -> c.Command:
        return c.RecallCadre(self.cadre_id)


class CheckpointEstablished(Envelope):
    kind: Literal["checkpoint.established"]
    checkpoint_id: Ident
    grid_id: Ident
    name: Text

    def routing_key(self) -> str:
        return self.grid_id

    def command(self) -> c.Command:
        return c.EstablishCheckpoint(self.checkpoint_id, self.grid_id, self.name)


class CheckpointStaffed(Envelope):
    kind: Literal["checkpoint.staffed"]
    checkpoint_id: Ident
    cadre_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def routing_key(self) -> str:
        return self.grid_id or self.checkpoint_id

    def command(self) -> c.Command:
        return c.StaffCheckpoint(self.checkpoint_id, self.cadre_id)


class CheckpointRelieved(Envelope):
    kind: Literal["checkpoint.relieved"]
    checkpoint_id: Ident
    cadre_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def routing_key(self) -> str:
        return self.grid_id or self.checkpoint_id

    def command(self) -> c.Command:
        return c.RelieveCheckpoint(self.checkpoint_id, self.cadre_id)


class CheckpointClosed(Envelope):
    kind: Literal["checkpoint.closed"]
    checkpoint_id: Ident
    grid_id: Ident | None = None  # routing hint only

    def routing_key(self) -> str:
        return self.grid_id or self.checkpoint_id

    def command(self) -> c.Command:
        return c.CloseCheckpoint(self.checkpoint_id)


class HazardReported(Envelope):
    kind: Literal["hazard.reported"]
    hazard_id: Ident
    grid_id: Ident
    hazard_kind: HazardKind
    location: Text
    severity: Severity

    def routing_key(self) -> str:
        return self.grid_id

    def command(self) -> c.Command:
        return c.ReportHazard(self.hazard_id, self.grid_id, self.hazard_kind, self.location, self.severity)


class HazardResolved(Envelope):
    kind: Literal["hazard.resolved"]
    hazard_id: Ident
    resolution: Text
    grid_id: Ident | None = None  # routing hint only

    def routing_key(self) -> str:
        return self.grid_id or self.hazard_id

    def command(self) -> c.Command:
        return c.ResolveHazard(self.hazard_id, self.resolution)


class ModeSwitchedToWartime(Envelope):
    kind: Literal["mode.switched_to_wartime"]
    scope: Scope
    level: Level
    reason: Text
    exercise: bool = False

    def routing_key(self) -> str:
        return self.scope

    def command(self) -> c.Command:
        return c.SwitchToWartime(self.scope, self.level, self.reason, self.exercise)


class ModeLevelChanged(Envelope):
    kind: Literal["mode.level_changed"]
    scope: Scope
    level: Level
    reason: Text

    def routing_key(self) -> str:
        return self.scope

    def command(self) -> c.Command:
        return c.ChangeLevel(self.scope, self.level, self.reason)


class ModeSwitchConfirmed(Envelope):
    kind: Literal["mode.switch_confirmed"]
    scope: Scope
    proposal_id: MessageId

    def routing_key(self) -> str:
        return self.scope

    def command(self) -> c.Command:
        return c.ConfirmSwitch(self.scope, self.proposal_id)


class ModeSwitchedToPeacetime(Envelope):
    kind: Literal["mode.switched_to_peacetime"]
    scope: Scope
    reason: Text

    def routing_key(self) -> str:
        return self.scope

    def command(self) -> c.Command:
        return c.SwitchToPeacetime(self.scope, self.reason)


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
    | ModeSwitchedToPeacetime,
    Field(discriminator="kind"),
]
MESSAGE = TypeAdapter(Message)
KINDS = tuple(
    m.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in Envelope.__subclasses__()
)


def shard_of(routing_key: str) -> int:
    return zlib.crc32(routing_key.encode()) % SHARDS


def subject_for(prefix: str, message: Envelope) -> str:
    return f"{prefix}.in.{shard_of(message.routing_key())}.{message.kind}"  # type: ignore[attr-defined]
