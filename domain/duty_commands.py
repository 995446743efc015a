"""Cadres sent into grids, and the checkpoints they staff in shifts."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pingzhan.domain import ids
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.errors import CadreAlreadyRegisteredError, CheckpointExistsError
from pingzhan.domain.org import Org
from pingzhan.domain.stamp import Stamp
from pingzhan.domain.workspace import CadreInGrid, Workspace, check_new, get_cadre, get_checkpoint


@dataclass(frozen=True, slots=True)
class RegisterCadre:
    """A person of the grids: a dispatched cadre, or (``role``) community staff, property staff or a
    volunteer of a checkpoint team; ``unit`` is the dispatching unit, or the person's own."""

    cadre_id: str
    name: str
    unit: str
    role: str = "cadre"

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        check_new(
            ws,
            ids.cadre(self.cadre_id),
            CadreAlreadyRegisteredError(f"cadre {self.cadre_id} is already registered"),
        )
        ws.add(Cadre.register(self.cadre_id, self.name, self.unit, stamp, self.role))


@dataclass(frozen=True, slots=True)
class DispatchCadre(CadreInGrid):
    cadre_id: str
    grid_id: str

    def carry_out(self, cadre: Cadre, stamp: Stamp) -> None:
        cadre.dispatch(self.grid_id, stamp)


@dataclass(frozen=True, slots=True)
class RecallCadre:
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_cadre(ws, self.cadre_id).recall(stamp)


@dataclass(frozen=True, slots=True)
class EstablishCheckpoint:
    checkpoint_id: str
    grid_id: str
    name: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.checkpoint(self.checkpoint_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        check_new(
            ws,
            ids.checkpoint(self.checkpoint_id),
            CheckpointExistsError(f"checkpoint {self.checkpoint_id} already exists"),
        )
        ws.add(Checkpoint.establish(self.checkpoint_id, self.grid_id, self.name, stamp))


class _Shift:
    """The start or end of a cadre's shift at a checkpoint: both are loaded and both change."""

    __slots__ = ()
    checkpoint_id: str
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.checkpoint(self.checkpoint_id), ids.cadre(self.cadre_id))

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        self.carry_out(get_checkpoint(ws, self.checkpoint_id), get_cadre(ws, self.cadre_id), stamp)

    def carry_out(self, checkpoint: Checkpoint, cadre: Cadre, stamp: Stamp) -> None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class StaffCheckpoint(_Shift):
    checkpoint_id: str
    cadre_id: str

    def carry_out(self, checkpoint: Checkpoint, cadre: Cadre, stamp: Stamp) -> None:
        checkpoint.check_open()
        cadre.check_dispatched_to(checkpoint.grid_id)
        cadre.check_off_duty()
        checkpoint.staff(self.cadre_id, stamp)
        cadre.go_on_duty(self.checkpoint_id, stamp)


@dataclass(frozen=True, slots=True)
class RelieveCheckpoint(_Shift):
    checkpoint_id: str
    cadre_id: str

    def carry_out(self, checkpoint: Checkpoint, cadre: Cadre, stamp: Stamp) -> None:
        checkpoint.check_on_duty(self.cadre_id)
        checkpoint.relieve(self.cadre_id, stamp)
        cadre.come_off_duty(stamp)


@dataclass(frozen=True, slots=True)
class CloseCheckpoint:
    checkpoint_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.checkpoint(self.checkpoint_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_checkpoint(ws, self.checkpoint_id).close(stamp)
