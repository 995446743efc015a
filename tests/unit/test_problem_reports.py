"""How the loop shows: the roster's open problems with their state and overdue flag by the offices'
deadlines, the problems report per office, the opinions report per grid and category, and the audit
trail's words for each step (pure folds, no IO)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pingzhan.domain import commands as c
from pingzhan.projections import loop_report
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.deadlines import Deadline, Deadlines
from pingzhan.projections.facts import period
from pingzhan.projections.problems import Problems
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

TZ = ZoneInfo("Asia/Shanghai")
GRID, OTHER = "BT-BS-01-01", "BT-BS-01-02"
CITY, STREET = "市内涝办 (city waterlogging office)", "街道办 (street office)"


def at(day: int, hour: int, minute: int = 0) -> str:
    return f"2022-07-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


def loop_of_two_problems(domain: Domain) -> Domain:
    """P1: escalated to the city office on the 16th at 09:00, acknowledged at 10:00, reported back
    three days later, confirmed. P2: escalated at 09:00, acknowledged 30 hours later (late by
    the default 24 h), forwarded to the street office, which has not acknowledged it."""
    domain.given(c.ReportProblem("P1", GRID, "渠", "一建巷"), c.ReportProblem("P2", OTHER, "灯", "巷口"))
    steps = [
        (c.EscalateProblem("P1", CITY), at(16, 9)),
        (c.EscalateProblem("P2", CITY), at(16, 9)),
        (c.AcknowledgeProblem("P1", CITY, "王工"), at(16, 10)),
        (c.AcknowledgeProblem("P2", CITY, "王工"), at(17, 15)),
        (c.ForwardProblem("P2", CITY, STREET, "not ours"), at(17, 16)),
        (c.ReportBackOnProblem("P1", CITY, "cleared"), at(19, 10)),
        (c.ResolveProblem("P1", "confirmed"), at(19, 12)),
    ]
    for command, when in steps:
        domain.when(command, at=when)
    return domain


def problems_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["problem"]: p for g in doc["grids"] for p in g["open_problems"]}


def test_the_roster_shows_where_each_problem_is_in_the_loop_and_since_when(domain: Domain) -> None:
    loop_of_two_problems(domain)

    doc = roster_view(domain.org, Roster().fold(domain.events).rows, now=datetime.fromisoformat(at(17, 17)))

    (p2,) = problems_of(doc).values()  # P1 is resolved
    assert (p2["problem"], p2["state"], p2["escalated_to"], p2["since"]) == (
        "P2",
        "forwarded",
        STREET,
        at(17, 16),
    )
    assert p2["due_at"] == at(18, 16) and p2["overdue"] is False and p2["overdue_since"] is None


def test_a_problem_is_overdue_once_the_offices_deadline_passed(domain: Domain) -> None:
    loop_of_two_problems(domain)
    rows = Roster().fold(domain.events).rows

    default = problems_of(roster_view(domain.org, rows, now=datetime.fromisoformat(at(18, 17))))["P2"]
    by_setting = problems_of(
        roster_view(
            domain.org,
            rows,
            now=datetime.fromisoformat(at(17, 19)),
            deadlines=Deadlines({"街道办": Deadline(acknowledge_h=2, report_back_h=48)}),
        )
    )["P2"]
    in_time = problems_of(
        roster_view(
            domain.org,
            rows,
            now=datetime.fromisoformat(at(18, 17)),
            deadlines=Deadlines(default=Deadline(acknowledge_h=48, report_back_h=96)),
        )
    )["P2"]

    assert (default["overdue"], default["overdue_since"]) == (True, at(18, 16))  # 24 h by default
    assert (by_setting["overdue"], by_setting["overdue_since"]) == (True, "2022-07-17T18:00:00+08:00")
    assert (in_time["overdue"], in_time["due_at"]) == (False, at(19, 16))


def test_the_report_back_falls_due_from_the_acknowledgement(domain: Domain) -> None:
    domain.given(c.ReportProblem("P1", GRID, "渠", "一建巷"))
    domain.when(c.EscalateProblem("P1", CITY), at=at(16, 9))
    domain.when(c.AcknowledgeProblem("P1", CITY, "王工"), at=at(16, 10))
    rows = Roster().fold(domain.events).rows

    before = problems_of(roster_view(domain.org, rows, now=datetime.fromisoformat(at(23, 9))))["P1"]
    after = problems_of(roster_view(domain.org, rows, now=datetime.fromisoformat(at(23, 11))))["P1"]

    assert before["state"] == "acknowledged" and before["due_at"] == at(23, 10) and not before["overdue"]
    assert after["overdue"] and after["overdue_since"] == at(23, 10)


def test_the_problems_report_per_office(domain: Domain) -> None:
    loop_of_two_problems(domain)
    steps = Problems(TZ).fold(domain.events).appended["problem_step"]

    rows = loop_report.by_office(
        [r[1:] for r in steps], Deadlines(), datetime.fromisoformat(at(20, 9)), period("2022-07"), TZ
    )

    city, street = rows
    assert city == {
        "office": CITY,
        "acknowledge_h": 24.0,
        "report_back_h": 168.0,
        "received": 2,
        "acknowledged": 2,
        "median_acknowledge_h": 15.5,  # 1 h and 30 h
        "reported_back": 1,
        "median_report_back_h": 72.0,
        "forwarded": 1,
        "reopened": 0,
        "confirmed": 1,
        "open": 0,
        "overdue": 0,
        "late": 1,  # P2's acknowledgement, 30 h after it arrived
    }
    assert (street["office"], street["received"], street["acknowledged"], street["open"]) == (STREET, 1, 0, 1)
    assert street["overdue"] == 1 and street["median_acknowledge_h"] is None  # due on the 18th at 16:00


def test_the_problems_report_counts_a_reopening_against_the_office_and_only_its_period(
    domain: Domain,
) -> None:
    domain.given(c.ReportProblem("P1", GRID, "渠", "一建巷"))
    for command, when in [
        (c.EscalateProblem("P1", CITY), at(30, 9)),
        (c.AcknowledgeProblem("P1", CITY, "王工"), at(30, 10)),
        (c.ReportBackOnProblem("P1", CITY, "cleared"), at(31, 10)),
        (c.ReopenProblem("P1", "still sinking"), "2022-08-01T09:00:00+08:00"),
    ]:
        domain.when(command, at=when)
    steps = [r[1:] for r in Problems(TZ).fold(domain.events).appended["problem_step"]]
    now = datetime.fromisoformat("2022-08-03T09:00:00+08:00")

    (july,) = loop_report.by_office(steps, Deadlines(), now, period("2022-07"), TZ)
    (august,) = loop_report.by_office(steps, Deadlines(), now, period("2022-08"), TZ)

    assert (july["received"], july["reopened"], july["confirmed"], july["open"]) == (1, 1, 0, 0)
    assert (august["received"], august["acknowledged"], august["open"], august["overdue"]) == (1, 0, 1, 1)


def test_the_opinions_report_per_grid_and_category_with_the_routed_ones(domain: Domain) -> None:
    domain.given(c.RegisterCadre("CD1", "胡静玉", "FY"), c.DispatchCadre("CD1", GRID))
    domain.given(
        c.CollectOpinion("CD1", GRID, "environment", "排洪渠有异味", "OP-1"),
        c.CollectOpinion("CD1", GRID, "environment", "垃圾"),
        c.CollectOpinion("CD1", GRID, "safety", "灯", "OP-2"),
        c.ReportProblem("P1", GRID, "渠", "一建巷", opinion_id="OP-1"),
        c.ReportProblem("P2", GRID, "灯", "巷口", opinion_id="OP-2"),
        c.ResolveProblem("P2", "fixed in the grid"),
    )
    domain.when(c.EscalateProblem("P1", CITY), at=at(16, 9))
    model = Problems(TZ).fold(domain.events)
    opinions = [r[1:] for r in model.appended["opinion_log"]]
    steps = [r[1:] for r in model.appended["problem_step"]]

    rows = loop_report.by_grid_and_category(
        opinions, steps, Deadlines(), datetime.fromisoformat(at(17, 10)), domain.org, "community:BT-BS-01"
    )
    elsewhere = loop_report.by_grid_and_category(
        opinions, steps, Deadlines(), datetime.fromisoformat(at(17, 10)), domain.org, "street:BT-QG"
    )

    assert [{k: r[k] for k in ("grid", "category", *loop_report._COUNTS)} for r in rows] == [
        {
            "grid": GRID,
            "category": "environment",
            "collected": 2,
            "routed": 1,
            "resolved": 0,
            "open": 1,
            "overdue": 1,
        },
        {
            "grid": GRID,
            "category": "safety",
            "collected": 1,
            "routed": 1,
            "resolved": 1,
            "open": 0,
            "overdue": 0,
        },
    ]
    assert rows[0]["street"] == "BT-BS" and rows[0]["community"] == "王家坪社区"
    assert elsewhere == []


def test_the_audit_trail_tells_each_step_of_the_loop(domain: Domain) -> None:
    domain.given(c.RegisterCadre("CD1", "胡静玉", "FY"), c.DispatchCadre("CD1", GRID))
    domain.given(
        c.CollectOpinion("CD1", GRID, "environment", "排洪渠有异味", "OP-1"),
        c.ReportProblem("P1", GRID, "渠", "一建巷", opinion_id="OP-1"),
        c.EscalateProblem("P1", CITY),
        c.AcknowledgeProblem("P1", CITY, "王工"),
        c.ForwardProblem("P1", CITY, STREET, "not ours"),
        c.AcknowledgeProblem("P1", STREET, "李主任"),
        c.ReportBackOnProblem("P1", STREET, "cleared"),
        c.ReopenProblem("P1", "still smells"),
        c.AcknowledgeProblem("P1", STREET, "李主任"),
        c.ReportBackOnProblem("P1", STREET, "cleared again"),
        c.ResolveProblem("P1", "checked on site"),
    )

    trail = [row[7] for row in AuditTrail(domain.org).fold(domain.events).appended["audit"]][2:]

    assert trail == [
        "cadre CD1 collected a environment opinion OP-1: 排洪渠有异味",
        "opinion OP-1 raised as problem P1",
        "problem P1 reported at 一建巷 (taking over opinion OP-1): 渠",
        f"problem P1 escalated to {CITY}",
        f"problem P1 acknowledged by {CITY} (王工)",
        f"problem P1 forwarded by {CITY} to {STREET}: not ours",
        f"problem P1 acknowledged by {STREET} (李主任)",
        f"problem P1: {STREET} reported back: cleared",
        f"problem P1 reopened, back to {STREET}: still smells",
        f"problem P1 acknowledged by {STREET} (李主任)",
        f"problem P1: {STREET} reported back: cleared again",
        f"problem P1 resolved (confirming {STREET}'s report-back): checked on site",
    ]
