"""Decision review: for every switch, level change, confirmation, void and stand-down (and the
proposals a second operator must confirm), the roster of its scope as known when it was recorded.

"As known when it was recorded" is the roster folded from every event before the decision in the
log: each of those was recorded before it. The review is taken from that roster's document
(``roster_view``) for the decision's scope: its grids and the scopes above and under it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.base import event_name

# What each decision event is, in the reviewer's words (a confirmed switch or level change says
# "confirmation" instead).
DECISIONS = {
    event_name(ScopeMode.SwitchedToWartime): "switch to wartime",
    event_name(ScopeMode.LevelChanged): "level change",
    event_name(ScopeMode.SwitchProposed): "level I proposed",
    event_name(ScopeMode.VoidProposed): "void proposed",
    event_name(ScopeMode.EpisodeVoided): "void",
    event_name(ScopeMode.SwitchedToPeacetime): "stand-down",
}


def decision(event: Any) -> str:
    """What a decision event is: a switch confirmed by a second operator is a confirmation."""
    name = DECISIONS[type(event).__qualname__]
    return f"confirmation ({name})" if getattr(event, "confirmed_by", None) and name != "void" else name


def _hours(since: str, at: datetime) -> float:
    return round((at - datetime.fromisoformat(since)).total_seconds() / 3600, 1)


def review(doc: dict[str, Any], position: int, event: Any, recorded_at: str) -> dict[str, Any]:
    """The review of the decision ``event`` at ``position`` from the roster document ``doc`` of its
    scope, folded from the events before it (ages as of the decision's field time)."""
    at = datetime.fromisoformat(event.occurred_at)
    grids = doc["grids"]
    on_duty = [{"grid": g["grid"], **d} for g in grids for d in g["on_duty"]]
    unstaffed = [{"grid": g["grid"], **c} for g in grids for c in g["unstaffed_checkpoints"]]
    hazards = [
        {
            "grid": g["grid"],
            "hazard": h["hazard"],
            "kind": h["kind"],
            "severity": h["severity"],
            "reported_at": h["reported_at"],
            "age_h": _hours(h["reported_at"], at),
            "open_tasks": len(h["open_tasks"]),
            "problem": h["problem"],
        }
        for g in grids
        for h in g["open_hazards"]
    ]
    problems = [p for g in grids for p in g["open_problems"]]
    return {
        "position": position,
        "decision": decision(event),
        "event": type(event).__qualname__,
        "scope": event.scope,
        "actor": event.actor,
        "occurred_at": event.occurred_at,
        "recorded_at": recorded_at,
        "known_up_to": position - 1,  # the events the roster below is folded from
        "grids": len(grids),
        "grids_in_wartime": sum(1 for g in grids if g["mode"] == "wartime"),
        "cadres_dispatched": sum(len(g["cadres"]) for g in grids),
        "checkpoints_staffed": len({d["checkpoint"] for d in on_duty}),
        "checkpoints_unstaffed": len(unstaffed),
        "on_duty": on_duty,
        "unstaffed_checkpoints": unstaffed,
        "open_hazards": hazards,
        "open_problems": len(problems),
        "overdue_problems": sum(1 for p in problems if p["overdue"]),
        "wartime_scopes": doc["wartime_scopes"],
        "pending_proposals": doc["pending_proposals"],
    }


def review_line(r: dict[str, Any]) -> str:
    """A review in one line, for the audit trail's readers."""
    unstaffed = ", ".join(c["checkpoint"] for c in r["unstaffed_checkpoints"][:5])
    more = len(r["unstaffed_checkpoints"]) - 5
    unstaffed += f" and {more} more" if more > 0 else ""
    oldest = max((h["age_h"] for h in r["open_hazards"]), default=None)
    return (
        f"#{r['position']} {r['decision']} of {r['scope']}, known then: {r['grids']} grids "
        f"({r['grids_in_wartime']} in wartime), {r['cadres_dispatched']} cadres, "
        f"{len(r['on_duty'])} on duty at {r['checkpoints_staffed']} checkpoints, "
        f"{r['checkpoints_unstaffed']} unstaffed" + (f" ({unstaffed})" if unstaffed else "") + ", "
        f"{len(r['open_hazards'])} open hazards"
        + (f" (oldest {oldest} h)" if oldest is not None else "")
        + f", {r['open_problems']} open problems ({r['overdue_problems']} overdue), "
        f"{len(r['pending_proposals'])} pending proposals"
    )
