"""What signed-in people do: sign in and out, and (operators) switch scopes; field accounts send reports.

An action goes onto the same NATS inbound stream as every other message, with the signed-in name
as its actor (never a field of the body), and is answered with its recorded outcome.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.services.api.auth import COOKIE, Principal, allow, token_of
from pingzhan.services.api.edge import Edge
from pingzhan.services.api.parts import Parts
from pingzhan.services.wire import MESSAGE_MODELS, message_of
from pingzhan.services.wire.operator import SwitchError, message_error, switch_message
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

router = APIRouter(prefix="/api", tags=["act"])
PROPOSED = (ScopeMode.SwitchProposed.__qualname__, ScopeMode.VoidProposed.__qualname__)
WAIT_S = 10.0


class SignIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class Switch(BaseModel):
    model_config = ConfigDict(extra="forbid")  # the actor is who signed in, never a field of the body

    mode: Literal["wartime", "peacetime", "level", "confirm", "void"]
    scope: str = Field(description="KIND:ID, e.g. street:BT-QG")
    level: str | None = Field(default=None, description="I (highest) to IV; with wartime and level")
    reason: str | None = Field(default=None, description="why; not with confirm")
    proposal: str | None = Field(default=None, description="with confirm: the proposal's message id")
    episode: str | None = Field(default=None, description="with void: e.g. street:BT-QG#1")
    exercise: StrictBool = Field(default=False, description="with wartime: a drill")
    trigger: str | None = Field(
        default=None, description="with wartime or level: what set it off, e.g. 暴雨红色预警"
    )


@router.post("/session", summary="Sign in with a token: sets the session cookie")
def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, str]:
    principal = request.app.state.tokens.principal(body.token)
    if principal is None:
        raise HTTPException(401, "that token is not valid (or was revoked)")
    response.set_cookie(COOKIE, body.token, httponly=True, samesite="strict", path="/")
    return {"name": principal.name, "role": principal.role}


@router.delete("/session", status_code=204, summary="Sign out")
def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


@router.get("/me", summary="Who is signed in (name and role null when nobody is)")
def me(request: Request) -> dict[str, str | None]:
    token = token_of(request)
    principal = request.app.state.tokens.principal(token) if token else None
    if principal is None:  # not an error: a page asks this before anyone has signed in
        return {"name": None, "role": None}
    return {"name": principal.name, "role": principal.role}


@router.post("/switch", summary="Switch a scope: wartime, peacetime, level, confirm or void")
async def switch(
    body: Switch, request: Request, principal: Annotated[Principal, Depends(allow("operator"))]
) -> JSONResponse:
    parts: Parts = request.app.state.parts
    options = {k: getattr(body, k) for k in ("level", "reason", "proposal", "episode")}
    try:
        message = switch_message(
            body.mode, body.scope, principal.name, parts.settings.tz, body.exercise, body.trigger, **options
        )
    except SwitchError as e:
        raise HTTPException(400, str(e).replace("--", "")) from None
    return await _answer(request, message)


@router.post("/messages", summary="Send a field report (field accounts and operators)")
async def field_message(
    body: dict[str, Any],
    request: Request,
    principal: Annotated[Principal, Depends(allow("field", "operator"))],
) -> JSONResponse:
    kind = body.get("kind")
    if not isinstance(kind, str) or kind.startswith("mode."):
        raise HTTPException(400, "a field report needs a field kind (mode switches go to /api/switch)")
    parts: Parts = request.app.state.parts
    fields = {
        "id": f"api-{uuid.uuid4().hex[:20]}",
        "occurred_at": datetime.now(parts.settings.tz).isoformat(timespec="seconds"),
        **body,
        "actor": principal.name,
    }
    if kind not in MESSAGE_MODELS:
        raise HTTPException(400, f"unknown kind {kind!r}: the wire contract's kinds are in /asyncapi")
    try:
        message = message_of(fields)
    except ValidationError as e:
        raise HTTPException(400, message_error(e)) from None
    return await _answer(request, message)


async def _answer(request: Request, message: Any) -> JSONResponse:
    edge: Edge = request.app.state.edge
    try:
        outcome = await edge.submit(message, WAIT_S)
    except Exception as e:  # NATS away or the stream refusing: say so, the message was not taken
        raise HTTPException(
            503, f"could not send {message.id} to NATS: {str(e) or type(e).__name__}"
        ) from None
    if outcome is None:
        raise HTTPException(
            504, f"sent as {message.id}, but no outcome within {WAIT_S:g} s; is the ingest running?"
        )
    doc = outcome.doc()
    if outcome.status != "accepted":
        return JSONResponse({"outcome": doc, "detail": outcome.reason}, status_code=422)
    return JSONResponse({"outcome": doc, "pending": any(e in PROPOSED for e in outcome.events)})
