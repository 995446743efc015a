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
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pingzhan.domain.accounts import Accounts
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.opinion import Opinion
from pingzhan.domain.org import Org
from pingzhan.domain.organisation import Organisation
from pingzhan.domain.problem import Problem
from pingzhan.domain.rejection import Rejection
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.base import ReadModel, Table, event_name
from pingzhan.projections.episodes import EpisodeSpans


def _trigger(e: Any) -> str:
    trigger = getattr(e, "trigger", None)  # none on switches recorded before triggers
    return f" (trigger: {trigger})" if trigger else ""


def _by_way_of(e: Any) -> str:
    problem = getattr(e, "problem_id", None)  # none on hazards resolved before problems took them over
    return f" by way of problem {problem}" if problem else ""


def _taking_over(e: Any) -> str:
    hazard = getattr(e, "hazard_id", None)  # none on problems reported before they took over hazards
    opinion = getattr(e, "opinion_id", None)  # none on problems reported before opinions were routed
    taken = [f"hazard {hazard}"] * bool(hazard) + [f"opinion {opinion}"] * bool(opinion)
    return f" (taking over {' and '.join(taken)})" if taken else ""


def _problem_resolved(e: Any) -> str:
    office = getattr(e, "confirms", None)  # none on problems resolved before the loop
    confirmed = f" (confirming {office}'s report-back)" if office else ""
    return f"problem {e.problem_id} resolved{confirmed}: {e.resolution}"


def _scope_mode_switched_to_wartime(e: Any) -> str:
    drill = " (EXERCISE)" if e.exercise else ""
    confirmed = f", confirmed by {e.confirmed_by}" if e.confirmed_by else ""
    return f"{e.scope} switched to wartime level {e.level}{drill}{confirmed}{_trigger(e)}: {e.reason}"


def _scope_mode_level_changed(e: Any) -> str:
    confirmed = f", confirmed by {e.confirmed_by}" if e.confirmed_by else ""
    return f"{e.scope} level {e.previous} -> {e.level}{confirmed}{_trigger(e)}: {e.reason}"


def _scope_mode_switch_proposed(e: Any) -> str:
    return f"{e.scope} level {e.level} proposed{_trigger(e)}, needs a second operator by {e.expires_at}: {e.reason}"


def _scope_mode_episode_voided(e: Any) -> str:
    closed = f", {e.scope} back to peacetime" if e.closed else ""
    return (
        f"episode {e.episode} VOID (proposed by {e.proposed_by}, confirmed by {e.confirmed_by}){closed}: "
        f"{e.reason}"
    )


def _cadre_household_visited(e: Any) -> str:
    info = ", information collected" if e.info_collected else ""
    return f"cadre {e.cadre_id} visited household {e.household_id} ({e.persons} persons{info})"


