"""Messages from the future are rejected (code ``future``): an occurred_at later than the time the
worker received the message plus the allowed clock skew (PINGZHAN_CLOCK_SKEW_S, 10 minutes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.outcome import Inbound, Outcome
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger
from pingzhan.services.wire import subject_of

from tests.integration.helpers import drain, on_stream, publish, running, with_operators

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # the worker's clock in these tests


def message(msg_id: str, at: datetime | str, **fields: Any) -> dict[str, Any]:
    occurred_at = at if isinstance(at, str) else at.isoformat()
    return {"id": msg_id, "occurred_at": occurred_at, "actor": "command-center-01", **fields}


def switch(msg_id: str, at: datetime | str, scope: str, level: str = "II") -> dict[str, Any]:
    return message(msg_id, at, kind="mode.switched_to_wartime", scope=scope, level=level, reason="rain")


def inbound(docs: list[dict[str, Any]]) -> list[Inbound]:
    return [
        Inbound(n, subject_of("pingzhan", d), orjson.dumps(d), d["id"]) for n, d in enumerate(docs, start=1)
    ]


def test_a_message_dated_beyond_the_clock_skew_is_rejected_and_one_within_it_accepted(
    store: Settings,
) -> None:
    ledger = open_ledger(with_operators(store))
    ingest = Ingest(ledger, load_org(), "ingest-0-of-1", clock=lambda: NOW, skew=timedelta(seconds=600))
    try:
        outcomes = ingest.process(
            inbound(
                [
                    switch("near", NOW + timedelta(minutes=9), "street:BT-QG"),
                    switch("far", NOW + timedelta(minutes=11), "street:BT-NS"),
                    switch("far-offset", "2026-03-04T10:11:00+08:00", "street:BT-BS"),  # 02:11 UTC
                ]
            )
        )
        recorded = {
            i: Outcome.from_json(o) for i, o in ledger.outcomes(["near", "far", "far-offset"]).items()
        }
    finally:
        ledger.close()

    assert [(o.message_id, o.status, o.code) for o in outcomes] == [
        ("near", "accepted", None),
        ("far", "rejected", "future"),
        ("far-offset", "rejected", "future"),
    ]
    assert recorded["far"].reason is not None and "in the future" in recorded["far"].reason
    assert recorded["far"].code == "future"


async def test_a_level_one_proposal_dated_2099_is_rejected_by_the_running_service(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store))
    doc = switch("p2099", "2099-01-01T00:00:00+08:00", "district:BT", level="I")
    await publish(nats_server.url, [(doc["id"], subject_of("pingzhan", doc), orjson.dumps(doc))])

    await drain(settings, nats_server.url)

    async with running(settings, project=False) as service:
        found = Outcome.from_json(service.ledger.outcomes(["p2099"])["p2099"])
    assert (found.status, found.code) == ("rejected", "future")
