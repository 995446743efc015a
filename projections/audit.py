"""The after-action audit trail: every accepted event and every rejection, in the order recorded.

Each row says who, what, when it happened, when it was recorded, in which scope, and which
emergency episodes it belongs to, by field time (``episodes.py``), even when it is recorded after
the episode ended (a phone that was offline). An episode runs from a switch to wartime until that scope returns to peacetime or the
episode is voided; a voided episode stays, marked void. Membership is decided when an event is
recorded, against the episodes recorded by then (a message without a field time: those open).

Level-I and void proposals are kept with what became of them (confirmed, superseded, or nothing
yet): the reader marks one that is still unanswered after its expiry as lapsed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pingzhan.domain.accounts import Accounts
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.org import Org
from pingzhan.domain.organisation import Organisation
from pingzhan.domain.rejection import Rejection
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.audit_words import summary
from pingzhan.projections.base import ReadModel, Table, event_name
from pingzhan.projections.episodes import EpisodeSpans

# bookkeeping, not acts
_SKIPPED = {event_name(ScopeMode.Tracked), event_name(HouseholdInfo.Opened), event_name(Accounts.Opened)}
_WARTIME = event_name(ScopeMode.SwitchedToWartime)  # opens an episode
_ENDS = {event_name(ScopeMode.SwitchedToPeacetime), event_name(ScopeMode.EpisodeVoided)}  # may end one
_VOIDED = event_name(ScopeMode.EpisodeVoided)
_PROPOSED = {event_name(ScopeMode.SwitchProposed), event_name(ScopeMode.VoidProposed)}
_SUPERSEDED = event_name(ScopeMode.ProposalSuperseded)
_CONFIRMED = {_WARTIME, event_name(ScopeMode.LevelChanged), _VOIDED}  # with confirmed_by
_REJECTED = event_name(Rejection.MessageRejected)
_ORGANISATION = {event_name(Organisation.Imported), event_name(Organisation.Changed)}
_MODE_EVENTS = _PROPOSED | _CONFIRMED | {_SUPERSEDED}
PROPOSAL_EVENTS = tuple(_PROPOSED)


def _scope(e: Any) -> str | None:
    scope = getattr(e, "scope", None)
    if scope:
        return str(scope)
    grid = getattr(e, "grid_id", None)
    return f"grid:{grid}" if grid else None


def _instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


class AuditTrail(ReadModel):
    name = "audit"
    version = 4
    tables = (
        Table(
            "audit",
            ("position",),
            ("recorded_at", "occurred_at", "message_id", "actor", "event", "scope", "summary", "outcome"),
            append_only=True,
        ),
        Table("audit_episode", ("episode", "position"), (), append_only=True),
        Table(
            "episodes",
            ("episode",),
            (
                "scope",
                "level",
                "reason",
                "started_at",
                "started_by",
                "ended_at",
                "ended_by",
                "ended_reason",
                "exercise",
                "voided_at",
                "void_reason",
            ),
        ),
        # level-I and void proposals; outcome None = unanswered (lapsed once past expires_at)
        Table("audit_proposal", ("proposal",), ("scope", "expires_at", "outcome")),
    )

    def __init__(self, org: Org):
        super().__init__()
        self.org = org
        # derived from the rows, kept in step: the open episode of a scope, every episode of a
        # scope with its field-time span, and the proposal of a scope answered by a confirmation
        self.spans = EpisodeSpans(org)
        self.pending: dict[str, str] = {}

    def loaded(self) -> None:
        self.spans = EpisodeSpans(self.org)
        for (episode,), v in self.rows["episodes"].items():
            self.spans.add(v[0], episode, v[3], v[5])
        unanswered = [(k[0], v) for k, v in self.rows["audit_proposal"].items() if v[2] is None]
        self.pending = {v[0]: p for p, v in sorted(unanswered, key=lambda pv: _instant(pv[1][1]))}

    def apply(self, position: int, e: Any) -> None:
        what = type(e).__qualname__
        if what in _SKIPPED:
            return
        if what in _ORGANISATION:  # scopes after this point are the new organisation's
            self.org = Org.from_data(json.loads(e.content))
            self.spans.use(self.org)
        if what == _WARTIME:
            self._episode_started(e)
        if what in _MODE_EVENTS:
            self._proposals(what, e)
        scope = _scope(e)
        self.append(
            "audit",
            (
                position,
                e.timestamp if isinstance(e.timestamp, str) else e.timestamp.isoformat(),
                e.occurred_at,
                e.message_id,
                e.actor,
                what,
                scope,
                summary(e),
                "rejected" if what == _REJECTED else "accepted",
            ),
        )
        if scope and self.spans.by_scope and scope in self.org.units:
            for episode in self.spans.of(scope, e.occurred_at, getattr(e, "episode", None)):
                self.append("audit_episode", (episode, position))
        if what in _ENDS and e.episode:
            self._episode_ended(e, voided=what == _VOIDED)

    def _episode_started(self, e: Any) -> None:
        values = (
            e.scope,
            e.level,
            e.reason,
            e.occurred_at,
            e.actor,
            None,
            None,
            None,
            "1" if e.exercise else None,
        )
        self.put("episodes", (e.episode,), (*values, None, None))
        self.spans.add(e.scope, e.episode, e.occurred_at)

    def _episode_ended(self, e: Any, voided: bool) -> None:
        v = self.rows["episodes"].get((e.episode,))
        if v is None:
            return
        ends = not voided or (e.closed and v[5] is None)
        ended = (e.occurred_at, e.actor, f"voided: {e.reason}" if voided else e.reason) if ends else v[5:8]
        void = (e.occurred_at, e.reason) if voided else v[9:11]
        self.put("episodes", (e.episode,), (*v[:5], *ended, v[8], *void))
        if ends:
            self.spans.end(e.scope, e.episode, e.occurred_at)

    def _proposals(self, what: str, e: Any) -> None:
        """Keep what became of each proposal: confirmed or superseded (else unanswered)."""
        if what in _PROPOSED:
            self.put("audit_proposal", (e.message_id,), (e.scope, e.expires_at, None))
            self.pending[e.scope] = e.message_id
        elif what == _SUPERSEDED:
            self._answer(e.proposal_id, "superseded")
            self.pending.pop(e.scope, None)
        elif what in _CONFIRMED and getattr(e, "confirmed_by", None) and e.scope in self.pending:
            self._answer(self.pending.pop(e.scope), "confirmed")

    def _answer(self, proposal: str, outcome: str) -> None:
        row = self.rows["audit_proposal"].get((proposal,))
        if row is not None:
            self.put("audit_proposal", (proposal,), (*row[:2], outcome))


def episode_list(rows: dict[tuple[str, ...], tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The episodes rows as documents, by start instant, then scope (then name): the same order
    on every rebuild, whatever offsets the switches were sent with."""
    names = next(t.values for t in AuditTrail.tables if t.name == "episodes")
    ordered = sorted(rows.items(), key=lambda kv: (_instant(kv[1][3]), kv[1][0], kv[0][0]))
    return [
        {
            "episode": k[0],
            **dict(zip(names, v, strict=True)),
            "exercise": bool(v[8]),
            "void": v[9] is not None,
        }
        for k, v in ordered
    ]
