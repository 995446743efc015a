"""A flood hazard (防汛隐患) reported in a grid and later resolved."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import HazardResolvedError
from pingzhan.domain.stamp import Stamp, Stamped


class Hazard(Aggregate):
    class Reported(Aggregate.Created, Stamped):
        hazard_id: str
        grid_id: str
        hazard_kind: str
        location: str
        severity: str

    class Resolved(Aggregate.Event, Stamped):
        hazard_id: str
        grid_id: str
        resolution: str

        def apply(self, hazard: Hazard) -> None:
            hazard.resolved = True

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

    @classmethod
    def report(
        cls, hazard_id: str, grid_id: str, hazard_kind: str, location: str, severity: str, stamp: Stamp
    ) -> Hazard:
        return cls._create(
            cls.Reported,
            id=ids.hazard(hazard_id),
            hazard_id=hazard_id,
            grid_id=grid_id,
            hazard_kind=hazard_kind,
            location=location,
            severity=severity,
            **stamp.fields(),
        )

    def resolve(self, resolution: str, stamp: Stamp) -> None:
        if self.resolved:
            raise HazardResolvedError(f"hazard {self.hazard_id} is already resolved")
        self.trigger_event(
            self.Resolved,
            hazard_id=self.hazard_id,
            grid_id=self.grid_id,
            resolution=resolution,
            **stamp.fields(),
        )
