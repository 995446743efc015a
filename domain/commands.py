"""What operators and field cadres ask for, and how each request is carried out on the aggregates.

Each command names the aggregates it needs (so the caller can load them in one go) and then runs
against a workspace that holds them. Checks come before changes, so a rejected command changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.errors import (
    CadreAlreadyRegisteredError,
    CheckpointExistsError,
    ConfirmationError,
    HazardExistsError,
    InformationError,
    ModeError,
    ProblemError,
    UnknownCadreError,
    UnknownCheckpointError,
    UnknownHazardError,
)
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.org import Org, parse_scope
from pingzhan.domain.problem import Problem
from pingzhan.domain.scope_mode import ScopeMode, check_level
from pingzhan.domain.stamp import Stamp


class Workspace(Protocol):
    """The aggregates a command works on; filled by whoever runs the command."""

    def get(self, aggregate_id: UUID) -> Aggregate | None: ...

    def add(self, aggregate: Aggregate) -> None: ...


def _cadre(ws: Workspace, cadre_id: str) -> Cadre:
    cadre = ws.get(ids.cadre(cadre_id))
    if cadre is None:
        raise UnknownCadreError(f"unknown cadre {cadre_id!r}")
    assert isinstance(cadre, Cadre)
    return cadre


def _checkpoint(ws: Workspace, checkpoint_id: str) -> Checkpoint:
    checkpoint = ws.get(ids.checkpoint(checkpoint_id))
    if checkpoint is None:
        raise UnknownCheckpointError(f"unknown checkpoint {checkpoint_id!r}")
    assert isinstance(checkpoint, Checkpoint)
    return checkpoint


def _hazard(ws: Workspace, hazard_id: str) -> Hazard:
    hazard = ws.get(ids.hazard(hazard_id))
    if hazard is None:
        raise UnknownHazardError(f"unknown hazard {hazard_id!r}")
    assert isinstance(hazard, Hazard)
    return hazard


@dataclass(frozen=True, slots=True)
class RegisterCadre:
    cadre_id: str
    name: str
    unit: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        if ws.get(ids.cadre(self.cadre_id)) is not None:
            raise CadreAlreadyRegisteredError(f"cadre {self.cadre_id} is already registered")
        ws.add(Cadre.register(self.cadre_id, self.name, self.unit, stamp))


@dataclass(frozen=True, slots=True)
class DispatchCadre:
    cadre_id: str
    grid_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        _cadre(ws, self.cadre_id).dispatch(self.grid_id, stamp)


@dataclass(frozen=True, slots=True)
class RecallCadre:
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _cadre(ws, self.cadre_id).recall(stamp)


@dataclass(frozen=True, slots=True)
class EstablishCheckpoint:
    checkpoint_id: str
    grid_id: str
    name: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.checkpoint(self.checkpoint_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        if ws.get(ids.checkpoint(self.checkpoint_id)) is not None:
            raise CheckpointExistsError(f"checkpoint {self.checkpoint_id} already exists")
        ws.add(Checkpoint.establish(self.checkpoint_id, self.grid_id, self.name, stamp))


@dataclass(frozen=True, slots=True)
class StaffCheckpoint:
    checkpoint_id: str
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.checkpoint(self.checkpoint_id), ids.cadre(self.cadre_id))

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        checkpoint = _checkpoint(ws, self.checkpoint_id)
        cadre = _cadre(ws, self.cadre_id)
        checkpoint.check_open()
        cadre.check_dispatched_to(checkpoint.grid_id)
        cadre.check_off_duty()
        checkpoint.staff(self.cadre_id, stamp)
        cadre.go_on_duty(self.checkpoint_id, stamp)


@dataclass(frozen=True, slots=True)
class RelieveCheckpoint:
    checkpoint_id: str
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.checkpoint(self.checkpoint_id), ids.cadre(self.cadre_id))

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        checkpoint = _checkpoint(ws, self.checkpoint_id)
        cadre = _cadre(ws, self.cadre_id)
        checkpoint.check_on_duty(self.cadre_id)
        checkpoint.relieve(self.cadre_id, stamp)
        cadre.come_off_duty(stamp)


@dataclass(frozen=True, slots=True)
class CloseCheckpoint:
    checkpoint_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.checkpoint(self.checkpoint_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _checkpoint(ws, self.checkpoint_id).close(stamp)


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
        if ws.get(ids.hazard(self.hazard_id)) is not None:
            raise HazardExistsError(f"hazard {self.hazard_id} was already reported")
        ws.add(
            Hazard.report(self.hazard_id, self.grid_id, self.hazard_kind, self.location, self.severity, stamp)
        )


@dataclass(frozen=True, slots=True)
class ResolveHazard:
    hazard_id: str
    resolution: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.hazard(self.hazard_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _hazard(ws, self.hazard_id).resolve(self.resolution, stamp)


def _mode(ws: Workspace, org: Org, scope: str) -> ScopeMode | None:
    parse_scope(scope)
    org.unit(scope)
    mode = ws.get(ids.scope(scope))
    assert mode is None or isinstance(mode, ScopeMode)
    return mode


@dataclass(frozen=True, slots=True)
class SwitchToWartime:
    scope: str
    level: str
    reason: str
    exercise: bool = False

    def needs(self) -> tuple[UUID, ...]:
        return (ids.scope(self.scope),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        mode = _mode(ws, org, self.scope)
        check_level(self.level)
        if mode is None:
            mode = ScopeMode.track(self.scope)
            ws.add(mode)
        mode.switch_to_wartime(self.level, self.reason, self.exercise, stamp)


@dataclass(frozen=True, slots=True)
class ChangeLevel:
    scope: str
    level: str
    reason: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.scope(self.scope),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        mode = _mode(ws, org, self.scope)
        if mode is None:
            raise ModeError(f"{self.scope} is in peacetime; switch it to wartime first")
        mode.change_level(self.level, self.reason, stamp)


@dataclass(frozen=True, slots=True)
class ConfirmSwitch:
    scope: str
    proposal_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.scope(self.scope),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        mode = _mode(ws, org, self.scope)
        if mode is None:
            raise ConfirmationError(f"{self.scope} has no pending proposal {self.proposal_id!r}")
        mode.confirm(self.proposal_id, stamp)


@dataclass(frozen=True, slots=True)
class SwitchToPeacetime:
    scope: str
    reason: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.scope(self.scope),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        mode = _mode(ws, org, self.scope)
        if mode is None:
            raise ModeError(f"{self.scope} is already in peacetime")
        mode.switch_to_peacetime(self.reason, stamp)


# Peacetime work ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CheckIn:
    cadre_id: str
    grid_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        _cadre(ws, self.cadre_id).check_in(self.grid_id, stamp)


@dataclass(frozen=True, slots=True)
class CheckOut:
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _cadre(ws, self.cadre_id).check_out(stamp)


@dataclass(frozen=True, slots=True)
class VisitHousehold:
    cadre_id: str
    household_id: str
    persons: int
    info_collected: bool

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id), ids.household(self.household_id))

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        grid_id = org.household(self.household_id)
        cadre = _cadre(ws, self.cadre_id)
        cadre.check_dispatched_to(grid_id)
        info = ws.get(ids.household(self.household_id))
        cadre.visit(grid_id, self.household_id, self.persons, self.info_collected, stamp)
        if self.info_collected:
            if info is None:
                info = HouseholdInfo.open(self.household_id, grid_id)
                ws.add(info)
            assert isinstance(info, HouseholdInfo)
            info.collect(self.cadre_id, self.persons, stamp)


@dataclass(frozen=True, slots=True)
class VerifyInformation:
    household_id: str
    result: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.household(self.household_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.household(self.household_id)
        info = ws.get(ids.household(self.household_id))
        if info is None:
            raise InformationError(f"no information was collected for household {self.household_id}")
        assert isinstance(info, HouseholdInfo)
        info.verify(self.result, stamp)


@dataclass(frozen=True, slots=True)
class CollectOpinion:
    cadre_id: str
    grid_id: str
    category: str
    text: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        _cadre(ws, self.cadre_id).collect_opinion(self.grid_id, self.category, self.text, stamp)


@dataclass(frozen=True, slots=True)
class ServeAsVolunteer:
    cadre_id: str
    grid_id: str
    activity: str
    hours: float

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        _cadre(ws, self.cadre_id).serve_as_volunteer(self.grid_id, self.activity, self.hours, stamp)


@dataclass(frozen=True, slots=True)
class RateCadre:
    cadre_id: str
    household_id: str
    score: int

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.household(self.household_id)
        _cadre(ws, self.cadre_id).be_rated(self.household_id, self.score, stamp)


@dataclass(frozen=True, slots=True)
class Inspect:
    inspection_id: str
    group: int
    cadre_id: str
    grid_id: str
    finding: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        _cadre(ws, self.cadre_id).be_inspected(
            self.grid_id, self.inspection_id, self.group, self.finding, stamp
        )


@dataclass(frozen=True, slots=True)
class RecordRegistration:
    drive_id: str
    compound_id: str
    cadre_id: str
    households: int
    persons: int

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        grid_id = org.compound(self.compound_id)[1]
        _cadre(ws, self.cadre_id).register_households(
            self.drive_id, self.compound_id, grid_id, self.households, self.persons, stamp
        )


# Problems ---------------------------------------------------------------------------------------------
def _problem(ws: Workspace, problem_id: str) -> Problem:
    problem = ws.get(ids.problem(problem_id))
    if problem is None:
        raise ProblemError(f"unknown problem {problem_id!r}")
    assert isinstance(problem, Problem)
    return problem


@dataclass(frozen=True, slots=True)
class ReportProblem:
    problem_id: str
    grid_id: str
    what: str
    where: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        if ws.get(ids.problem(self.problem_id)) is not None:
            raise ProblemError(f"problem {self.problem_id} was already reported")
        ws.add(Problem.report(self.problem_id, self.grid_id, self.what, self.where, stamp))


@dataclass(frozen=True, slots=True)
class EscalateProblem:
    problem_id: str
    office: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _problem(ws, self.problem_id).escalate(self.office, stamp)


@dataclass(frozen=True, slots=True)
class ResolveProblem:
    problem_id: str
    resolution: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.problem(self.problem_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _problem(ws, self.problem_id).resolve(self.resolution, stamp)


# Flood-duty tasks -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AssignHazardTask:
    hazard_id: str
    task_id: str
    task: str
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.hazard(self.hazard_id), ids.cadre(self.cadre_id))

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _cadre(ws, self.cadre_id)  # registration is permanent, so this read cannot go stale
        _hazard(ws, self.hazard_id).assign_task(self.task_id, self.task, self.cadre_id, stamp)


@dataclass(frozen=True, slots=True)
class FinishHazardTask:
    hazard_id: str
    task_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.hazard(self.hazard_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _hazard(ws, self.hazard_id).finish_task(self.task_id, stamp)


Command = (
    RegisterCadre
    | DispatchCadre
    | RecallCadre
    | EstablishCheckpoint
    | StaffCheckpoint
    | RelieveCheckpoint
    | CloseCheckpoint
    | ReportHazard
    | ResolveHazard
    | SwitchToWartime
    | ChangeLevel
    | ConfirmSwitch
    | SwitchToPeacetime
    | CheckIn
    | CheckOut
    | VisitHousehold
    | VerifyInformation
    | CollectOpinion
    | ServeAsVolunteer
    | RateCadre
    | Inspect
    | RecordRegistration
    | ReportProblem
    | EscalateProblem
    | ResolveProblem
    | AssignHazardTask
    | FinishHazardTask
)
