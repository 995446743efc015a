"""Hazards reported in an episode, their tasks and resolutions with response times, and the
problems of the episode escalated to offices (the whistle-and-report loop) with how long each
office took."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pingzhan.domain.hazard import Hazard
from pingzhan.domain.problem import REPORTED as PROBLEM_REPORTED
from pingzhan.domain.problem import RESOLVED, Problem
from pingzhan.projections.base import event_name
from pingzhan.projections.deadlines import Deadlines
from pingzhan.projections.loop_report import loops
from pingzhan.projections.problems import Step
from pingzhan.services.aar.figures import at, hours, minutes, spread

REPORTED, ASSIGNED = event_name(Hazard.Reported), event_name(Hazard.TaskAssigned)
DONE, HAZARD_RESOLVED = event_name(Hazard.TaskDone), event_name(Hazard.Resolved)
RAISED = event_name(Hazard.RaisedAsProblem)
PROBLEM_EVENTS = {
    event_name(c)
    for c in (
        Problem.Reported,
        Problem.Escalated,
        Problem.Acknowledged,
        Problem.Forwarded,
        Problem.ReportedBack,
        Problem.Reopened,
        Problem.Resolved,
    )
}


def hazards(entries: Sequence[dict[str, Any]], end: datetime) -> dict[str, Any]:
    """The hazards reported within the episode (accepted entries): tasks, resolution, and the
    times from the report to the first task, of each task, and to the resolution (a hazard
    still open at the episode's end counts as open until then)."""
    found: dict[str, dict[str, Any]] = {}
    tasks: dict[tuple[str, str], dict[str, Any]] = {}
    for e in entries:
        if e["outcome"] != "accepted":
            continue
        f, what = e["fields"], e["event"]
        if what == REPORTED:
            found[f["hazard_id"]] = {
                "hazard": f["hazard_id"],
                "grid": f["grid_id"],
                "kind": f["hazard_kind"],
                "severity": f["severity"],
                "reported_at": e["occurred_at"],
                "reported_by": e["actor"],
                "first_task_at": None,
                "tasks": 0,
                "tasks_done": 0,
                "problem": None,
                "resolved_at": None,
            }
        h = found.get(f.get("hazard_id", ""))
        if h is None:
            continue  # a hazard reported before the episode
        if what == ASSIGNED:
            h["tasks"] += 1
            if h["first_task_at"] is None or at(e["occurred_at"]) < at(h["first_task_at"]):
                h["first_task_at"] = e["occurred_at"]
            tasks[(h["hazard"], f["task_id"])] = {"assigned_at": e["occurred_at"], "done_at": None}
        elif what == DONE and (h["hazard"], f["task_id"]) in tasks:
            h["tasks_done"] += 1
            tasks[(h["hazard"], f["task_id"])]["done_at"] = e["occurred_at"]
        elif what == RAISED:
            h["problem"] = f["problem_id"]
        elif what == HAZARD_RESOLVED:
            h["resolved_at"] = e["occurred_at"]
    rows = sorted(found.values(), key=lambda h: (at(h["reported_at"]), h["hazard"]))
    for h in rows:
        h["open_h"] = round(hours(h["reported_at"], h["resolved_at"] or end), 2)
        h["first_task_min"] = (
            round(minutes(h["reported_at"], h["first_task_at"]), 2) if h["first_task_at"] else None
        )
    return {
        "reported": len(rows),
        "resolved": sum(h["resolved_at"] is not None for h in rows),
        "open_at_end": sum(h["resolved_at"] is None for h in rows),
        "tasks": len(tasks),
        "tasks_done": sum(t["done_at"] is not None for t in tasks.values()),
        "minutes_to_first_task": spread(h["first_task_min"] for h in rows if h["first_task_min"] is not None),
        "task_hours": spread(hours(t["assigned_at"], t["done_at"]) for t in tasks.values() if t["done_at"]),
        "hours_to_resolve": spread(
            hours(h["reported_at"], h["resolved_at"]) for h in rows if h["resolved_at"]
        ),
        "open_over_time": open_over_time(rows),
        "list": rows,
    }


def open_over_time(rows: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """The count of open hazards after each report and resolution, in field-time order."""
    changes = [(at(h["reported_at"]), 1) for h in rows]
    changes += [(at(h["resolved_at"]), -1) for h in rows if h["resolved_at"]]
    series, n = [], 0
    for when, step in sorted(changes, key=lambda c: (c[0], -c[1])):
        n += step
        series.append((when.isoformat(), n))
    return series


def problems(
    entries: Sequence[dict[str, Any]], steps: Sequence[Step], deadlines: Deadlines
) -> dict[str, Any]:
    """The problems met in the episode, each followed through its whole loop (also past the
    episode's end): the offices it reached and how long each took to acknowledge and report
    back, late by the office's deadline or not, and the hours from its report to its resolution."""
    ids = {
        e["fields"]["problem_id"]
        for e in entries
        if e["event"] in PROBLEM_EVENTS and e["outcome"] == "accepted"
    }
    mine = [s for s in steps if s[0] in ids]
    reported = {s[0]: s[4] for s in mine if s[2] == PROBLEM_REPORTED}
    resolved = {s[0]: s[4] for s in mine if s[2] == RESOLVED}
    rows: list[dict[str, Any]] = []
    offices: dict[str, list[dict[str, Any]]] = {}
    for problem, loop in sorted(loops(mine).items()):
        stages = []
        for s in loop.stages:
            stage = {
                "office": s.office,
                "via": s.via,
                "received_at": s.received_at,
                "acknowledge_h": round(hours(s.received_at, s.acknowledged_at), 2)
                if s.acknowledged_at
                else None,
                "report_back_h": (
                    round(hours(s.acknowledged_at, s.reported_back_at), 2)
                    if s.acknowledged_at and s.reported_back_at
                    else None
                ),
                "late": s.late(deadlines),
                "open": s.open,
            }
            stages.append(stage)
            offices.setdefault(s.office, []).append(stage)
        start, done = reported.get(problem), resolved.get(problem)
        rows.append(
            {
                "problem": problem,
                "grid": loop.grid,
                "offices": [s["office"] for s in stages],
                "stages": stages,
                "resolved_at": done,
                "hours_to_resolve": round(hours(start, done), 2) if start and done else None,
            }
        )
    return {
        "problems": len(rows),
        "escalated": sum(bool(r["stages"]) for r in rows),
        "list": rows,
        "by_office": [
            {
                "office": office,
                "received": len(stages),
                "acknowledge_h": spread(s["acknowledge_h"] for s in stages if s["acknowledge_h"] is not None),
                "report_back_h": spread(s["report_back_h"] for s in stages if s["report_back_h"] is not None),
                "late": sum(s["late"] for s in stages),
                "open": sum(s["open"] for s in stages),
            }
            for office, stages in sorted(offices.items())
        ],
    }
