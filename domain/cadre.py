"""A cadre (下沉干部) sent by a dispatching unit into one grid at a time."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from pingzhan.domain import ids
from pingzhan.domain.errors import CadreAlreadyDispatchedError, CadreNotDispatchedError, CadreOnDutyError
from pingzhan.domain.stamp import Stamp


class Cadre(Aggregate):
    @staticmethod
    def create_id(cadre_id: str, **_: Any) -> UUID:
        return ids.cadre(cadre_id)

    @event("Registered")
    def __init__(
        self,
        cadre_id: str,
        name: str,
        unit: str,
        message_id: str,
        actor: str,
        occurred_at: str,
    ):
        self.cadre_id = cadre_id
        self.name = name
        self.unit = unit
        self.grid: str | None = None
        self.on_duty_at: str | None = None

    def dispatch(self, grid_id: str, stamp: Stamp) -> None:
        if self.grid is not None:
            raise CadreAlreadyDispatchedError(
                f"cadre {self.cadre_id} is already dispatched to grid {self.grid}; recall first"
            )
        self._dispatched(cadre_id=self.cadre_id, grid_id=grid_id, **stamp.fields())

    def check_dispatched_to(self, grid_id: str) -> None:
        if self.grid != grid_id:
            where = f"grid {self.grid}" if self.grid else "no grid"
            raise CadreNotDispatchedError(
                f"cadre {self.cadre_id} is dispatched to {where}, not to grid {grid_id}"
            )

    def check_off_duty(self) -> None:
        if self.on_duty_at is not None:
            raise CadreOnDutyError(f"cadre {self.cadre_id} is on duty at checkpoint {self.on_duty_at}")

    def recall(self, stamp: Stamp) -> None:
        if self.grid is None:
            raise CadreNotDispatchedError(f"cadre {self.cadre_id} is not dispatched to any grid")
        self.check_off_duty()
        self._recalled(cadre_id=self.cadre_id, grid_id=self.grid, **stamp.fields())

    def go_on_duty(self, checkpoint_id: str, stamp: Stamp) -> None:
        self._went_on_duty(
            cadre_id=self.cadre_id, checkpoint_id=checkpoint_id, grid_id=self.grid, **stamp.fields()
        )

    def come_off_duty(self, stamp: Stamp) -> None:
        self._came_off_duty(
            cadre_id=self.cadre_id, checkpoint_id=self.on_duty_at, grid_id=self.grid, **stamp.fields()
        )

    @event("DispatchedToGrid")
    def _dispatched(self, cadre_id: str, grid_id: str, message_id: str, actor: str, occurred_at: str) -> None:
        self.grid = grid_id

    @event("Recalled")
    def _recalled(self, cadre_id: str, grid_id: str, message_id: str, actor: str, occurred_at: str) -> None:
        self.grid = None

    @event("WentOnDuty")
    def _went_on_duty(
        self,
        cadre_id: str,
        checkpoint_id: str,
        grid_id: str | None,
        message_id: str,
        actor: str,
        occurred_at: str,
    ) -> None:
        self.on_duty_at = checkpoint_id

    @event("CameOffDuty")
    def _came_off_duty(
        self,
        cadre_id: str,
        checkpoint_id: str | None,
        grid_id: str | None,
        message_id: str,
        actor: str,
        occurred_at: str,
    ) -> None:
        self.on_duty_at = None
