"""The roster as a document: what `pingzhan roster` prints, the HTTP API answers and dashboards show.

The effective mode of a grid is computed when asked: the highest wartime level among the grid
and every scope above it (a district-wide switch puts every grid in wartime).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pingzhan.domain.levels import level_rank
from pingzhan.domain.org import Org
from pingzhan.projections.deadlines import Deadlines, overdue


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
                scope, (level, since, *_) = min(covering, key=lambda c: (level_rank(c[1][0]), c[1][1]))
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
    deadlines: Deadlines | None = None,
) -> dict[str, Any]:
    """The roster as a document: scopes in wartime, and per grid (under ``scope``) its people and
    work. Proposals still pending at ``now`` (all of them without it): a lapsed one is not. An
    open problem is overdue when the office's step fell due before ``now`` (by ``deadlines``,
    the default ones without it; never without ``now``)."""
    modes = effective_modes(org, rows["roster_scope"])
    grids = org.grids_under(scope) if scope else [u.id for u in org.of_kind("grid")]
    by_grid: dict[str, dict[str, Any]] = {
        g: {
            "grid": g,
            "name": org.units[f"grid:{g}"].name,
            "community": org.units[f"grid:{g}"].parent,
            **{k: modes[f"grid:{g}"][k] for k in ("mode", "level", "since")},
            "cadres": [],
            "people": [],
            "on_duty": [],
            "unstaffed_checkpoints": [],
            "open_hazards": [],
            "open_problems": [],
            "contact": org.contact(g),
        }
        for g in grids
    }
    for (cadre_id,), (name, unit, grid, _since, role) in rows["roster_cadre"].items():
        if grid in by_grid:
            if role == "cadre":  # a checkpoint team's others are people of the grid, not cadres
                by_grid[grid]["cadres"].append(cadre_id)
            by_grid[grid]["people"].append(
                {
                    "cadre": cadre_id,
                    "name": name,
                    "unit": unit,
                    "unit_name": org.dispatching_units.get(unit, unit),
                    "role": role,
                }
            )
    staffed = set()
    for (checkpoint_id, cadre_id), (grid, since) in rows["roster_duty"].items():
        staffed.add(checkpoint_id)
        if grid in by_grid:
            by_grid[grid]["on_duty"].append({"checkpoint": checkpoint_id, "cadre": cadre_id, "since": since})
    for (checkpoint_id,), (grid, name, status, since) in rows["roster_checkpoint"].items():
        if status == "open" and checkpoint_id not in staffed and grid in by_grid:
            by_grid[grid]["unstaffed_checkpoints"].append(
                {"checkpoint": checkpoint_id, "name": name, "since": since}
            )
    tasks: dict[str, list[dict[str, Any]]] = {}
    for (task_id,), (hazard_id, _grid, task, cadre_id, assigned_at) in rows["roster_task"].items():
        tasks.setdefault(hazard_id, []).append(
            {"task": task_id, "what": task, "assigned_to": cadre_id, "assigned_at": assigned_at}
        )
    for (hazard_id,), (grid, kind, location, severity, reported_at, problem) in rows["roster_hazard"].items():
        if grid in by_grid:
            by_grid[grid]["open_hazards"].append(
                {
                    "hazard": hazard_id,
                    "kind": kind,
                    "location": location,
                    "severity": severity,
                    "reported_at": reported_at,
                    "open_tasks": sorted(tasks.get(hazard_id, []), key=lambda t: t["task"]),
                    "problem": problem,  # the problem it was raised as, to be escalated
                }
            )
    deadlines = deadlines or Deadlines()
    for (problem_id,), row in rows["roster_problem"].items():
        grid, what, where, reported_at, office, escalated_at, state, since, opinion, hazard = row
        if grid in by_grid:
            due = deadlines.due(state, since, office)
            late = overdue(due, now)
            by_grid[grid]["open_problems"].append(
                {
                    "problem": problem_id,
                    "what": what,
                    "where": where,
                    "reported_at": reported_at,
                    "escalated_to": office,  # the office it was sent to, or that has it
                    "escalated_at": escalated_at,
                    "state": state,  # reported, escalated, acknowledged, forwarded, reported_back, reopened
                    "since": since,
                    "due_at": due,  # when the office's acknowledgement or report-back falls due
                    "overdue": late,
                    "overdue_since": due if late else None,
                    "hazard": hazard,  # the hazard it took over
                    "opinion": opinion,  # the opinion it took over
                }
            )
    for g in by_grid.values():
        g["cadres"].sort()
        g["on_duty"].sort(key=lambda d: (d["checkpoint"], d["cadre"]))
        g["unstaffed_checkpoints"].sort(key=lambda d: d["checkpoint"])
        g["open_hazards"].sort(key=lambda d: d["hazard"])
        g["open_problems"].sort(key=lambda d: d["problem"])
        g["people"].sort(key=lambda d: d["cadre"])
    wartime_scopes = [
        {
            "scope": k[0],
            "level": level,
            "since": since,
            "episode": episode,
            "exercise": bool(exercise),
            "trigger": trigger,
        }
        for k, (level, since, episode, exercise, trigger) in rows["roster_scope"].items()
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
