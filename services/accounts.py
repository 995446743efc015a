"""Accounts and their bearer tokens, on the service side (the rules are ``domain/accounts.py``).

A token is made here, handed back once and kept nowhere: the event store records only its sha256
(``Accounts.Added``). ``authenticate`` finds the active account a presented token belongs to; the
CLI (``pingzhan token ...``) and the HTTP API use these functions and nothing else.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pingzhan.domain.accounts import AddAccount, RevokeAccount, token_hash
from pingzhan.domain.stamp import Stamp
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger

TOKEN_PREFIX = "pz_"  # tells a pingzhan token apart where it is pasted
ADMIN = "token-admin"  # the actor of account changes, made by whoever runs pingzhan on the server


def _stamp(settings: Settings, what: str, name: str) -> Stamp:
    message_id = f"token-{what}-{name}-{uuid.uuid4().hex[:12]}"
    return Stamp(message_id, ADMIN, datetime.now(settings.tz).isoformat(timespec="seconds"))


def add_token(settings: Settings, ledger: Ledger, name: str, role: str) -> str:
    """Give ``name`` an account with ``role`` and a new token; returns the token, which is not
    stored anywhere (only its hash is recorded). A DomainError says in words why not."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ledger.decide(AddAccount(name, role, token_hash(token)), _stamp(settings, "add", name))
    return token


def revoke(settings: Settings, ledger: Ledger, name: str) -> None:
    """Revoke ``name``'s token; its messages and requests are refused from now on."""
    ledger.decide(RevokeAccount(name), _stamp(settings, "revoke", name))


def list_accounts(ledger: Ledger) -> list[dict[str, Any]]:
    """Every account by name: name, role, added_at, revoked_at (None while active); never a hash."""
    accounts = ledger.accounts()
    if accounts is None:
        return []
    return [
        {"name": a.name, "role": a.role, "added_at": a.added_at, "revoked_at": a.revoked_at}
        for a in sorted(accounts.accounts.values(), key=lambda a: a.name)
    ]


def authenticate(ledger: Ledger, token: str) -> tuple[str, str] | None:
    """(name, role) of the active account the token belongs to; None for a wrong or revoked one."""
    accounts = ledger.accounts()
    if accounts is None or not token:
        return None
    presented = token_hash(token)
    found = None
    for account in accounts.accounts.values():  # every hash compared, in constant time each
        if hmac.compare_digest(account.token_hash, presented) and account.active:
            found = account
    return (found.name, found.role) if found is not None else None


def ensure_operators(settings: Settings, ledger: Ledger, names: Iterable[str]) -> list[str]:
    """Register as operators those of ``names`` that are not active operators yet, for traffic
    generated in the service's own name (demo, simulated year, benchmark); their tokens are
    dropped at once. Returns the names registered now: none on a second run."""
    accounts = ledger.accounts()
    added = []
    for name in names:
        found = accounts.active(name) if accounts is not None else None
        if found is None or found.role != "operator":
            add_token(settings, ledger, name, "operator")  # an active non-operator: refused in words
            added.append(name)
    return added
