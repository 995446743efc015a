"""A flood hazard (防汛隐患) reported in a grid and later resolved."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from pingzhan.domain import ids
from pingzhan.domain.errors import HazardResolvedError
from pingzhan.domain.stamp import Stamp


class Hazard(Aggregate):
    @staticmethod
    def create_id(hazard_id: str, **_: Any) -> UUID:
        return ids.hazard(hazard_id)

    @event("Reported")
    def __init__(
        self,
        hazard_id: str,
        grid_id: str,
        hazard_kind: str,
        location: str,
        severity: str,
        message_id: str,
        actor: str,
        occurred_at: str,
    ):
        self.hazard_id = hazard_id
        self.grid_id = grid_id
        self.hazard_kind = hazard_kind
        self.location = location
        self.severity = severity
        self.resolved = False

    def resolve(self, resolution: str, stamp: Stamp) -> None:
        if self.resolved:
            raise HazardResolvedError(f"hazard {self.hazard_id} is already resolved")
        self._resolved(
            hazard_id=self.hazard_id, resolution=resolution, grid_id=self.grid_id, **stamp.fields()
        )

    @event("Resolved")
    def _resolved(
        self, hazard_id: str, resolution: str, grid_id: str, message_id: str, actor: str, occurred_at: str
    ) -> None:
        self.resolved = True
