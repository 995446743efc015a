"""Inspections (每周不定期督查) in wartime check checkpoint presence; an "absent" finding on a day the
cadre's own record says they were there is a contradiction for the auditor. No database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain.errors import CadreNotDispatchedError, CheckpointClosedError, UnknownCheckpointError
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.contradictions import contradictions

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID, OTHER = "BT-QG-01-01", "BT-QG-01-02"


def at(day: int, hour: int) -> str:
    return f"2022-02-{day:02d}T{hour:02d}:00:00+08:00"


def setup(domain: Domain) -> None:
    domain.operators("op")
    domain.given(
        c.RegisterCadre("A", "甲", "FY"),
        c.DispatchCadre("A", GRID),
        c.RegisterCadre("B", "乙", "FY"),
        c.DispatchCadre("B", GRID),
        c.EstablishCheckpoint("CP-1", GRID, "南门卡口"),
        c.EstablishCheckpoint("CP-2", OTHER, "北门卡口"),
    )


def found(domain: Domain) -> list[dict[str, Any]]:
    """The contradictions of the events so far, as `pingzhan report contradictions` makes them."""
    model = Assessment().fold(domain.events)
    inspections = [tuple(r[1:]) for r in model.appended["inspection_log"]]
    service = [(r[1], r[2], r[3]) for r in model.appended["fact_service"]]
    shifts = [(r[2], r[5], r[1]) for r in model.appended["fact_shift"]]
    return contradictions(inspections, service, shifts)  # type: ignore[arg-type]


def test_a_wartime_inspection_checks_presence_at_a_checkpoint_of_the_cadres_grid(domain: Domain) -> None:
    setup(domain)
    domain.when(c.StaffCheckpoint("CP-1", "A"), at=at(9, 20))

    events = domain.when(c.Inspect("INS-1", 2, "A", GRID, "present", "CP-1"), at=at(10, 2))

    assert events[0].checkpoint_id == "CP-1" and events[0].finding == "present"
    audit = AuditTrail(domain.org).fold(domain.events).appended["audit"]
    assert any("found cadre A present at checkpoint CP-1 (INS-1)" in str(r) for r in audit)
    assert found(domain) == []


def test_a_checkpoint_inspection_needs_an_open_checkpoint_of_that_grid(domain: Domain) -> None:
    setup(domain)
    domain.given(c.CloseCheckpoint("CP-1"))

    domain.then_rejected(
        domain.rejects(c.Inspect("I1", 1, "A", GRID, "absent", "CP-1")), CheckpointClosedError
    )
    domain.then_rejected(
        domain.rejects(c.Inspect("I2", 1, "A", GRID, "absent", "CP-9")), UnknownCheckpointError
    )
    error = domain.rejects(c.Inspect("I3", 1, "A", GRID, "absent", "CP-2"))
    domain.then_rejected(error, CadreNotDispatchedError)
    assert "checkpoint CP-2 is in grid BT-QG-01-02, not in grid BT-QG-01-01" in str(error)


def test_absent_on_a_day_the_cadre_checked_in_or_was_on_duty_is_a_contradiction(domain: Domain) -> None:
    setup(domain)
    domain.when(c.CheckIn("A", GRID), at=at(2, 8))
    domain.when(c.CheckOut("A"), at=at(2, 16))
    domain.when(c.Inspect("INS-A", 3, "A", GRID, "absent"), at=at(2, 11))
    domain.when(c.StaffCheckpoint("CP-1", "B"), at=at(9, 8))
    domain.when(c.Inspect("INS-B", 4, "B", GRID, "absent", "CP-1"), at=at(9, 10))
    # no record of A on the 16th: no contradiction
    domain.when(c.Inspect("INS-C", 5, "A", GRID, "absent"), at=at(16, 10))

    rows = found(domain)

    assert [(r["day"], r["cadre"], r["inspection"], r["checked"], r["record"]) for r in rows] == [
        ("2022-02-02", "A", "INS-A", "service day", f"checked in at grid {GRID}"),
        ("2022-02-09", "B", "INS-B", "checkpoint CP-1", "on duty at checkpoint CP-1"),
    ]
    # both are kept in the facts, and flagged: the auditor decides
    assert sum(r[5] == "absent" for r in Assessment().fold(domain.events).appended["fact_inspection"]) == 3


@pytest.mark.parametrize("finding", ["present", "idle"])
def test_only_absent_findings_can_contradict_a_check_in(domain: Domain, finding: str) -> None:
    setup(domain)
    domain.when(c.CheckIn("A", GRID), at=at(2, 8))
    domain.when(c.Inspect("INS-A", 3, "A", GRID, finding), at=at(2, 11))

    assert found(domain) == []
