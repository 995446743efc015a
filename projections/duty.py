"""Who was on duty at a moment of field time: checkpoint shifts and flood-duty tasks alike.

A checkpoint shift counts from its ``checkpoint.staffed`` to its ``checkpoint.relieved``; a hazard
task counts from its assignment until it is done (a task never done is on duty still). Both are
taken by when they happened in the field (occurred_at), not when they were recorded, so a report
that arrived hours late still counts at the time it happened. Pure: rows in, rows out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

CHECKPOINT = "checkpoint"
FLOOD = "flood task"

# fact_shift: (checkpoint_id, cadre_id, grid, action, occurred_at, recorded_at)
Shift = tuple[str, str, str, str, str, str]
# duty_task: (hazard_id, task_id, cadre_id, grid, task, assigned_at, recorded_at, done_at or None)
Task = tuple[str, str, str, str, str, str, str, "str | None"]


def _t(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def on_duty(
    shifts: Iterable[Shift],
    tasks: Iterable[Task],
    at: datetime,
    grid: str | None = None,
    roles: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The rows of who was on duty at ``at`` (an aware datetime), in one grid or all, by grid,
    post and person. ``post`` is the checkpoint, or the hazard and its task id; ``role`` is the
    person's (``roles``: of those who are not cadres, e.g. the volunteers of a checkpoint team)."""
    open_shifts: dict[tuple[str, str], dict[str, Any]] = {}
    for checkpoint, cadre, grid_id, action, occurred, recorded in sorted(shifts, key=lambda r: _t(r[4])):
        if _t(occurred) > at:
            break
        if action == "start":
            open_shifts[(checkpoint, cadre)] = _row(
                grid_id, CHECKPOINT, checkpoint, cadre, occurred, recorded
            )
        else:
            open_shifts.pop((checkpoint, cadre), None)
    rows = list(open_shifts.values())
    for hazard, task_id, cadre, grid_id, task, assigned, recorded, done in tasks:
        if _t(assigned) <= at and (done is None or _t(done) > at):
            rows.append(_row(grid_id, f"{FLOOD}: {task}", f"{hazard}/{task_id}", cadre, assigned, recorded))
    for r in rows:
        r["role"] = (roles or {}).get(r["cadre"], "cadre")
    return sorted(
        (r for r in rows if not grid or r["grid"] == grid),
        key=lambda r: (r["grid"], r["post"], r["cadre"]),
    )


def _row(grid: str, duty: str, post: str, cadre: str, since: str, recorded: str) -> dict[str, Any]:
    return {"grid": grid, "duty": duty, "post": post, "cadre": cadre, "since": since, "reported_at": recorded}
