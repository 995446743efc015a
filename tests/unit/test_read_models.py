"""Read models as pure folds over the events of commands run in memory, no database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain.rejection import Rejection
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view

if TYPE_CHECKING:
    from tests.unit.conftest import Domain


@pytest.fixture(autouse=True)
def operators(domain: Domain) -> None:
    """The operators these tests switch as, registered as `pingzhan token add` registers them."""
    domain.operators("op", "op-a", "op-b")


QG_GRID, NS_GRID = "BT-QG-01-01", "BT-NS-01-01"


def roster(domain: Domain) -> dict[str, Any]:
    """The roster document after every event so far."""
    return roster_view(domain.org, Roster().fold(domain.events).rows)


def grid(doc: dict[str, Any], grid_id: str) -> dict[str, Any]:
    return next(g for g in doc["grids"] if g["grid"] == grid_id)


def test_a_district_wide_switch_puts_every_grid_in_wartime(domain: Domain) -> None:
    domain.given(c.SwitchToWartime("district:BT", "III", "flood"))

    doc = roster(domain)

    assert len(doc["grids"]) == 358
    assert {(g["mode"], g["level"]) for g in doc["grids"]} == {("wartime", "III")}


def test_the_effective_level_of_a_grid_is_the_highest_covering_it(domain: Domain) -> None:
    domain.given(
        c.SwitchToWartime("district:BT", "III", "flood"),
        c.SwitchToWartime("street:BT-QG", "II", "worse here"),
    )

    doc = roster(domain)

    assert grid(doc, QG_GRID)["level"] == "II"
    assert grid(doc, NS_GRID)["level"] == "III"


def test_a_street_stays_in_wartime_when_the_district_stands_down(domain: Domain) -> None:
    domain.given(
        c.SwitchToWartime("district:BT", "III", "flood"),
        c.SwitchToWartime("street:BT-QG", "II", "worse here"),
        c.SwitchToPeacetime("district:BT", "over"),
    )

    doc = roster(domain)

    assert (grid(doc, QG_GRID)["mode"], grid(doc, QG_GRID)["level"]) == ("wartime", "II")
    assert grid(doc, NS_GRID)["mode"] == "peacetime"


def test_the_roster_shows_who_is_on_duty_unstaffed_checkpoints_and_open_hazards(domain: Domain) -> None:
    domain.given(
        c.RegisterCadre("CD1", "张三", "RSJ"),
        c.DispatchCadre("CD1", QG_GRID),
        c.EstablishCheckpoint("K1", QG_GRID, "南门"),
        c.EstablishCheckpoint("K2", QG_GRID, "北门"),
        c.StaffCheckpoint("K1", "CD1"),
        c.ReportHazard("H1", QG_GRID, "waterlogging", "路口", "high"),
        c.ReportHazard("H2", QG_GRID, "landslide", "坡", "low"),
        c.ResolveHazard("H2", "cleared"),
    )

    g = grid(roster(domain), QG_GRID)

    assert g["cadres"] == ["CD1"]
    assert [(d["checkpoint"], d["cadre"]) for d in g["on_duty"]] == [("K1", "CD1")]
    assert [u["checkpoint"] for u in g["unstaffed_checkpoints"]] == ["K2"]
    assert [h["hazard"] for h in g["open_hazards"]] == ["H1"]


def test_the_audit_trail_puts_events_under_the_episodes_open_on_their_scope(domain: Domain) -> None:
    events = domain.given(
        c.ReportHazard("H0", QG_GRID, "waterlogging", "before", "low"),
        c.SwitchToWartime("street:BT-QG", "II", "rain"),
        c.ReportHazard("H1", QG_GRID, "waterlogging", "during", "high"),
        c.ReportHazard("H2", NS_GRID, "waterlogging", "other street", "high"),
        c.SwitchToPeacetime("street:BT-QG", "over"),
        c.ReportHazard("H3", QG_GRID, "waterlogging", "after", "low"),
    ).events
    rejected = Rejection.record(
        message_id="bad",
        kind="hazard.reported",
        code="schema",
        reason="severity: bad",
        actor="x",
        occurred_at=None,
        scope=f"grid:{QG_GRID}",
        subject="s",
        body="{}",
    )

    audit = AuditTrail(domain.org).fold(events)
    audit.apply(len(events) + 1, rejected.collect_events()[0])

    rows = {r[0]: r for r in audit.appended["audit"]}
    in_episode = [rows[p][7] for e, p in audit.appended["audit_episode"] if e == "street:BT-QG#1"]
    assert in_episode == [
        "street:BT-QG switched to wartime level II: rain",
        "high waterlogging hazard H1 reported at during",
        "street:BT-QG back to peacetime: over",
    ]
    assert rows[len(events) + 1][8] == "rejected"
    episode = audit.rows["episodes"][("street:BT-QG#1",)]
    assert episode[1] == "II" and episode[5] == "2022-07-15T20:04:00+08:00"


def test_an_unconfirmed_level_one_switch_changes_no_grid_and_shows_as_pending(domain: Domain) -> None:
    domain.when(c.SwitchToWartime("district:BT", "I", "epidemic"), actor="op-a")

    doc = roster(domain)

    assert {g["mode"] for g in doc["grids"]} == {"peacetime"}
    assert [(p["scope"], p["level"], p["proposed_by"]) for p in doc["pending_proposals"]] == [
        ("district:BT", "I", "op-a")
    ]


def test_a_confirmed_level_one_switch_takes_effect_and_clears_the_proposal(domain: Domain) -> None:
    domain.when(c.SwitchToWartime("district:BT", "I", "epidemic"), actor="op-a", message_id="p")
    domain.when(c.ConfirmSwitch("district:BT", "p"), actor="op-b")

    doc = roster(domain)

    assert {(g["mode"], g["level"]) for g in doc["grids"]} == {("wartime", "I")}
    assert doc["pending_proposals"] == []


def test_a_drill_is_shown_as_an_exercise_and_never_outranks_real_wartime(domain: Domain) -> None:
    domain.given(
        c.SwitchToWartime("district:BT", "II", "flood drill", exercise=True),
        c.SwitchToWartime("street:BT-QG", "III", "real rain"),
    )

    doc = roster(domain)

    assert (grid(doc, QG_GRID)["mode"], grid(doc, QG_GRID)["level"]) == ("wartime", "III")
    assert (grid(doc, NS_GRID)["mode"], grid(doc, NS_GRID)["level"]) == ("exercise", "II")


def test_drills_are_marked_in_the_episode_list(domain: Domain) -> None:
    domain.given(
        c.SwitchToWartime("street:BT-QG", "III", "drill", exercise=True),
        c.SwitchToPeacetime("street:BT-QG", "drill over"),
        c.SwitchToWartime("street:BT-QG", "II", "real rain"),
    )

    episodes = AuditTrail(domain.org).fold(domain.events).rows["episodes"]

    assert {k[0]: v[8] for k, v in episodes.items()} == {"street:BT-QG#1": "1", "street:BT-QG#2": None}


def test_a_scoped_roster_lists_only_the_wartime_scopes_above_and_under_it(domain: Domain) -> None:
    domain.given(
        c.SwitchToWartime("street:BT-NS", "III", "elsewhere"),
        c.SwitchToWartime("grid:BT-BS-01-08", "IV", "elsewhere"),
        c.SwitchToWartime("district:BT", "IV", "all"),
        c.SwitchToWartime("grid:BT-QG-01-02", "II", "inside"),
    )

    doc = roster_view(domain.org, Roster().fold(domain.events).rows, "street:BT-QG")

    assert [s["scope"] for s in doc["wartime_scopes"]] == ["district:BT", "grid:BT-QG-01-02"]


def test_a_scoped_roster_lists_only_the_pending_proposals_above_and_under_it(domain: Domain) -> None:
    for scope in ("street:BT-NS", "grid:BT-BS-01-08", "district:BT", "grid:BT-QG-01-02", "street:BT-QG"):
        domain.when(c.SwitchToWartime(scope, "I", "elsewhere or here"), actor="op-a")
    domain.when(c.SwitchToWartime("community:BT-NS-01", "II", "elsewhere"))

    doc = roster_view(domain.org, Roster().fold(domain.events).rows, "street:BT-QG")
    whole = roster(domain)

    assert [p["scope"] for p in doc["pending_proposals"]] == [
        "district:BT",
        "grid:BT-QG-01-02",
        "street:BT-QG",
    ]
    assert doc["wartime_scopes"] == [] and [s["scope"] for s in whole["wartime_scopes"]] == [
        "community:BT-NS-01"
    ]
    assert len(whole["pending_proposals"]) == 5
    assert {g["grid"][:5] for g in doc["grids"]} == {"BT-QG"}


def test_a_switch_says_what_set_it_off_in_the_roster_and_the_audit_trail(domain: Domain) -> None:
    domain.given(c.SwitchToWartime("street:BT-QG", "II", "flooding", trigger="暴雨红色预警"))

    (scope,) = roster(domain)["wartime_scopes"]
    summaries = [str(row) for row in AuditTrail(domain.org).fold(domain.events).appended["audit"]]

    assert scope["trigger"] == "暴雨红色预警"
    assert any("(trigger: 暴雨红色预警)" in s for s in summaries)


def test_a_confirmed_level_one_keeps_the_trigger_of_its_proposal(domain: Domain) -> None:
    domain.given(c.SwitchToWartime("street:BT-QG", "I", "flooding", trigger="险情报告 HZ-1"), actor="op-a")
    proposal = domain.events[-1].message_id

    domain.given(c.ConfirmSwitch("street:BT-QG", proposal), actor="op-b")

    (scope,) = roster(domain)["wartime_scopes"]
    assert (scope["level"], scope["trigger"]) == ("I", "险情报告 HZ-1")
