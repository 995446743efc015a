"""Peacetime work (平时): the weekly service day, visits, household information, opinions,
volunteering, residents' ratings, inspections and registration drives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from uuid import UUID

from pingzhan.domain import ids
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.errors import CadreNotDispatchedError, OpinionExistsError, UnknownScopeError
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.opinion import Opinion
from pingzhan.domain.org import Org
from pingzhan.domain.stamp import Stamp
from pingzhan.domain.workspace import (
    CadreInGrid,
    Workspace,
    change_or_create,
    check_new,
    get_cadre,
    get_checkpoint,
)


def _change_information(
    ws: Workspace, household_id: str, grid_id: str, change: Callable[[HouseholdInfo], None]
) -> None:
    """Call ``change`` on the household's information (new, with nothing collected, if there is none)."""
    create = partial(HouseholdInfo.open, household_id, grid_id)
    change_or_create(ws, HouseholdInfo, ids.household(household_id), create, change)


@dataclass(frozen=True, slots=True)
class CheckIn(CadreInGrid):
    cadre_id: str
    grid_id: str

    def carry_out(self, cadre: Cadre, stamp: Stamp) -> None:
        cadre.check_in(self.grid_id, stamp)


@dataclass(frozen=True, slots=True)
class CheckOut:
    cadre_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        get_cadre(ws, self.cadre_id).check_out(stamp)


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
        get_cadre(ws, self.cadre_id).visit(
            grid_id, self.household_id, self.persons, self.info_collected, stamp
        )
        if self.info_collected:
            _change_information(
                ws, self.household_id, grid_id, lambda info: info.collect(self.cadre_id, self.persons, stamp)
            )


@dataclass(frozen=True, slots=True)
class VerifyInformation:
    household_id: str
    result: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.household(self.household_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        grid_id = org.household(self.household_id)
        _change_information(ws, self.household_id, grid_id, lambda info: info.verify(self.result, stamp))


@dataclass(frozen=True, slots=True)
class CollectOpinion(CadreInGrid):
    """An opinion collected by a cadre in their grid: a line of the cadre's work, or, with an
    ``opinion_id``, an opinion of its own that can be followed (raised as a problem)."""

    cadre_id: str
    grid_id: str
    category: str
    text: str
    opinion_id: str | None = None

    def needs(self) -> tuple[UUID, ...]:
        opinion = (ids.opinion(self.opinion_id),) if self.opinion_id else ()
        return (ids.cadre(self.cadre_id), *opinion)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        cadre = get_cadre(ws, self.cadre_id)
        if self.opinion_id is None:
            cadre.collect_opinion(self.grid_id, self.category, self.text, stamp)
            return
        cadre.check_dispatched_to(self.grid_id)
        opinion = ids.opinion(self.opinion_id)
        check_new(ws, opinion, OpinionExistsError(f"opinion {self.opinion_id} was already collected"))
        ws.add(Opinion.collect(self.opinion_id, self.cadre_id, self.grid_id, self.category, self.text, stamp))


@dataclass(frozen=True, slots=True)
class ServeAsVolunteer(CadreInGrid):
    cadre_id: str
    grid_id: str
    activity: str
    hours: float

    def carry_out(self, cadre: Cadre, stamp: Stamp) -> None:
        cadre.serve_as_volunteer(self.grid_id, self.activity, self.hours, stamp)


@dataclass(frozen=True, slots=True)
class RateCadre:
    cadre_id: str
    household_id: str
    score: int

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.household(self.household_id)
        get_cadre(ws, self.cadre_id).be_rated(self.household_id, self.score, stamp)


@dataclass(frozen=True, slots=True)
class Inspect(CadreInGrid):
    """An inspection group's finding on a cadre in their grid: on the service day, or in wartime
    at a checkpoint (``checkpoint_id``, which must be open and in the cadre's grid)."""

    inspection_id: str
    group: int
    cadre_id: str
    grid_id: str
    finding: str
    checkpoint_id: str | None = None

    def needs(self) -> tuple[UUID, ...]:
        checkpoint = (ids.checkpoint(self.checkpoint_id),) if self.checkpoint_id else ()
        return (ids.cadre(self.cadre_id), *checkpoint)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        cadre = get_cadre(ws, self.cadre_id)
        if self.checkpoint_id is not None:
            checkpoint = get_checkpoint(ws, self.checkpoint_id)
            checkpoint.check_open()
            if checkpoint.grid_id != self.grid_id:
                raise CadreNotDispatchedError(
                    f"checkpoint {self.checkpoint_id} is in grid {checkpoint.grid_id}, not in grid {self.grid_id}"
                )
        self.carry_out(cadre, stamp)

    def carry_out(self, cadre: Cadre, stamp: Stamp) -> None:
        cadre.be_inspected(
            self.grid_id, self.inspection_id, self.group, self.finding, stamp, self.checkpoint_id
        )


@dataclass(frozen=True, slots=True)
class RecordRegistration:
    """Households and persons a cadre registered for a drive (a registration-style drive: 住户信息
    登记, 疫苗接种登记, ...) in its target: a compound, or without one the grid ``grid_id``."""

    drive_id: str
    compound_id: str | None
    cadre_id: str
    households: int
    persons: int
    grid_id: str | None = None

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        if self.compound_id is not None:
            grid_id = org.compound(self.compound_id).grid
        elif self.grid_id is not None:
            grid_id = org.grid(self.grid_id).id
        else:
            raise UnknownScopeError("a registration names its target: a compound or a grid")
        get_cadre(ws, self.cadre_id).register_households(
            self.drive_id, self.compound_id, grid_id, self.households, self.persons, stamp
        )
