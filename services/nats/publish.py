"""Publishing: messages onto the inbound stream (id as ``Nats-Msg-Id``) and outcomes after commit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import PubAck
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.nats.connection import NatsUnreachable
from pingzhan.services.wire.envelope import is_usable_id, seq_id

PUBLISH_CHUNK = 5_000  # acknowledgements awaited at a time

Item = tuple[str, str, bytes]  # message id ("" when the message has none usable), subject, body


ACK_WAIT_S = 10.0


async def publish_items(
    js: JetStreamContext, items: Sequence[Item], headers: bool = True, ack_wait_s: float = ACK_WAIT_S
) -> list[PubAck]:
    """Publish to the inbound stream, the message id as Nats-Msg-Id (``headers=False`` leaves it
    out, so NATS's own dedupe cannot catch a resend; so does an empty id); returns each message's acknowledgement
    (``duplicate`` when NATS dropped it as a resend within its window). Raises if the stream
    refused any of them."""
    acks: list[PubAck] = []
    for k in range(0, len(items), PUBLISH_CHUNK):
        futures = [
            await js.publish_async(
                subject, body, headers={"Nats-Msg-Id": msg_id} if headers and msg_id else None
            )
            for msg_id, subject, body in items[k : k + PUBLISH_CHUNK]
        ]
        try:
            acks += await asyncio.wait_for(asyncio.gather(*futures), ack_wait_s)
        except TimeoutError:
            raise NatsUnreachable(
                f"NATS did not acknowledge the messages within {ack_wait_s:g} s: may this NATS user "
                "publish them (PINGZHAN_NATS_USER; the server's log says), and is the stream up?"
            ) from None
    return acks


async def publish_outcomes(nc: Client, prefix: str, outcomes: Iterable[Outcome]) -> int:
    """Publish each outcome on ``{prefix}.outcome.{message id}``; returns how many failed (they are
    recorded all the same, and ``pingzhan outcome ID`` finds them)."""
    failed = 0
    for outcome in outcomes:
        try:
            await nc.publish(f"{prefix}.outcome.{outcome.message_id}", outcome.to_json())
        except Exception:
            failed += 1
    return failed


def recorded_ids(items: Sequence[Item], acks: Sequence[PubAck]) -> list[str]:
    """The id each published message's outcome is recorded under: its own when usable, else
    ``stream-seq-N`` from the stream sequence its acknowledgement gives."""
    return [i if is_usable_id(i) else seq_id(ack.seq) for (i, _, _), ack in zip(items, acks, strict=True)]
