"""NATS JetStream transport: the inbound stream, the durable pull consumer, outcome publishing."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterable, Sequence

import nats
import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, PubAck, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from pingzhan.services.ingest.batch import Inbound, Ingest, Outcome, Prepared
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
                [u.strip() for u in url.split(",")],  # a cluster: several URLs, comma-separated
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


class Puller:
    """Pulls batches from a durable pull consumer with less overhead per message than nats-py's
    ``fetch``, which awaits each message with its own timeout. It uses the subscription's queue
    (nats-py 2.x internals, pinned in pyproject). Returns as soon as a batch is full or no more
    message has arrived for ``linger_s``, so a lone message is not kept waiting."""

    def __init__(self, psub: JetStreamContext.PullSubscription, batch: int, linger_s: float = 0.002):
        self.psub, self.batch, self.linger_s = psub, batch, linger_s
        self.queue: asyncio.Queue[Msg] = psub._sub._pending_queue
        self.outstanding = 0  # messages asked for and not yet received
        self.next_delivery = 1  # the consumer is new: its deliveries are numbered from 1

    async def pull(self, wait_s: float) -> list[Msg]:
        if self.outstanding < self.batch:
            request = {"batch": self.batch, "expires": int(wait_s * 1e9)}
            await self.psub._nc.publish(self.psub._nms, orjson.dumps(request), self.psub._deliver)
            self.outstanding += self.batch
        msgs: list[Msg] = []
        timeout = wait_s + 0.05
        while len(msgs) < self.batch:
            if self.queue.empty():
                try:
                    msg = await asyncio.wait_for(self.queue.get(), timeout)
                except TimeoutError:
                    if not msgs:
                        self.outstanding = 0  # the request's end may have been lost: ask again
                    break
            else:
                msg = self.queue.get_nowait()
            self.psub._sub._pending_size -= len(msg.data)
            status = msg.headers.get("Status") if msg.headers else None
            if status is None:
                delivery = _delivery_seq(msg.reply)
                if delivery != self.next_delivery:
                    # A delivery never reached us (a dropped connection): recording what follows
                    # would move the stored position past it.
                    raise DeliveryGap(f"expected delivery {self.next_delivery}, got {delivery}")
                self.next_delivery += 1
                msgs.append(msg)
                self.outstanding -= 1
                timeout = self.linger_s
            elif status != "100":  # 404/408/409: this request is over
                self.outstanding = 0
                if msgs or status in ("408", "404"):
                    break
        return msgs


class Heap:
    """Keeps Python's cyclic garbage collector off the hot path.

    The cache of aggregates is hundreds of thousands of long-lived objects; every full collection
    would walk all of them again (measured: ingest fell from about 20,000 to 12,000 messages/s
    as the cache grew). After each batch everything alive is frozen (ignored by the collector);
    the hot path makes no cyclic garbage (measured: none in 200,000 messages), and a full
    collection still runs when the worker is idle.
    """

    def __init__(self, collect_every: int = 1000):
        self.collect_every = collect_every
        self.since_collect = 0

    def committed(self) -> None:
        gc.freeze()
        self.since_collect += 1

    def idle(self) -> None:
        if self.since_collect >= self.collect_every:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.since_collect = 0


class DeliveryGap(Exception):
    pass


class StreamBehind(RuntimeError):
    pass


def _delivery_seq(reply: str) -> int:
    tokens = reply.split(".")
    return int(tokens[6] if len(tokens) == 9 else tokens[Msg.Ack.ConsumerSeq])


PUBLISH_CHUNK = 5_000  # acknowledgements awaited at a time


def _inbound(msgs: list[Msg]) -> list[Inbound]:
    return [
        Inbound(_stream_seq(m.reply), m.subject, m.data, (m.headers or {}).get("Nats-Msg-Id")) for m in msgs
    ]


def _stream_seq(reply: str) -> int:
    """The stream sequence from a JetStream reply subject (v1 and v2 forms), without nats-py's Metadata."""
    tokens = reply.split(".")
    return int(tokens[5] if len(tokens) == 9 else tokens[Msg.Ack.StreamSeq])


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
    last = (await js.stream_info(settings.stream)).state.last_seq
    if last < ingest.position:
        raise StreamBehind(
            f"stream {settings.stream} ends at sequence {last} but {settings.consumer_name} has recorded up to "
            f"{ingest.position}: the stream was re-created or purged; its sequence numbers no longer match the store"
        )
    sub = await bind_consumer(js, settings, ingest.position)
    log.info("consuming", stream=settings.stream, consumer=settings.consumer_name, after_seq=ingest.position)
    puller = Puller(sub, settings.batch_size)
    fetching = asyncio.ensure_future(puller.pull(0.25))
    committing: tuple[asyncio.Future[None], list[Msg], Prepared] | None = None

    async def settle() -> list[Msg]:
        """Wait for the batch being committed; acknowledge and publish it. Returns the messages
        that must be done again (that batch's and the ones prepared on top of it) if it failed."""
        nonlocal committing
        if committing is None:
            return []
        task, msgs, prepared = committing
        committing = None
        try:
            await task
        except Exception as e:
            log.warning("overlapped commit failed; redoing one by one", error=f"{type(e).__name__}: {e}")
            ingest.reset()
            return msgs
        ingest.settle(prepared)
        await done(msgs, prepared.outcomes)
        return []

    async def done(msgs: list[Msg], outcomes: list[Outcome]) -> None:
        await msgs[-1].ack()  # AckPolicy.ALL: acknowledges the whole batch
        failed = 0
        for outcome in outcomes:
            try:
                await nc.publish(f"{settings.subject_prefix}.outcome.{outcome.message_id}", outcome.to_json())
            except Exception:  # recorded all the same; `pingzhan outcome ID` finds it
                failed += 1
        if failed:
            log.warning("outcomes not published", count=failed)
        on_commit(outcomes)
        heap.committed()

    async def one_by_one(msgs: list[Msg]) -> None:
        """The robust path: each batch alone, with conflict retries."""
        for k in range(0, len(msgs), settings.batch_size):
            part = msgs[k : k + settings.batch_size]
            await done(part, await asyncio.to_thread(ingest.process, _inbound(part)))

    async def rebind(reason: str) -> None:
        """Start again right after the stored position, until NATS takes the new consumer."""
        nonlocal sub, puller, fetching, committing
        log.warning("re-reading the stream from the stored position", reason=reason)
        fetching.cancel()
        committing = None
        ingest.reset()
        delay = 0.5
        while not stop.is_set():
            try:
                await sub.unsubscribe()
            except Exception:
                pass
            try:
                sub = await bind_consumer(js, settings, ingest.position)
                break
            except Exception as e:
                log.error("cannot bind the consumer; retrying", error=f"{type(e).__name__}: {e}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        puller = Puller(sub, settings.batch_size)
        fetching = asyncio.ensure_future(puller.pull(0.25))

    heap = Heap()
    while not stop.is_set():
        try:
            msgs = await fetching
        except (TimeoutError, nats.errors.TimeoutError):
            msgs = []
        except DeliveryGap as gap:
            await settle()  # what came before the gap was whole
            await rebind(str(gap))
            continue
        if not msgs and committing is None:
            heap.idle()
        fetching = asyncio.ensure_future(puller.pull(0.25))
        try:
            prepared: Prepared | None = None
            failed = False
            if msgs:
                try:  # overlaps with the commit of the previous batch, if one is under way
                    prepared = await asyncio.to_thread(ingest.prepare, _inbound(msgs))
                except Exception as e:
                    log.warning("batch needs the robust path", error=f"{type(e).__name__}: {e}")
                    failed = True
            redo = await settle()
            if redo or failed:
                ingest.reset()
                await one_by_one(redo + msgs)
            elif prepared is not None:
                committing = (
                    asyncio.ensure_future(asyncio.to_thread(ingest.commit, prepared)),
                    msgs,
                    prepared,
                )
            elif msgs:  # all of them redeliveries of what is already recorded
                await done(msgs, [])
        except Exception as e:  # the store is unreachable or refused the batch: nothing more was recorded
            log.error("batch not recorded; retrying", error=f"{type(e).__name__}: {e}")
            await asyncio.sleep(1.0)
            await rebind("store error")
    await settle()
    fetching.cancel()
    try:
        await sub.unsubscribe()
    except Exception:
        pass


Item = tuple[str, str, bytes]  # message id, subject, body


async def publish_items(js: JetStreamContext, items: Sequence[Item], headers: bool = True) -> list[PubAck]:
    """Publish to the inbound stream, the message id as Nats-Msg-Id (``headers=False`` leaves it
    out, so NATS's own dedupe cannot catch a resend); returns each message's acknowledgement
    (``duplicate`` when NATS dropped it as a resend within its window). Raises if the stream
    refused any of them."""
    acks: list[PubAck] = []
    for k in range(0, len(items), PUBLISH_CHUNK):
        futures = [
            await js.publish_async(subject, body, headers={"Nats-Msg-Id": msg_id} if headers else None)
            for msg_id, subject, body in items[k : k + PUBLISH_CHUNK]
        ]
        acks += await asyncio.gather(*futures)
    return acks


async def publish(js: JetStreamContext, prefix: str, messages: Iterable[Envelope]) -> int:
    """Publish validated messages; returns how many."""
    items = [(m.id, subject_for(prefix, m), m.model_dump_json().encode()) for m in messages]
    return len(await publish_items(js, items))
