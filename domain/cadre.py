"""A cadre (下沉干部) sent by a dispatching unit into one grid at a time."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import CadreAlreadyDispatchedError, CadreNotDispatchedError, CadreOnDutyError
from pingzhan.domain.stamp import Stamp, Stamped


class Cadre(Aggregate):
    class Registered(Aggregate.Created, Stamped):
        cadre_id: str
        name: str
        unit: str

    class DispatchedToGrid(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str

        def apply(self, cadre: Cadre) -> None:
            cadre.grid = self.grid_id

    class Recalled(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str

        def apply(self, cadre: Cadre) -> None:
            cadre.grid = None

    class WentOnDuty(Aggregate.Event, Stamped):
        cadre_id: str
        checkpoint_id: str
        grid_id: str | None

        def apply(self, cadre: Cadre) -> None:
            cadre.on_duty_at = self.checkpoint_id

    class CameOffDuty(Aggregate.Event, Stamped):
        cadre_id: str
        checkpoint_id: str | None
        grid_id: str | None

        def apply(self, cadre: Cadre) -> None:
            cadre.on_duty_at = None

    def __init__(self, cadre_id: str, name: str, unit: str, message_id: str, actor: str, occurred_at: str):
        self.cadre_id = cadre_id
        self.name = name
        self.unit = unit
        self.grid: str | None = None
        self.on_duty_at: str | None = None

    @classmethod
    def register(cls, cadre_id: str, name: str, unit: str, stamp: Stamp) -> Cadre:
        return cls._create(
            cls.Registered, id=ids.cadre(cadre_id), cadre_id=cadre_id, name=name, unit=unit, **stamp.fields()
        )

    def dispatch(self, grid_id: str, stamp: Stamp) -> None:
        if self.grid is not None:
            raise CadreAlreadyDispatchedError(
                f"cadre {self.cadre_id} is already dispatched to grid {self.grid}; recall first"
            )
        self.trigger_event(self.DispatchedToGrid, cadre_id=self.cadre_id, grid_id=grid_id, **stamp.fields())

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
        self.trigger_event(self.Recalled, cadre_id=self.cadre_id, grid_id=self.grid, **stamp.fields())

    def go_on_duty(self, checkpoint_id: str, stamp: Stamp) -> None:
        self.trigger_event(
            self.WentOnDuty,
            cadre_id=self.cadre_id,
            checkpoint_id=checkpoint_id,
            grid_id=self.grid,
            **stamp.fields(),
        )

    def come_off_duty(self, stamp: Stamp) -> None:
        self.trigger_event(
            self.CameOffDuty,
            cadre_id=self.cadre_id,
            checkpoint_id=self.on_duty_at,
            grid_id=self.grid,
            **stamp.fields(),
        )
