"""The mode of one scope: peacetime (平时) or wartime (战时) at a level I (highest) to IV.

Each switch to wartime opens an emergency episode named ``SCOPE#N``; it ends when that scope
returns to peacetime. A drill is an episode flagged as an exercise and is kept apart from real
ones. Level I (the highest) takes a second operator: the first one's switch is only a proposal,
which a different operator must confirm within ``CONFIRMATION_WINDOW`` (field time).

Every rule about modes and levels lives here; the mode commands only find or create a ScopeMode
and call it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, cast, get_args

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import ConfirmationError, LevelError, ModeError
from pingzhan.domain.stamp import Stamp, Stamped

Level = Literal["I", "II", "III", "IV"]
LEVELS: tuple[Level, ...] = get_args(Level)  # highest first
CONFIRMATION_WINDOW = timedelta(minutes=30)


def check_level(level: str) -> Level:
    """The level, if it is one of I-IV; LevelError otherwise."""
    if level not in LEVELS:
        raise LevelError(f"level {level!r} is outside I-IV")
    return cast(Level, level)


def level_rank(level: str) -> int:
    """1 for level I (the highest) to 4 for level IV, so that the highest level sorts first."""
    return LEVELS.index(check_level(level)) + 1


class ScopeMode(Aggregate):
    class Tracked(Aggregate.Created):
        scope: str

    class SwitchedToWartime(Aggregate.Event, Stamped):
        scope: str
        level: str
        reason: str
        episode: str
        exercise: bool
        confirmed_by: str | None

        def apply(self, mode: ScopeMode) -> None:
            mode.level = self.level
            mode.exercise = self.exercise
            mode.episodes += 1
            mode.proposal = None

    class LevelChanged(Aggregate.Event, Stamped):
        scope: str
        level: str
        previous: str
        reason: str
        episode: str
        exercise: bool
        confirmed_by: str | None

        def apply(self, mode: ScopeMode) -> None:
            mode.level = self.level
            mode.proposal = None

    class SwitchProposed(Aggregate.Event, Stamped):
        scope: str
        level: str
        reason: str
        exercise: bool
        expires_at: str

        def apply(self, mode: ScopeMode) -> None:
            mode.proposal = {
                "id": self.message_id,
                "level": self.level,
                "reason": self.reason,
                "exercise": self.exercise,
                "by": self.actor,
                "expires_at": self.expires_at,
            }

    class SwitchedToPeacetime(Aggregate.Event, Stamped):
        scope: str
        reason: str
        episode: str | None
        exercise: bool

        def apply(self, mode: ScopeMode) -> None:
            mode.level = None
            mode.exercise = False
            mode.proposal = None

    def __init__(self, scope: str):
        self.scope = scope
        self.level: str | None = None  # None = peacetime
        self.exercise = False
        self.episodes = 0
        self.proposal: dict[str, object] | None = None

    @classmethod
    def track(cls, scope: str) -> ScopeMode:
        """A scope seen for the first time, in peacetime."""
        return cls._create(cls.Tracked, id=ids.scope(scope), scope=scope)

    @property
    def episode(self) -> str | None:
        return f"{self.scope}#{self.episodes}" if self.level else None

    def switch_to_wartime(self, level: str, reason: str, exercise: bool, stamp: Stamp) -> None:
        """Open an episode from peacetime; at level I only propose it (see ``confirm``)."""
        check_level(level)
        if self.level is not None:
            kind = "an exercise" if self.exercise else "wartime"
            raise ModeError(f"{self.scope} is already in {kind} (level {self.level}, episode {self.episode})")
        if level == "I":
            self._propose(level, reason, exercise, stamp)
            return
        self._to_wartime(level, reason, exercise, None, stamp)

    def change_level(self, level: str, reason: str, stamp: Stamp) -> None:
        """Escalate or de-escalate within the open episode; to level I only propose it."""
        check_level(level)
        if self.level is None:
            raise ModeError(f"{self.scope} is in peacetime; switch it to wartime first")
        if level == self.level:
            raise ModeError(f"{self.scope} is already at level {level}")
        if level == "I":
            self._propose(level, reason, self.exercise, stamp)
            return
        self._to_level(level, reason, None, stamp)

    def confirm(self, proposal_id: str, stamp: Stamp) -> None:
        """A second operator confirms a level-I proposal before it expires."""
        proposal = self.proposal
        if proposal is None or proposal["id"] != proposal_id:
            raise ConfirmationError(f"{self.scope} has no pending proposal {proposal_id!r}")
        if stamp.actor == proposal["by"]:
            raise ConfirmationError(
                f"a level-I switch needs a second operator: {stamp.actor} proposed it and cannot confirm it"
            )
        if datetime.fromisoformat(stamp.occurred_at) > datetime.fromisoformat(str(proposal["expires_at"])):
            raise ConfirmationError(f"proposal {proposal_id} expired at {proposal['expires_at']}")
        if self.level is None:
            self._to_wartime("I", str(proposal["reason"]), bool(proposal["exercise"]), stamp.actor, stamp)
        else:
            self._to_level("I", str(proposal["reason"]), stamp.actor, stamp)

    def switch_to_peacetime(self, reason: str, stamp: Stamp) -> None:
        """Stand down: the open episode ends."""
        if self.level is None:
            raise ModeError(f"{self.scope} is already in peacetime")
        self.trigger_event(
            self.SwitchedToPeacetime,
            scope=self.scope,
            reason=reason,
            episode=self.episode,
            exercise=self.exercise,
            **stamp.fields(),
        )

    def _propose(self, level: str, reason: str, exercise: bool, stamp: Stamp) -> None:
        expires = datetime.fromisoformat(stamp.occurred_at) + CONFIRMATION_WINDOW
        self.trigger_event(
            self.SwitchProposed,
            scope=self.scope,
            level=level,
            reason=reason,
            exercise=exercise,
            expires_at=expires.isoformat(),
            **stamp.fields(),
        )

    def _to_wartime(
        self, level: str, reason: str, exercise: bool, confirmed_by: str | None, stamp: Stamp
    ) -> None:
        self.trigger_event(
            self.SwitchedToWartime,
            scope=self.scope,
            level=level,
            reason=reason,
            episode=f"{self.scope}#{self.episodes + 1}",
            exercise=exercise,
            confirmed_by=confirmed_by,
            **stamp.fields(),
        )

    def _to_level(self, level: str, reason: str, confirmed_by: str | None, stamp: Stamp) -> None:
        assert self.level is not None and self.episode is not None
        self.trigger_event(
            self.LevelChanged,
            scope=self.scope,
            level=level,
            previous=self.level,
            reason=reason,
            episode=self.episode,
            exercise=self.exercise,
            confirmed_by=confirmed_by,
            **stamp.fields(),
        )
