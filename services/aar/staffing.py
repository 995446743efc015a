"""Checkpoint staffing over an episode: from the switch to each checkpoint's first staffing, the
share of the episode it was staffed (someone on duty), and its unstaffed stretches.

A checkpoint's window is the episode (from the switch to the stand-down, or to the report's
moment while open), narrowed to when it was open if it was established or closed within it. A
cadre relieved in the episode with no staffing of theirs before it went on duty before the
episode: on duty from the window's start.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.projections.base import event_name
from pingzhan.services.aar.figures import at, covered, gaps, minutes, spread
from pingzhan.services.aar.thresholds import UNSTAFFED_MAX_MIN

ESTABLISHED, STAFFED = event_name(Checkpoint.Established), event_name(Checkpoint.Staffed)
RELIEVED, CLOSED = event_name(Checkpoint.Relieved), event_name(Checkpoint.Closed)
CHECKPOINT_EVENTS = {ESTABLISHED, STAFFED, RELIEVED, CLOSED}


def staffing(entries: Sequence[dict[str, Any]], start: datetime, end: datetime) -> dict[str, Any]:
    """Per checkpoint met in the episode's entries (accepted ones, in field-time order), and the
    spread of the times from the switch to a first staffing."""
    by_checkpoint: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        if e["event"] in CHECKPOINT_EVENTS and e["outcome"] == "accepted":
            by_checkpoint.setdefault(e["fields"]["checkpoint_id"], []).append(e)
    rows = [
        _checkpoint(cp, sorted(es, key=lambda e: (at(e["occurred_at"]), e["position"])), start, end)
        for cp, es in sorted(by_checkpoint.items())
    ]
    firsts = [r["minutes_to_first_staffing"] for r in rows if r["minutes_to_first_staffing"] is not None]
    return {
        "checkpoints": rows,
        "minutes_to_first_staffing": spread(firsts),
        "never_staffed": sum(r["first_staffed_at"] is None for r in rows),
        "coverage": spread(r["coverage"] for r in rows if r["coverage"] is not None),
    }


def _checkpoint(cp: str, events: list[dict[str, Any]], start: datetime, end: datetime) -> dict[str, Any]:
    first = events[0]["fields"]
    name = next((e["fields"]["name"] for e in events if e["event"] == ESTABLISHED), None)
    opened = next((at(e["occurred_at"]) for e in events if e["event"] == ESTABLISHED), None)
    closed = next((at(e["occurred_at"]) for e in events if e["event"] == CLOSED), None)
    lo, hi = max(start, opened or start), min(end, closed or end)
    on: dict[str, datetime] = {}  # cadre -> on duty since
    seen: set[str] = set()
    shifts: list[tuple[datetime, datetime]] = []
    first_staffed: datetime | None = None
    for e in events:
        cadre, when = e["fields"].get("cadre_id"), at(e["occurred_at"])
        if e["event"] == STAFFED and cadre:
            on[cadre] = when
            seen.add(cadre)
            first_staffed = first_staffed or when
        elif e["event"] == RELIEVED and cadre:
            since = on.pop(cadre, None)
            if since is None and cadre not in seen:  # on duty from before: staffed at the switch
                since = first_staffed = lo
            seen.add(cadre)
            if since is not None:
                shifts.append((since, when))
    shifts += [(since, hi) for since in on.values()]
    window_h = max(0.0, (hi - lo).total_seconds() / 3600)
    staffed_h = covered(shifts, lo, hi)
    holes = gaps(shifts, lo, hi)
    longest = max((minutes(a, b) for a, b in holes), default=0.0)
    return {
        "checkpoint": cp,
        "grid": first.get("grid_id"),
        "name": name,
        "established_at": opened.isoformat() if opened else None,
        "closed_at": closed.isoformat() if closed else None,
        "first_staffed_at": first_staffed.isoformat() if first_staffed else None,
        "minutes_to_first_staffing": round(minutes(start, first_staffed), 2) if first_staffed else None,
        "window_h": round(window_h, 2),
        "staffed_h": round(staffed_h, 2),
        "coverage": round(staffed_h / window_h, 4) if window_h > 0 else None,
        "shifts": sum(1 for e in events if e["event"] == STAFFED),
        "longest_unstaffed_min": round(longest, 2),
        "unstaffed_over_threshold": [
            {"from": a.isoformat(), "to": b.isoformat(), "minutes": round(minutes(a, b), 2)}
            for a, b in holes
            if minutes(a, b) > UNSTAFFED_MAX_MIN
        ],
    }
