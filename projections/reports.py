"""The assessment and the reporting chain, computed from the assessment facts (pure functions).

- Per cadre and period (month ``2022-03``, quarter ``2022-Q1`` or year ``2022``):
  * attendance = service days checked in / expected service days (the Wednesdays of the period on
    which the cadre's grid was not in real wartime);
  * household-visit rate = distinct households visited / target, capped at 1, where target = the
    cadre's share of the grid's households (grid households / cadres dispatched to the grid) times
    the share of the year the period covers (every household visited once a year);
  * information accuracy = verifications found correct / verifications of information the cadre
    collected;
  * resident satisfaction = mean rating (1-5), normalised as (mean - 1) / 4;
  * score = 0.4 x visit rate + 0.3 x accuracy + 0.3 x satisfaction, the weights of components
    without data (no verification, no rating) shared out over the others;
  * "present on paper only" (挂名式、点卯式) = checked in at least once but visited nobody, or found
    absent or idle by at least two unannounced inspections in the period;
  * grade: 不合格 (fail) if present on paper only, else 优秀 (excellent) >= 0.85, 良好 (good) >= 0.70,
    合格 (pass) >= 0.55, 不合格 (fail) below.
- Monthly attendance per community (community -> street), quarterly notice per dispatching unit
  (street -> unit), yearly summary per unit. (Drives: ``drives.py``.)
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pingzhan.domain.org import Org

WEIGHTS = {"visit_rate": 0.4, "accuracy": 0.3, "satisfaction": 0.3}
BANDS = ((0.85, "优秀 excellent"), (0.70, "良好 good"), (0.55, "合格 pass"))
FAIL = "不合格 fail"


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @property
    def share_of_year(self) -> float:
        days_in_year = 366 if calendar.isleap(self.start.year) else 365
        return ((self.end - self.start).days + 1) / days_in_year

    def wednesdays(self) -> list[date]:
        first = self.start + timedelta(days=(2 - self.start.weekday()) % 7)
        return [
            first + timedelta(weeks=k) for k in range(((self.end - first).days // 7) + 1) if first <= self.end
        ]


def period(label: str) -> Period:
    """``2022``, ``2022-Q3`` or ``2022-07``; ValueError with the reason otherwise."""
    try:
        if len(label) == 4:
            y = int(label)
            return Period(label, date(y, 1, 1), date(y, 12, 31))
        year, _, part = label.partition("-")
        y = int(year)
        if part.upper().startswith("Q") and part[1:] in ("1", "2", "3", "4"):
            q = int(part[1:])
            start = date(y, 3 * q - 2, 1)
            end_month = 3 * q
            return Period(label, start, date(y, end_month, calendar.monthrange(y, end_month)[1]))
        m = int(part)
        return Period(label, date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))
    except ValueError:
        raise ValueError(f"period {label!r} is not YYYY, YYYY-Qn or YYYY-MM") from None


@dataclass
class Facts:
    """The assessment facts of one period, as loaded from the read model's tables."""

    cadres: dict[str, tuple[str, str, str | None]]  # cadre -> name, unit, grid
    service: list[tuple[str, str, str]] = field(default_factory=list)  # cadre, day, grid
    visits: list[tuple[str, str, str, str]] = field(default_factory=list)  # cadre, day, household, info
    verifications: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # collected_by, day, hh, result
    ratings: list[tuple[str, str, str]] = field(default_factory=list)  # cadre, day, score
    inspections: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # cadre, day, grid, group, finding
    work: list[tuple[str, str, str, str]] = field(default_factory=list)  # cadre, day, what, amount
    episodes: list[tuple[str, str, str | None]] = field(
        default_factory=list
    )  # real episodes: scope, start, end


def wartime_days(
    org: Org, grid: str | None, episodes: list[tuple[str, str, str | None]], days: list[date]
) -> set[date]:
    if grid is None:
        return set()
    chain = set(org.ancestors(f"grid:{grid}"))
    out = set()
    for scope, start, end in episodes:
        if scope in chain:
            s, e = date.fromisoformat(start[:10]), date.fromisoformat(end[:10]) if end else date.max
            out |= {d for d in days if s <= d <= e}
    return out


