"""The reporting chain, computed from the cadre rows of the assessment (pure functions).

Monthly attendance per community (community -> street), quarterly notice per dispatching unit
(street -> unit), yearly summary per unit. The rows per cadre, with the assessment formula, are
``grading.cadre_assessment``; registration drives by target are ``drives.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections.facts import Facts


def attendance_by_community(rows: list[dict[str, Any]], org: Org) -> list[dict[str, Any]]:
    """The monthly attendance report of each community to its street, from cadre rows."""
    by_community: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["grid"]:
            community = org.units[f"grid:{row['grid']}"].parent or ""
            by_community[community].append(row)
    out = []
    for community, members in sorted(by_community.items()):
        expected = sum(r["expected_service_days"] for r in members)
        attended = sum(r["service_days"] for r in members)
        unit = org.units[community]
        out.append(
            {
                "community": unit.id,
                "name": unit.name,
                "street": (unit.parent or "").partition(":")[2],
                "cadres": len(members),
                "expected_service_days": expected,
                "service_days": attended,
                "attendance": round(attended / expected, 4) if expected else None,
                "inspections": sum(r["inspections"] for r in members),
                "absent": sum(r["absent"] for r in members),
                "idle": sum(r["idle"] for r in members),
                "paper_only": sorted(r["cadre_id"] for r in members if r["paper_only"]),
            }
        )
    return out


def by_unit(rows: list[dict[str, Any]], facts: Facts, org: Org) -> list[dict[str, Any]]:
    """The quarterly notice (street -> unit) or yearly summary of each dispatching unit."""
    ratings_by_cadre: dict[str, list[int]] = defaultdict(list)
    for cadre, _, score in facts.ratings:
        ratings_by_cadre[cadre].append(int(score))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["unit"]].append(row)
    out = []
    for unit, members in sorted(groups.items()):
        expected = sum(r["expected_service_days"] for r in members)
        verified = sum(r["verified"] for r in members)
        scores = [s for r in members for s in ratings_by_cadre[r["cadre_id"]]]
        out.append(
            {
                "unit": unit,
                "name": org.dispatching_units.get(unit, unit),
                "cadres": len(members),
                "attendance": round(sum(r["service_days"] for r in members) / expected, 4)
                if expected
                else None,
                "visits": sum(r["visits"] for r in members),
                "households_visited": sum(r["households_visited"] for r in members),
                "accuracy": round(sum(r["verified_correct"] for r in members) / verified, 4)
                if verified
                else None,
                "satisfaction_mean": round(sum(scores) / len(scores), 4) if scores else None,
                "shifts": sum(r["shifts"] for r in members),
                "tasks_done": sum(r["tasks_done"] for r in members),
                "grades": dict(sorted(Counter(r["grade"] for r in members).items())),
                "paper_only": sorted(r["cadre_id"] for r in members if r["paper_only"]),
            }
        )
    return out
