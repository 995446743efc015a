"""Mixed checkpoint teams (与社区干部、物业公司职工、社区志愿者一起在卡口执勤): community staff,
property staff and volunteers are people of the grid with their roles, on duty beside the cadres,
and not assessed as cadres. No database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain.errors import CadreOnDutyError, OrganisationError
from pingzhan.projections.facts import period
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view
from pingzhan.services.wire import MESSAGE
from pydantic import ValidationError

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID = "BT-QG-01-01"


def setup(domain: Domain) -> None:
    domain.operators("op")
    domain.given(
        c.RegisterCadre("A", "甲", "RSJ"),
        c.DispatchCadre("A", GRID),
        c.RegisterCadre("V", "志愿者王", "ZYZ-BT-QG-01", "volunteer"),
        c.DispatchCadre("V", GRID),
        c.RegisterCadre("P", "物业李", "WY-BT-QG-01", "property_staff"),
        c.DispatchCadre("P", GRID),
        c.EstablishCheckpoint("CP-1", GRID, "南门卡口"),
    )
    domain.when(c.StaffCheckpoint("CP-1", "A"), at="2022-02-09T20:00:00+08:00")
    domain.when(c.StaffCheckpoint("CP-1", "V"), at="2022-02-09T20:00:00+08:00")


def test_a_volunteer_staffs_the_checkpoint_beside_the_cadre_and_is_on_duty(domain: Domain) -> None:
    setup(domain)

    assert domain.duty_at("2022-02-09T23:00:00+08:00") == [
        ("checkpoint", "CP-1", "A"),
        ("checkpoint", "CP-1", "V"),
    ]
    # the same rules: one checkpoint at a time
    domain.given(c.EstablishCheckpoint("CP-2", GRID, "北门卡口"))
    domain.then_rejected(domain.rejects(c.StaffCheckpoint("CP-2", "V")), CadreOnDutyError)


def test_the_team_is_not_assessed_and_the_roster_shows_their_roles(domain: Domain) -> None:
    setup(domain)

    rows = domain.cadre_rows(period("2022-02"))
    roster = roster_view(domain.org, Roster().fold(domain.events).rows, f"grid:{GRID}")
    (grid,) = roster["grids"]

    assert set(rows) == {"A"}
    assert grid["cadres"] == ["A"]
    assert {p["cadre"]: p["role"] for p in grid["people"]} == {
        "A": "cadre",
        "V": "volunteer",
        "P": "property_staff",
    }


def test_a_role_is_one_of_the_teams_in_the_domain_and_on_the_wire(domain: Domain) -> None:
    domain.operators("op")
    error = domain.rejects(c.RegisterCadre("X", "某", "SQ", "mayor"))
    domain.then_rejected(error, OrganisationError)
    assert "no role 'mayor'" in str(error)
    body = {
        "id": "m1",
        "kind": "cadre.registered",
        "occurred_at": "2022-02-09T08:00:00+08:00",
        "actor": "op",
        "cadre_id": "X",
        "name": "某",
        "unit": "SQ",
    }
    assert MESSAGE.validate_python({**body, "role": "community_staff"}).command().role == "community_staff"
    assert MESSAGE.validate_python(body).command().role == "cadre"
    with pytest.raises(ValidationError):
        MESSAGE.validate_python({**body, "role": "mayor"})
