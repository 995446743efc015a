"""Emergency work on the wire: cadres, checkpoints, hazards, and the operators' mode commands."""

from __future__ import annotations

from typing import Annotated, Literal

from pingzhan.domain import commands as c
from pingzhan.domain.levels import Level
from pingzhan.services.wire.envelope import (
    Envelope,
    HazardKind,
    Ident,
    MessageId,
    Scope,
    Severity,
    Text,
)
from pydantic import Field


class CadreRegistered(Envelope):
    kind: Literal["cadre.registered"]
    cadre_id: Ident
    name: Text
    unit: Ident
    # a checkpoint team's others are people of the grid too, not assessed as cadres
    role: Literal["cadre", "community_staff", "property_staff", "volunteer"] = "cadre"

    def command(self) -> c.Command:
        return c.RegisterCadre(self.cadre_id, self.name, self.unit, self.role)


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
    problem_id: Ident | None = None  # the problem the hazard was raised as (resolved by way of it)
    grid_id: Ident | None = None  # routing hint only

    def command(self) -> c.Command:
        return c.ResolveHazard(self.hazard_id, self.resolution, self.problem_id)


class ModeSwitchedToWartime(Envelope):
    kind: Literal["mode.switched_to_wartime"]
    scope: Scope
    level: Level
    reason: Text
    exercise: bool = False
    trigger: Text | None = None  # what set it off: a weather warning, an epidemic notice, a report id

    def command(self) -> c.Command:
        return c.SwitchToWartime(self.scope, self.level, self.reason, self.exercise, self.trigger)


class ModeLevelChanged(Envelope):
    kind: Literal["mode.level_changed"]
    scope: Scope
    level: Level
    reason: Text
    trigger: Text | None = None

    def command(self) -> c.Command:
        return c.ChangeLevel(self.scope, self.level, self.reason, self.trigger)


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


Episode = Annotated[str, Field(pattern=r"^(district|street|community|grid):[A-Za-z0-9_\-]+#[1-9][0-9]{0,8}$")]


class ModeSwitchVoided(Envelope):
    kind: Literal["mode.switch_voided"]
    scope: Scope
    episode: Episode  # SCOPE#N, an episode of that scope
    reason: Text

    def command(self) -> c.Command:
        return c.VoidSwitch(self.scope, self.episode, self.reason)
