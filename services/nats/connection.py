"""Connecting to NATS: one clear line when it cannot be reached, endless reconnects once it was."""

from __future__ import annotations

import asyncio

import nats
from nats.aio.client import Client
from pingzhan.services.logs import log


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
        why = (
            f"no answer within {give_up_after_s:g} s" if isinstance(e, TimeoutError) else "no server answered"
        )
        if isinstance(e, OSError) and e.strerror:
            why = e.strerror.lower()
        raise NatsUnreachable(f"cannot reach NATS at {url} ({why})") from None
