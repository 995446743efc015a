"""GET /api/stream: every stored event once, in position order, across a broken connection."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from tests.integration.api_helpers import api_service, eventually
from tests.integration.helpers import on_stream, publish, workload


def sse_events(response: httpx.Response, wanted: int, kind: str = "change") -> list[dict[str, Any]]:
    """Read SSE events of ``kind`` until ``wanted`` of them have come (``id``, ``data``), or the
    server ends the stream; later calls go on where the last one stopped."""
    lines = response.__dict__.setdefault("sse_lines", response.iter_lines())
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in lines:
        if line == "":
            if current.get("event") == kind:
                events.append(current)
                if len(events) == wanted:
                    return events
            current = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            current[field] = value.removeprefix(" ")
    return events


def full_trail(client: httpx.Client) -> list[int]:
    positions: list[int] = []
    after: int | None = 0
    while after is not None:
        page = client.get("/api/audit", params={"after": after, "limit": 500}).json()
        positions += [e["position"] for e in page["entries"]]
        after = page["next_after"]
    return positions


async def test_a_reader_that_reconnects_with_last_event_id_misses_nothing_and_sees_nothing_twice(
    nats_server: Any, store: Any
) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        dash = service.client("dash")
        await publish(settings.nats_url, workload(seed=9, count=1500))
        head = eventually(
            lambda: (d := dash.get("/api/roster").json()["as_of"])["position"] >= d["head"] > 1000
        )
        assert head, "the views did not catch up with the store"
        everything = full_trail(dash)

        with dash.stream("GET", "/api/stream", params={"after": 0}) as first:
            before_break = sse_events(first, 700)  # then the connection is dropped
        last_id = before_break[-1]["id"]
        with dash.stream("GET", "/api/stream", headers={"Last-Event-ID": last_id}) as second:
            after_break = sse_events(second, len(everything) - len(before_break))

    ids = [int(e["id"]) for e in before_break + after_break]
    assert ids == everything
    assert all(orjson.loads(e["data"])["position"] == int(e["id"]) for e in before_break + after_break)


async def test_a_switch_reaches_the_stream_with_the_grids_it_changes(nats_server: Any, store: Any) -> None:
    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        op = service.client("op-li")
        with op.stream("GET", "/api/stream") as live:  # from now on
            answer = op.post(
                "/api/switch",
                json={"mode": "wartime", "scope": "street:BT-QG", "level": "III", "reason": "雨"},
            )
            wanted = answer.json()["outcome"]["message_id"]
            seen = []
            while not any(orjson.loads(e["data"])["entry"]["message_id"] == wanted for e in seen):
                seen += sse_events(live, 1)

    (change,) = [
        c for e in seen if (c := orjson.loads(e["data"]))["entry"]["event"].endswith("SwitchedToWartime")
    ]
    assert answer.status_code == 200
    assert change["entry"]["message_id"] == wanted
    assert change["roster"] is True
    assert len(change["grids"]) > 10 and all(g.startswith("BT-QG-") for g in change["grids"])


async def test_roster_changes_are_published_on_nats_by_scope_and_other_events_are_not(
    nats_server: Any, store: Any
) -> None:
    import asyncio

    import nats

    settings = await on_stream(nats_server, store)
    heard: list[tuple[str, dict[str, Any]]] = []
    nc = await nats.connect(settings.nats_url)

    async def on_change(msg: Any) -> None:
        heard.append((msg.subject, orjson.loads(msg.data)))

    await nc.subscribe("pingzhan.changes.>", cb=on_change)
    with api_service(settings) as service:
        op = service.client("op-li")
        await asyncio.sleep(0.5)  # the change feed starts from the views' position when it starts
        answer = await asyncio.to_thread(
            op.post,
            "/api/switch",
            json={"mode": "wartime", "scope": "street:BT-QG", "level": "II", "reason": "雨"},
        )
        visit = await asyncio.to_thread(
            service.client("field-1").post,
            "/api/messages",
            json={"kind": "hazard.reported", "hazard_id": "HZ-N1", "grid_id": "BT-QG-01-02",
                  "hazard_kind": "waterlogging", "location": "路口", "severity": "low"},
        )  # fmt: skip
        for _ in range(100):
            if len(heard) >= 2:
                break
            await asyncio.sleep(0.05)
    await nc.close()

    subjects = [s for s, _ in heard]
    assert answer.status_code == 200 and visit.status_code == 200
    assert "pingzhan.changes.street.BT-QG" in subjects and "pingzhan.changes.grid.BT-QG-01-02" in subjects
    (switch,) = [c for s, c in heard if s == "pingzhan.changes.street.BT-QG"]
    assert switch["entry"]["message_id"] == answer.json()["outcome"]["message_id"]
    assert all(c["roster"] for _, c in heard)


async def test_a_live_stream_ends_when_its_token_is_revoked(nats_server: Any, store: Any) -> None:
    import time

    from pingzhan.services.accounts import revoke

    settings = await on_stream(nats_server, store)
    with api_service(settings) as service:
        dash = service.client("dash")
        with dash.stream("GET", "/api/stream") as live:
            sse_events(live, 1, kind="status")
            revoke(service.app.settings, service.app.ledger, "dash")
            revoked_at = time.monotonic()
            rest = sse_events(live, 1000, kind="status")  # returns when the server ends the stream
            ended_after = time.monotonic() - revoked_at

    assert ended_after < 10 and len(rest) <= 2


def test_the_service_stops_while_a_dashboard_is_listening(tmp_path: Any) -> None:
    import threading
    import time

    from pingzhan.services.nats.embedded import EmbeddedNats
    from pingzhan.services.settings import Settings

    with EmbeddedNats(tmp_path / "nats") as server:
        settings = Settings(store="sqlite", data_dir=tmp_path / "data", nats_url=server.url)
        listening, ended = threading.Event(), threading.Event()
        with api_service(settings) as service:
            headers = {"Authorization": f"Bearer {service.tokens['dash']}"}

            def listen() -> None:  # its own client: the service's clients close before it stops
                with httpx.Client(base_url=service.url, headers=headers, timeout=60) as dash:
                    with dash.stream("GET", "/api/stream") as live:
                        sse_events(live, 1, kind="status")
                        listening.set()
                        sse_events(live, 10_000, kind="status")  # until the server ends it
                        ended.set()

            reader = threading.Thread(target=listen, daemon=True)
            reader.start()
            assert listening.wait(10)
            stopping = time.monotonic()
        stopped_after = time.monotonic() - stopping
        reader.join(5)

    assert stopped_after < 8 and ended.is_set()
