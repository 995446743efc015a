"""Who is asking: a bearer token (``Authorization: Bearer ...``) or the session cookie a browser got
from ``POST /api/session``, checked against the accounts in the event store (``pingzhan token``).

Each route says which roles may use it (``allow``). A token is looked up at most every
``CHECK_EVERY_S`` seconds, so a revoked token stops working within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request

COOKIE = "pingzhan_session"
CHECK_EVERY_S = 2.0

READERS = ("operator", "dashboard", "auditor")  # who may see the roster, the trail and the feed


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


class Tokens:
    """Checks tokens with ``authenticate(token) -> (name, role) | None``, remembering answers briefly."""

    def __init__(self, authenticate: Callable[[str], tuple[str, str] | None]):
        self.authenticate = authenticate
        self.seen: dict[str, tuple[Principal | None, float]] = {}

    def principal(self, token: str) -> Principal | None:
        now = time.monotonic()
        known = self.seen.get(token)
        if known is not None and known[1] > now:
            return known[0]
        found = self.authenticate(token)
        principal = Principal(*found) if found else None
        if len(self.seen) > 10_000:
            self.seen.clear()
        self.seen[token] = (principal, now + CHECK_EVERY_S)
        return principal


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def signed_in(request: Request) -> Principal:
    """The caller, or 401 in words."""
    token = token_of(request)
    if token is None:
        raise HTTPException(401, "sign in first: a bearer token (pingzhan token add NAME --role ROLE)")
    tokens: Tokens = request.app.state.tokens
    principal = tokens.principal(token)
    if principal is None:
        raise HTTPException(401, "that token is not valid (or was revoked)")
    return principal


def allow(*roles: str) -> Callable[[Request], Principal]:
    """A dependency: the caller when their role is one of ``roles``, else 403 in words."""

    def check(request: Request) -> Principal:
        principal = signed_in(request)
        if principal.role not in roles:
            raise HTTPException(
                403, f"{principal.name} is signed in as {principal.role}; this needs {' or '.join(roles)}"
            )
        return principal

    return check
