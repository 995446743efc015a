"""Subjects against a real nats-server: a message on a bad subject is refused or rejected, never lost."""

from __future__ import annotations

import nats
import orjson
import pytest
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NoStreamResponseError
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.nats.stream import ensure_stream, stray_subjects, stream_subjects
from pingzhan.services.settings import Settings

from tests.integration.helpers import on_stream, publish, running, wait_until

BAD_SHARDS = ["-5", "21", "16", "x", "07"]


def registration(msg_id: str) -> bytes:
    return orjson.dumps(
        {
            "id": msg_id,
            "kind": "cadre.registered",
            "occurred_at": "2022-07-15T20:00:00+08:00",
            "actor": "zzb",
            "cadre_id": f"C-{msg_id}",
            "name": "n",
            "unit": "u",
        }
    )


async def refused(url: str, subject: str) -> bool:
    """Whether a JetStream publish on ``subject`` fails at once for its publisher."""
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(subject, registration("probe"), timeout=2)
        return False
    except NoStreamResponseError:
        return True
    finally:
        await nc.close()


async def test_a_publish_to_a_shard_outside_0_to_15_fails_at_once_for_the_publisher(
    nats_server, store: Settings
) -> None:
    await on_stream(nats_server, store)

    answers = {
        shard: await refused(nats_server.url, f"pingzhan.in.{shard}.cadre.registered") for shard in BAD_SHARDS
    }

    assert answers == {shard: True for shard in BAD_SHARDS}
    assert not await refused(nats_server.url, "pingzhan.in.15.cadre.registered")


async def test_with_two_workers_a_message_on_a_subject_of_another_kind_gets_a_subject_rejection(
    nats_server, store: Settings
) -> None:
    settings = await on_stream(nats_server, store)
    items = [
        ("ok", "pingzhan.in.3.cadre.registered", registration("ok")),
        ("wrong-kind", "pingzhan.in.3.cadre.dispatched", registration("wrong-kind")),
        ("other-shard", "pingzhan.in.12.hazard.reported", registration("other-shard")),
        ("no-kind-token", "pingzhan.in.5.unknown", registration("no-kind-token")),
    ]
    await publish(nats_server.url, items)

    workers = [settings.model_copy(update={"workers": 2, "worker_index": k}) for k in range(2)]
    async with running(workers[0], project=False) as first, running(workers[1], project=False):
        ids = [i for i, _, _ in items]
        await wait_until(lambda: len(first.ledger.outcomes(ids)) == len(ids), what="an outcome for each")
        recorded = {i: Outcome.from_json(o) for i, o in first.ledger.outcomes(ids).items()}

    assert {i: (o.status, o.code) for i, o in recorded.items()} == {
        "ok": ("accepted", None),
        "wrong-kind": ("rejected", "subject"),
        "other-shard": ("rejected", "subject"),
        "no-kind-token": ("rejected", "subject"),
    }
    assert "differs from the body's kind 'cadre.registered'" in (recorded["wrong-kind"].reason or "")


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_a_stream_made_with_the_catch_all_subject_is_narrowed_and_otherwise_kept(
    nats_server, store: Settings
) -> None:
    settings = store.model_copy(update={"nats_url": nats_server.url})
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    old = StreamConfig(
        name="PINGZHAN",
        subjects=["pingzhan.in.>"],
        storage=StorageType.FILE,
        duplicate_window=7,
        max_age=3600,
    )
    await js.add_stream(old)
    await js.publish("pingzhan.in.3.cadre.registered", registration("before"))
    await js.publish("pingzhan.in.21.cadre.registered", registration("stray"))

    await ensure_stream(js, settings)
    info = await js.stream_info("PINGZHAN")
    stray = await stray_subjects(js, settings)
    await nc.close()

    assert info.config.subjects == stream_subjects("pingzhan")
    assert (info.config.duplicate_window, info.config.max_age, info.state.messages) == (7, 3600, 2)
    assert stray == {"pingzhan.in.21.cadre.registered": 1}
    assert await refused(nats_server.url, "pingzhan.in.21.cadre.registered")


async def test_with_two_workers_a_message_kept_outside_the_shards_by_an_older_stream_is_rejected(
    nats_server, store: Settings
) -> None:
    settings = store.model_copy(update={"nats_url": nats_server.url})
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="PINGZHAN", subjects=["pingzhan.in.>"], storage=StorageType.FILE))
    for shard in ("21", "x", "-5"):
        await js.publish(f"pingzhan.in.{shard}.cadre.registered", registration(f"stray{shard}"))
    await js.publish("pingzhan.in.3.cadre.registered", registration("fine"))
    await nc.close()
    ids = ["stray21", "strayx", "stray-5", "fine"]

    workers = [settings.model_copy(update={"workers": 2, "worker_index": k}) for k in range(2)]
    async with running(workers[0], project=False) as first, running(workers[1], project=False):
        await wait_until(lambda: len(first.ledger.outcomes(ids)) == len(ids), what="an outcome for each")
        recorded = {i: Outcome.from_json(o) for i, o in first.ledger.outcomes(ids).items()}
        positions = first.ledger.recorder.positions("nats:ingest-")

    assert {i: (o.status, o.code) for i, o in recorded.items()} == {
        "stray21": ("rejected", "subject"),
        "strayx": ("rejected", "subject"),
        "stray-5": ("rejected", "subject"),
        "fine": ("accepted", None),
    }
    assert positions["nats:ingest-0-of-2"] >= 3  # worker 0 took the stray ones
