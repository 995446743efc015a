"""NATS JetStream transport: the inbound stream, the durable pull consumer, outcome publishing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from pingzhan.services.ingest import Inbound, Ingest, Outcome
from pingzhan.services.logs import log
from pingzhan.services.settings import Settings
from pingzhan.services.wire import SHARDS, Envelope, subject_for


class NatsUnreachable(ConnectionError):
    pass


async def connect(url: str, name: str, give_up_after_s: float = 10.0, reconnect: bool = True) -> Client:
    """Connect, or raise NatsUnreachable with one clear line; once connected, reconnect without end."""

    async def report(e: Exception) -> None:
        if reconnect:  # a service logs trouble with NATS; a one-shot command reports it once, below
            log.warning("nats", error=str(e) or type(e).__name__)

    try:
        return await asyncio.wait_for(
            nats.connect(
                url,
                name=name,
                error_cb=report,
                max_reconnect_attempts=-1 if reconnect else 1,
                reconnect_time_wait=0.5 if reconnect else 0.1,
                connect_timeout=2,
            ),
            give_up_after_s,
        )
    except (TimeoutError, OSError, nats.errors.NoServersError) as e:
        raise NatsUnreachable(f"cannot reach NATS at {url} ({type(e).__name__})") from None


async def ensure_stream(js: JetStreamContext, settings: Settings) -> None:
    """Create the inbound stream if it is missing; an existing stream is left as it is."""
    try:
        await js.stream_info(settings.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=settings.stream,
                subjects=[f"{settings.subject_prefix}.in.>"],
                storage=StorageType.FILE,
                duplicate_window=settings.duplicate_window_s,
            )
        )


def filter_subjects(settings: Settings) -> list[str]:
    """The subjects of this worker's shards (all of them when it works alone)."""
    prefix = f"{settings.subject_prefix}.in"
    if settings.workers == 1:
        return [f"{prefix}.>"]
    return [f"{prefix}.{s}.>" for s in range(SHARDS) if s % settings.workers == settings.worker_index]


async def bind_consumer(
    js: JetStreamContext, settings: Settings, after_seq: int
) -> JetStreamContext.PullSubscription:
    """(Re)create this worker's durable consumer to start right after the position in the store.

    The store, not NATS, knows what was committed; a consumer recreated from it never skips a
    message and redelivers at most what the store will recognise and skip.
    """
    durable = settings.consumer_name
    try:
        await js.delete_consumer(settings.stream, durable)
    except NotFoundError:
        pass
    subjects = filter_subjects(settings)
    config = ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.ALL,
        ack_wait=60,
        max_ack_pending=max(10_000, settings.batch_size * 4),
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=after_seq + 1,
        filter_subjects=subjects if len(subjects) > 1 else None,
        filter_subject=subjects[0] if len(subjects) == 1 else None,
    )
    await js.add_consumer(settings.stream, config)
    return await js.pull_subscribe_bind(durable=durable, stream=settings.stream)


def outcome_subject(prefix: str, message_id: str) -> str:
    return f"{prefix}.outcome.{message_id}"


async def consume(
    nc: Client,
    ingest: Ingest,
    settings: Settings,
    stop: asyncio.Event,
    on_commit: Callable[[list[Outcome]], None] = lambda _: None,
) -> None:
    """Pull batches, record them, acknowledge after commit, publish the outcomes; until ``stop``."""
    js = nc.jetstream()
    await ensure_stream(js, settings)
    sub = await bind_consumer(js, settings, ingest.position)
    log.info("consuming", stream=settings.stream, consumer=settings.consumer_name, after_seq=ingest.position)
    while not stop.is_set():
        try:
            msgs = await sub.fetch(settings.batch_size, timeout=0.25)
        except (TimeoutError, nats.errors.TimeoutError):
            continue
        if not msgs:
            continue
        batch = [
            Inbound(m.metadata.sequence.stream, m.subject, m.data, (m.headers or {}).get("Nats-Msg-Id"))
            for m in msgs
        ]
        try:
            outcomes = await asyncio.to_thread(ingest.process, batch)
        except Exception as e:  # the store is unreachable or refused the batch: nothing was recorded
            log.error(
                "batch not recorded; retrying", error=f"{type(e).__name__}: {e}", first_seq=batch[0].seq
            )
            await asyncio.sleep(1.0)
            await sub.unsubscribe()
            sub = await bind_consumer(js, settings, ingest.position)  # redeliver from the stored position
            continue
        await msgs[-1].ack()  # AckPolicy.ALL: acknowledges the whole batch
        for outcome in outcomes:
            await nc.publish(outcome_subject(settings.subject_prefix, outcome.message_id), outcome.to_json())
        on_commit(outcomes)
    await sub.unsubscribe()


async def publish(js: JetStreamContext, prefix: str, messages: Iterable[Envelope]) -> int:
    """Publish messages to the inbound stream with their ids as Nats-Msg-Id; returns how many."""
    acks = [
        await js.publish_async(
            subject_for(prefix, message),
            message.model_dump_json().encode(),
            headers={"Nats-Msg-Id": message.id},
        )
        for message in messages
    ]
    await asyncio.gather(*acks)  # raises if the stream refused any of them
    return len(acks)
