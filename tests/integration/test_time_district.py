"""District time through the real service: a check-in sent with a UTC offset counts for the
district's date (Asia/Shanghai), in the stored event and in the reports."""

from __future__ import annotations

from typing import Any

import orjson
from pingzhan.projections.facts import period
from pingzhan.projections.grading import cadre_assessment
from pingzhan.services.read import queries
from pingzhan.services.settings import Settings
from pingzhan.services.wire import subject_of

from tests.integration.helpers import drain, on_stream, publish, running

GRID = "BT-QG-01-01"


def message(msg_id: str, kind: str, at: str, **fields: Any) -> tuple[str, str, bytes]:
    doc = {"id": msg_id, "kind": kind, "occurred_at": at, "actor": "zzb-operator", **fields}
    return msg_id, subject_of("pingzhan", doc), orjson.dumps(doc)


async def test_a_check_in_at_2330_utc_on_tuesday_counts_as_the_wednesday_service_day(
    nats_server, store: Settings
) -> None:
    settings = await on_stream(nats_server, store)
    at = "2023-01-01T09:00:00+08:00"
    await publish(
        nats_server.url,
        [
            message("r1", "cadre.registered", at, cadre_id="CD1", name="张三", unit="RSJ"),
            message("d1", "cadre.dispatched", at, cadre_id="CD1", grid_id=GRID),
            message("c1", "service.checked_in", "2023-01-03T23:30:00+00:00", cadre_id="CD1", grid_id=GRID),
        ],
    )

    await drain(settings, nats_server.url)

    async with running(settings, project=False) as service:
        p = period("2023-01")
        (row,) = cadre_assessment(queries.report_facts(service.views, p), service.org, p)
        stored = [r for r in queries.audit(service.views, service.org) if r["message_id"] == "c1"]
    assert (row["service_days"], row["expected_service_days"]) == (1, 4)
    assert stored[0]["occurred_at"] == "2023-01-03T23:30:00+00:00"  # kept as the message said it
    assert "service day 2023-01-04" in stored[0]["summary"]
