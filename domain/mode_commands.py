"""Switching a scope between peacetime and wartime. The rules are ScopeMode's; these commands
check that the actor is a registered operator, find the scope's mode (or start one) and call it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from uuid import UUID

from pingzhan.domain import ids
from pingzhan.domain.accounts import check_operator
from pingzhan.domain.org import Org, parse_scope
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.domain.stamp import Stamp
from pingzhan.domain.workspace import Workspace, change_or_create


def _needs(scope: str) -> tuple[UUID, ...]:
    """What every mode command reads: the scope's mode and the accounts (who is an operator)."""
    return (ids.scope(scope), ids.accounts())


def _change_mode(
    ws: Workspace, org: Org, scope: str, stamp: Stamp, change: Callable[[ScopeMode], None]
) -> None:
    """Call ``change`` on the mode of a scope of the organisation (a new one, in peacetime, for a
    scope never switched before), once the actor is known to be a registered operator."""
    check_operator(ws, stamp.actor)
    parse_scope(scope)
    org.unit(scope)
    change_or_create(ws, ScopeMode, ids.scope(scope), partial(ScopeMode.track, scope), change)


@dataclass(frozen=True, slots=True)
class SwitchToWartime:
    scope: str
    level: str
    reason: str
    exercise: bool = False
    trigger: str | None = None

    def needs(self) -> tuple[UUID, ...]:
        return _needs(self.scope)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _change_mode(
            ws,
            org,
            self.scope,
            stamp,
            lambda mode: mode.switch_to_wartime(self.level, self.reason, self.exercise, stamp, self.trigger),
        )


@dataclass(frozen=True, slots=True)
class ChangeLevel:
    scope: str
    level: str
    reason: str
    trigger: str | None = None

    def needs(self) -> tuple[UUID, ...]:
        return _needs(self.scope)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _change_mode(
            ws,
            org,
            self.scope,
            stamp,
            lambda mode: mode.change_level(self.level, self.reason, stamp, self.trigger),
        )


@dataclass(frozen=True, slots=True)
class ConfirmSwitch:
    scope: str
    proposal_id: str

    def needs(self) -> tuple[UUID, ...]:
        return _needs(self.scope)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _change_mode(ws, org, self.scope, stamp, lambda mode: mode.confirm(self.proposal_id, stamp))


@dataclass(frozen=True, slots=True)
class SwitchToPeacetime:
    scope: str
    reason: str

    def needs(self) -> tuple[UUID, ...]:
        return _needs(self.scope)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _change_mode(ws, org, self.scope, stamp, lambda mode: mode.switch_to_peacetime(self.reason, stamp))


@dataclass(frozen=True, slots=True)
class VoidSwitch:
    """Propose that an episode switched by mistake be void (a second operator confirms it)."""

    scope: str
    episode: str
    reason: str

    def needs(self) -> tuple[UUID, ...]:
        return _needs(self.scope)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        _change_mode(
            ws, org, self.scope, stamp, lambda mode: mode.propose_void(self.episode, self.reason, stamp)
        )
