"""A checkpoint (卡口) in a grid, staffed in shifts by cadres dispatched to that grid."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from pingzhan.domain import ids
from pingzhan.domain.errors import CheckpointClosedError, NotOnDutyError
from pingzhan.domain.stamp import Stamp


class Checkpoint(Aggregate):
    @staticmethod
    def create_id(checkpoint_id: str, **_: Any) -> UUID:
        return ids.checkpoint(checkpoint_id)

    @event("Established")
    def __init__(
        self,
        checkpoint_id: str,
        grid_id: str,
        name: str,
        message_id: str,
        actor: str,
        occurred_at: str,
    ):
        self.checkpoint_id = checkpoint_id
        self.grid_id = grid_id
        self.name = name
        self.closed = False
        self.on_duty: dict[str, str] = {}  # cadre id -> shift start

    def check_open(self) -> None:
        if self.closed:
            raise CheckpointClosedError(f"checkpoint {self.checkpoint_id} is closed")

    def check_on_duty(self, cadre_id: str) -> None:
        if cadre_id not in self.on_duty:
            raise NotOnDutyError(f"cadre {cadre_id} is not on duty at checkpoint {self.checkpoint_id}")

    def staff(self, cadre_id: str, stamp: Stamp) -> None:
        self._staffed(
            checkpoint_id=self.checkpoint_id, cadre_id=cadre_id, grid_id=self.grid_id, **stamp.fields()
        )

    def relieve(self, cadre_id: str, stamp: Stamp) -> None:
        self._relieved(
            checkpoint_id=self.checkpoint_id, cadre_id=cadre_id, grid_id=self.grid_id, **stamp.fields()
        )

    def close(self, stamp: Stamp) -> None:
        self.check_open()
        if self.on_duty:
            raise CheckpointClosedError(
                f"checkpoint {self.checkpoint_id} still has {len(self.on_duty)} cadre(s) on duty "
                f"({', '.join(sorted(self.on_duty))}); relieve them first"
            )
        self._closed(checkpoint_id=self.checkpoint_id, grid_id=self.grid_id, **stamp.fields())

    @event("Staffed")
    def _staffed(
        self, checkpoint_id: str, cadre_id: str, grid_id: str, message_id: str, actor: str, occurred_at: str
    ) -> None:
        self.on_duty[cadre_id] = occurred_at

    @event("Relieved")
    def _relieved(
        self, checkpoint_id: str, cadre_id: str, grid_id: str, message_id: str, actor: str, occurred_at: str
    ) -> None:
        self.on_duty.pop(cadre_id, None)

    @event("Closed")
    def _closed(
        self, checkpoint_id: str, grid_id: str, message_id: str, actor: str, occurred_at: str
    ) -> None:
        self.closed = True
