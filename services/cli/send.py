"""Publish messages and wait for their outcomes: the one way the CLI talks to a running service."""

from __future__ import annotations

import asyncio
from typing import Any

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import CliError
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.nats.connection import connect
from pingzhan.services.nats.publish import Item, publish_items, recorded_ids
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.settings import Settings
from pingzhan.services.wire.envelope import SEQ_ID_PREFIX


async def send(app: App, items: list[Item], timeout: float, nc: Client | None = None) -> list[Outcome]:
    """Publish (id, subject, body) items and return the outcome of each, in their order.

    Outcomes come on ``{prefix}.outcome.>``; an id that NATS dropped as a resend within its
    duplicate window gets no new outcome there, so its first one is read from the store. An item
    without an id (``""``) is recorded as ``stream-seq-N``, N from its publish acknowledgement."""
    own = nc is None
    if nc is None:
        nc = await connect(
            app.settings.nats_url,
            "pingzhan-cli",
            give_up_after_s=5,
            reconnect=False,
            **app.settings.nats_credentials,
        )
    try:
        js = nc.jetstream()
        await stream_ready(js, app.settings)
        wanted = {i for i, _, _ in items if i}  # the stream-seq ids are added once the acks are in
        outcomes: dict[str, Outcome] = {}
        acked, done = asyncio.Event(), asyncio.Event()

        async def on_outcome(msg: Any) -> None:
            outcome = Outcome.from_json(msg.data)
            if outcome.message_id in wanted or outcome.message_id.startswith(SEQ_ID_PREFIX):
                outcomes[outcome.message_id] = outcome
                if acked.is_set() and wanted <= outcomes.keys():
                    done.set()

        sub = await nc.subscribe(f"{app.settings.subject_prefix}.outcome.>", cb=on_outcome)
        acks = await publish_items(js, items, ack_wait_s=max(timeout, 1.0))
        ids = recorded_ids(items, acks)
        wanted.update(ids)
        acked.set()
        resent = [i for (i, _, _), ack in zip(items, acks, strict=True) if ack.duplicate]
        try:
            if resent:
                await asyncio.wait_for(_stored(app, resent, outcomes), timeout)
            if wanted <= outcomes.keys():
                done.set()
            await asyncio.wait_for(done.wait(), timeout)
        except TimeoutError:
            missing = sorted(wanted - set(outcomes))
            raise CliError(
                f"published, but no outcome for {', '.join(missing[:5])} within {timeout:.0f} s; "
                f"is `pingzhan serve` running? (`pingzhan outcome ID` looks it up later)"
            ) from None
        finally:
            await sub.unsubscribe()
        return [outcomes[i] for i in ids]
    finally:
        if own:
            await nc.close()


async def stream_ready(js: JetStreamContext, settings: Settings) -> None:
    """Create the stream if it is missing, so the messages wait in it even if nobody serves yet.

    A NATS user that may not create or change the stream (an operator's, deploy/nats-accounts.conf)
    gets no answer to that request, only a permissions violation: when the stream exists all the
    same, publishing works, and ``pingzhan serve`` brings the stream up to date at its start."""
    try:
        await ensure_stream(js, settings)
    except (TimeoutError, APIError):
        try:
            await js.stream_info(settings.stream)
        except (TimeoutError, NotFoundError):
            raise CliError(
                f"this NATS user cannot see the stream {settings.stream}, nor create it: it does not "
                "exist yet (start `pingzhan serve`, whose NATS user may create it) or this user may "
                "not use it (PINGZHAN_NATS_USER)"
            ) from None


async def _stored(app: App, ids: list[str], outcomes: dict[str, Outcome]) -> None:
    missing = set(ids)
    while missing:  # the first send may still be on its way into the store
        found = await asyncio.to_thread(app.ledger.outcomes, sorted(missing))
        for message_id, text in found.items():
            outcomes[message_id] = Outcome.from_json(text, replayed=True)
            missing.discard(message_id)
        if missing:
            await asyncio.sleep(0.2)
