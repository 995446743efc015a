"""NATS at the edge of the HTTP app, through faststream's FastAPI integration.

The app publishes operator commands onto the same inbound stream as every field report (the
message id as ``Nats-Msg-Id``) and waits for each one's outcome on ``{prefix}.outcome.{id}``.
The changes on ``{prefix}.changes.>`` are published beside the projector (``read/changes.py``),
which also wakes the app's live feed in the same process. The bulk ingest does not come through
here: it stays on the measured nats-py consumer. The declarations below also make faststream's
AsyncAPI document (``/asyncapi``, ``/asyncapi.json``) describe the whole NATS contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faststream.nats.fastapi import NatsRouter
from faststream.security import SASLPlaintext
from pingzhan.services import trace
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.nats.connection import WORKER_INBOX
from pingzhan.services.settings import Settings
from pingzhan.services.wire import KINDS, MESSAGE_MODELS, Envelope, subject_for
from pydantic import BaseModel, Field


class OutcomeDoc(BaseModel):
    """What became of one inbound message, published after its commit."""

    message_id: str = Field(description="the message's id, or stream-seq-N for one without a usable id")
    status: str = Field(description="accepted or rejected")
    kind: str | None = None
    events: list[str] = Field(default_factory=list, description="the events recorded, when accepted")
    code: str | None = Field(default=None, description="why it was rejected, as a code")
    reason: str | None = Field(default=None, description="why it was rejected, in words")
    replayed: bool = Field(default=False, description="an earlier outcome, sent again for a resent id")


class AuditEntryDoc(BaseModel):
    position: int
    recorded_at: str | None
    occurred_at: str | None
    message_id: str | None
    actor: str | None
    event: str
    scope: str | None
    summary: str
    outcome: str | None


class ChangeDoc(BaseModel):
    """A stored event that changes the roster of a scope, once the views include it."""

    position: int = Field(description="its position in the event store (the SSE id of the same change)")
    entry: AuditEntryDoc
    roster: bool
    grids: list[str] = Field(description="the grids whose roster it changes")


class Edge:
    def __init__(self, settings: Settings, wake: Callable[[], None] = lambda: None):
        self.settings = settings
        prefix = settings.subject_prefix
        login = settings.nats_credentials
        self.router = NatsRouter(
            [u.strip() for u in settings.nats_url.split(",")],
            name="pingzhan-api",
            # the service's own NATS user (deploy/nats-accounts.conf: worker), its replies apart
            security=SASLPlaintext(username=login["user"], password=login["password"])
            if login["user"]
            else None,
            inbox_prefix=WORKER_INBOX,
            max_reconnect_attempts=-1,
            schema_url="/asyncapi",
            description="pingzhan's NATS contract: inbound reports and operator actions, outcomes, changes",
            logger=None,
        )
        for kind in KINDS:
            model = MESSAGE_MODELS[kind]
            self.router.publisher(
                f"{prefix}.in.{{shard}}.{kind}",
                title=f"inbound {kind}",
                description=(model.__doc__ or kind).strip()
                + f" Shard 0-15: crc32 of the routing key mod 16. Stream {settings.stream}; "
                "the message id goes in the Nats-Msg-Id header.",
                schema=model,
                include_in_schema=True,
            )
        self.router.publisher(
            f"{prefix}.outcome.{{message_id}}",
            title="outcome",
            description="What became of each inbound message, published after its commit.",
            schema=OutcomeDoc,
        )

        # Declared for the document only: the service publishes the changes (``ChangePublisher``,
        # nats-py) and its own live feed is woken by the projector in the same process. A
        # faststream subscription to them here ran each change through faststream's and FastAPI's
        # per-message pipeline just to wake that feed again: measured, a third of the process's
        # time under 5,000 messages/s, enough that it fell behind the traffic.
        self.router.publisher(
            f"{prefix}.changes.>",
            title="changes",
            description=f"{prefix}.changes.{{scope kind}}.{{scope id}}: each stored event that changes "
            "the roster of a scope, once the views include it; for dashboards to subscribe to.",
            schema=ChangeDoc,
        )
        self.router.publisher(
            f"{prefix}.stored",
            title="stored",
            description="Empty; published by an ingest worker after each stored batch, to wake a "
            "projector that runs in another process (`serve --role project`).",
        )
        self.router.publisher(
            f"{prefix}.ledger.{{store_id}}",
            title="ledger checkpoint",
            description="The tamper-evident ledger's signed checkpoints (C2SP tlog-checkpoint signed "
            f"notes, text), published by the service; the stream {settings.ledger_stream} keeps "
            "them and refuses deletes and purges.",
            schema=str,
        )
        # What the app does subscribe to: the changes of districts, streets and communities (their
        # switches; rare), which wake its live feed at once should the projector be elsewhere.
        for kind in ("district", "street", "community"):

            @self.router.subscriber(f"{prefix}.changes.{kind}.>", title=f"changes of a {kind}")
            async def on_scope_change(change: ChangeDoc) -> None:
                wake()

    async def submit(self, message: Envelope, timeout: float) -> Outcome | None:
        """Publish an operator's message to the inbound stream and wait for its outcome (None when
        none came within ``timeout`` seconds)."""
        broker = self.router.broker
        subscriber = broker.subscriber(
            f"{self.settings.subject_prefix}.outcome.{message.id}", persistent=False
        )
        trace.mark("api_received", [message.id])
        await subscriber.start()
        trace.mark("subscribed", [message.id])
        try:
            await broker.publish(
                message.model_dump_json().encode(),
                subject_for(self.settings.subject_prefix, message),
                headers={"Nats-Msg-Id": message.id},
                stream=self.settings.stream,
                timeout=timeout,
            )
            trace.mark("published", [message.id])
            got: Any = await subscriber.get_one(timeout=timeout)
        finally:
            await subscriber.stop()
        return Outcome.from_json(got.body) if got is not None else None
