"""A checkpoint (卡口) in a grid, staffed in shifts by cadres dispatched to that grid."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import CheckpointClosedError, NotOnDutyError
from pingzhan.domain.stamp import Stamp, Stamped


class Checkpoint(Aggregate):
    class Established(Aggregate.Created, Stamped):
        checkpoint_id: str
        grid_id: str
        name: str

    class Staffed(Aggregate.Event, Stamped):
        checkpoint_id: str
        cadre_id: str
        grid_id: str

        def apply(self, checkpoint: Checkpoint) -> None:
            checkpoint.on_duty[self.cadre_id] = self.occurred_at

    class Relieved(Aggregate.Event, Stamped):
        checkpoint_id: str
        cadre_id: str
        grid_id: str

        def apply(self, checkpoint: Checkpoint) -> None:
            checkpoint.on_duty.pop(self.cadre_id, None)

    class Closed(Aggregate.Event, Stamped):
        checkpoint_id: str
        grid_id: str

        def apply(self, checkpoint: Checkpoint) -> None:
            checkpoint.closed = True

    def __init__(
        self, checkpoint_id: str, grid_id: str, name: str, message_id: str, actor: str, occurred_at: str
    ):
        self.checkpoint_id = checkpoint_id
        self.grid_id = grid_id
        self.name = name
        self.closed = False
        self.on_duty: dict[str, str] = {}  # cadre id -> shift start

    @classmethod
    def establish(cls, checkpoint_id: str, grid_id: str, name: str, stamp: Stamp) -> Checkpoint:
        return cls._create(
            cls.Established,
            id=ids.checkpoint(checkpoint_id),
            checkpoint_id=checkpoint_id,
            grid_id=grid_id,
            name=name,
            **stamp.fields(),
        )

    def check_open(self) -> None:
        if self.closed:
            raise CheckpointClosedError(f"checkpoint {self.checkpoint_id} is closed")

    def check_on_duty(self, cadre_id: str) -> None:
        if cadre_id not in self.on_duty:
            raise NotOnDutyError(f"cadre {cadre_id} is not on duty at checkpoint {self.checkpoint_id}")

    def staff(self, cadre_id: str, stamp: Stamp) -> None:
        self._record(self.Staffed, stamp, cadre_id=cadre_id)

    def relieve(self, cadre_id: str, stamp: Stamp) -> None:
        self._record(self.Relieved, stamp, cadre_id=cadre_id)

    def close(self, stamp: Stamp) -> None:
        self.check_open()
        if self.on_duty:
            raise CheckpointClosedError(
                f"checkpoint {self.checkpoint_id} still has {len(self.on_duty)} cadre(s) on duty "
                f"({', '.join(sorted(self.on_duty))}); relieve them first"
            )
        self._record(self.Closed, stamp)

    def _record(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(
            event, checkpoint_id=self.checkpoint_id, grid_id=self.grid_id, **fields, **stamp.fields()
        )
