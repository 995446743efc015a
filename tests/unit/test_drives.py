"""Registration-style drives: the same model for the January registration of three compounds and for
a vaccination drive in the grids of one community; progress per target, by unit and street."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.cadre import Cadre
from pingzhan.projections.drives import Drives, drive_progress

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

NANGUAN_GRID = "BT-NS-01-03"  # a grid of 南关社区
SETUP = (
    c.RegisterCadre("A", "甲", "RSJ"),
    c.RegisterCadre("B", "乙", "RSJ"),
    c.RegisterCadre("P", "丙", "XC"),
)
UNITS = {"A": "RSJ", "B": "RSJ", "P": "XC"}


def registrations(domain: Domain) -> list[tuple[str, str, str, str, str, str]]:
    return [r[1:] for r in Drives().fold(domain.events).appended["fact_drive"]]


def test_a_drive_whose_target_is_a_grid_is_recorded_in_that_grid(domain: Domain) -> None:
    domain.given(*SETUP)

    events = domain.when(c.RecordRegistration("VAX", None, "P", 30, 81, NANGUAN_GRID))
    unknown = domain.rejects(c.RecordRegistration("VAX", None, "P", 1, 1, "BT-NS-01-99"))
    nowhere = domain.rejects(c.RecordRegistration("VAX", None, "P", 1, 1))

    domain.then(events, (Cadre.HouseholdsRegistered, {"compound_id": None, "grid_id": NANGUAN_GRID}))
    domain.then_rejected(unknown, errors.UnknownScopeError, "unknown grid 'BT-NS-01-99'")
    domain.then_rejected(nowhere, errors.UnknownScopeError)


def test_progress_is_per_drive_and_target_with_the_units_and_the_street(domain: Domain) -> None:
    nzyy = domain.org.compound("NZYY")
    domain.given(
        *SETUP,
        c.RecordRegistration("D1", "NZYY", "A", 400, 1200),
        c.RecordRegistration("D1", "NZYY", "B", 312, 926),
        c.RecordRegistration("D2", "AZXQ", "B", 10, 30),
        c.RecordRegistration("VAX", None, "P", 30, 81, NANGUAN_GRID),
        c.RecordRegistration("VAX", None, "P", 20, 50, NANGUAN_GRID),
    )

    d1 = drive_progress(registrations(domain), UNITS, domain.org, "D1")
    vax = drive_progress(registrations(domain), UNITS, domain.org, "VAX")
    every = drive_progress(registrations(domain), UNITS, domain.org, None)

    assert [(r["drive"], r["target"]) for r in d1] == [("D1", "compound:NZYY")]
    row = d1[0]
    assert (row["households"], row["persons"], row["cadres"], row["units"]) == (712, 2126, 2, {"RSJ": 2})
    assert (row["households_total"], row["persons_total"]) == (nzyy.households, nzyy.residents)
    assert row["grids"] == list(nzyy.grids) and len(row["grids"]) > 1
    assert (row["community"], row["street"]) == ("BT-QG-02", "BT-QG")
    grid = domain.org.grid(NANGUAN_GRID)
    assert [(r["target"], r["households"], r["persons"], r["units"]) for r in vax] == [
        (f"grid:{NANGUAN_GRID}", 50, 131, {"XC": 1})
    ]
    assert (vax[0]["persons_total"], vax[0]["street"]) == (grid.residents, "BT-NS")
    assert vax[0]["name"] == f"南关社区{grid.name}"
    assert [(r["drive"], r["target"]) for r in every] == [
        ("D1", "compound:NZYY"),
        ("D2", "compound:AZXQ"),
        ("VAX", f"grid:{NANGUAN_GRID}"),
    ]


def test_registrations_count_on_the_district_date_they_happened(domain: Domain) -> None:
    domain.given(*SETUP)
    domain.when(c.RecordRegistration("D1", "MMGJ", "A", 5, 9), at="2022-01-10T23:30:00+00:00")

    (row,) = drive_progress(registrations(domain), UNITS, domain.org, "D1")

    assert (row["first_day"], row["last_day"]) == ("2022-01-11", "2022-01-11")
