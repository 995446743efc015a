"""The after-action report's figures from small given lists of audit entries, with no IO: first
staffing, coverage, response times (median, p90), late reports, improvement items, and the
decision review shown when one is given."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from pingzhan.projections.deadlines import Deadline, Deadlines
from pingzhan.services.aar import render_html, render_md
from pingzhan.services.aar.model import after_action, late_reports

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2022, 7, 15, 10, 0, tzinfo=TZ)


def at(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def entry(
    position: int, event: str, minute: float, actor: str = "cd1", outcome: str = "accepted", **fields: Any
) -> dict[str, Any]:
    return {
        "position": position,
        "recorded_at": "2026-11-27T00:00:00+00:00",
        "occurred_at": at(minute),
        "message_id": f"m{position}",
        "actor": actor,
        "event": event,
        "scope": fields.pop("scope", "grid:G1"),
        "summary": fields.pop("summary", f"{event} {fields}"),
        "outcome": outcome,
        "fields": fields,
    }


def episode(end_minute: float | None = 240) -> dict[str, Any]:
    return {
        "episode": "street:S#1",
        "scope": "street:S",
        "level": "II",
        "reason": "rainstorm",
        "started_at": at(0),
        "started_by": "op-a",
        "ended_at": at(end_minute) if end_minute is not None else None,
        "ended_by": "op-b" if end_minute is not None else None,
        "ended_reason": "rain over" if end_minute is not None else None,
        "exercise": False,
        "void": False,
    }


def report(entries: list[dict[str, Any]], steps: list[Any] = (), **kw: Any) -> dict[str, Any]:  # type: ignore[assignment]
    people = {"cd1": ("Li", "FY", None, "G1"), "cd2": ("Wang", "FY", None, "G1")}
    return after_action(
        episode(kw.pop("end", 240)),
        entries,
        list(steps),
        people,
        Deadlines(),
        START + timedelta(hours=10),
        **kw,
    )


def switch_and_stand_down() -> list[dict[str, Any]]:
    return [
        entry(
            1,
            "ScopeMode.SwitchedToWartime",
            0,
            "op-a",
            scope="street:S",
            episode="street:S#1",
            level="II",
            reason="rainstorm",
            trigger="warning",
        ),
        entry(
            99,
            "ScopeMode.SwitchedToPeacetime",
            240,
            "op-b",
            scope="street:S",
            episode="street:S#1",
            reason="rain over",
        ),
    ]


def test_a_checkpoint_staffed_20_minutes_after_the_switch_with_a_45_minute_gap_covers_175_of_240_minutes() -> (
    None
):
    cp = {"checkpoint_id": "CP1", "grid_id": "G1"}
    entries = [
        entry(2, "Checkpoint.Established", 0, name="south gate", **cp),
        entry(3, "Checkpoint.Staffed", 20, cadre_id="cd1", **cp),
        entry(4, "Checkpoint.Relieved", 120, cadre_id="cd1", **cp),
        entry(5, "Checkpoint.Staffed", 165, cadre_id="cd2", **cp),
    ]

    doc = report(entries)

    (row,) = doc["staffing"]["checkpoints"]
    assert row["minutes_to_first_staffing"] == 20
    assert row["coverage"] == round(175 / 240, 4)
    assert row["longest_unstaffed_min"] == 45
    assert [s["minutes"] for s in row["unstaffed_over_threshold"]] == [45]  # the first 20 min are within 30
    assert [i["which"] for i in doc["improvements"] if i["rule"] == "unstaffed"] == [["CP1"]]


def test_a_cadre_relieved_with_no_staffing_in_the_episode_was_on_duty_from_its_start() -> None:
    cp = {"checkpoint_id": "CP2", "grid_id": "G1"}
    entries = [
        entry(2, "Checkpoint.Relieved", 60, cadre_id="cd1", **cp),
        entry(3, "Checkpoint.Staffed", 70, cadre_id="cd2", **cp),
        entry(4, "Checkpoint.Relieved", 200, cadre_id="cd2", **cp),
        entry(5, "Checkpoint.Closed", 210, **cp),
    ]

    (row,) = report(entries)["staffing"]["checkpoints"]

    assert row["coverage"] == round((60 + 130) / 210, 4)
    assert (row["first_staffed_at"], row["minutes_to_first_staffing"]) == (at(0), 0)  # on duty at the switch
    assert row["closed_at"] == at(210)
    assert row["unstaffed_over_threshold"] == []


def test_response_times_give_the_median_and_the_interpolated_90th_percentile() -> None:
    entries, pos = [], 10
    for n, first_task in enumerate([10, 20, 30, 40, 100]):
        h = {"hazard_id": f"H{n}", "grid_id": "G1"}
        entries.append(
            entry(pos, "Hazard.Reported", n, hazard_kind="landslide", location="x", severity="high", **h)
        )
        entries.append(
            entry(
                pos + 1,
                "Hazard.TaskAssigned",
                n + first_task,
                task_id="T1",
                task="patrol",
                cadre_id="cd2",
                **h,
            )
        )
        entries.append(
            entry(pos + 2, "Hazard.TaskDone", n + first_task + 60, task_id="T1", task="patrol", **h)
        )
        if n < 4:
            entries.append(
                entry(pos + 3, "Hazard.Resolved", n + 60 * (n + 1) + first_task + 60, resolution="ok", **h)
            )
        pos += 4

    hz = report(entries)["hazards"]

    # p90 of 10, 20, 30, 40, 100 by linear interpolation: rank 0.9 * 4 = 3.6, 40 + 0.6 * 60
    assert hz["minutes_to_first_task"] == {"count": 5, "median": 30, "p90": 76.0, "max": 100}
    assert hz["task_hours"]["median"] == 1.0 and hz["tasks_done"] == 5
    assert (hz["reported"], hz["resolved"], hz["open_at_end"]) == (5, 4, 1)
    assert hz["list"][4]["open_h"] == round((240 - 4) / 60, 2)  # still open: until the episode's end
    assert max(n for _, n in hz["open_over_time"]) == 5 and hz["open_over_time"][-1][1] == 1


def test_hazards_open_over_12_hours_or_waiting_over_an_hour_for_a_task_are_improvement_items() -> None:
    h = {"grid_id": "G1", "hazard_kind": "waterlogging", "location": "x", "severity": "low"}
    entries = [
        entry(2, "Hazard.Reported", 0, hazard_id="SLOW", **h),
        entry(3, "Hazard.Reported", 10, hazard_id="QUICK", **h),
        entry(
            4,
            "Hazard.TaskAssigned",
            30,
            hazard_id="QUICK",
            grid_id="G1",
            task_id="T1",
            task="patrol",
            cadre_id="cd1",
        ),
        entry(5, "Hazard.TaskDone", 50, hazard_id="QUICK", grid_id="G1", task_id="T1", task="patrol"),
        entry(6, "Hazard.Resolved", 60, hazard_id="QUICK", grid_id="G1", resolution="ok"),
        entry(
            7,
            "Hazard.TaskAssigned",
            90,
            hazard_id="SLOW",
            grid_id="G1",
            task_id="T1",
            task="clearing",
            cadre_id="cd1",
        ),
    ]

    items = {i["rule"]: i["which"] for i in report(entries, end=13 * 60)["improvements"]}

    assert items["hazard_open"] == ["SLOW"]
    assert items["hazard_first_task"] == ["SLOW"]


def test_a_report_recorded_after_others_that_happened_more_than_an_hour_later_is_late() -> None:
    entries = [
        entry(
            1,
            "Hazard.Reported",
            0,
            "community",
            hazard_id="A",
            grid_id="G1",
            hazard_kind="other",
            location="x",
            severity="low",
        ),
        entry(2, "Cadre.CheckedIn", 60, cadre_id="cd1", grid_id="G1"),
        entry(3, "Cadre.CheckedIn", 150, "cd2", cadre_id="cd2", grid_id="G1"),
        entry(
            4, "Checkpoint.Staffed", 30, cadre_id="cd1", checkpoint_id="CP", grid_id="G1"
        ),  # 120 min behind
        entry(5, "Cadre.CheckedOut", 100, "cd2", cadre_id="cd2"),  # 50 min behind: not late
        entry(6, "Rejection.MessageRejected", 0, outcome="rejected", kind="x", code="schema", reason="bad"),
    ]

    doc = report(entries)

    assert late_reports(entries, 60) == {4}
    assert late_reports(
        [*entries, *switch_and_stand_down()[1:], entry(100, "Cadre.CheckedIn", 230)], 60, "street:S#1"
    ) == {
        4,
        100,
    }  # 10 min before the stand-down, recorded after it
    assert [r["position"] for r in doc["late_reports"]] == [4]
    (log,) = [log for log in doc["activity"] if log["person"] == "cd1"]
    assert [(a["position"], a["late"]) for a in log["activities"]] == [(4, True)]  # check-ins: routine
    assert log["routine"] == 1
    assert [r["code"] for r in doc["rejected"]] == ["schema"]


def test_the_overview_says_who_switched_proposed_confirmed_and_stood_down_and_why() -> None:
    before = [
        entry(
            0,
            "ScopeMode.SwitchProposed",
            -5,
            "op-c",
            scope="street:S",
            level="I",
            reason="worse",
            expires_at=at(25),
        )
    ]
    entries = [
        *switch_and_stand_down()[:1],
        entry(
            50,
            "ScopeMode.LevelChanged",
            60,
            "op-d",
            scope="street:S",
            episode="street:S#1",
            level="I",
            previous="II",
            reason="worse",
            confirmed_by="op-d",
        ),
        switch_and_stand_down()[1],
    ]

    ov = report(entries, before=before)["overview"]

    assert [(lv["level"], lv["by"]) for lv in ov["levels"]] == [("II", "op-a"), ("I", "op-d"), (None, "op-b")]
    assert (ov["switched_by"], ov["reason"], ov["trigger"]) == ("op-a", "rainstorm", "warning")
    assert (ov["proposed_by"], ov["confirmed_by"]) == (["op-c"], ["op-d"])
    assert (ov["stood_down_by"], ov["stood_down_reason"]) == ("op-b", "rain over")


def test_an_office_acknowledging_after_its_deadline_is_an_improvement_item() -> None:
    steps = [
        ("PB1", "G1", "reported", None, at(0), None),
        ("PB1", "G1", "escalated", "城管局", at(10), None),
        ("PB1", "G1", "acknowledged", "城管局", at(10 + 3 * 60), None),
        ("PB1", "G1", "reported_back", "城管局", at(10 + 5 * 60), None),
        ("PB1", "G1", "resolved", "城管局", at(10 + 6 * 60), None),
    ]
    entries = [entry(2, "Problem.Reported", 0, problem_id="PB1", grid_id="G1", what="w", where="x")]
    deadlines = Deadlines({"城管局": Deadline(acknowledge_h=2, report_back_h=24)})
    people: dict[str, Any] = {}

    doc = after_action(episode(), entries, steps, people, deadlines, START)

    (problem,) = doc["problems"]["list"]
    stage = problem["stages"][0]
    assert (stage["office"], stage["acknowledge_h"], stage["report_back_h"], stage["late"]) == (
        "城管局",
        3.0,
        2.0,
        True,
    )
    assert problem["hours_to_resolve"] == round((10 + 6 * 60) / 60, 2)
    assert [i["which"] for i in doc["improvements"] if i["rule"] == "office_late"] == [["PB1"]]


def test_a_decision_review_when_given_is_shown_in_markdown_html_and_json() -> None:
    review = {
        "position": 1,
        "decision": "switch to wartime",
        "grids": 12,
        "on_duty": [{"grid": "G1", "cadre": "cd1"}],
    }

    doc = report(switch_and_stand_down(), reviews={1: review})

    assert doc["decisions"][0]["review"] == review and doc["decisions"][1]["review"] is None
    assert json.loads(json.dumps(doc, ensure_ascii=False))["decisions"][0]["review"]["grids"] == 12
    md = render_md.render(doc, TZ)
    assert "  - review grids: 12" in md and "review on_duty: 1: G1/cd1" in md
    assert "review position" not in md  # said with the decision itself
    html = render_html.render(doc, TZ)
    assert 'id="decision-1"' in html and "G1/cd1" in html and "<svg" in html


def test_without_a_cjk_font_the_html_says_the_browser_draws_the_chinese_labels(monkeypatch) -> None:
    from pingzhan.services.aar import plots

    monkeypatch.setattr(plots, "cjk_font", lambda: None)

    html = render_html.render(report(switch_and_stand_down()), TZ)

    assert escape(plots.NO_CJK) in html and html.count("<svg") == 3


def test_an_open_episode_runs_until_the_report_and_its_hazards_are_open_until_then() -> None:
    h = {"hazard_id": "H", "grid_id": "G1"}
    entries = [
        switch_and_stand_down()[0],
        entry(2, "Hazard.Reported", 60, hazard_kind="landslide", location="x", severity="high", **h),
    ]

    doc = report(entries, end=None)  # the report is made 10 h after the switch

    assert doc["episode"]["open"] and doc["episode"]["duration_h"] == 10
    assert [lv["level"] for lv in doc["overview"]["levels"]] == ["II"]
    assert doc["hazards"]["list"][0]["open_h"] == 9 and doc["hazards"]["open_at_end"] == 1
    assert "(still open)" in render_md.render(doc, TZ) and "(open)" in render_html.render(doc, TZ)
