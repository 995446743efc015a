"""The audit trail's words: what each recorded event did, in one line (``audit.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pingzhan.domain.accounts import Accounts
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.opinion import Opinion
from pingzhan.domain.organisation import Organisation
from pingzhan.domain.problem import Problem
from pingzhan.domain.rejection import Rejection
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.base import event_name


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


def summary(e: Any) -> str:
    """What an event did, in a line of words (its class name for one without words)."""
    summary = _BY_NAME.get(type(e).__qualname__)
    return summary(e) if summary is not None else type(e).__qualname__
