"""The mode of one scope: peacetime (平时) or wartime (战时) at a level I (highest) to IV.

Each switch to wartime opens an emergency episode named ``SCOPE#N``; it ends when that scope
returns to peacetime.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import LevelError, ModeError
from pingzhan.domain.stamp import Stamp, Stamped

LEVELS = ("I", "II", "III", "IV")


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise LevelError(f"level {level!r} is outside I-IV")


class ScopeMode(Aggregate):
    class Tracked(Aggregate.Created):
        scope: str

    class SwitchedToWartime(Aggregate.Event, Stamped):
        scope: str
        level: str
        reason: str
        episode: str

        def apply(self, mode: ScopeMode) -> None:
            mode.level = self.level
            mode.episodes += 1

    class SwitchedToPeacetime(Aggregate.Event, Stamped):
        scope: str
        reason: str
        episode: str | None

        def apply(self, mode: ScopeMode) -> None:
            mode.level = None

    def __init__(self, scope: str):
        self.scope = scope
        self.level: str | None = None  # None = peacetime
        self.episodes = 0

    @classmethod
    def track(cls, scope: str) -> ScopeMode:
        return cls._create(cls.Tracked, id=ids.scope(scope), scope=scope)

    @property
    def episode(self) -> str | None:
        return f"{self.scope}#{self.episodes}" if self.level else None

    def switch_to_wartime(self, level: str, reason: str, stamp: Stamp) -> None:
        check_level(level)
        if self.level is not None:
            raise ModeError(
                f"{self.scope} is already in wartime (level {self.level}, episode {self.episode})"
            )
        self.trigger_event(
            self.SwitchedToWartime,
            scope=self.scope,
            level=level,
            reason=reason,
            episode=f"{self.scope}#{self.episodes + 1}",
            **stamp.fields(),
        )

    def switch_to_peacetime(self, reason: str, stamp: Stamp) -> None:
        if self.level is None:
            raise ModeError(f"{self.scope} is already in peacetime")
        self.trigger_event(
            self.SwitchedToPeacetime, scope=self.scope, reason=reason, episode=self.episode, **stamp.fields()
        )
