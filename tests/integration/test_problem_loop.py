"""The whistle-and-report loop through a real nats-server into SQLite and PostgreSQL: each step
accepted or rejected in words, and what the roster and the reports make of it, overdue by the
offices' deadlines setting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
from pingzhan.services.bootstrap import build
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.read import queries, reporting
from pingzhan.services.settings import Settings

from tests.integration.helpers import drain, on_stream, publish

GRID = "BT-BS-01-01"
CITY, STREET = "市内涝办 (city waterlogging office)", "街道办 (street office)"


def messages() -> list[tuple[str, str, bytes]]:
    """(id, subject, body) of a year's slice: P1 goes round the loop, forwarded and reopened once;
    P2 is escalated and never acknowledged; a few steps are refused."""
    n = 0
    items = []

    def send(kind: str, at: str, actor: str = "cd1", **fields: Any) -> str:
        nonlocal n
        n += 1
        msg_id = f"loop-{n:02d}-{kind.replace('.', '-')}"
        body = {"id": msg_id, "kind": kind, "occurred_at": at, "actor": actor, **fields}
        items.append((msg_id, f"pingzhan.in.0.{kind}", orjson.dumps(body)))
        return msg_id

    day = "2022-07-{:02d}T{:02d}:00:00+08:00".format
    send("cadre.registered", day(15, 8), "zzb", cadre_id="CD1", name="胡静玉", unit="FY")
    send("cadre.dispatched", day(15, 8), "zzb", cadre_id="CD1", grid_id=GRID)
    send("opinion.collected", day(15, 9), cadre_id="CD1", grid_id=GRID, category="environment",
         text="排洪渠有异味", opinion_id="OP-1")  # fmt: skip
    send("problem.reported", day(15, 10), problem_id="P1", grid_id=GRID, what="排洪渠堵塞", where="一建巷",
         opinion_id="OP-1")  # fmt: skip
    send("problem.reported", day(15, 10), problem_id="P2", grid_id=GRID, what="路灯", where="巷口")
    community, city, street = "community-bt-bs-01", "office-nlb", "office-jdb"
    send("problem.escalated", day(16, 9), community, problem_id="P1", office=CITY)
    send("problem.escalated", day(16, 9), community, problem_id="P2", office=CITY)
    send("problem.acknowledged", day(16, 10), street, problem_id="P1", office=STREET, by="李")  # refused
    send("problem.acknowledged", day(16, 8), city, problem_id="P2", office=CITY, by="王")  # refused
    send("problem.acknowledged", day(16, 10), city, problem_id="P1", office=CITY, by="王工")
    send("problem.resolved", day(16, 11), community, problem_id="P1", resolution="fine")  # refused
    send("problem.forwarded", day(16, 11), city, problem_id="P1", office=CITY, to=STREET, reason="不属本单位")
    send("problem.acknowledged", day(18, 12), street, problem_id="P1", office=STREET, by="李主任")  # 49 h
    send("problem.reported_back", day(19, 9), street, problem_id="P1", office=STREET, result="疏通")
    send("problem.reopened", day(20, 9), community, problem_id="P1", reason="仍有异味")
    send("problem.acknowledged", day(20, 10), street, problem_id="P1", office=STREET, by="李主任")
    send("problem.reported_back", day(21, 10), street, problem_id="P1", office=STREET, result="清淤")
    send("problem.resolved", day(22, 10), community, problem_id="P1", resolution="社区确认")
    return items


async def test_the_loop_goes_through_nats_and_shows_in_the_roster_and_reports(
    nats_server: Any, store: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = await on_stream(nats_server, store)
    items = messages()
    await publish(nats_server.url, items)
    await drain(settings, nats_server.url)

    app = build(settings)
    try:
        found = app.ledger.outcomes([i for i, _, _ in items])
        outcomes = {i: Outcome.from_json(found[i]) for i, _, _ in items}
        now = datetime.fromisoformat("2022-07-17T10:00:00+08:00")
        grid = queries.roster(app.views, app.org, f"grid:{GRID}", now, settings.deadlines)["grids"][0]
        deadlines = '{"市内涝办": {"acknowledge_h": 48, "report_back_h": 168}}'  # as the environment says it
        monkeypatch.setenv("PINGZHAN_OFFICE_DEADLINES", deadlines)
        lenient = Settings().deadlines
        lenient_grid = queries.roster(app.views, app.org, f"grid:{GRID}", now, lenient)["grids"][0]
        offices = reporting.report(
            app.views, app.org, settings.tz, "problems", "2022-07", deadlines=settings.deadlines, now=now
        )
        opinions = reporting.report(
            app.views, app.org, settings.tz, "opinions", "2022-07", scope="street:BT-BS", now=now
        )
    finally:
        app.close()

    refused = {i: (o.code, o.reason) for i, o in outcomes.items() if o.status == "rejected"}
    assert refused == {
        "loop-08-problem-acknowledged": ("problem", f"problem P1 is with {CITY}, not with {STREET}"),
        "loop-09-problem-acknowledged": (
            "time_order",
            f"problem P2 is escalated to {CITY}, not acknowledged yet since 2022-07-16T09:00:00+08:00: the "
            "next step cannot be dated 2022-07-16T08:00:00+08:00, before that",
        ),
        "loop-11-problem-resolved": (
            "problem",
            f"problem P1 is in the whistle-and-report loop (acknowledged by {CITY}): the community "
            "confirms it after the office reports back (problem.reported_back)",
        ),
    }
    assert outcomes["loop-18-problem-resolved"].events == ["Problem.Resolved"]
    (p2,) = grid["open_problems"]  # P1 is resolved: only P2 is open
    assert (p2["problem"], p2["state"], p2["overdue"], p2["overdue_since"]) == (
        "P2",
        "escalated",
        True,
        "2022-07-17T09:00:00+08:00",
    )
    assert lenient_grid["open_problems"][0]["overdue"] is False  # 48 h for 市内涝办 by the setting
    city, street = offices
    assert (city["office"], city["received"], city["acknowledged"], city["forwarded"]) == (CITY, 2, 1, 1)
    assert (city["open"], city["overdue"], city["median_acknowledge_h"]) == (1, 1, 1.0)
    assert (street["received"], street["acknowledged"], street["reported_back"]) == (2, 2, 2)
    assert (street["reopened"], street["confirmed"], street["late"]) == (1, 1, 1)
    assert opinions == [
        {
            "street": "BT-BS",
            "community": "王家坪社区",
            "grid": GRID,
            "category": "environment",
            "collected": 1,
            "routed": 1,
            "resolved": 1,
            "open": 0,
            "overdue": 0,
        }
    ]


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_the_api_shows_overdue_problems_and_answers_the_reports_as_the_cli_does(
    nats_server: Any, store: Settings
) -> None:
    from pingzhan.services.read.viewdb import ViewDb

    from tests.integration.api_helpers import api_service, eventually

    settings = await on_stream(nats_server, store)
    await publish(nats_server.url, messages())
    with api_service(settings) as service:
        audit = service.client("audit")

        def confirmed() -> Any:
            rows = audit.get("/api/reports/problems", params={"period": "2022-07"}).json()["rows"]
            return rows if any(r["confirmed"] for r in rows) else None

        offices = eventually(confirmed, within=30)
        roster = audit.get("/api/roster", params={"scope": f"grid:{GRID}"}).json()
        opinions = audit.get("/api/reports/opinions", params={"period": "2022", "scope": "grid:" + GRID})
        views = ViewDb(service.app.settings)  # its own connection: the projector uses the app's
        expected = reporting.report(views, service.app.org, settings.tz, "problems", "2022-07")
        views.close()

    assert offices == expected and [r["office"] for r in offices] == [CITY, STREET]
    (p2,) = roster["grids"][0]["open_problems"]
    assert (p2["problem"], p2["escalated_to"], p2["overdue"], p2["overdue_since"]) == (
        "P2",
        CITY,
        True,
        "2022-07-17T09:00:00+08:00",
    )
    assert opinions.status_code == 200 and [r["routed"] for r in opinions.json()["rows"]] == [1]
