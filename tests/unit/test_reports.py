"""Assessment and the reporting chain, from events to figures, with no database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingzhan.domain import commands as c
from pingzhan.domain.org import household_id
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.facts import Facts, period
from pingzhan.projections.grading import cadre_assessment
from pingzhan.projections.reports import attendance_by_community

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID = "BT-QG-01-01"  # 2 households per cadre would be a tiny target: use real figures from the org
Step = tuple[c.Command, str]  # a command and its field time


def run(domain: Domain, steps: list[Step]) -> Assessment:
    """The assessment model after the commands, each at its field time."""
    for command, at in steps:
        domain.when(command, at=at)
    model = Assessment()
    model.fold(domain.events)
    return model


def facts_of(model: Assessment) -> Facts:
    rows = model.appended
    return Facts(
        cadres={k[0]: v for k, v in model.rows["cadre_info"].items()},
        service=[r[1:] for r in rows["fact_service"]],
        visits=[r[1:] for r in rows["fact_visit"]],
        verifications=[r[1:] for r in rows["fact_verification"]],
        ratings=[r[1:] for r in rows["fact_rating"]],
        inspections=[r[1:] for r in rows["fact_inspection"]],
        work=[r[1:] for r in rows["fact_work"]],
    )


def wednesday(day: int) -> str:
    return f"2022-03-{day:02d}T09:00:00+08:00"


SETUP: list[Step] = [
    (c.RegisterCadre("A", "甲", "RSJ"), "2022-01-01T08:00:00+08:00"),
    (c.DispatchCadre("A", GRID), "2022-01-01T08:00:00+08:00"),
    (c.RegisterCadre("B", "乙", "FY"), "2022-01-01T08:00:00+08:00"),
    (c.DispatchCadre("B", GRID), "2022-01-01T08:00:00+08:00"),
]


def test_a_diligent_cadre_and_one_present_on_paper_only_get_their_grades(domain: Domain) -> None:
    steps = list(SETUP)
    for day in (2, 9, 16, 23, 30):  # the five Wednesdays of March 2022
        steps += [(c.CheckIn("A", GRID), wednesday(day))]
        steps += [
            (c.VisitHousehold("A", household_id(GRID, day * 3 + k), 3, True), wednesday(day))
            for k in range(3)
        ]
        steps += [
            (c.CheckOut("A"), wednesday(day)),
            (c.CheckIn("B", GRID), wednesday(day)),
            (c.CheckOut("B"), wednesday(day)),
        ]
    steps += [
        (c.VerifyInformation(household_id(GRID, 6), "correct"), wednesday(30)),
        (c.VerifyInformation(household_id(GRID, 7), "corrected"), wednesday(30)),
        (c.RateCadre("A", household_id(GRID, 6), 5), wednesday(30)),
        (c.RateCadre("A", household_id(GRID, 7), 4), wednesday(30)),
    ]

    rows = {
        r["cadre_id"]: r
        for r in cadre_assessment(facts_of(run(domain, steps)), domain.org, period("2022-03"))
    }

    a, b = rows["A"], rows["B"]
    households = domain.org.units[f"grid:{GRID}"].households
    target = households / 2 * 5 / 52  # March's 5 service days of the year's 52, none in wartime
    assert (a["service_days"], a["expected_service_days"], a["households_visited"]) == (5, 5, 15)
    assert a["visit_rate"] == round(min(1.0, 15 / target), 4)
    assert (a["accuracy"], a["satisfaction_mean"]) == (0.5, 4.5)
    expected_score = (0.4 * min(1.0, 15 / target) + 0.3 * 0.5 + 0.3 * 0.875) / 1.0
    assert a["score"] == round(expected_score, 4) and not a["paper_only"]
    assert b["paper_only"] and b["grade"] == "不合格 fail" and b["service_days"] == 5


def test_wednesdays_in_real_wartime_are_not_expected_service_days(domain: Domain) -> None:
    model = run(domain, SETUP)
    facts = facts_of(model)
    facts.episodes = [("street:BT-QG", "2022-03-08T10:00:00+08:00", "2022-03-20T10:00:00+08:00")]

    rows = {r["cadre_id"]: r for r in cadre_assessment(facts, domain.org, period("2022-03"))}

    assert rows["A"]["expected_service_days"] == 3  # 2, 23 and 30 March; 9 and 16 were wartime


def test_two_absences_at_inspections_flag_a_cadre_and_show_in_the_community_report(domain: Domain) -> None:
    steps = list(SETUP) + [
        (c.Inspect("I1", 1, "A", GRID, "absent"), wednesday(2)),
        (c.Inspect("I2", 4, "A", GRID, "idle"), wednesday(9)),
        (c.Inspect("I3", 2, "B", GRID, "present"), wednesday(9)),
    ]

    rows = cadre_assessment(facts_of(run(domain, steps)), domain.org, period("2022-03"))
    community = attendance_by_community(rows, domain.org)

    assert [r["cadre_id"] for r in rows if r["paper_only"]] == ["A"]
    assert len(community) == 1 and community[0]["community"] == "BT-QG-01"
    assert (community[0]["inspections"], community[0]["absent"], community[0]["idle"]) == (3, 1, 1)
    assert community[0]["street"] == "BT-QG" and community[0]["paper_only"] == ["A"]


def test_periods_are_years_quarters_or_months() -> None:
    assert (period("2022").start.isoformat(), period("2022").end.isoformat()) == ("2022-01-01", "2022-12-31")
    assert (
        period("2022-Q3").start.isoformat() == "2022-07-01"
        and period("2022-Q3").end.isoformat() == "2022-09-30"
    )
    assert len(period("2022-02").wednesdays()) == 4
