"""The inbound stream and each worker's durable pull consumer.

The store, not NATS, knows what was committed: a worker's consumer is created anew from the
position stored in the event store, so it never skips a message.
"""

from __future__ import annotations

from dataclasses import replace

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from pingzhan.services.logs import log
from pingzhan.services.settings import Settings
from pingzhan.services.wire import SHARDS
from pingzhan.services.wire.routing import kind_token


class StreamBehind(RuntimeError):
    """The stream ends before the stored position: it was re-created or purged."""


def stream_subjects(prefix: str) -> list[str]:
    """What the inbound stream takes: ``{prefix}.in.{shard}.>`` for each valid shard only, so a
    JetStream publish to any other subject fails at once for its publisher (no stream takes it)
    instead of being stored where no worker's filter would ever find it."""
    return [f"{prefix}.in.{s}.>" for s in range(SHARDS)]


async def ensure_stream(js: JetStreamContext, settings: Settings, first_seq: int | None = None) -> None:
    """Create the inbound stream if it is missing (numbering its messages from ``first_seq``, by
    default 1). An existing stream is left as it is, except that one taking the earlier catch-all
    ``{prefix}.in.>`` is narrowed to ``stream_subjects``."""
    subjects = stream_subjects(settings.subject_prefix)
    try:
        info = await js.stream_info(settings.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=settings.stream,
                subjects=subjects,
                storage=StorageType.FILE,
                duplicate_window=settings.duplicate_window_s,
                first_seq=first_seq,
            )
        )
        return
    if info.config.subjects == [f"{settings.subject_prefix}.in.>"]:
        await js.update_stream(replace(info.config, subjects=subjects))
        stray = await stray_subjects(js, settings)
        if stray:
            log.warning(
                "the stream holds messages on subjects outside the shards 0-15: they are recorded "
                "as rejected (subject), by worker 0 when there are several",
                subjects=dict(list(stray.items())[:10]),
            )


async def stray_subjects(js: JetStreamContext, settings: Settings) -> dict[str, int]:
    """Subjects of the stream's messages outside ``stream_subjects`` (kept from the catch-all
    stream of an earlier release), with how many messages each."""
    prefix = settings.subject_prefix
    info = await js.stream_info(settings.stream, subjects_filter=f"{prefix}.in.>")
    return {s: n for s, n in (info.state.subjects or {}).items() if kind_token(s, prefix) is None}


def filter_subject(settings: Settings) -> str:
    """Every worker reads the whole inbound stream, in order: it decides its own shards' messages
    and must know what the others' touch (``services/ingest/order.py``)."""
    return f"{settings.subject_prefix}.in.>"


async def bind_consumer(
    js: JetStreamContext, settings: Settings, after_seq: int, durable: str | None = None
) -> JetStreamContext.PullSubscription:
    """(Re)create this worker's durable consumer to start right after the position in the store.

    The store, not NATS, knows what was committed; a consumer recreated from it never skips a
    message and redelivers at most what the store will recognise and skip.
    """
    durable = durable or settings.consumer_name  # the service names it after its store too
    try:
        await js.delete_consumer(settings.stream, durable)
    except NotFoundError:
        pass
    config = ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.ALL,
        ack_wait=60,
        max_ack_pending=max(10_000, settings.batch_size * 4),
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=after_seq + 1,
        filter_subject=filter_subject(settings),
    )
    await js.add_consumer(settings.stream, config)
    return await js.pull_subscribe_bind(durable=durable, stream=settings.stream)


async def check_not_behind(js: JetStreamContext, settings: Settings, position: int) -> None:
    """Refuse a stream whose last sequence is behind what the store has recorded."""
    last = (await js.stream_info(settings.stream)).state.last_seq
    if last < position:
        raise StreamBehind(
            f"stream {settings.stream} ends at sequence {last} but {settings.consumer_name} has recorded up to "
            f"{position}: the stream was re-created or purged; its sequence numbers no longer match the store"
        )
