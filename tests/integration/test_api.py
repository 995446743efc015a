"""The HTTP API against the real service: roles, operator actions through NATS, reads, the contract."""

from __future__ import annotations

from typing import Any

import pytest
from pingzhan.services.accounts import revoke
from pingzhan.services.wire import KINDS

from tests.integration.api_helpers import api_service, eventually
from tests.integration.helpers import on_stream

QG = "street:BT-QG"


def qg_modes(client: Any) -> set[tuple[str, str | None]]:
    grids = client.get("/api/roster", params={"scope": QG}).json()["grids"]
    return {(g["mode"], g["level"]) for g in grids}


async def test_a_dashboard_reads_but_cannot_switch_and_anonymous_callers_are_told_to_sign_in(
    nats_server: Any, store: Any
) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        dash, anonymous, field = service.client("dash"), service.client(), service.client("field-1")

        roster = dash.get("/api/roster")
        refused = dash.post(
            "/api/switch", json={"mode": "wartime", "scope": QG, "level": "II", "reason": "x"}
        )
        unknown = anonymous.get("/api/roster")
        field_read = field.get("/api/roster")

    assert roster.status_code == 200
    assert len(roster.json()["grids"]) == 358 and "position" in roster.json()["as_of"]
    assert refused.status_code == 403 and "dashboard" in refused.json()["detail"]
    assert unknown.status_code == 401 and "sign in" in unknown.json()["detail"]
    assert field_read.status_code == 403


async def test_an_operator_switch_goes_through_nats_with_the_signed_in_name_as_actor(
    nats_server: Any, store: Any
) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        op = service.client("op-li")

        answer = op.post(
            "/api/switch", json={"mode": "wartime", "scope": QG, "level": "II", "reason": "暴雨红色预警"}
        )
        modes = eventually(lambda: qg_modes(op) == {("wartime", "II")} and qg_modes(op))
        entries = op.get("/api/audit").json()["entries"]
        posed = op.post(
            "/api/switch",
            json={"mode": "peacetime", "scope": QG, "reason": "over", "actor": "someone-else"},
        )

    assert answer.status_code == 200, answer.text
    outcome = answer.json()["outcome"]
    assert outcome["status"] == "accepted" and answer.json()["pending"] is False
    assert modes == {("wartime", "II")}
    (switched,) = [e for e in entries if e["message_id"] == outcome["message_id"]]
    assert switched["actor"] == "op-li"
    assert posed.status_code == 400 and "actor" in posed.json()["detail"]


async def test_level_one_needs_a_second_signed_in_operator(nats_server: Any, store: Any) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        li, wang = service.client("op-li"), service.client("op-wang")

        proposed = li.post(
            "/api/switch", json={"mode": "wartime", "scope": QG, "level": "I", "reason": "flood"}
        )
        proposal = proposed.json()["outcome"]["message_id"]
        own = li.post("/api/switch", json={"mode": "confirm", "scope": QG, "proposal": proposal})
        pending = li.get("/api/roster", params={"scope": QG}).json()["pending_proposals"]
        confirmed = wang.post("/api/switch", json={"mode": "confirm", "scope": QG, "proposal": proposal})
        modes = eventually(lambda: qg_modes(li) == {("wartime", "I")} and qg_modes(li))

    assert proposed.status_code == 200 and proposed.json()["pending"] is True
    assert own.status_code == 422 and own.json()["outcome"]["status"] == "rejected"
    assert [p["proposal"] for p in pending] == [proposal]
    assert confirmed.status_code == 200, confirmed.text
    assert modes == {("wartime", "I")}


async def test_a_revoked_token_is_refused(nats_server: Any, store: Any) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        dash = service.client("dash")
        before = dash.get("/api/me")

        revoke(service.app.settings, service.app.ledger, "dash")
        after = eventually(lambda: dash.get("/api/roster").status_code == 401, within=5)
        me_after = dash.get("/api/me").json()

    assert before.status_code == 200 and before.json() == {"name": "dash", "role": "dashboard"}
    assert after
    assert me_after == {"name": None, "role": None}


async def test_a_field_account_reports_with_its_name_as_actor_but_cannot_switch(
    nats_server: Any, store: Any
) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        field = service.client("field-1")

        report = field.post(
            "/api/messages",
            json={
                "kind": "hazard.reported",
                "hazard_id": "HZ-API-1",
                "grid_id": "BT-QG-01-01",
                "hazard_kind": "waterlogging",
                "location": "一建巷",
                "severity": "high",
            },
        )
        mode = field.post("/api/messages", json={"kind": "mode.switched_to_wartime", "scope": QG})
        switch = field.post("/api/switch", json={"mode": "peacetime", "scope": QG, "reason": "x"})
        looked_up = field.get(f"/api/outcomes/{report.json()['outcome']['message_id']}")
        missing = field.get("/api/outcomes/no-such-message")

    assert report.status_code == 200, report.text
    assert mode.status_code == 400 and switch.status_code == 403
    assert looked_up.json()["status"] == "accepted"
    assert missing.status_code == 404 and "no-such-message" in missing.json()["detail"]


