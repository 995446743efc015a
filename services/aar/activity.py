"""An ICS-214-style activity log per cadre (and checkpoint-team member): who they are (name,
unit, role, grid) and, in field-time order, the notable things they did or were given in the
episode. Routine peacetime records (check-ins, household visits, ratings ...) are counted, not
listed; a checkpoint's staffing and relief are listed once (not again as the cadre's own copy)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pingzhan.domain.cadre import Cadre
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.opinion import Opinion
from pingzhan.projections.base import event_name
from pingzhan.services.aar.figures import at

ROUTINE = {
    event_name(c)
    for c in (
        Cadre.CheckedIn,
        Cadre.CheckedOut,
        Cadre.HouseholdVisited,
        Cadre.RatedByResident,
        Cadre.VolunteerServed,
        Cadre.HouseholdsRegistered,
        Cadre.OpinionCollected,
        HouseholdInfo.InformationCollected,
        HouseholdInfo.InformationVerified,
        Opinion.Collected,
    )
}

# The cadre's own copy of a checkpoint's staffing and relief: left out (the checkpoint's are listed).
COPIES = {event_name(Cadre.WentOnDuty), event_name(Cadre.CameOffDuty)}

Person = tuple[str | None, str | None, str | None, str | None]  # name, unit, role, grid


def activity_logs(
    entries: Sequence[dict[str, Any]], people: Mapping[str, Person], late: set[int]
) -> list[dict[str, Any]]:
    """One log per person who acted or was named (``cadre_id``) in the episode's accepted
    entries, by person id; ``late``: the positions of late reports, marked as such."""
    logs: dict[str, dict[str, Any]] = {}
    by_name = {p.lower(): p for p in people}  # actors are account names: lowercase cadre ids
    for e in entries:
        if e["outcome"] != "accepted" or e["event"] in COPIES:
            continue
        named = (e["fields"].get("cadre_id"), e["actor"])
        who = {by_name[p.lower()] for p in named if p and p.lower() in by_name}
        for person in who:
            log = logs.get(person)
            if log is None:
                name, unit, role, grid = people[person]
                log = logs[person] = {
                    "person": person,
                    "name": name,
                    "unit": unit,
                    "role": role or "cadre",
                    "grid": grid,
                    "activities": [],
                    "routine": 0,
                }
            if e["event"] in ROUTINE:
                log["routine"] += 1
                continue
            log["activities"].append(
                {
                    "position": e["position"],
                    "occurred_at": e["occurred_at"],
                    "recorded_at": e["recorded_at"],
                    "activity": e["summary"],
                    "late": e["position"] in late,
                }
            )
    for log in logs.values():
        log["activities"].sort(key=lambda a: (at(a["occurred_at"]), a["position"]))
    return [logs[p] for p in sorted(logs)]
