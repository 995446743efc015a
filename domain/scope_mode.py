"""The mode of one scope: peacetime (平时) or wartime (战时) at a level I (highest) to IV.

Each switch to wartime opens an emergency episode named ``SCOPE#N``; it ends when that scope
returns to peacetime.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from pingzhan.domain import ids
from pingzhan.domain.errors import LevelError, ModeError
from pingzhan.domain.stamp import Stamp

LEVELS = ("I", "II", "III", "IV")


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise LevelError(f"level {level!r} is outside I-IV")


class ScopeMode(Aggregate):
    @staticmethod
    def create_id(scope: str, **_: Any) -> UUID:
        return ids.scope(scope)

    @event("Tracked")
    def __init__(self, scope: str):
        self.scope = scope
        self.level: str | None = None  # None = peacetime
        self.episodes = 0

    @property
    def episode(self) -> str | None:
        return f"{self.scope}#{self.episodes}" if self.level else None

    def switch_to_wartime(self, level: str, reason: str, stamp: Stamp) -> None:
        check_level(level)
        if self.level is not None:
            raise ModeError(
                f"{self.scope} is already in wartime (level {self.level}, episode {self.episode})"
            )
        self._switched_to_wartime(
            scope=self.scope,
            level=level,
            reason=reason,
            episode=f"{self.scope}#{self.episodes + 1}",
            **stamp.fields(),
        )

    def switch_to_peacetime(self, reason: str, stamp: Stamp) -> None:
        if self.level is None:
            raise ModeError(f"{self.scope} is already in peacetime")
        self._switched_to_peacetime(scope=self.scope, reason=reason, episode=self.episode, **stamp.fields())

    @event("SwitchedToWartime")
    def _switched_to_wartime(
        self, scope: str, level: str, reason: str, episode: str, message_id: str, actor: str, occurred_at: str
    ) -> None:
        self.level = level
        self.episodes += 1

    @event("SwitchedToPeacetime")
    def _switched_to_peacetime(
        self, scope: str, reason: str, episode: str | None, message_id: str, actor: str, occurred_at: str
    ) -> None:
        self.level = None
