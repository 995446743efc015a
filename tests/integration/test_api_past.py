"""The HTTP API's roster at a past moment (`GET /api/roster?at=&known_at=`) and the decision reviews
on its audit reads, on a small simulated year with late reports (``past_helpers``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pingzhan.projections.roster_view import roster_view
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings

from tests.integration.api_helpers import api_service
from tests.integration.past_helpers import LATE_SWITCH, fresh_fold, own_rows, small_year

MORNING = "2022-03-15T11:00:00+08:00"  # the late hazard reported, its patrol out, a checkpoint staffed


async def test_the_api_answers_the_roster_at_a_past_moment_as_known_then_and_now(
    nats_server: Any, store: Any
) -> None:
    year = await small_year(nats_server, store)
    (switch,) = [p for p, e in year.events if getattr(e, "message_id", None) == LATE_SWITCH]
    first_late = min(p for p, e in year.events if str(getattr(e, "message_id", "")).startswith("late-"))
    before_late = max(e.timestamp for p, e in year.events if p < first_late)  # before the late reports
    with api_service(year.settings) as service:
        auditor = service.client("audit")
        now = auditor.get("/api/roster", params={"at": MORNING, "scope": year.community})
        then = auditor.get(
            "/api/roster", params={"at": MORNING, "known_at": before_late, "scope": year.community}
        )
        entries = auditor.get("/api/audit", params={"after": switch - 1, "limit": 1}).json()["entries"]

    org, at = load_org(), datetime.fromisoformat(MORNING)
    deadlines = Settings().deadlines
    for answer, known_at in ((now, None), (then, datetime.fromisoformat(before_late))):
        assert answer.status_code == 200, answer.text
        doc = {k: v for k, v in answer.json().items() if k not in ("as_of", "past")}
        rows = own_rows(fresh_fold(year.events, at, known_at))
        assert doc == roster_view(org, rows, year.community, at, deadlines)
    hazards = {h["hazard"] for g in now.json()["grids"] for h in g["open_hazards"]}
    assert "LATE-HZ-1" in hazards
    assert "LATE-HZ-1" not in {h["hazard"] for g in then.json()["grids"] for h in g["open_hazards"]}
    (entry,) = entries
    assert entry["review"]["decision"] == "switch to wartime" and entry["review"]["position"] == switch


async def test_a_past_roster_asked_wrongly_over_http_is_a_400_in_words(nats_server: Any, store: Any) -> None:
    year = await small_year(nats_server, store)
    asked = {
        "not a time": {"at": "yesterday"},
        "no offset": {"at": "2022-03-15T11:00:00"},
        "known_at alone": {"known_at": MORNING},
        "before the first event": {"at": "2000-01-01T00:00:00+08:00"},
        "an unknown scope": {"at": MORNING, "scope": "street:NOWHERE"},
    }
    with api_service(year.settings) as service:
        auditor = service.client("audit")
        answers = {what: auditor.get("/api/roster", params=params) for what, params in asked.items()}

    words = {
        "not a time": "at 'yesterday' is not ISO 8601",
        "no offset": "has no offset",
        "known_at alone": "known_at goes with at",
        "before the first event": "is before the roster's first event",
        "an unknown scope": "unknown scope 'street:NOWHERE'",
    }
    for what, answer in answers.items():
        assert answer.status_code == 400, (what, answer.text)
        assert words[what] in answer.json()["detail"], what
