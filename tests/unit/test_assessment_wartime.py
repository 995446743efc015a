"""平战结合 in the assessment: wartime lowers the visit target by its share of the service days, and
wartime duty (checkpoint shifts, hazard tasks) is credited for the rest; the grade is that of the
score as shown. From commands to rows, with no database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingzhan.domain import commands as c
from pingzhan.domain.org import household_id
from pingzhan.projections.facts import period
from pingzhan.projections.grading import FAIL, NOT_GRADED, grade_of, score_of

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID = "BT-QG-01-01"
STREET = "street:BT-QG"
MARCH = period("2022-03")  # five Wednesdays: 2, 9, 16, 23 and 30 March
YEAR_WEDNESDAYS = 52


def at(day: int, hour: int = 9) -> str:
    return f"2022-03-{day:02d}T{hour:02d}:00:00+08:00"


def setup(domain: Domain) -> None:
    domain.operators("op")
    domain.given(
        c.RegisterCadre("A", "甲", "RSJ"),
        c.DispatchCadre("A", GRID),
        c.RegisterCadre("B", "乙", "FY"),
        c.DispatchCadre("B", GRID),
    )


def visit_on(domain: Domain, day: int, cadre: str, households: range) -> None:
    domain.when(c.CheckIn(cadre, GRID), at=at(day))
    for n in households:
        domain.when(c.VisitHousehold(cadre, household_id(GRID, n), 3, True), at=at(day, 10))
    domain.when(c.CheckOut(cadre), at=at(day, 16))


def flood(domain: Domain, start: int = 8, end: int = 18) -> None:
    """Real wartime for the grid's street from ``start`` to ``end`` March: the 9th and the 16th."""
    domain.when(c.SwitchToWartime(STREET, "II", "暴雨"), at=at(start))
    domain.when(c.SwitchToPeacetime(STREET, "解除"), at=at(end))


def test_wartime_wednesdays_lower_the_visit_target_by_their_share(domain: Domain) -> None:
    setup(domain)
    flood(domain)
    for day in (2, 23, 30):
        visit_on(domain, day, "A", range(day, day + 3))

    a = domain.cadre_rows(MARCH)["A"]

    per_cadre = domain.org.units[f"grid:{GRID}"].households / 2
    target = per_cadre * 3 / YEAR_WEDNESDAYS
    assert (a["expected_service_days"], a["peacetime_share"]) == (3, 0.6)
    assert a["visit_target"] == round(target, 2)
    assert a["visit_rate"] == round(min(1.0, 9 / target), 4)


def test_the_same_work_per_service_day_scores_the_same_with_or_without_a_flood(domain: Domain) -> None:
    setup(domain)
    flood(domain)
    for day in (2, 23, 30):
        visit_on(domain, day, "A", range(day, day + 3))
    quiet = type(domain)(domain.org)
    setup(quiet)
    for day in (2, 9, 16, 23, 30):
        visit_on(quiet, day, "A", range(day, day + 3))

    flooded, calm = domain.cadre_rows(MARCH)["A"], quiet.cadre_rows(MARCH)["A"]

    assert flooded["visit_rate"] == calm["visit_rate"] < 1
    assert flooded["score"] == calm["score"]
    assert flooded["visit_target"] < calm["visit_target"]


def test_checkpoint_shifts_and_hazard_tasks_are_credited_as_wartime_duty(domain: Domain) -> None:
    setup(domain)
    flood(domain)
    for day in (2, 23, 30):
        visit_on(domain, day, "A", range(day, day + 3))
        visit_on(domain, day, "B", range(50 + day, 53 + day))
    domain.given(c.EstablishCheckpoint("CP-1", GRID, "南门卡口"))
    for day in (9, 10):
        domain.when(c.StaffCheckpoint("CP-1", "A"), at=at(day, 8))
        domain.when(c.RelieveCheckpoint("CP-1", "A"), at=at(day, 14))
    domain.when(c.ReportHazard("HZ-1", GRID, "waterlogging", "一建巷", "high"), at=at(11))
    domain.when(c.AssignHazardTask("HZ-1", "T1", "patrol", "A"), at=at(11, 10))
    domain.when(c.AssignHazardTask("HZ-1", "T2", "clearing", "A"), at=at(11, 11))
    domain.when(c.FinishHazardTask("HZ-1", "T1"), at=at(11, 15))

    rows = domain.cadre_rows(MARCH)
    a, b = rows["A"], rows["B"]

    assert (a["shifts"], a["tasks"], a["tasks_done"], a["duty_rate"]) == (2, 2, 1, 0.75)
    target = domain.org.units[f"grid:{GRID}"].households / 2 * 3 / YEAR_WEDNESDAYS
    peace = min(1.0, 9 / target)  # no verification, no rating: visits are the whole peacetime score
    assert a["score"] == round(0.6 * peace + 0.4 * 0.75, 4)
    assert (b["shifts"], b["tasks"], b["duty_rate"]) == (0, 0, None)
    assert b["score"] == b["visit_rate"]  # no duty: judged on the peacetime work alone


def test_a_drill_lowers_no_target_and_earns_no_duty_weight(domain: Domain) -> None:
    setup(domain)
    domain.when(c.SwitchToWartime(STREET, "III", "演练", exercise=True), at=at(8))
    domain.when(c.SwitchToPeacetime(STREET, "演练结束"), at=at(18))
    domain.given(c.EstablishCheckpoint("CP-1", GRID, "南门卡口"))
    domain.when(c.StaffCheckpoint("CP-1", "A"), at=at(9, 8))
    domain.when(c.RelieveCheckpoint("CP-1", "A"), at=at(9, 14))
    for day in (2, 23, 30):
        visit_on(domain, day, "A", range(day, day + 3))

    a = domain.cadre_rows(MARCH)["A"]

    assert (a["peacetime_share"], a["expected_service_days"], a["shifts"]) == (1.0, 5, 1)
    assert a["score"] == a["visit_rate"]


def test_a_month_all_in_wartime_is_graded_on_duty_or_not_at_all(domain: Domain) -> None:
    setup(domain)
    domain.when(c.SwitchToWartime(STREET, "II", "疫情"), at="2022-02-28T09:00:00+08:00")
    domain.given(c.EstablishCheckpoint("CP-1", GRID, "南门卡口"))
    domain.when(c.StaffCheckpoint("CP-1", "A"), at=at(5, 8))
    domain.when(c.RelieveCheckpoint("CP-1", "A"), at=at(5, 14))

    rows = domain.cadre_rows(MARCH)

    assert (rows["A"]["peacetime_share"], rows["A"]["visit_rate"]) == (0.0, None)
    assert (rows["A"]["score"], rows["A"]["grade"]) == (1.0, "优秀 excellent")
    assert (rows["B"]["score"], rows["B"]["grade"]) == (None, NOT_GRADED)


def test_the_grade_is_that_of_the_score_as_shown() -> None:
    just_below = score_of({"visit_rate": 0.699951, "accuracy": None, "satisfaction": None}, None, 1.0)

    assert just_below == 0.7
    assert grade_of(just_below) == grade_of(0.7) == "良好 good"
    assert grade_of(0.699951) == "良好 good"  # graded as shown, however it is called
    assert grade_of(0.69994) == "合格 pass"
    assert grade_of(0.54995) == "合格 pass" and grade_of(0.54994) == FAIL
    assert grade_of(0.9, paper_only=True) == FAIL
