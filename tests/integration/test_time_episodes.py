"""The episode list over a real store: ordered by start instant, then scope, the same after a
rebuild, whatever offsets the switches were sent with; late reports join their episode."""

from __future__ import annotations

from typing import Any

import orjson
from pingzhan.services.read import queries
from pingzhan.services.settings import Settings
from pingzhan.services.wire import subject_of

from tests.integration.helpers import drain, on_stream, publish, running, with_operators


def message(msg_id: str, kind: str, at: str, **fields: Any) -> tuple[str, str, bytes]:
    doc = {"id": msg_id, "kind": kind, "occurred_at": at, "actor": "command-center-01", **fields}
    return msg_id, subject_of("pingzhan", doc), orjson.dumps(doc)


def wartime(msg_id: str, at: str, scope: str) -> tuple[str, str, bytes]:
    return message(msg_id, "mode.switched_to_wartime", at, scope=scope, level="II", reason="rain")


async def test_episodes_are_listed_by_start_instant_then_scope_the_same_after_a_rebuild(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store))
    await publish(
        nats_server.url,
        [
            wartime("a", "2022-07-15T13:00:00+00:00", "street:BT-QG"),  # 21:00 in Yan'an
            wartime("b", "2022-07-15T20:00:00+08:00", "street:BT-NS"),  # 12:00 UTC
            wartime("c", "2022-07-15T12:00:00+00:00", "street:BT-BS"),  # the same instant as b
            message(
                "stand-down",
                "mode.switched_to_peacetime",
                "2022-07-16T06:00:00+08:00",
                scope="street:BT-NS",
                reason="ok",
            ),
            message(  # an offline phone: happened during the BT-NS episode, recorded after it ended
                "late",
                "hazard.reported",
                "2022-07-15T23:00:00+08:00",
                hazard_id="H1",
                grid_id="BT-NS-01-01",
                hazard_kind="waterlogging",
                location="x",
                severity="high",
            ),
        ],
    )

    await drain(settings, nats_server.url)

    async with running(settings, project=False) as service:
        live = queries.episodes(service.views, service.org)
        members = [r["message_id"] for r in queries.audit(service.views, service.org, "street:BT-NS#1")]
        service.projector.rebuild()
        rebuilt = queries.episodes(service.views, service.org)
    assert [e["episode"] for e in live] == ["street:BT-BS#1", "street:BT-NS#1", "street:BT-QG#1"]
    assert rebuilt == live
    assert members == ["b", "stand-down", "late"]
