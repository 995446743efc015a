"""The live duty roster: modes of scopes, cadres in grids, who is on duty where, open hazards.

The effective mode of a grid is computed when asked: the highest wartime level among the grid
and every scope above it (a district-wide switch puts every grid in wartime).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.org import Org
from pingzhan.domain.scope_mode import ScopeMode, level_rank
from pingzhan.projections.base import ReadModel, Table, on


class Roster(ReadModel):
    name = "roster"
    tables = (
        Table("roster_scope", ("scope",), ("level", "since", "episode", "exercise")),
        Table(
            "roster_proposal",
            ("scope",),
            ("proposal", "level", "proposed_by", "expires_at", "reason", "voids"),
        ),
        Table("roster_cadre", ("cadre_id",), ("name", "unit", "grid", "since")),
        Table("roster_checkpoint", ("checkpoint_id",), ("grid", "name", "status", "since")),
        Table("roster_duty", ("checkpoint_id", "cadre_id"), ("grid", "since")),
        Table("roster_hazard", ("hazard_id",), ("grid", "kind", "location", "severity", "reported_at")),
    )

    version = 3

    @on(ScopeMode.SwitchedToWartime, ScopeMode.LevelChanged)
    def scope_mode_to_level(self, _: int, e: Any) -> None:
        self.put("roster_scope", (e.scope,), (e.level, e.occurred_at, e.episode, "1" if e.exercise else None))
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
        self.put("roster_scope", (e.scope,), (None, e.occurred_at, None, None))
        self.drop("roster_proposal", (e.scope,))

    @on(ScopeMode.EpisodeVoided)
    def scope_mode_episode_voided(self, _: int, e: Any) -> None:
        """A void episode is no wartime: if it was the scope's open one, the scope is in peacetime."""
        self.drop("roster_proposal", (e.scope,))
        if e.closed:
            self.put("roster_scope", (e.scope,), (None, e.occurred_at, None, None))

    @on(Cadre.Registered)
    def cadre_registered(self, _: int, e: Any) -> None:
        self.put("roster_cadre", (e.cadre_id,), (e.name, e.unit, None, e.occurred_at))

    @on(Cadre.DispatchedToGrid)
    def cadre_dispatched_to_grid(self, _: int, e: Any) -> None:
        name, unit, _grid, _since = self.rows["roster_cadre"][(e.cadre_id,)]
        self.put("roster_cadre", (e.cadre_id,), (name, unit, e.grid_id, e.occurred_at))

    @on(Cadre.Recalled)
    def cadre_recalled(self, _: int, e: Any) -> None:
        name, unit, _grid, _since = self.rows["roster_cadre"][(e.cadre_id,)]
        self.put("roster_cadre", (e.cadre_id,), (name, unit, None, e.occurred_at))

    @on(Checkpoint.Established)
    def checkpoint_established(self, _: int, e: Any) -> None:
        self.put("roster_checkpoint", (e.checkpoint_id,), (e.grid_id, e.name, "open", e.occurred_at))

    @on(Checkpoint.Closed)
    def checkpoint_closed(self, _: int, e: Any) -> None:
        grid, name, _status, _since = self.rows["roster_checkpoint"][(e.checkpoint_id,)]
        self.put("roster_checkpoint", (e.checkpoint_id,), (grid, name, "closed", e.occurred_at))

    @on(Checkpoint.Staffed)
    def checkpoint_staffed(self, _: int, e: Any) -> None:
        self.put("roster_duty", (e.checkpoint_id, e.cadre_id), (e.grid_id, e.occurred_at))

    @on(Checkpoint.Relieved)
    def checkpoint_relieved(self, _: int, e: Any) -> None:
        self.drop("roster_duty", (e.checkpoint_id, e.cadre_id))

    @on(Hazard.Reported)
    def hazard_reported(self, _: int, e: Any) -> None:
        self.put(
            "roster_hazard", (e.hazard_id,), (e.grid_id, e.hazard_kind, e.location, e.severity, e.occurred_at)
        )

    @on(Hazard.Resolved)
    def hazard_resolved(self, _: int, e: Any) -> None:
        self.drop("roster_hazard", (e.hazard_id,))


