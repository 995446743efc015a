"""The basic information (基础信息) of one household: collected on a visit, later verified."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import InformationError
from pingzhan.domain.stamp import Stamp, Stamped


class HouseholdInfo(Aggregate):
    class Opened(Aggregate.Created):
        household_id: str
        grid_id: str

    class InformationCollected(Aggregate.Event, Stamped):
        household_id: str
        grid_id: str
        cadre_id: str
        persons: int

        def apply(self, info: HouseholdInfo) -> None:
            info.collected_by = self.cadre_id
            info.verified = False

    class InformationVerified(Aggregate.Event, Stamped):
        household_id: str
        grid_id: str
        collected_by: str
        result: str  # correct | corrected

        def apply(self, info: HouseholdInfo) -> None:
            info.verified = True

    def __init__(self, household_id: str, grid_id: str):
        self.household_id = household_id
        self.grid_id = grid_id
        self.collected_by: str | None = None
        self.verified = False

    @classmethod
    def open(cls, household_id: str, grid_id: str) -> HouseholdInfo:
        return cls._create(
            cls.Opened, id=ids.household(household_id), household_id=household_id, grid_id=grid_id
        )

    def collect(self, cadre_id: str, persons: int, stamp: Stamp) -> None:
        self.trigger_event(
            self.InformationCollected,
            household_id=self.household_id,
            grid_id=self.grid_id,
            cadre_id=cadre_id,
            persons=persons,
            **stamp.fields(),
        )

    def verify(self, result: str, stamp: Stamp) -> None:
        if self.collected_by is None:
            raise InformationError(f"no information was collected for household {self.household_id}")
        if self.verified:
            raise InformationError(f"the information of household {self.household_id} is already verified")
        self.trigger_event(
            self.InformationVerified,
            household_id=self.household_id,
            grid_id=self.grid_id,
            collected_by=self.collected_by,
            result=result,
            **stamp.fields(),
        )
