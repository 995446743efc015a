"""A cadre (下沉干部) sent by a dispatching unit into one grid at a time."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import (
    CadreAlreadyDispatchedError,
    CadreNotDispatchedError,
    CadreOnDutyError,
    OrganisationError,
    ServiceDayError,
)
from pingzhan.domain.stamp import Stamp, Stamped

# 与社区干部、物业公司职工、社区志愿者一起在卡口执勤: a checkpoint team mixes dispatched cadres with
# community staff, property-company staff and volunteers. All are people of the grid (registered,
# dispatched, on duty, given tasks) with the same rules; only cadres are assessed.
CADRE = "cadre"
ROLES = (CADRE, "community_staff", "property_staff", "volunteer")


class Cadre(Aggregate):
    class Registered(Aggregate.Created, Stamped):
        cadre_id: str
        name: str
        unit: str
        role: str  # cadre, or one of the checkpoint teams' others (ROLES); none on older events: cadre

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

    # Peacetime work (平时): the weekly service day and what is done in the grid.
    class CheckedIn(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str
        service_day: str  # the district's date at occurred_at

        def apply(self, cadre: Cadre) -> None:
            cadre.checked_in_on = self.service_day

    class CheckedOut(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str
        service_day: str

        def apply(self, cadre: Cadre) -> None:
            cadre.checked_in_on = None

    class HouseholdVisited(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str
        household_id: str
        persons: int
        info_collected: bool

    class OpinionCollected(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str
        category: str
        text: str

    class VolunteerServed(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str
        activity: str
        hours: float

    class RatedByResident(Aggregate.Event, Stamped):
        cadre_id: str
        household_id: str
        score: int

    class Inspected(Aggregate.Event, Stamped):
        cadre_id: str
        grid_id: str
        inspection_id: str
        group: int
        finding: str  # present | absent | idle
        checkpoint_id: str | None  # in wartime, the checkpoint inspected (none on older events)

    class HouseholdsRegistered(Aggregate.Event, Stamped):
        cadre_id: str
        drive_id: str
        compound_id: str | None  # the drive's target: a compound, or (None) the grid itself
        grid_id: str  # the compound's main grid, or the grid that is the target
        households: int
        persons: int

    def __init__(
        self,
        cadre_id: str,
        name: str,
        unit: str,
        message_id: str,
        actor: str,
        occurred_at: str,
        role: str = CADRE,
    ):
        self.cadre_id = cadre_id
        self.role = role
        self.name = name
        self.unit = unit
        self.grid: str | None = None
        self.on_duty_at: str | None = None
        self.checked_in_on: str | None = None

    @classmethod
    def register(cls, cadre_id: str, name: str, unit: str, stamp: Stamp, role: str = CADRE) -> Cadre:
        if role not in ROLES:
            raise OrganisationError(f"person {cadre_id}: no role {role!r} (one of {', '.join(ROLES)})")
        return cls._create(
            cls.Registered,
            id=ids.cadre(cadre_id),
            cadre_id=cadre_id,
            name=name,
            unit=unit,
            role=role,
            **stamp.fields(),
        )

    def dispatch(self, grid_id: str, stamp: Stamp) -> None:
        if self.grid is not None:
            raise CadreAlreadyDispatchedError(
                f"cadre {self.cadre_id} is already dispatched to grid {self.grid}; recall first"
            )
        self._record(self.DispatchedToGrid, stamp, grid_id=grid_id)

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
        self._record(self.Recalled, stamp, grid_id=self.grid)

    def go_on_duty(self, checkpoint_id: str, stamp: Stamp) -> None:
        self._record(self.WentOnDuty, stamp, checkpoint_id=checkpoint_id, grid_id=self.grid)

    def come_off_duty(self, stamp: Stamp) -> None:
        self._record(self.CameOffDuty, stamp, checkpoint_id=self.on_duty_at, grid_id=self.grid)

    def check_in(self, grid_id: str, stamp: Stamp) -> None:
        self.check_dispatched_to(grid_id)
        if self.checked_in_on is not None:
            raise ServiceDayError(f"cadre {self.cadre_id} is already checked in (since {self.checked_in_on})")
        # The service day is the district's date, which the ingest worked out (no clock here).
        self._record(self.CheckedIn, stamp, grid_id=grid_id, service_day=stamp.day)

    def check_out(self, stamp: Stamp) -> None:
        if self.checked_in_on is None or self.grid is None:
            raise ServiceDayError(f"cadre {self.cadre_id} is not checked in")
        self._record(self.CheckedOut, stamp, grid_id=self.grid, service_day=self.checked_in_on)

    def visit(
        self, grid_id: str, household_id: str, persons: int, info_collected: bool, stamp: Stamp
    ) -> None:
        self._work_in(
            grid_id,
            self.HouseholdVisited,
            stamp,
            household_id=household_id,
            persons=persons,
            info_collected=info_collected,
        )

    def collect_opinion(self, grid_id: str, category: str, text: str, stamp: Stamp) -> None:
        self._work_in(grid_id, self.OpinionCollected, stamp, category=category, text=text)

    def serve_as_volunteer(self, grid_id: str, activity: str, hours: float, stamp: Stamp) -> None:
        self._work_in(grid_id, self.VolunteerServed, stamp, activity=activity, hours=hours)

    def be_rated(self, household_id: str, score: int, stamp: Stamp) -> None:
        self._record(self.RatedByResident, stamp, household_id=household_id, score=score)

    def be_inspected(
        self,
        grid_id: str,
        inspection_id: str,
        group: int,
        finding: str,
        stamp: Stamp,
        checkpoint_id: str | None = None,
    ) -> None:
        self._work_in(
            grid_id,
            self.Inspected,
            stamp,
            inspection_id=inspection_id,
            group=group,
            finding=finding,
            checkpoint_id=checkpoint_id,
        )

    def register_households(
        self,
        drive_id: str,
        compound_id: str | None,
        grid_id: str,
        households: int,
        persons: int,
        stamp: Stamp,
    ) -> None:
        self._record(
            self.HouseholdsRegistered,
            stamp,
            drive_id=drive_id,
            compound_id=compound_id,
            grid_id=grid_id,
            households=households,
            persons=persons,
        )

    def _work_in(self, grid_id: str, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        """Record work done in a grid, which must be the one the cadre is dispatched to."""
        self.check_dispatched_to(grid_id)
        self._record(event, stamp, grid_id=grid_id, **fields)

    def _record(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event, cadre_id=self.cadre_id, **fields, **stamp.fields())
