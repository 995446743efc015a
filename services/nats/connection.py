"""Connecting to NATS: one clear line when it cannot be reached, endless reconnects once it was."""

from __future__ import annotations

import asyncio
import re

import nats
import nats.aio.client
from pingzhan.services.logs import log

# The ingest workers' reply subjects (pull deliveries, API replies). They carry every inbound
# message, so they are kept apart from the ``_INBOX.>`` that publishers may read:
# deploy/nats-accounts.conf gives ``_INBOX_WORKER.>`` to the worker user only.
WORKER_INBOX = "_INBOX_WORKER"


class NatsUnreachable(ConnectionError):
    pass


_ID_ONLY = b"NATS/1.0\r\nNats-Msg-Id:"


class Client(nats.aio.client.Client):
    """nats-py's client, reading the one header every inbound message carries without its general
    header parser (measured: ~4% of the ingest's time went to parsing ``Nats-Msg-Id`` headers).
    Any other header block (statuses, several headers) goes to nats-py's own parser; the result
    is the same dict."""

    async def _process_headers(self, headers: bytes) -> dict[str, str] | None:  # type: ignore[override]
        if (
            headers
            and headers.startswith(_ID_ONLY)
            and headers.find(b"\r\n", len(_ID_ONLY)) == len(headers) - 4
        ):
            return {"Nats-Msg-Id": headers[len(_ID_ONLY) : -4].strip().decode("utf-8", "replace")}
        return await super()._process_headers(headers)


def redacted(url: str) -> str:
    """``url`` (or a comma-separated list of URLs) with any password in it masked, for log lines."""
    return re.sub(r"//([^:/@,]*):[^@/,]*@", r"//\1:***@", url)


async def connect(
    url: str,
    name: str,
    give_up_after_s: float = 10.0,
    reconnect: bool = True,
    user: str = "",
    password: str = "",
    inbox_prefix: str = "_INBOX",
) -> Client:
    """Connect, or raise NatsUnreachable with one clear line; once connected, reconnect without end.
    ``user`` and ``password`` hold for every server of a cluster (a user and password written in
    the URL hold for that server only)."""
    refused = False

    async def report(e: Exception) -> None:
        nonlocal refused
        # At connect nats-py reports the server's -ERR 'Authorization Violation' as a plain Error.
        refused = refused or "authorization violation" in str(e).lower()
        if reconnect:  # a service logs trouble with NATS; a one-shot command reports it once, below
            log.warning("nats", error=str(e) or type(e).__name__)

    client = Client()
    try:
        await asyncio.wait_for(
            client.connect(
                [u.strip() for u in url.split(",")],  # a cluster: several URLs, comma-separated
                name=name,
                error_cb=report,
                max_reconnect_attempts=-1 if reconnect else 1,
                reconnect_time_wait=0.5 if reconnect else 0.1,  # type: ignore[arg-type]  # seconds: nats-py takes any number
                connect_timeout=2,
                user=user or None,
                password=password or None,
                inbox_prefix=inbox_prefix,
            ),
            give_up_after_s,
        )
    except (TimeoutError, OSError, nats.errors.NoServersError) as e:
        why = (
            f"no answer within {give_up_after_s:g} s" if isinstance(e, TimeoutError) else "no server answered"
        )
        if isinstance(e, OSError) and e.strerror:
            why = e.strerror.lower()
        if refused:
            who = f"user {user!r}" if user else "credentials"
            why = f"it refused the {who}; see PINGZHAN_NATS_USER and PINGZHAN_NATS_PASSWORD"
        raise NatsUnreachable(f"cannot reach NATS at {redacted(url)} ({why})") from None
    return client
