"""The mode of one scope: peacetime (平时) or wartime (战时) at a level I (highest) to IV.

Each switch to wartime opens an emergency episode named ``SCOPE#N``; it ends when that scope
returns to peacetime. A drill is an episode flagged as an exercise and is kept apart from real
ones. Level I (the highest) takes a second operator: the first one's switch is only a proposal,
which a different operator must confirm within ``CONFIRMATION_WINDOW`` (field time).

Time moves forward within a scope: a mode command dated before the scope's current state began
(or a confirmation dated before its proposal) is rejected. A proposal replaced before it lapsed
(by a new proposal, a level change or a stand-down) is recorded as superseded; one that lapses
records nothing (the read side shows it as lapsed once its ``expires_at`` has passed).

The two-operator rules of a proposal are in ``proposals``; the levels in ``levels``.

A mistaken switch can be voided: ``propose_void`` records a proposal, confirmed like level I by a
second operator within the same window; the episode is then marked void (and, if still open, the
scope returns to peacetime). A void episode never counts as real wartime.

Every rule about modes and levels lives here; the mode commands only find or create a ScopeMode
and call it.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import ModeError, TimeOrderError
from pingzhan.domain.levels import check_level
from pingzhan.domain.proposals import check_confirmation, expiry, instant, proposal_of, superseded_by
from pingzhan.domain.stamp import Stamp, Stamped


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
        trigger: str | None  # what set it off: a weather warning, an epidemic notice, a report id

        def apply(self, mode: ScopeMode) -> None:
            mode.level = self.level
            mode.exercise = self.exercise
            mode.episodes += 1
            mode.proposal = None
            mode.since = self.occurred_at

    class LevelChanged(Aggregate.Event, Stamped):
        scope: str
        level: str
        previous: str
        reason: str
        episode: str
        exercise: bool
        confirmed_by: str | None
        trigger: str | None

        def apply(self, mode: ScopeMode) -> None:
            mode.level = self.level
            mode.proposal = None
            mode.since = self.occurred_at

    class SwitchProposed(Aggregate.Event, Stamped):
        scope: str
        level: str
        reason: str
        exercise: bool
        expires_at: str
        trigger: str | None

        def apply(self, mode: ScopeMode) -> None:
            mode.proposal = proposal_of(self, level=self.level, exercise=self.exercise, voids=None)

    class VoidProposed(Aggregate.Event, Stamped):
        """An operator asks to void an episode switched by mistake; a second one must confirm."""

        scope: str
        episode: str
        reason: str
        expires_at: str

        def apply(self, mode: ScopeMode) -> None:
            mode.proposal = proposal_of(self, level=None, exercise=False, voids=self.episode)

    class ProposalSuperseded(Aggregate.Event, Stamped):
        """A pending proposal replaced, before it lapsed, by another mode command on the scope."""

        scope: str
        proposal_id: str
        proposed: str  # what it proposed: "level I" or "void of SCOPE#N"

        def apply(self, mode: ScopeMode) -> None:
            mode.proposal = None

    class EpisodeVoided(Aggregate.Event, Stamped):
        """A confirmed void: the episode was a mistake and never counts as real wartime."""

        scope: str
        episode: str
        reason: str
        proposed_by: str
        confirmed_by: str
        closed: bool  # it was still open: the scope returns to peacetime

        def apply(self, mode: ScopeMode) -> None:
            mode.voided.append(self.episode)
            mode.proposal = None
            if self.closed:
                mode.level = None
                mode.exercise = False
                mode.since = self.occurred_at

    class SwitchedToPeacetime(Aggregate.Event, Stamped):
        scope: str
        reason: str
        episode: str | None
        exercise: bool

        def apply(self, mode: ScopeMode) -> None:
            mode.level = None
            mode.exercise = False
            mode.proposal = None
            mode.since = self.occurred_at

    def __init__(self, scope: str):
        self.scope = scope
        self.level: str | None = None  # None = peacetime
        self.exercise = False
        self.episodes = 0
        self.proposal: dict[str, object] | None = None
        self.since: str | None = None  # field time the current state began (None: never switched)
        self.voided: list[str] = []

    @classmethod
    def track(cls, scope: str) -> ScopeMode:
        """A scope seen for the first time, in peacetime."""
        return cls._create(cls.Tracked, id=ids.scope(scope), scope=scope)

    @property
    def episode(self) -> str | None:
        return f"{self.scope}#{self.episodes}" if self.level else None

    def switch_to_wartime(
        self, level: str, reason: str, exercise: bool, stamp: Stamp, trigger: str | None = None
    ) -> None:
        """Open an episode from peacetime; at level I only propose it (see ``confirm``)."""
        check_level(level)
        if self.level is not None:
            kind = "an exercise" if self.exercise else "wartime"
            raise ModeError(f"{self.scope} is already in {kind} (level {self.level}, episode {self.episode})")
        self._check_after_state(stamp, "the switch")
        self._supersede(stamp)
        if level == "I":
            self._propose(
                self.SwitchProposed, stamp, level=level, reason=reason, exercise=exercise, trigger=trigger
            )
            return
        self._to_wartime(level, reason, exercise, None, stamp, trigger)

    def change_level(self, level: str, reason: str, stamp: Stamp, trigger: str | None = None) -> None:
        """Escalate or de-escalate within the open episode; to level I only propose it."""
        check_level(level)
        if self.level is None:
            raise ModeError(f"{self.scope} is in peacetime; switch it to wartime first")
        if level == self.level:
            raise ModeError(f"{self.scope} is already at level {level}")
        self._check_after_state(stamp, "the level change")
        self._supersede(stamp)
        if level == "I":
            exercise = self.exercise
            self._propose(
                self.SwitchProposed, stamp, level=level, reason=reason, exercise=exercise, trigger=trigger
            )
            return
        self._to_level(level, reason, None, stamp, trigger)

    def propose_void(self, episode: str, reason: str, stamp: Stamp) -> None:
        """Ask to void an episode of this scope switched by mistake; a second operator confirms."""
        scope, _, number = episode.rpartition("#")
        if scope != self.scope or not number.isdigit() or not 1 <= int(number) <= self.episodes:
            raise ModeError(f"{self.scope} has no episode {episode!r}")
        if episode in self.voided:
            raise ModeError(f"episode {episode} is already void")
        self._check_after_state(stamp, "the void")
        self._supersede(stamp)
        self._propose(self.VoidProposed, stamp, episode=episode, reason=reason)

    def confirm(self, proposal_id: str, stamp: Stamp) -> None:
        """A second operator confirms a level-I or void proposal before it expires."""
        proposal = check_confirmation(self.scope, self.proposal, proposal_id, stamp)
        if proposal["voids"]:
            episode, by = str(proposal["voids"]), str(proposal["by"])
            self._record(
                self.EpisodeVoided,
                stamp,
                episode=episode,
                reason=proposal["reason"],
                proposed_by=by,
                confirmed_by=stamp.actor,
                closed=episode == self.episode,
            )
        elif self.level is None:
            reason, exercise, trigger = (
                str(proposal["reason"]),
                bool(proposal["exercise"]),
                proposal["trigger"],
            )
            self._to_wartime("I", reason, exercise, stamp.actor, stamp, trigger)  # type: ignore[arg-type]
        else:
            self._to_level("I", str(proposal["reason"]), stamp.actor, stamp, proposal["trigger"])  # type: ignore[arg-type]

    def switch_to_peacetime(self, reason: str, stamp: Stamp) -> None:
        """Stand down: the open episode ends."""
        if self.level is None:
            raise ModeError(f"{self.scope} is already in peacetime")
        self._check_after_state(stamp, "the stand-down")
        self._supersede(stamp)
        self._record(
            self.SwitchedToPeacetime, stamp, reason=reason, episode=self.episode, exercise=self.exercise
        )

    def _check_after_state(self, stamp: Stamp, what: str) -> None:
        """Time moves forward: no mode command dated before the scope's current state began, nor
        before the proposal pending on it."""
        proposal = self.proposal
        if proposal is not None and instant(stamp.occurred_at) < instant(str(proposal["at"])):
            raise TimeOrderError(
                f"{what} at {stamp.occurred_at} is dated before the proposal {proposal['id']} "
                f"pending on {self.scope}, made at {proposal['at']}"
            )
        if self.since is not None and instant(stamp.occurred_at) < instant(self.since):
            began = f"episode {self.episode} at level {self.level}" if self.level else "peacetime"
            raise TimeOrderError(
                f"{what} at {stamp.occurred_at} is dated before {self.scope}'s current state "
                f"({began}) began at {self.since}"
            )

    def _supersede(self, stamp: Stamp) -> None:
        """Record that a pending proposal, not lapsed by now, is replaced by this command."""
        proposed = superseded_by(self.proposal, stamp)
        if proposed is not None:
            assert self.proposal is not None
            self._record(
                self.ProposalSuperseded, stamp, proposal_id=str(self.proposal["id"]), proposed=proposed
            )

    def _propose(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        """Record a proposal that a second operator must confirm within the window."""
        self._record(event, stamp, expires_at=expiry(stamp.occurred_at), **fields)

    def _to_wartime(
        self,
        level: str,
        reason: str,
        exercise: bool,
        confirmed_by: str | None,
        stamp: Stamp,
        trigger: str | None,
    ) -> None:
        episode = f"{self.scope}#{self.episodes + 1}"
        self._record(
            self.SwitchedToWartime,
            stamp,
            level=level,
            reason=reason,
            episode=episode,
            exercise=exercise,
            confirmed_by=confirmed_by,
            trigger=trigger,
        )

    def _to_level(
        self, level: str, reason: str, confirmed_by: str | None, stamp: Stamp, trigger: str | None
    ) -> None:
        assert self.level is not None and self.episode is not None
        self._record(
            self.LevelChanged,
            stamp,
            level=level,
            previous=self.level,
            reason=reason,
            episode=self.episode,
            exercise=self.exercise,
            confirmed_by=confirmed_by,
            trigger=trigger,
        )

    def _record(self, event: type[Aggregate.Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event, scope=self.scope, **fields, **stamp.fields())
