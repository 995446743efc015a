"""Lapsed and superseded level-I proposals over a real store: the roster stops showing a lapsed
proposal as pending, and the audit trail shows that it lapsed and what superseded another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from pingzhan.services.read import queries
from pingzhan.services.settings import Settings
from pingzhan.services.wire import subject_of

from tests.integration.helpers import drain, on_stream, publish, running, with_operators


def proposal(msg_id: str, at: datetime, scope: str, actor: str = "op-a") -> tuple[str, str, bytes]:
    doc: dict[str, Any] = {
        "id": msg_id,
        "kind": "mode.switched_to_wartime",
        "occurred_at": at.isoformat(),
        "actor": actor,
        "scope": scope,
        "level": "I",
        "reason": "epidemic",
    }
    return msg_id, subject_of("pingzhan", doc), orjson.dumps(doc)


async def test_a_lapsed_proposal_is_not_pending_and_the_audit_trail_says_it_lapsed(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store), "op-a", "op-c")
    now = datetime.now(UTC)
    await publish(
        nats_server.url,
        [
            proposal("old", now - timedelta(hours=2), "street:BT-QG"),
            proposal("fresh", now - timedelta(minutes=5), "street:BT-NS"),
            proposal("first", now - timedelta(minutes=4), "street:BT-BS"),
            proposal("second", now - timedelta(minutes=3), "street:BT-BS", actor="op-c"),
        ],
    )

    await drain(settings, nats_server.url)

    async with running(settings, project=False) as service:
        pending = queries.roster(service.views, service.org, now=datetime.now(UTC))["pending_proposals"]
        rows = {
            r["message_id"]: r["summary"]
            for r in queries.audit(service.views, service.org, now=datetime.now(UTC))
        }
        superseded = [
            r
            for r in queries.audit(service.views, service.org)
            if r["event"] == "ScopeMode.ProposalSuperseded"
        ]
    assert [p["proposal"] for p in pending] == ["second", "fresh"]  # sorted by scope: BT-BS, BT-NS
    assert "LAPSED at" in rows["old"]
    assert "LAPSED" not in rows["fresh"] and "LAPSED" not in rows["first"]
    assert [(r["message_id"], r["summary"]) for r in superseded] == [
        ("second", "street:BT-BS proposal first (level I) superseded")
    ]