def effective_modes(
    org: Org, scope_rows: dict[tuple[str, ...], tuple[Any, ...]]
) -> dict[str, dict[str, Any]]:
    """Per scope of the organisation: its mode (wartime, exercise or peacetime), level, since when,
    which scope set it, and the episodes covering it. Real wartime outranks any exercise."""
    real = {k[0]: v for k, v in scope_rows.items() if v[0] is not None and not v[3]}
    drills = {k[0]: v for k, v in scope_rows.items() if v[0] is not None and v[3]}
    result = {}
    for key in org.units:
        chain = org.ancestors(key)
        for mode, active in (("wartime", real), ("exercise", drills)):
            covering = [(s, active[s]) for s in chain if s in active]
            if covering:
                scope, (level, since, _episode, _exercise) = min(
                    covering, key=lambda c: (level_rank(c[1][0]), c[1][1])
                )
                result[key] = {
                    "mode": mode,
                    "level": level,
                    "since": since,
                    "set_by": scope,
                    "episodes": sorted(v[2] for _, v in covering),
                }
                break
        else:
            own = scope_rows.get((key,))
            result[key] = {
                "mode": "peacetime",
                "level": None,
                "since": own[1] if own else None,
                "set_by": None,
                "episodes": [],
            }
    return result


def roster_view(
    org: Org,
    rows: dict[str, dict[tuple[str, ...], tuple[Any, ...]]],
    scope: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The roster as a document: scopes in wartime, and per grid (under ``scope``) its people and
    work. Proposals still pending at ``now`` (all of them without it): a lapsed one is not."""
    modes = effective_modes(org, rows["roster_scope"])
    grids = org.grids_under(scope) if scope else [u.id for u in org.of_kind("grid")]
    by_grid: dict[str, dict[str, Any]] = {
        g: {
            "grid": g,
            "name": org.units[f"grid:{g}"].name,
            **{k: modes[f"grid:{g}"][k] for k in ("mode", "level", "since")},
            "cadres": [],
            "on_duty": [],
            "unstaffed_checkpoints": [],
            "open_hazards": [],
        }
        for g in grids
    }
    for (cadre_id,), (_name, _unit, grid, _since) in rows["roster_cadre"].items():
        if grid in by_grid:
            by_grid[grid]["cadres"].append(cadre_id)
    staffed = set()
    for (checkpoint_id, cadre_id), (grid, since) in rows["roster_duty"].items():
        staffed.add(checkpoint_id)
        if grid in by_grid:
            by_grid[grid]["on_duty"].append({"checkpoint": checkpoint_id, "cadre": cadre_id, "since": since})
    for (checkpoint_id,), (grid, name, status, _since) in rows["roster_checkpoint"].items():
        if status == "open" and checkpoint_id not in staffed and grid in by_grid:
            by_grid[grid]["unstaffed_checkpoints"].append({"checkpoint": checkpoint_id, "name": name})
    for (hazard_id,), (grid, kind, location, severity, reported_at) in rows["roster_hazard"].items():
        if grid in by_grid:
            by_grid[grid]["open_hazards"].append(
                {
                    "hazard": hazard_id,
                    "kind": kind,
                    "location": location,
                    "severity": severity,
                    "reported_at": reported_at,
                }
            )
    for g in by_grid.values():
        g["cadres"].sort()
        g["on_duty"].sort(key=lambda d: (d["checkpoint"], d["cadre"]))
        g["unstaffed_checkpoints"].sort(key=lambda d: d["checkpoint"])
        g["open_hazards"].sort(key=lambda d: d["hazard"])
    wartime_scopes = [
        {"scope": k[0], "level": level, "since": since, "episode": episode, "exercise": bool(exercise)}
        for k, (level, since, episode, exercise) in rows["roster_scope"].items()
        if level is not None
    ]
    proposals = [
        {
            "scope": k[0],
            "proposal": p,
            "level": level,
            "voids": voids,
            "proposed_by": by,
            "expires_at": expires,
            "reason": reason,
        }
        for k, (p, level, by, expires, reason, voids) in rows["roster_proposal"].items()
        if now is None or datetime.fromisoformat(expires) >= now
    ]
    return {
        "scope": scope or next(k for k, u in org.units.items() if u.kind == "district"),
        "wartime_scopes": sorted(_within(org, scope, wartime_scopes), key=lambda s: s["scope"]),
        "pending_proposals": sorted(_within(org, scope, proposals), key=lambda p: p["scope"]),
        "grids": [by_grid[g] for g in sorted(by_grid)],
    }


def _within(org: Org, scope: str | None, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of scopes that bear on ``scope``: it, the scopes above it and those under it."""
    if scope is None:
        return entries
    above = set(org.ancestors(scope))
    return [
        e
        for e in entries
        if e["scope"] in above or (e["scope"] in org.units and scope in org.ancestors(e["scope"]))
    ]
