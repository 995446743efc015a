"""The after-action audit trail: every accepted event and every rejection, in the order recorded.

Each row says who, what, when it happened, when it was recorded, in which scope, and which
emergency episodes it belongs to: the episodes open, at that moment, on its scope or any scope
above it (an episode runs from a switch to wartime until that scope returns to peacetime).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.org import Org
from pingzhan.domain.organisation import Organisation
from pingzhan.domain.problem import Problem
from pingzhan.domain.rejection import Rejection
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.base import ReadModel, Table, event_name


def _scope_mode_switched_to_wartime(e: Any) -> str:
    drill = " (EXERCISE)" if e.exercise else ""
    confirmed = f", confirmed by {e.confirmed_by}" if e.confirmed_by else ""
    return f"{e.scope} switched to wartime level {e.level}{drill}{confirmed}: {e.reason}"


def _scope_mode_level_changed(e: Any) -> str:
    confirmed = f", confirmed by {e.confirmed_by}" if e.confirmed_by else ""
    return f"{e.scope} level {e.previous} -> {e.level}{confirmed}: {e.reason}"


def _scope_mode_switch_proposed(e: Any) -> str:
    return f"{e.scope} level {e.level} proposed, needs a second operator by {e.expires_at}: {e.reason}"


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
    Hazard.Resolved: lambda e: f"hazard {e.hazard_id} resolved: {e.resolution}",
    ScopeMode.Tracked: lambda e: f"{e.scope} tracked",
    ScopeMode.SwitchedToWartime: _scope_mode_switched_to_wartime,
    ScopeMode.LevelChanged: _scope_mode_level_changed,
    ScopeMode.SwitchProposed: _scope_mode_switch_proposed,
    ScopeMode.SwitchedToPeacetime: lambda e: f"{e.scope} back to peacetime: {e.reason}",
    Cadre.CheckedIn: lambda e: (
        f"cadre {e.cadre_id} checked in at grid {e.grid_id} (service day {e.service_day})"
    ),
    Cadre.CheckedOut: lambda e: f"cadre {e.cadre_id} checked out (service day {e.service_day})",
    Cadre.HouseholdVisited: _cadre_household_visited,
    Cadre.OpinionCollected: lambda e: f"cadre {e.cadre_id} collected a {e.category} opinion: {e.text}",
    Cadre.VolunteerServed: lambda e: f"cadre {e.cadre_id} volunteered {e.hours} h: {e.activity}",
    Cadre.RatedByResident: lambda e: f"cadre {e.cadre_id} rated {e.score}/5 by household {e.household_id}",
    Cadre.Inspected: lambda e: (
        f"inspection group {e.group} found cadre {e.cadre_id} {e.finding} ({e.inspection_id})"
    ),
    Cadre.HouseholdsRegistered: lambda e: (
        f"cadre {e.cadre_id} registered {e.households} households / {e.persons} persons in {e.compound_id}"
    ),
    HouseholdInfo.InformationCollected: lambda e: (
        f"information of household {e.household_id} collected by {e.cadre_id}"
    ),
    HouseholdInfo.InformationVerified: lambda e: (
        f"information of household {e.household_id} verified: {e.result}"
    ),
    Problem.Reported: lambda e: f"problem {e.problem_id} reported at {e.where}: {e.what}",
    Problem.Escalated: lambda e: f"problem {e.problem_id} escalated to {e.office}",
    Problem.Resolved: lambda e: f"problem {e.problem_id} resolved: {e.resolution}",
    Hazard.TaskAssigned: lambda e: (
        f"hazard {e.hazard_id}: {e.task} task {e.task_id} assigned to {e.cadre_id}"
    ),
    Hazard.TaskDone: lambda e: f"hazard {e.hazard_id}: {e.task} task {e.task_id} done",
    Rejection.MessageRejected: lambda e: f"{e.kind or 'message'} rejected ({e.code}): {e.reason}",
    Organisation.Imported: lambda e: f"organisation imported: {e.added}",
    Organisation.Changed: lambda e: f"organisation changed: {e.added}",
}
_BY_NAME = {event_name(c): summary for c, summary in SUMMARIES.items()}


def _summary(e: Any) -> str:
    summary = _BY_NAME.get(type(e).__qualname__)
    return summary(e) if summary is not None else type(e).__qualname__


_SKIPPED = {event_name(ScopeMode.Tracked), event_name(HouseholdInfo.Opened)}  # bookkeeping, not acts
_WARTIME = event_name(ScopeMode.SwitchedToWartime)  # opens an episode
_PEACETIME = event_name(ScopeMode.SwitchedToPeacetime)  # closes it
_REJECTED = event_name(Rejection.MessageRejected)
_ORGANISATION = {event_name(Organisation.Imported), event_name(Organisation.Changed)}


def _scope(e: Any) -> str | None:
    scope = getattr(e, "scope", None)
    if scope:
        return str(scope)
    grid = getattr(e, "grid_id", None)
    return f"grid:{grid}" if grid else None


class AuditTrail(ReadModel):
    name = "audit"
    version = 3
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
            ),
        ),
    )

    def __init__(self, org: Org):
        super().__init__()
        self.org = org
        self.open_by_scope: dict[str, str] = {}  # derived from the episodes rows, kept in step

    def loaded(self) -> None:
        self.open_by_scope = {v[0]: k[0] for k, v in self.rows["episodes"].items() if v[5] is None}

    def apply(self, position: int, e: Any) -> None:
        what = type(e).__qualname__
        if what in _SKIPPED:
            return
        if what in _ORGANISATION:  # scopes after this point are the new organisation's
            self.org = Org.from_data(json.loads(e.content))
        if what == _WARTIME:
            self.put(
                "episodes",
                (e.episode,),
                (
                    e.scope,
                    e.level,
                    e.reason,
                    e.occurred_at,
                    e.actor,
                    None,
                    None,
                    None,
                    "1" if e.exercise else None,
                ),
            )
            self.open_by_scope[e.scope] = e.episode
        scope = _scope(e)
        rejected = what == _REJECTED
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
                "rejected" if rejected else "accepted",
            ),
        )
        if scope and self.open_by_scope and scope in self.org.units:
            for s in self.org.ancestors(scope):
                if s in self.open_by_scope:
                    self.append("audit_episode", (self.open_by_scope[s], position))
        if what == _PEACETIME and e.episode:
            values = self.rows["episodes"][(e.episode,)]
            self.put("episodes", (e.episode,), (*values[:5], e.occurred_at, e.actor, e.reason, values[8]))
            self.open_by_scope.pop(e.scope, None)
