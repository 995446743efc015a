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

        await ask(100, 0.3)  # A: ends 0.3 s from now
        await ask(100, 30.0)  # B: still open
        await nc.flush()
        for k in range(20):  # delivered for A and B
            await js.publish(f"pull.{k}", b"early")
        await asyncio.sleep(0.6)  # A's 408 is queued behind them
        for k in range(30):  # delivered for B, queued behind A's 408
            await js.publish(f"pull.{k}", b"late")
        await asyncio.sleep(0.2)
        assert puller.queue.qsize() == 51  # 20 messages, a status, 30 messages

        msgs = await puller.pull(1.0)

        assert [m.data for m in msgs] == [b"early"] * 20 + [b"late"] * 30
        # The server serves its waiting requests in turn: A took 10 of the early messages and ended
        # with 90 undelivered (its status says so), B took 10 and the 30 late ones. What is still
        # asked for is B's rest.
        assert puller.outstanding == 100 - 10 - 30
        await msgs[-1].ack()
    finally:
        await nc.close()
