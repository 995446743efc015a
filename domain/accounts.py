"""Who may do what: named accounts, each with a role and the hash of its bearer token.

A deployment has one ``Accounts`` aggregate (a fixed id). Names are canonical, lowercase only, so
``OP-LI`` can never be a second identity of ``op-li``. Only the sha256 of a token enters the log;
the token itself is shown once to whoever made it and kept nowhere.

Mode messages (every ``mode.*`` kind) are taken only from an active account with the operator role
(``check_operator``), decided like every rule in stream order: what counts is the accounts as the
log holds them when the message is decided. Field kinds are not checked here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Literal, get_args
from uuid import UUID

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import AccountError, NotAuthorisedError
from pingzhan.domain.org import Org
from pingzhan.domain.stamp import Stamp, Stamped
from pingzhan.domain.workspace import Workspace, change_or_create

Role = Literal["operator", "field", "dashboard", "auditor"]
ROLES: tuple[Role, ...] = get_args(Role)
NAME = re.compile(r"[a-z][a-z0-9._-]{0,63}")
NAME_RULE = "lowercase letters, digits, '.', '_' and '-', starting with a letter, at most 64 characters"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def token_hash(token: str) -> str:
    """What the log keeps of a token: its sha256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(name: str) -> str:
    """The name, if it is a canonical account name; AccountError saying why not otherwise."""
    if not NAME.fullmatch(name):
        raise AccountError(f"{name!r} is not an account name: use {NAME_RULE}")
    return name


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str
    token_hash: str
    added_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Accounts(Aggregate):
    class Opened(Aggregate.Created, Stamped):
        """Bookkeeping: the accounts of a deployment start with the first one added."""

    class Added(Aggregate.Event, Stamped):
        name: str
        role: str
        token_hash: str

        def apply(self, accounts: Accounts) -> None:
            accounts.accounts[self.name] = Account(self.name, self.role, self.token_hash, self.occurred_at)

    class Revoked(Aggregate.Event, Stamped):
        name: str

        def apply(self, accounts: Accounts) -> None:
            accounts.accounts[self.name] = replace(accounts.accounts[self.name], revoked_at=self.occurred_at)

    def __init__(self, message_id: str, actor: str, occurred_at: str):
        self.accounts: dict[str, Account] = {}  # by name; a revoked one is kept, marked revoked

    @classmethod
    def open(cls, stamp: Stamp) -> Accounts:
        return cls._create(cls.Opened, id=ids.accounts(), **stamp.fields())

    def add(self, name: str, role: str, token_hash: str, stamp: Stamp) -> None:
        """A new account, or a new token for a name whose token was revoked."""
        check_name(name)
        if role not in ROLES:
            raise AccountError(f"{role!r} is not a role: use one of {', '.join(ROLES)}")
        if not _SHA256_HEX.fullmatch(token_hash):
            raise AccountError("a token hash is the token's sha256 in 64 lowercase hex digits")
        found = self.accounts.get(name)
        if found is not None and found.active:
            raise AccountError(f"{name} already has a token; revoke it first")
        self.trigger_event(self.Added, name=name, role=role, token_hash=token_hash, **stamp.fields())

    def revoke(self, name: str, stamp: Stamp) -> None:
        found = self.accounts.get(name)
        if found is None:
            raise AccountError(f"there is no account {name!r}")
        if not found.active:
            raise AccountError(f"{name}'s token was already revoked at {found.revoked_at}")
        self.trigger_event(self.Revoked, name=name, **stamp.fields())

    def active(self, name: str) -> Account | None:
        found = self.accounts.get(name)
        return found if found is not None and found.active else None


def check_operator(ws: Workspace, actor: str) -> None:
    """NotAuthorisedError unless ``actor`` is an active account with the operator role."""
    accounts = ws.get(ids.accounts())
    assert accounts is None or isinstance(accounts, Accounts)
    found = accounts.accounts.get(actor) if accounts is not None else None
    if found is None:
        how = (
            f"pingzhan token add {actor} --role operator"
            if NAME.fullmatch(actor)
            else f"names are {NAME_RULE}"
        )
        raise NotAuthorisedError(f"{actor!r} is not a registered operator ({how})")
    if not found.active:
        raise NotAuthorisedError(
            f"{actor!r} is not a registered operator: its token was revoked at {found.revoked_at}"
        )
    if found.role != "operator":
        raise NotAuthorisedError(f"{actor!r} is not a registered operator: it is a {found.role} account")


@dataclass(frozen=True, slots=True)
class AddAccount:
    """Give ``name`` an account with ``role``, known by the sha256 of its token (``token_hash``)."""

    name: str
    role: str
    token_hash: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.accounts(),)

    def run(self, ws: Workspace, org: Org | None, stamp: Stamp) -> None:
        change_or_create(
            ws,
            Accounts,
            ids.accounts(),
            lambda: Accounts.open(stamp),
            lambda accounts: accounts.add(self.name, self.role, self.token_hash, stamp),
        )


@dataclass(frozen=True, slots=True)
class RevokeAccount:
    """Revoke ``name``'s token: from now on it is refused wherever an account is needed."""

    name: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.accounts(),)

    def run(self, ws: Workspace, org: Org | None, stamp: Stamp) -> None:
        accounts = ws.get(ids.accounts())
        if accounts is None:
            raise AccountError(f"there is no account {self.name!r}")
        assert isinstance(accounts, Accounts)
        accounts.revoke(self.name, stamp)