def cadre_assessment(facts: Facts, org: Org, p: Period) -> list[dict[str, Any]]:
    """One row per cadre: the figures, the score and the grade of the period."""
    per_grid = Counter(grid for _, _, grid in facts.cadres.values() if grid)
    wednesdays = p.wednesdays()
    service: dict[str, set[str]] = defaultdict(set)
    for cadre, day, _ in facts.service:
        service[cadre].add(day)
    visits: Counter[str] = Counter()
    households: dict[str, set[str]] = defaultdict(set)
    for cadre, _, household, _ in facts.visits:
        visits[cadre] += 1
        households[cadre].add(household)
    verified: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for cadre, _, _, result in facts.verifications:
        verified[cadre] += 1
        correct[cadre] += result == "correct"
    scores: dict[str, list[int]] = defaultdict(list)
    for cadre, _, rating in facts.ratings:
        scores[cadre].append(int(rating))
    findings: dict[str, Counter[str]] = defaultdict(Counter)
    for cadre, _, _, _, finding in facts.inspections:
        findings[cadre][finding] += 1
    work: dict[str, Counter[str]] = defaultdict(Counter)
    for cadre, _, what, amount in facts.work:
        work[cadre][what] += float(amount)  # type: ignore[assignment]

    rows = []
    for cadre, (name, unit, grid) in sorted(facts.cadres.items()):
        expected_days = [
            d for d in wednesdays if d not in wartime_days(org, grid, facts.episodes, wednesdays)
        ]
        attended = len({d.isoformat() for d in expected_days} & service[cadre])
        grid_households = org.units[f"grid:{grid}"].households if grid else 0
        target = grid_households / per_grid[grid] * p.share_of_year if grid else 0.0
        visit_rate = min(1.0, len(households[cadre]) / target) if target else 0.0
        accuracy = correct[cadre] / verified[cadre] if verified[cadre] else None
        mean = sum(scores[cadre]) / len(scores[cadre]) if scores[cadre] else None
        satisfaction = (mean - 1) / 4 if mean is not None else None
        score = _score({"visit_rate": visit_rate, "accuracy": accuracy, "satisfaction": satisfaction})
        paper_only = (len(service[cadre]) > 0 and visits[cadre] == 0) or (
            findings[cadre]["absent"] + findings[cadre]["idle"] >= 2
        )
        rows.append(
            {
                "cadre_id": cadre,
                "name": name,
                "unit": unit,
                "grid": grid,
                "period": p.label,
                "expected_service_days": len(expected_days),
                "service_days": attended,
                "attendance": round(attended / len(expected_days), 4) if expected_days else None,
                "visits": visits[cadre],
                "households_visited": len(households[cadre]),
                "visit_target": round(target, 2),
                "visit_rate": round(visit_rate, 4),
                "verified": verified[cadre],
                "verified_correct": correct[cadre],
                "accuracy": round(accuracy, 4) if accuracy is not None else None,
                "ratings": len(scores[cadre]),
                "satisfaction_mean": round(mean, 4) if mean is not None else None,
                "inspections": sum(findings[cadre].values()),
                "absent": findings[cadre]["absent"],
                "idle": findings[cadre]["idle"],
                "opinions": int(work[cadre]["opinion"]),
                "volunteer_hours": work[cadre]["volunteer_hours"],
                "paper_only": paper_only,
                "score": round(score, 4),
                "grade": FAIL if paper_only else grade_of(score),
            }
        )
    return rows


def _score(components: dict[str, float | None]) -> float:
    present = {k: v for k, v in components.items() if v is not None}
    total = sum(WEIGHTS[k] for k in present)
    return sum(WEIGHTS[k] * v for k, v in present.items()) / total if total else 0.0


def grade_of(score: float) -> str:
    return next((name for floor, name in BANDS if score >= floor), FAIL)


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
                "grades": dict(sorted(Counter(r["grade"] for r in members).items())),
                "paper_only": sorted(r["cadre_id"] for r in members if r["paper_only"]),
            }
        )
    return out
