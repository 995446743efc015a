"""Decision review as a pure function: the roster of a decision's scope folded from the events
before it, given/when/then over commands run in memory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pingzhan.domain import commands as c
from pingzhan.projections.reviews import review, review_line
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID, OTHER = "BT-QG-01-01", "BT-NS-01-01"
STREET = "street:BT-QG"


@pytest.fixture(autouse=True)
def operators(domain: Domain) -> None:
    domain.operators("op", "op-b")


def reviewed(domain: Domain, event: Any) -> dict[str, Any]:
    """The review of ``event``, the last event so far, from every event before it."""
    before = domain.events[: domain.events.index(event)]
    doc = roster_view(domain.org, Roster().fold(before).rows, event.scope, now=None)
    return review(doc, len(before) + 1, event, "2026-01-01T00:00:00+00:00")


def test_a_switch_is_reviewed_with_its_scopes_staffing_and_hazards_as_known_before_it(domain: Domain) -> None:
    domain.given(
        c.RegisterCadre("A", "甲", "RSJ"),
        c.DispatchCadre("A", GRID),
        c.EstablishCheckpoint("CP-1", GRID, "南门卡口"),
        c.EstablishCheckpoint("CP-2", GRID, "北门卡口"),
        c.EstablishCheckpoint("CP-9", OTHER, "elsewhere"),
        c.StaffCheckpoint("CP-1", "A"),
    )
    domain.when(c.ReportHazard("HZ-1", GRID, "waterlogging", "桥下", "high"), at="2022-07-15T18:00:00+08:00")

    (switched,) = [
        e
        for e in domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:30:00+08:00")
        if type(e).__qualname__ == "ScopeMode.SwitchedToWartime"
    ]
    r = reviewed(domain, switched)

    assert (r["decision"], r["scope"], r["grids_in_wartime"]) == ("switch to wartime", STREET, 0)
    assert [(d["checkpoint"], d["cadre"]) for d in r["on_duty"]] == [("CP-1", "A")]
    assert [u["checkpoint"] for u in r["unstaffed_checkpoints"]] == ["CP-2"]  # not CP-9: another street
    assert [(h["hazard"], h["age_h"]) for h in r["open_hazards"]] == [("HZ-1", 2.5)]
    assert "1 on duty at 1 checkpoints, 1 unstaffed (CP-2), 1 open hazards (oldest 2.5 h)" in review_line(r)


def test_a_level_one_switch_is_a_proposal_and_then_a_confirmation_with_the_proposal_pending(
    domain: Domain,
) -> None:
    proposed = domain.when(
        c.SwitchToWartime(STREET, "I", "flood"), message_id="p", at="2022-07-15T21:00:00+08:00"
    )
    confirmed = domain.when(c.ConfirmSwitch(STREET, "p"), actor="op-b", at="2022-07-15T21:10:00+08:00")

    first, second = reviewed(domain, proposed[-1]), reviewed(domain, confirmed[-1])

    assert first["decision"] == "level I proposed" and first["pending_proposals"] == []
    assert second["decision"] == "confirmation (switch to wartime)"
    assert [p["proposal"] for p in second["pending_proposals"]] == ["p"]
