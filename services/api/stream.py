"""``GET /api/stream``: Server-Sent Events of every stored event as the views include it.

Each ``change`` event's SSE id is its position in the event store. A client that reconnects with
``Last-Event-ID`` (browsers do it by themselves) resumes right after it: no gap, no repeat. A
``status`` event every few seconds says how fresh the views are.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pingzhan.services import trace
from pingzhan.services.api.auth import CHECK_EVERY_S, READERS, Principal, allow, token_of
from pingzhan.services.api.parts import Parts
from sse_starlette.sse import EventSourceResponse

router = APIRouter(prefix="/api", tags=["live"])
STATUS_EVERY_S = 5.0
PAGE = 500


@router.get("/stream", summary="Server-Sent Events: each stored event (id = its position), and status")
async def stream(
    request: Request,
    _: Annotated[Principal, Depends(allow(*READERS))],
    after: Annotated[
        int | None, Query(ge=0, description="start after this position (default: from now on)")
    ] = None,
) -> EventSourceResponse:
    parts: Parts = request.app.state.parts
    last = request.headers.get("last-event-id")
    if last is not None:
        if not last.strip().isdigit():
            raise HTTPException(400, f"Last-Event-ID must be a position (a whole number), not {last!r}")
        after = int(last)
    start = after if after is not None else await asyncio.to_thread(parts.changes.position)
    return EventSourceResponse(_events(request, parts, start), ping=15)


def _page(parts: Parts, cursor: int) -> tuple[list[dict[str, Any]], bytes]:
    """The changes after ``cursor`` and their SSE ``change`` events, encoded as sse_starlette
    would (its separator; a JSON line has no newline in it), to be sent in one write."""
    changes = parts.changes.after(cursor, PAGE)
    return changes, b"".join(
        b"id: %d\r\nevent: change\r\ndata: %b\r\n\r\n" % (c["position"], orjson.dumps(c)) for c in changes
    )


async def _events(request: Request, parts: Parts, cursor: int) -> AsyncIterator[dict[str, Any] | bytes]:
    """Until the client goes, its token is revoked, or the service stops."""
    status_at = checked_at = 0.0
    token, tokens = token_of(request), request.app.state.tokens
    while not await request.is_disconnected() and not parts.ticker.closed:
        if time.monotonic() - checked_at >= CHECK_EVERY_S:  # not on every wake: a thread hop each
            checked_at = time.monotonic()
            if token is None or await asyncio.to_thread(tokens.principal, token) is None:
                return  # revoked while listening (checked every few seconds, as every request is)
        if time.monotonic() - status_at > STATUS_EVERY_S:
            status_at = time.monotonic()
            yield {"event": "status", "data": orjson.dumps(await asyncio.to_thread(parts.as_of)).decode()}
        changes, encoded = await asyncio.to_thread(_page, parts, cursor)
        if changes:
            cursor = changes[-1]["position"]
            if trace.on():
                trace.mark("sse_sent", (c["entry"]["message_id"] for c in changes))
            yield encoded  # the page in one write: one per event cost more than the rest
        if len(changes) < PAGE:
            await parts.ticker.wait(min(1.0, STATUS_EVERY_S))
