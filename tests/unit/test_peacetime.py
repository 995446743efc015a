"""Peacetime work: service days, visits, household information, opinions, volunteering, ratings,
inspections and registration drives; given/when/then with no IO."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.org import household_id

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID, OTHER_GRID = "BT-QG-01-01", "BT-QG-01-02"
HOUSEHOLD = household_id(GRID, 7)
IN_GRID = (c.RegisterCadre("CD1", "张三", "RSJ"), c.DispatchCadre("CD1", GRID))
ELSEWHERE = (c.RegisterCadre("CD1", "张三", "RSJ"), c.DispatchCadre("CD1", OTHER_GRID))
WEDNESDAY = "2022-03-02T07:30:00+08:00"  # still 1 March in UTC


def test_the_service_day_is_the_local_date_the_cadre_checked_in(domain: Domain) -> None:
    domain.given(*IN_GRID)

    checked_in = domain.when(c.CheckIn("CD1", GRID), at=WEDNESDAY)
    checked_out = domain.when(c.CheckOut("CD1"), at="2022-03-02T17:00:00+08:00")

    domain.then(checked_in, (Cadre.CheckedIn, {"grid_id": GRID, "service_day": "2022-03-02"}))
    domain.then(checked_out, (Cadre.CheckedOut, {"grid_id": GRID, "service_day": "2022-03-02"}))


def test_a_cadre_already_checked_in_cannot_check_in_again(domain: Domain) -> None:
    domain.given(*IN_GRID)
    domain.when(c.CheckIn("CD1", GRID), at=WEDNESDAY)

    error = domain.rejects(c.CheckIn("CD1", GRID))

    domain.then_rejected(error, errors.ServiceDayError, "cadre CD1 is already checked in (since 2022-03-02)")


def test_a_cadre_not_checked_in_cannot_check_out(domain: Domain) -> None:
    domain.given(*IN_GRID, c.CheckIn("CD1", GRID), c.CheckOut("CD1"))

    error = domain.rejects(c.CheckOut("CD1"))

    domain.then_rejected(error, errors.ServiceDayError, "cadre CD1 is not checked in")


def test_a_cadre_checks_in_only_in_the_grid_they_are_dispatched_to(domain: Domain) -> None:
    domain.given(*ELSEWHERE)

    error = domain.rejects(c.CheckIn("CD1", GRID))

    domain.then_rejected(
        error,
        errors.CadreNotDispatchedError,
        f"cadre CD1 is dispatched to grid {OTHER_GRID}, not to grid {GRID}",
    )


def test_a_visit_that_collects_information_opens_the_households_record(domain: Domain) -> None:
    domain.given(*IN_GRID)

    events = domain.when(c.VisitHousehold("CD1", HOUSEHOLD, 3, True))

    domain.then(
        events,
        (Cadre.HouseholdVisited, {"household_id": HOUSEHOLD, "grid_id": GRID, "persons": 3}),
        (HouseholdInfo.Opened, {"household_id": HOUSEHOLD, "grid_id": GRID}),
        (HouseholdInfo.InformationCollected, {"cadre_id": "CD1", "persons": 3}),
    )


def test_a_visit_without_collecting_information_records_only_the_visit(domain: Domain) -> None:
    domain.given(*IN_GRID)

    events = domain.when(c.VisitHousehold("CD1", HOUSEHOLD, 3, False))

    domain.then(events, (Cadre.HouseholdVisited, {"info_collected": False}))


def test_collected_information_can_be_verified_once(domain: Domain) -> None:
    domain.given(*IN_GRID, c.VisitHousehold("CD1", HOUSEHOLD, 3, True))

    verified = domain.when(c.VerifyInformation(HOUSEHOLD, "corrected"))
    again = domain.rejects(c.VerifyInformation(HOUSEHOLD, "correct"))

    domain.then(verified, (HouseholdInfo.InformationVerified, {"collected_by": "CD1", "result": "corrected"}))
    domain.then_rejected(
        again, errors.InformationError, f"the information of household {HOUSEHOLD} is already verified"
    )


def test_information_collected_again_is_verified_again(domain: Domain) -> None:
    domain.given(
        *IN_GRID,
        c.VisitHousehold("CD1", HOUSEHOLD, 3, True),
        c.VerifyInformation(HOUSEHOLD, "correct"),
        c.VisitHousehold("CD1", HOUSEHOLD, 4, True),
    )

    events = domain.when(c.VerifyInformation(HOUSEHOLD, "correct"))

    domain.then(events, HouseholdInfo.InformationVerified)


@pytest.mark.parametrize("visits", [(), (c.VisitHousehold("CD1", HOUSEHOLD, 3, False),)])
def test_information_that_was_never_collected_cannot_be_verified(
    domain: Domain, visits: tuple[c.Command, ...]
) -> None:
    domain.given(*IN_GRID, *visits)

    error = domain.rejects(c.VerifyInformation(HOUSEHOLD, "correct"))

    domain.then_rejected(
        error, errors.InformationError, f"no information was collected for household {HOUSEHOLD}"
    )


@pytest.mark.parametrize("household", [f"{GRID}-H0", f"{GRID}-H550", f"{GRID}-Hx", "NOWHERE-H1", "H1"])
def test_a_household_outside_its_grids_numbering_is_unknown(domain: Domain, household: str) -> None:
    domain.given(*IN_GRID)

    error = domain.rejects(c.VisitHousehold("CD1", household, 3, True))

    domain.then_rejected(
        error, errors.UnknownHouseholdError, f"unknown household {household!r} (households are GRID-Hn)"
    )


def test_a_cadre_visits_only_households_of_their_grid(domain: Domain) -> None:
    domain.given(*ELSEWHERE)

    error = domain.rejects(c.VisitHousehold("CD1", HOUSEHOLD, 3, True))

    domain.then_rejected(error, errors.CadreNotDispatchedError)


def test_opinions_volunteering_and_inspections_are_recorded_in_the_cadres_grid(domain: Domain) -> None:
    domain.given(*IN_GRID)

    opinion = domain.when(c.CollectOpinion("CD1", GRID, "drainage", "the alley floods"))
    served = domain.when(c.ServeAsVolunteer("CD1", GRID, "sandbags", 2.5))
    inspected = domain.when(c.Inspect("I1", 3, "CD1", GRID, "present"))

    domain.then(opinion, (Cadre.OpinionCollected, {"grid_id": GRID, "category": "drainage"}))
    domain.then(served, (Cadre.VolunteerServed, {"grid_id": GRID, "hours": 2.5}))
    domain.then(inspected, (Cadre.Inspected, {"inspection_id": "I1", "group": 3, "finding": "present"}))


@pytest.mark.parametrize(
    "command",
    [
        c.CollectOpinion("CD1", GRID, "drainage", "x"),
        c.ServeAsVolunteer("CD1", GRID, "sandbags", 1.0),
        c.Inspect("I1", 3, "CD1", GRID, "present"),
    ],
)
def test_work_in_a_grid_the_cadre_is_not_dispatched_to_is_rejected(
    domain: Domain, command: c.Command
) -> None:
    domain.given(*ELSEWHERE)

    error = domain.rejects(command)

    domain.then_rejected(error, errors.CadreNotDispatchedError)


def test_a_resident_rates_a_cadre_from_a_known_household(domain: Domain) -> None:
    domain.given(*IN_GRID)

    rated = domain.when(c.RateCadre("CD1", HOUSEHOLD, 5))
    unknown = domain.rejects(c.RateCadre("CD1", f"{GRID}-H0", 5))

    domain.then(rated, (Cadre.RatedByResident, {"household_id": HOUSEHOLD, "score": 5}))
    domain.then_rejected(unknown, errors.UnknownHouseholdError)


def test_registrations_are_recorded_in_the_main_grid_of_the_compound(domain: Domain) -> None:
    domain.given(*ELSEWHERE)
    main = domain.org.compound("NZYY").grids[0]

    events = domain.when(c.RecordRegistration("D1", "NZYY", "CD1", 400, 1200))
    unknown = domain.rejects(c.RecordRegistration("D1", "NOPE", "CD1", 1, 1))

    domain.then(
        events, (Cadre.HouseholdsRegistered, {"compound_id": "NZYY", "grid_id": main, "households": 400})
    )
    domain.then_rejected(unknown, errors.UnknownScopeError, "unknown compound 'NOPE'")