async def test_errors_are_one_line_in_words(nats_server: Any, store: Any) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        op = service.client("op-li")

        no_level = op.post("/api/switch", json={"mode": "wartime", "scope": QG, "reason": "x"})
        bad_mode = op.post("/api/switch", json={"mode": "panic", "scope": QG})
        unknown_scope = op.post(
            "/api/switch", json={"mode": "wartime", "scope": "street:NOPE", "level": "II", "reason": "x"}
        )
        bad_roster = op.get("/api/roster", params={"scope": "street:NOPE"})
        bad_period = op.get("/api/reports/cadres", params={"period": "2022-Q9"})
        bad_moment = op.get("/api/reports/duty", params={"at": "yesterday"})
        not_json = op.post(
            "/api/switch", content=b"{mode: wartime", headers={"content-type": "application/json"}
        )
        loose_bool = op.post(
            "/api/switch",
            json={"mode": "wartime", "scope": QG, "level": "II", "reason": "x", "exercise": "yes"},
        )
        bad_scope_form = op.post("/api/switch", json={"mode": "peacetime", "scope": "QG", "reason": "x"})
        unknown_kind = op.post("/api/messages", json={"kind": "bogus.kind"})

    assert no_level.status_code == 400 and "needs level" in no_level.json()["detail"]
    assert bad_mode.status_code == 400 and bad_mode.json()["detail"].startswith("mode: must be one of")
    assert unknown_scope.status_code == 422 and "NOPE" in unknown_scope.json()["detail"]
    assert bad_roster.status_code == 400 and "NOPE" in bad_roster.json()["detail"]
    assert bad_period.status_code == 400 and "2022-Q9" in bad_period.json()["detail"]
    assert bad_moment.status_code == 400 and "--at" not in bad_moment.json()["detail"]
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json()["detail"]
    assert loose_bool.status_code == 400 and loose_bool.json()["detail"] == "exercise: must be true or false"
    assert bad_scope_form.json()["detail"] == "scope: must be a scope KIND:ID, e.g. street:BT-QG"
    assert unknown_kind.status_code == 400 and "unknown kind 'bogus.kind'" in unknown_kind.json()["detail"]
    answers = (no_level, bad_mode, unknown_scope, bad_roster, bad_period, bad_moment, not_json, loose_bool)
    for answer in (*answers, bad_scope_form, unknown_kind):
        detail = answer.json()["detail"]
        assert "\n" not in detail and "Traceback" not in answer.text and "Input should" not in detail


async def test_the_asyncapi_document_has_every_wire_kind_the_outcomes_and_the_changes(
    nats_server: Any, store: Any
) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        doc = service.client().get("/asyncapi.json").json()
        page = service.client().get("/asyncapi")
        tried = service.client().post("/asyncapi/try", json={})

    addresses = {c["address"] for c in doc["channels"].values()}
    assert {f"pingzhan.in.{{shard}}.{kind}" for kind in KINDS} <= addresses
    assert {"pingzhan.outcome.{message_id}", "pingzhan.changes.>"} <= addresses
    assert page.status_code == 200 and "asyncapi" in page.text.lower()
    assert tried.status_code in (404, 405)  # no unauthenticated publishing through the docs


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_reports_answer_as_the_cli_does(nats_server: Any, store: Any) -> None:
    from pingzhan.services.read import reporting
    from pingzhan.services.read.viewdb import ViewDb

    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        audit = service.client("audit")
        answer = audit.get("/api/reports/units", params={"period": "2022"})
        views = ViewDb(service.app.settings)  # its own connection: the projector uses the app's
        expected = reporting.report(views, service.app.org, settings.tz, "units", "2022")
        views.close()

    assert answer.status_code == 200
    assert answer.json()["rows"] == expected and list(answer.json()["columns"]) == list(
        reporting.COLUMNS["units"]
    )


async def test_a_void_needs_a_second_signed_in_operator_too(nats_server: Any, store: Any) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        li, wang = service.client("op-li"), service.client("op-wang")
        switched = li.post(
            "/api/switch", json={"mode": "wartime", "scope": QG, "level": "III", "reason": "误操作"}
        )
        episode = eventually(lambda: [e["episode"] for e in li.get("/api/episodes").json()["episodes"]])

        proposed = li.post(
            "/api/switch",
            json={"mode": "void", "scope": QG, "episode": episode[0], "reason": "switched by mistake"},
        )
        proposal = proposed.json()["outcome"]["message_id"]
        own = li.post("/api/switch", json={"mode": "confirm", "scope": QG, "proposal": proposal})
        confirmed = wang.post("/api/switch", json={"mode": "confirm", "scope": QG, "proposal": proposal})
        modes = eventually(lambda: qg_modes(li) == {("peacetime", None)} and qg_modes(li))

    assert switched.status_code == 200 and episode == [f"{QG}#1"]
    assert proposed.status_code == 200 and proposed.json()["pending"] is True
    assert own.status_code == 422 and "second operator" in own.json()["detail"]
    assert confirmed.status_code == 200, confirmed.text
    assert modes == {("peacetime", None)}


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_an_organisation_imported_while_serving_shows_in_the_api(
    nats_server: Any, store: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from pingzhan.services.api import parts
    from pingzhan.services.org import admin
    from pingzhan.services.store.ledger import open_ledger

    from tests.integration.helpers import NEW_GRID, org_file_with_a_new_grid

    monkeypatch.setattr(parts, "ORG_CHECK_S", 0.2)
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        dash = service.client("dash")
        before = len(dash.get("/api/roster").json()["grids"])

        ledger = open_ledger(settings)
        admin.import_file(settings, ledger, org_file_with_a_new_grid(tmp_path))
        ledger.close()
        shown = eventually(lambda: NEW_GRID in {g["grid"] for g in dash.get("/api/roster").json()["grids"]})
        tree = dash.get("/api/org").json()

    assert before == 358 and shown
    communities = [c for s in tree["streets"] for c in s["communities"] if c["id"] == "BT-QG-01"]
    assert NEW_GRID in {g["id"] for g in communities[0]["grids"]}