# One small transform per event class: what the audit trail says of it.
SUMMARIES: dict[type, Callable[[Any], str]] = {
    Cadre.Registered: lambda e: f"cadre {e.cadre_id} ({e.name}, unit {e.unit}) registered",
    Cadre.DispatchedToGrid: lambda e: f"cadre {e.cadre_id} dispatched to grid {e.grid_id}",
    Cadre.Recalled: lambda e: f"cadre {e.cadre_id} recalled from grid {e.grid_id}",
    Cadre.WentOnDuty: lambda e: f"cadre {e.cadre_id} went on duty at checkpoint {e.checkpoint_id}",
    Cadre.CameOffDuty: lambda e: f"cadre {e.cadre_id} came off duty at checkpoint {e.checkpoint_id}",
    Checkpoint.Established: lambda e: (
        f"checkpoint {e.checkpoint_id} ({e.name}) established in grid {e.grid_id}"
    ),
    Checkpoint.Staffed: lambda e: f"checkpoint {e.checkpoint_id} staffed by {e.cadre_id}",
    Checkpoint.Relieved: lambda e: f"checkpoint {e.checkpoint_id}: {e.cadre_id} relieved",
    Checkpoint.Closed: lambda e: f"checkpoint {e.checkpoint_id} closed",
    Hazard.Reported: lambda e: f"{e.severity} {e.hazard_kind} hazard {e.hazard_id} reported at {e.location}",
    Hazard.Resolved: lambda e: f"hazard {e.hazard_id} resolved{_by_way_of(e)}: {e.resolution}",
    Hazard.RaisedAsProblem: lambda e: f"hazard {e.hazard_id} raised as problem {e.problem_id}",
    ScopeMode.Tracked: lambda e: f"{e.scope} tracked",
    ScopeMode.SwitchedToWartime: _scope_mode_switched_to_wartime,
    ScopeMode.LevelChanged: _scope_mode_level_changed,
    ScopeMode.SwitchProposed: _scope_mode_switch_proposed,
    ScopeMode.SwitchedToPeacetime: lambda e: f"{e.scope} back to peacetime: {e.reason}",
    ScopeMode.VoidProposed: lambda e: (
        f"void of episode {e.episode} proposed, needs a second operator by {e.expires_at}: {e.reason}"
    ),
    ScopeMode.ProposalSuperseded: lambda e: f"{e.scope} proposal {e.proposal_id} ({e.proposed}) superseded",
    ScopeMode.EpisodeVoided: _scope_mode_episode_voided,
    Cadre.CheckedIn: lambda e: (
        f"cadre {e.cadre_id} checked in at grid {e.grid_id} (service day {e.service_day})"
    ),
    Cadre.CheckedOut: lambda e: f"cadre {e.cadre_id} checked out (service day {e.service_day})",
    Cadre.HouseholdVisited: _cadre_household_visited,
    Cadre.OpinionCollected: lambda e: f"cadre {e.cadre_id} collected a {e.category} opinion: {e.text}",
    Cadre.VolunteerServed: lambda e: f"cadre {e.cadre_id} volunteered {e.hours} h: {e.activity}",
    Cadre.RatedByResident: lambda e: f"cadre {e.cadre_id} rated {e.score}/5 by household {e.household_id}",
    Cadre.Inspected: lambda e: (
        f"inspection group {e.group} found cadre {e.cadre_id} {e.finding}"
        f"{f' at checkpoint {cp}' if (cp := getattr(e, 'checkpoint_id', None)) else ''} ({e.inspection_id})"
    ),
    Cadre.HouseholdsRegistered: lambda e: (
        f"cadre {e.cadre_id} registered {e.households} households / {e.persons} persons in "
        f"{e.compound_id or f'grid {e.grid_id}'} (drive {e.drive_id})"
    ),
    HouseholdInfo.InformationCollected: lambda e: (
        f"information of household {e.household_id} collected by {e.cadre_id}"
    ),
    HouseholdInfo.InformationVerified: lambda e: (
        f"information of household {e.household_id} verified: {e.result}"
    ),
    Problem.Reported: lambda e: f"problem {e.problem_id} reported at {e.where}{_taking_over(e)}: {e.what}",
    Problem.Escalated: lambda e: f"problem {e.problem_id} escalated to {e.office}",
    Problem.Acknowledged: lambda e: f"problem {e.problem_id} acknowledged by {e.office} ({e.by})",
    Problem.Forwarded: lambda e: f"problem {e.problem_id} forwarded by {e.office} to {e.to}: {e.reason}",
    Problem.ReportedBack: lambda e: f"problem {e.problem_id}: {e.office} reported back: {e.result}",
    Problem.Reopened: lambda e: f"problem {e.problem_id} reopened, back to {e.office}: {e.reason}",
    Problem.Resolved: _problem_resolved,
    Opinion.Collected: lambda e: (
        f"cadre {e.cadre_id} collected a {e.category} opinion {e.opinion_id}: {e.text}"
    ),
    Opinion.RaisedAsProblem: lambda e: f"opinion {e.opinion_id} raised as problem {e.problem_id}",
    Hazard.TaskAssigned: lambda e: (
        f"hazard {e.hazard_id}: {e.task} task {e.task_id} assigned to {e.cadre_id}"
    ),
    Hazard.TaskDone: lambda e: f"hazard {e.hazard_id}: {e.task} task {e.task_id} done",
    Rejection.MessageRejected: lambda e: f"{e.kind or 'message'} rejected ({e.code}): {e.reason}",
    Organisation.Imported: lambda e: f"organisation imported: {e.added}",
    Organisation.Changed: lambda e: f"organisation changed: {e.added}",
    # never the token's hash: the trail says who may act, not how they prove it
    Accounts.Added: lambda e: f"{e.role} account {e.name} added with a new token",
    Accounts.Revoked: lambda e: f"account {e.name}: token revoked",
}
_BY_NAME = {event_name(c): summary for c, summary in SUMMARIES.items()}


def _summary(e: Any) -> str:
    summary = _BY_NAME.get(type(e).__qualname__)
    return summary(e) if summary is not None else type(e).__qualname__


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
                _summary(e),
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
