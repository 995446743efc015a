"""The assessment of each cadre (考核): figures, score and grade for a period (pure functions).

The README's "Assessment" states this formula; this module is the one place it is computed.

- Wartime days: the district's dates on which a real episode (neither a drill nor void) covered
  the cadre's grid (its scope or one above it) for any part of the day.
- Expected service days: the Wednesdays of the period that are not wartime days;
  attendance = service days checked in / expected service days.
- Peacetime share = expected service days / Wednesdays of the period (平战结合: the rest of the
  period the cadre's grid was in wartime, and its cadres on emergency duty).
- Household-visit rate = distinct households visited / target, capped at 1; target = the cadre's
  share of the grid's households (households / cadres dispatched to the grid) x expected service
  days / Wednesdays of the year (every household once a year, over the service days that were not
  wartime). No visit rate when the target is 0.
- Information accuracy = verifications found correct / verifications of information the cadre
  collected; resident satisfaction = (mean rating - 1) / 4.
- Peacetime score = 0.4 x visit rate + 0.3 x accuracy + 0.3 x satisfaction (a component without
  data gives its weight to the others).
- Duty rate (wartime duty) = (checkpoint shifts begun + hazard tasks done) / (shifts begun + hazard
  tasks assigned), of the cadre's shifts and tasks in the period; none without any.
- Score = peacetime share x peacetime score + (1 - peacetime share) x duty rate; the peacetime
  score alone for a cadre without duty in the period (or in a period without wartime), the duty
  rate alone without a peacetime score; none without either. Shown and graded rounded to 4
  decimals.
- "Present on paper only" (挂名式、点卯式) = checked in at least once but visited nobody, or
  found absent or idle by at least two unannounced inspections in the period.
- Grade: 不合格 (fail) if present on paper only, else by the shown score: 优秀 >= 0.85,
  良好 >= 0.70, 合格 >= 0.55, 不合格 below; 未评定 (not graded) without a score.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections.facts import Facts, Period, period

WEIGHTS = {"visit_rate": 0.4, "accuracy": 0.3, "satisfaction": 0.3}  # of the peacetime score
SCORE_DIGITS = 4
BANDS = ((0.85, "优秀 excellent"), (0.70, "良好 good"), (0.55, "合格 pass"))
FAIL = "不合格 fail"
NOT_GRADED = "未评定 not graded"


def wartime_days(
    org: Org, grid: str | None, episodes: list[tuple[str, str, str | None]], days: list[date]
) -> set[date]:
    """The ``days`` on which a real episode covered ``grid`` for any part of the day."""
    if grid is None:
        return set()
    chain = set(org.ancestors(f"grid:{grid}"))
    out = set()
    for scope, start, end in episodes:
        if scope in chain:
            s, e = date.fromisoformat(start[:10]), date.fromisoformat(end[:10]) if end else date.max
            out |= {d for d in days if s <= d <= e}
    return out


def score_of(
    components: dict[str, float | None], duty_rate: float | None, peacetime_share: float
) -> float | None:
    """The score as shown (rounded to SCORE_DIGITS): peacetime work for the peacetime share of the
    period, wartime duty for the rest (None: no data for either)."""
    present = {k: v for k, v in components.items() if v is not None}
    total = sum(WEIGHTS[k] for k in present)
    peace = sum(WEIGHTS[k] * v for k, v in present.items()) / total if total else None
    if duty_rate is None or peacetime_share >= 1:
        score = peace
    elif peace is None:
        score = duty_rate
    else:
        score = peacetime_share * peace + (1 - peacetime_share) * duty_rate
    return round(score, SCORE_DIGITS) if score is not None else None


def grade_of(score: float | None, paper_only: bool = False) -> str:
    """The grade of a score as it is shown: it is rounded to SCORE_DIGITS first, so 0.69995 (shown
    0.7) grades as 0.7 does."""
    if paper_only:
        return FAIL
    if score is None:
        return NOT_GRADED
    shown = round(score, SCORE_DIGITS)
    return next((name for floor, name in BANDS if shown >= floor), FAIL)


def _tally(facts: Facts) -> dict[str, Any]:
    """The facts counted per cadre."""
    t: dict[str, Any] = {
        "service": defaultdict(set),
        "visits": Counter(),
        "households": defaultdict(set),
        "verified": Counter(),
        "correct": Counter(),
        "ratings": defaultdict(list),
        "findings": defaultdict(Counter),
        "work": defaultdict(Counter),
        "shifts": Counter(),
        "tasks": Counter(),
        "tasks_done": Counter(),
    }
    for cadre, day, _ in facts.service:
        t["service"][cadre].add(day)
    for cadre, _, household, _ in facts.visits:
        t["visits"][cadre] += 1
        t["households"][cadre].add(household)
    for cadre, _, _, result in facts.verifications:
        t["verified"][cadre] += 1
        t["correct"][cadre] += result == "correct"
    for cadre, _, rating in facts.ratings:
        t["ratings"][cadre].append(int(rating))
    for cadre, _, _, _, finding in facts.inspections:
        t["findings"][cadre][finding] += 1
    for cadre, _, what, amount in facts.work:
        t["work"][cadre][what] += float(amount)
    for cadre, _, _ in facts.shifts:
        t["shifts"][cadre] += 1
    for cadre, _, _, done in facts.tasks:
        t["tasks"][cadre] += 1
        t["tasks_done"][cadre] += done is not None
    return t


def cadre_assessment(facts: Facts, org: Org, p: Period) -> list[dict[str, Any]]:
    """One row per cadre: the figures, the score and the grade of the period."""
    per_grid = Counter(grid for _, _, grid in facts.cadres.values() if grid)
    wednesdays = p.wednesdays()
    year_wednesdays = len(period(str(p.start.year)).wednesdays())
    t = _tally(facts)
    rows = []
    for cadre, (name, unit, grid) in sorted(facts.cadres.items()):
        wartime = wartime_days(org, grid, facts.episodes, wednesdays)
        expected_days = [d for d in wednesdays if d not in wartime]
        peacetime_share = len(expected_days) / len(wednesdays) if wednesdays else 1.0
        attended = len({d.isoformat() for d in expected_days} & t["service"][cadre])
        grid_households = org.units[f"grid:{grid}"].households if grid else 0
        target = grid_households / per_grid[grid] * len(expected_days) / year_wednesdays if grid else 0.0
        households = len(t["households"][cadre])
        visit_rate = min(1.0, households / target) if target else (None if grid else 0.0)
        duty = t["shifts"][cadre] + t["tasks"][cadre]
        duty_rate = (t["shifts"][cadre] + t["tasks_done"][cadre]) / duty if duty else None
        verified, correct, ratings = t["verified"][cadre], t["correct"][cadre], t["ratings"][cadre]
        accuracy = correct / verified if verified else None
        mean = sum(ratings) / len(ratings) if ratings else None
        satisfaction = (mean - 1) / 4 if mean is not None else None
        components = {"visit_rate": visit_rate, "accuracy": accuracy, "satisfaction": satisfaction}
        score = score_of(components, duty_rate, peacetime_share)
        findings = t["findings"][cadre]
        paper_only = (len(t["service"][cadre]) > 0 and t["visits"][cadre] == 0) or (
            findings["absent"] + findings["idle"] >= 2
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
                "peacetime_share": round(peacetime_share, 4),
                "visits": t["visits"][cadre],
                "households_visited": households,
                "visit_target": round(target, 2),
                "visit_rate": _shown(visit_rate),
                "shifts": t["shifts"][cadre],
                "tasks": t["tasks"][cadre],
                "tasks_done": t["tasks_done"][cadre],
                "duty_rate": _shown(duty_rate),
                "verified": verified,
                "verified_correct": correct,
                "accuracy": _shown(accuracy),
                "ratings": len(ratings),
                "satisfaction_mean": _shown(mean),
                "inspections": sum(findings.values()),
                "absent": findings["absent"],
                "idle": findings["idle"],
                "opinions": int(t["work"][cadre]["opinion"]),
                "volunteer_hours": t["work"][cadre]["volunteer_hours"],
                "paper_only": paper_only,
                "score": score,
                "grade": grade_of(score, paper_only),
            }
        )
    return rows


def _shown(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
