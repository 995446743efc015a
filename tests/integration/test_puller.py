"""The ingest's puller on a real nats-server: the end of one pull request (its 408 status) does
not end a batch while messages delivered for another request are waiting behind it."""

from __future__ import annotations

import asyncio

import nats
import orjson
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig
from pingzhan.services.nats.puller import Puller


async def test_a_request_that_ends_mid_queue_does_not_cut_the_batch(nats_server) -> None:
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="PULL", subjects=["pull.>"]))
        psub = await js.pull_subscribe("pull.>", durable="c", config=ConsumerConfig(ack_policy=AckPolicy.ALL))
        puller = Puller(psub, batch=100)

        async def ask(batch: int, expires_s: float) -> None:  # as ``Puller.pull`` asks
            request = {"batch": batch, "expires": int(expires_s * 1e9)}
            await nc.publish(psub._nms, orjson.dumps(request), psub._deliver)
            puller.outstanding += batch

        await ask(100, 0.5)  # A: ends 0.5 s from now
        await ask(100, 30.0)  # B: still open
        await nc.flush()
        for k in range(20):  # delivered for A and B
            await js.publish(f"pull.{k}", b"early")
        await queued(puller, 21, within_s=3.0)  # A's 408 is queued behind them
        for k in range(30):  # delivered for B, queued behind A's 408
            await js.publish(f"pull.{k}", b"late")
        await queued(puller, 51, within_s=3.0)  # 20 messages, a status, 30 messages
        ended = list(puller.queue._queue)[20]  # type: ignore[attr-defined]  # A's end
        assert ended.headers and ended.headers.get("Status") == "408"
        a_undelivered = int(ended.headers["Nats-Pending-Messages"])

        msgs = await puller.pull(1.0)

        assert [m.data for m in msgs] == [b"early"] * 20 + [b"late"] * 30
        # What is still asked for is what A and B asked, less the 50 delivered and what A's end
        # says it will no longer deliver: B's rest.
        assert puller.outstanding == 200 - 50 - a_undelivered
        assert 0 < puller.outstanding < 100
        await msgs[-1].ack()
    finally:
        await nc.close()


async def queued(puller: Puller, count: int, within_s: float) -> None:
    """Wait until ``count`` messages (statuses included) wait in the puller's queue."""
    deadline = asyncio.get_running_loop().time() + within_s
    while puller.queue.qsize() < count:
        assert asyncio.get_running_loop().time() < deadline, f"{puller.queue.qsize()} queued, not {count}"
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # and no more than that
    assert puller.queue.qsize() == count
