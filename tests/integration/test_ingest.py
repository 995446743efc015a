"""Ingest against a real nats-server and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import nats
import orjson
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.settings import Settings

from tests.integration.helpers import (
    clean_run,
    drain,
    on_stream,
    publish,
    running,
    stored_events,
    wait_until,
    with_operators,
    workload,
)

GRID = "BT-QG-01-01"


def body(msg_id: str, kind: str, **fields: object) -> bytes:
    return orjson.dumps(
        {"id": msg_id, "kind": kind, "occurred_at": "2022-07-15T20:00:00+08:00", "actor": "op", **fields}
    )


def outcomes(service, ids):  # type: ignore[no-untyped-def]
    found = service.ledger.outcomes(ids)
    return {i: Outcome.from_json(found[i]) for i in ids if i in found}


async def test_each_bad_input_is_recorded_as_a_rejection_and_the_consumer_keeps_going(
    nats_server, store: Settings
) -> None:
    settings = await on_stream(nats_server, store)
    items = [
        (
            "ok-1",
            "pingzhan.in.0.cadre.registered",
            body("ok-1", "cadre.registered", cadre_id="C1", name="n", unit="u"),
        ),
        ("bad-json", "pingzhan.in.0.x", b'{"id": "bad-json", "kind": '),
        ("bad-kind", "pingzhan.in.0.x", body("bad-kind", "cadre.teleported", cadre_id="C1")),
        (
            "bad-schema",
            "pingzhan.in.0.x",
            body(
                "bad-schema",
                "hazard.reported",
                hazard_id="H",
                grid_id=GRID,
                hazard_kind="waterlogging",
                location="x",
                severity="apocalyptic",
            ),
        ),
        (
            "bad-rule",
            "pingzhan.in.0.checkpoint.staffed",
            body("bad-rule", "checkpoint.staffed", checkpoint_id="NOPE", cadre_id="C1"),
        ),
        (
            "ok-2",
            "pingzhan.in.0.cadre.dispatched",
            body("ok-2", "cadre.dispatched", cadre_id="C1", grid_id=GRID),
        ),
    ]
    published: list[Outcome] = []
    nc = await nats.connect(nats_server.url)

    async def collect(msg) -> None:  # type: ignore[no-untyped-def]
        published.append(Outcome.from_json(msg.data))

    await nc.subscribe("pingzhan.outcome.>", cb=collect)

    await publish(nats_server.url, items)
    async with running(settings) as service:
        await wait_until(lambda: len(published) == len(items), what="an outcome for every message")
        recorded = outcomes(service, [i for i, _, _ in items])
    await nc.close()

    assert {i: (o.status, o.code) for i, o in recorded.items()} == {
        "ok-1": ("accepted", None),
        "bad-json": ("rejected", "malformed_json"),
        "bad-kind": ("rejected", "unknown_kind"),
        "bad-schema": ("rejected", "schema"),
        "bad-rule": ("rejected", "unknown_checkpoint"),
        "ok-2": ("accepted", None),
    }
    assert "severity" in recorded["bad-schema"].reason
    assert sorted(o.message_id for o in published) == sorted(recorded)


async def test_a_message_id_resent_after_the_duplicate_window_is_not_stored_twice(
    nats_server, store: Settings
) -> None:
    settings = await on_stream(nats_server, store, duplicate_window_s=1.0)
    report = (
        "phone-1",
        "pingzhan.in.3.hazard.reported",
        body(
            "phone-1",
            "hazard.reported",
            hazard_id="H1",
            grid_id=GRID,
            hazard_kind="waterlogging",
            location="x",
            severity="high",
        ),
    )
    await publish(nats_server.url, [report])
    await drain(settings, nats_server.url)

    await asyncio.sleep(1.5)  # past the JetStream duplicate window: NATS takes it again
    await publish(nats_server.url, [report, report])
    await drain(settings, nats_server.url)

    async with running(settings, project=False) as service:
        events = stored_events(service)
    assert [e[2].rsplit(".", 1)[-1] for e in events] == ["Reported"]


async def test_a_restart_in_the_middle_of_the_stream_loses_and_duplicates_nothing(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=50))
    items = workload(7, 3000)
    await publish(nats_server.url, items)

    async with running(settings, project=False) as service:
        await wait_until(lambda: service.ingest.position >= 400, what="some progress")
    first_stop = service.ingest.position
    await drain(settings, nats_server.url, project=False)

    async with running(settings, project=False) as service:
        recorded = service.ledger.outcomes([i for i, _, _ in items])
        restarted = stored_events(service)
    assert 0 < first_stop < len(items)
    assert len(recorded) == len(items)
    # the workload's switches come from its registered operator: only its broken reports are rejected
    assert {Outcome.from_json(o).code for o in recorded.values()} == {None, "schema"}
    assert any("ScopeMode.SwitchedToWartime" in Outcome.from_json(o).events for o in recorded.values())
    assert await clean_run(store, items) == restarted
