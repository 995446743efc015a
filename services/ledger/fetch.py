"""An auditor's copy of the checkpoints, read back from the JetStream stream."""

from __future__ import annotations

from contextlib import suppress

from nats.js.errors import NotFoundError
from pingzhan.services.ledger.note import Checkpoint, parse_note
from pingzhan.services.nats.connection import connect
from pingzhan.services.settings import Settings


async def fetch_checkpoints(settings: Settings, store_id: str) -> list[Checkpoint]:
    """Every checkpoint of the store in the stream, oldest first."""
    nc = await connect(
        settings.nats_url, "pingzhan-ledger-fetch", reconnect=False, **settings.nats_credentials
    )
    try:
        js = nc.jetstream()
        subject = f"{settings.ledger_subjects[:-1]}{store_id}"
        try:
            info = await js.stream_info(settings.ledger_stream)
        except NotFoundError:
            raise LookupError(
                f"no stream {settings.ledger_stream} on {settings.nats_url}: no checkpoint was published"
            ) from None
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            with suppress(NotFoundError):
                msg = await js.get_msg(settings.ledger_stream, seq)
                if msg.subject == subject:
                    found.append(parse_note((msg.data or b"").decode()))
        return found
    finally:
        await nc.close()
