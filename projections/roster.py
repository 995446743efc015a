"""The live duty roster: modes of scopes, cadres in grids, who is on duty where, open hazards and
problems (where each is in the whistle-and-report loop, since when).

The effective mode of a grid is computed when asked: the highest wartime level among the grid
and every scope above it (a district-wide switch puts every grid in wartime).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.problem import (
    ACKNOWLEDGED,
    ESCALATED,
    FORWARDED,
    REOPENED,
    REPORTED,
    REPORTED_BACK,
    Problem,
)
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.base import ReadModel, Table, on
from pingzhan.projections.past import HISTORY_TABLES, History


class Roster(ReadModel):
    name = "roster"
    tables = (
        Table("roster_scope", ("scope",), ("level", "since", "episode", "exercise", "trigger")),
        Table(
            "roster_proposal",
            ("scope",),
            ("proposal", "level", "proposed_by", "expires_at", "reason", "voids"),
        ),
        Table("roster_cadre", ("cadre_id",), ("name", "unit", "grid", "since", "role")),
        Table("roster_checkpoint", ("checkpoint_id",), ("grid", "name", "status", "since")),
        Table("roster_duty", ("checkpoint_id", "cadre_id"), ("grid", "since")),
        Table(
            "roster_hazard",
            ("hazard_id",),
            ("grid", "kind", "location", "severity", "reported_at", "problem"),
        ),
        Table("roster_task", ("task_id",), ("hazard_id", "grid", "task", "cadre_id", "assigned_at")),
        Table(
            "roster_problem",
            ("problem_id",),
            (
                "grid",
                "what",
                "location",
                "reported_at",
                "office",  # the office it was sent to, or that has it
                "escalated_at",  # when it was sent to that office
                "state",  # of the whistle-and-report loop (domain/problem.py)
                "since",  # when that state began
                "opinion",
                "hazard",
            ),
        ),
        *HISTORY_TABLES,  # snapshots and late events, for the roster at any past moment (past.py)
    )

    version = 9  # 5: hazards raised as problems, and problems taking over hazards; 6: roles;
    #              7: the whistle-and-report loop (problems' state, since when, opinion);
    #              8: snapshots and late events (projections/past.py); 9: closed checkpoints left out
    snapshot_every: ClassVar[int] = 20_000  # positions between snapshots (PINGZHAN_ROSTER_SNAPSHOT_EVERY)

    def __init__(self, snapshot_every: int | None = None) -> None:
        super().__init__()
        self.history = History(snapshot_every or self.snapshot_every)
        self.loaded()

    def loaded(self) -> None:
        """Who is on duty at each checkpoint, beside the duty rows: each relief asks it."""
        self.on_duty: dict[str, set[str]] = {}
        for checkpoint_id, cadre_id in self.rows["roster_duty"]:
            self.on_duty.setdefault(checkpoint_id, set()).add(cadre_id)
        self.history.load(self.rows)

    def apply(self, position: int, event: Any) -> None:
        """Fold an event, keeping beside the rows what the questions about the past need."""
        handler = self.handlers.get(type(event).__qualname__)
        if handler is not None:
            self.history.before(self, position, event)
            handler(self, position, event)
        self.history.after(self, position)

    def flushing(self) -> None:
        self.history.keep(self)

    @on(ScopeMode.SwitchedToWartime, ScopeMode.LevelChanged)
    def scope_mode_to_level(self, _: int, e: Any) -> None:
        exercise = "1" if e.exercise else None
        trigger = getattr(e, "trigger", None)  # none on switches recorded before triggers
        self.put("roster_scope", (e.scope,), (e.level, e.occurred_at, e.episode, exercise, trigger))
        self.drop("roster_proposal", (e.scope,))

    @on(ScopeMode.SwitchProposed)
    def scope_mode_switch_proposed(self, _: int, e: Any) -> None:
        self.put(
            "roster_proposal", (e.scope,), (e.message_id, e.level, e.actor, e.expires_at, e.reason, None)
        )

    @on(ScopeMode.VoidProposed)
    def scope_mode_void_proposed(self, _: int, e: Any) -> None:
        self.put(
            "roster_proposal", (e.scope,), (e.message_id, None, e.actor, e.expires_at, e.reason, e.episode)
        )

    @on(ScopeMode.ProposalSuperseded)
    def scope_mode_proposal_superseded(self, _: int, e: Any) -> None:
        self.drop("roster_proposal", (e.scope,))

    @on(ScopeMode.SwitchedToPeacetime)
    def scope_mode_switched_to_peacetime(self, _: int, e: Any) -> None:
        self.put("roster_scope", (e.scope,), (None, e.occurred_at, None, None, None))
        self.drop("roster_proposal", (e.scope,))

    @on(ScopeMode.EpisodeVoided)
    def scope_mode_episode_voided(self, _: int, e: Any) -> None:
        """A void episode is no wartime: if it was the scope's open one, the scope is in peacetime."""
        self.drop("roster_proposal", (e.scope,))
        if e.closed:
            self.put("roster_scope", (e.scope,), (None, e.occurred_at, None, None, None))

    @on(Cadre.Registered)
    def cadre_registered(self, _: int, e: Any) -> None:
        role = getattr(e, "role", "cadre")  # none on older events
        self.put("roster_cadre", (e.cadre_id,), (e.name, e.unit, None, e.occurred_at, role))

    @on(Cadre.DispatchedToGrid)
    def cadre_dispatched_to_grid(self, _: int, e: Any) -> None:
        name, unit, _grid, _since, role = self.rows["roster_cadre"][(e.cadre_id,)]
        self.put("roster_cadre", (e.cadre_id,), (name, unit, e.grid_id, e.occurred_at, role))

    @on(Cadre.Recalled)
    def cadre_recalled(self, _: int, e: Any) -> None:
        name, unit, _grid, _since, role = self.rows["roster_cadre"][(e.cadre_id,)]
        self.put("roster_cadre", (e.cadre_id,), (name, unit, None, e.occurred_at, role))

    @on(Checkpoint.Established)
    def checkpoint_established(self, _: int, e: Any) -> None:
        self.put("roster_checkpoint", (e.checkpoint_id,), (e.grid_id, e.name, "open", e.occurred_at))

    @on(Checkpoint.Closed)
    def checkpoint_closed(self, _: int, e: Any) -> None:
        # Gone from the roster, as a resolved hazard is: kept, closed checkpoints made every
        # read (and every snapshot of the roster) grow with the log (the audit trail has them).
        self.drop("roster_checkpoint", (e.checkpoint_id,))

    @on(Checkpoint.Staffed)
    def checkpoint_staffed(self, _: int, e: Any) -> None:
        self.put("roster_duty", (e.checkpoint_id, e.cadre_id), (e.grid_id, e.occurred_at))
        self.on_duty.setdefault(e.checkpoint_id, set()).add(e.cadre_id)

    @on(Checkpoint.Relieved)
    def checkpoint_relieved(self, _: int, e: Any) -> None:
        """The last one relieved leaves the checkpoint unstaffed from then on."""
        self.drop("roster_duty", (e.checkpoint_id, e.cadre_id))
        on_duty = self.on_duty.get(e.checkpoint_id, set())
        on_duty.discard(e.cadre_id)
        if not on_duty:
            self.on_duty.pop(e.checkpoint_id, None)
        checkpoint = self.rows["roster_checkpoint"].get((e.checkpoint_id,))
        if checkpoint and not on_duty:
            grid, name, status, _since = checkpoint
            self.put("roster_checkpoint", (e.checkpoint_id,), (grid, name, status, e.occurred_at))

    @on(Hazard.Reported)
    def hazard_reported(self, _: int, e: Any) -> None:
        self.put(
            "roster_hazard",
            (e.hazard_id,),
            (e.grid_id, e.hazard_kind, e.location, e.severity, e.occurred_at, None),
        )

    @on(Hazard.RaisedAsProblem)
    def hazard_raised_as_problem(self, _: int, e: Any) -> None:
        *hazard, _problem = self.rows["roster_hazard"][(e.hazard_id,)]
        self.put("roster_hazard", (e.hazard_id,), (*hazard, e.problem_id))

    @on(Hazard.Resolved)
    def hazard_resolved(self, _: int, e: Any) -> None:
        self.drop("roster_hazard", (e.hazard_id,))
        for (task_id,), (hazard_id, *_rest) in list(self.rows["roster_task"].items()):
            if hazard_id == e.hazard_id:
                self.drop("roster_task", (task_id,))

    @on(Hazard.TaskAssigned)
    def hazard_task_assigned(self, _: int, e: Any) -> None:
        self.put("roster_task", (e.task_id,), (e.hazard_id, e.grid_id, e.task, e.cadre_id, e.occurred_at))

    @on(Hazard.TaskDone)
    def hazard_task_done(self, _: int, e: Any) -> None:
        self.drop("roster_task", (e.task_id,))

    @on(Problem.Reported)
    def problem_reported(self, _: int, e: Any) -> None:
        hazard = getattr(e, "hazard_id", None)  # none on problems reported before they took over hazards
        opinion = getattr(e, "opinion_id", None)  # none on problems reported before opinions were routed
        self.put(
            "roster_problem",
            (e.problem_id,),
            (e.grid_id, e.what, e.where, e.occurred_at, None, None, REPORTED, e.occurred_at, opinion, hazard),
        )

    @on(Problem.Escalated)
    def problem_escalated(self, _: int, e: Any) -> None:
        self._problem_sent(e, e.office, ESCALATED)

    @on(Problem.Forwarded)
    def problem_forwarded(self, _: int, e: Any) -> None:
        self._problem_sent(e, e.to, FORWARDED)

    @on(Problem.Acknowledged)
    def problem_acknowledged(self, _: int, e: Any) -> None:
        self._problem_step(e, ACKNOWLEDGED)

    @on(Problem.ReportedBack)
    def problem_reported_back(self, _: int, e: Any) -> None:
        self._problem_step(e, REPORTED_BACK)

    @on(Problem.Reopened)
    def problem_reopened(self, _: int, e: Any) -> None:
        self._problem_step(e, REOPENED)

    def _problem_sent(self, e: Any, office: str, state: str) -> None:
        """The problem goes to an office (escalated by the community, or forwarded by an office)."""
        grid, what, where, reported_at, *_, opinion, hazard = self.rows["roster_problem"][(e.problem_id,)]
        self.put(
            "roster_problem",
            (e.problem_id,),
            (grid, what, where, reported_at, office, e.occurred_at, state, e.occurred_at, opinion, hazard),
        )

    def _problem_step(self, e: Any, state: str) -> None:
        """A step of the loop that keeps the office."""
        *kept, _state, _since, opinion, hazard = self.rows["roster_problem"][(e.problem_id,)]
        self.put("roster_problem", (e.problem_id,), (*kept, state, e.occurred_at, opinion, hazard))

    @on(Problem.Resolved)
    def problem_resolved(self, _: int, e: Any) -> None:
        self.drop("roster_problem", (e.problem_id,))
