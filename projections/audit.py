"""The after-action audit trail: every accepted event and every rejection, in the order recorded.

Each row says who, what, when it happened, when it was recorded, in which scope, and which
emergency episodes it belongs to: the episodes open, at that moment, on its scope or any scope
above it (an episode runs from a switch to wartime until that scope returns to peacetime).
"""

from __future__ import annotations

from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections.base import ReadModel, Table
from pingzhan.services.read.viewdb import Cursor


def _summary(e: Any) -> str:
    what = type(e).__qualname__
    match what:
        case "Cadre.Registered":
            return f"cadre {e.cadre_id} ({e.name}, unit {e.unit}) registered"
        case "Cadre.DispatchedToGrid":
            return f"cadre {e.cadre_id} dispatched to grid {e.grid_id}"
        case "Cadre.Recalled":
            return f"cadre {e.cadre_id} recalled from grid {e.grid_id}"
        case "Cadre.WentOnDuty":
            return f"cadre {e.cadre_id} went on duty at checkpoint {e.checkpoint_id}"
        case "Cadre.CameOffDuty":
            return f"cadre {e.cadre_id} came off duty at checkpoint {e.checkpoint_id}"
        case "Checkpoint.Established":
            return f"checkpoint {e.checkpoint_id} ({e.name}) established in grid {e.grid_id}"
        case "Checkpoint.Staffed":
            return f"checkpoint {e.checkpoint_id} staffed by {e.cadre_id}"
        case "Checkpoint.Relieved":
            return f"checkpoint {e.checkpoint_id}: {e.cadre_id} relieved"
        case "Checkpoint.Closed":
            return f"checkpoint {e.checkpoint_id} closed"
        case "Hazard.Reported":
            return f"{e.severity} {e.hazard_kind} hazard {e.hazard_id} reported at {e.location}"
        case "Hazard.Resolved":
            return f"hazard {e.hazard_id} resolved: {e.resolution}"
        case "ScopeMode.Tracked":
            return f"{e.scope} tracked"
        case "ScopeMode.SwitchedToWartime":
            drill = " (EXERCISE)" if e.exercise else ""
            confirmed = f", confirmed by {e.confirmed_by}" if e.confirmed_by else ""
            return f"{e.scope} switched to wartime level {e.level}{drill}{confirmed}: {e.reason}"
        case "ScopeMode.LevelChanged":
            confirmed = f", confirmed by {e.confirmed_by}" if e.confirmed_by else ""
            return f"{e.scope} level {e.previous} -> {e.level}{confirmed}: {e.reason}"
        case "ScopeMode.SwitchProposed":
            return (
                f"{e.scope} level {e.level} proposed, needs a second operator by {e.expires_at}: {e.reason}"
            )
        case "ScopeMode.SwitchedToPeacetime":
            return f"{e.scope} back to peacetime: {e.reason}"
        case "Cadre.CheckedIn":
            return f"cadre {e.cadre_id} checked in at grid {e.grid_id} (service day {e.service_day})"
        case "Cadre.CheckedOut":
            return f"cadre {e.cadre_id} checked out (service day {e.service_day})"
        case "Cadre.HouseholdVisited":
            info = ", information collected" if e.info_collected else ""
            return f"cadre {e.cadre_id} visited household {e.household_id} ({e.persons} persons{info})"
        case "Cadre.OpinionCollected":
            return f"cadre {e.cadre_id} collected a {e.category} opinion: {e.text}"
        case "Cadre.VolunteerServed":
            return f"cadre {e.cadre_id} volunteered {e.hours} h: {e.activity}"
        case "Cadre.RatedByResident":
            return f"cadre {e.cadre_id} rated {e.score}/5 by household {e.household_id}"
        case "Cadre.Inspected":
            return f"inspection group {e.group} found cadre {e.cadre_id} {e.finding} ({e.inspection_id})"
        case "Cadre.HouseholdsRegistered":
            return f"cadre {e.cadre_id} registered {e.households} households / {e.persons} persons in {e.compound_id}"
        case "HouseholdInfo.InformationCollected":
            return f"information of household {e.household_id} collected by {e.cadre_id}"
        case "HouseholdInfo.InformationVerified":
            return f"information of household {e.household_id} verified: {e.result}"
        case "Problem.Reported":
            return f"problem {e.problem_id} reported at {e.where}: {e.what}"
        case "Problem.Escalated":
            return f"problem {e.problem_id} escalated to {e.office}"
        case "Problem.Resolved":
            return f"problem {e.problem_id} resolved: {e.resolution}"
        case "Hazard.TaskAssigned":
            return f"hazard {e.hazard_id}: {e.task} task {e.task_id} assigned to {e.cadre_id}"
        case "Hazard.TaskDone":
            return f"hazard {e.hazard_id}: {e.task} task {e.task_id} done"
        case "Rejection.MessageRejected":
            return f"{e.kind or 'message'} rejected ({e.code}): {e.reason}"
    return what


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

    def load(self, cur: Cursor) -> None:
        super().load(cur)
        self.open_by_scope = {v[0]: k[0] for k, v in self.rows["episodes"].items() if v[5] is None}

    def reset(self, cur: Cursor) -> None:
        super().reset(cur)
        self.open_by_scope = {}

    def apply(self, position: int, e: Any) -> None:
        what = type(e).__qualname__
        if what in ("ScopeMode.Tracked", "HouseholdInfo.Opened"):
            return
        if what == "ScopeMode.SwitchedToWartime":
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
        rejected = what == "Rejection.MessageRejected"
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
        if what == "ScopeMode.SwitchedToPeacetime" and e.episode:
            values = self.rows["episodes"][(e.episode,)]
            self.put("episodes", (e.episode,), (*values[:5], e.occurred_at, e.actor, e.reason, values[8]))
            self.open_by_scope.pop(e.scope, None)
