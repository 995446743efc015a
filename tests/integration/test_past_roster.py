"""The roster at any past moment and the decision reviews, on a small simulated year with late
reports through real NATS into SQLite and PostgreSQL: each answer equals the roster folded afresh
from the stored events filtered by both times (``past_helpers.fresh_fold``)."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import pytest
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view
from pingzhan.services.bootstrap import build
from pingzhan.services.read import queries
from pingzhan.services.read.past import decision_reviews, roster_at, with_reviews

from tests.integration.past_helpers import LATE_SWITCH, Year, fresh_fold, own_rows, small_year

PAIRS = 50


@pytest.fixture
async def year(nats_server: Any, store: Any) -> Year:
    return await small_year(nats_server, store)


def _span(values: list[datetime], rng: random.Random) -> datetime:
    lo, hi = min(values), max(values)
    return lo + (hi - lo) * rng.random()


def _pairs(year: Year) -> list[tuple[datetime, datetime | None, str | None]]:
    """(T1, T2, scope): T1 over the field times (and past them, into the recorded times: then T2 is
    before T1), T2 over the recorded times or now (None); a scope for one pair in five."""
    rng = random.Random(10)
    occurred = [
        datetime.fromisoformat(e.occurred_at) for _, e in year.events if getattr(e, "occurred_at", None)
    ]
    occurred = [t for t in occurred if t.year == 2022]
    recorded = [
        datetime.fromisoformat(e.timestamp) for _, e in year.events if type(e).__qualname__ in Roster.handlers
    ]
    scopes = [None, None, None, None, year.community, "street:BT-BS", "grid:BT-BS-01-01"]
    pairs = []
    for i in range(PAIRS):
        at = _span(occurred, rng) if i % 10 else _span(recorded, rng)
        known_at = None if i % 7 == 0 else _span(recorded, rng)
        pairs.append((at, known_at, rng.choice(scopes)))
    return pairs


async def test_the_past_roster_is_the_fold_of_the_events_filtered_by_both_times_at_50_random_pairs(
    year: Year,
) -> None:
    app = build(year.settings)
    try:
        answers = [
            (pair, *roster_at(app.views, app.ledger, app.org, *pair, app.settings.deadlines))
            for pair in _pairs(year)
        ]
        expected = [
            roster_view(
                app.org, own_rows(fresh_fold(year.events, at, known_at)), scope, at, app.settings.deadlines
            )
            for (at, known_at, scope), _, _ in answers
        ]
    finally:
        app.close()

    for ((at, known_at, _), doc, _), want in zip(answers, expected, strict=True):
        assert doc == want, (at, known_at)
    assert any(how.snapshot > 0 for _, _, how in answers)
    assert any(how.late > 0 for _, _, how in answers)
    assert any(known_at is not None and known_at < at for (at, known_at, _), _, _ in answers)
    assert any(how.replayed > 0 and how.prefix_end is not None for _, _, how in answers)


def _expected_review(year: Year, app: Any, position: int) -> dict[str, Any]:
    """The scope's staffing, hazards and proposals from a fresh fold of every event before the
    decision, counted here from the rows."""
    rows = own_rows(fresh_fold([(p, e) for p, e in year.events if p < position], None, None))
    decision = dict(year.events)[position]
    grids = set(app.org.grids_under(decision.scope))
    at = datetime.fromisoformat(decision.occurred_at)
    duty = sorted((k[0], k[1]) for k, v in rows["roster_duty"].items() if v[0] in grids)
    staffed = {k[0] for k in rows["roster_duty"]}
    open_checkpoints = [
        k[0] for k, v in rows["roster_checkpoint"].items() if v[0] in grids and v[2] == "open"
    ]
    hazards = {
        k[0]: round((at - datetime.fromisoformat(v[4])).total_seconds() / 3600, 1)
        for k, v in rows["roster_hazard"].items()
        if v[0] in grids
    }
    return {
        "on_duty": duty,
        "unstaffed": sorted(c for c in open_checkpoints if c not in staffed),
        "hazards": hazards,
        "cadres": sum(1 for v in rows["roster_cadre"].values() if v[2] in grids and v[4] == "cadre"),
    }


def _seen(review: dict[str, Any]) -> dict[str, Any]:
    return {
        "on_duty": sorted((d["checkpoint"], d["cadre"]) for d in review["on_duty"]),
        "unstaffed": sorted(c["checkpoint"] for c in review["unstaffed_checkpoints"]),
        "hazards": {h["hazard"]: h["age_h"] for h in review["open_hazards"]},
        "cadres": review["cadres_dispatched"],
    }


async def test_a_switch_on_the_audit_trail_shows_its_scopes_roster_as_known_when_it_was_recorded(
    year: Year,
) -> None:
    (switch,) = [p for p, e in year.events if getattr(e, "message_id", None) == LATE_SWITCH]
    app = build(year.settings)
    try:
        page = queries.audit(app.views, app.org, after=switch - 1, limit=1)
        (entry,) = with_reviews(app.views, app.ledger, app.org, page, app.settings.deadlines)
        every = decision_reviews(app.views, app.ledger, app.org)
        expected = {r["position"]: _expected_review(year, app, r["position"]) for r in every}
    finally:
        app.close()

    review = entry["review"]
    assert (review["decision"], review["scope"], review["known_up_to"]) == (
        "switch to wartime",
        year.community,
        switch - 1,
    )
    assert _seen(review) == expected[switch]
    assert review["open_hazards"][0]["hazard"] == "LATE-HZ-1" and review["open_hazards"][0]["age_h"] == 2.0
    assert "LATE-CP-1" in _seen(review)["unstaffed"] and ("LATE-CP-2", year.cadre) in _seen(review)["on_duty"]
    assert len(every) == 10  # the year's four switches and four stand-downs, and the late two
    for r in every:
        assert _seen(r) == expected[r["position"]], r["position"]
