"""Peacetime Wednesdays in the simulated year (每周三固定服务日) and the inspections on them.

Each cadre whose grid is not in wartime checks in, visits one to four households (mostly
collecting their basic information, some verified a few weeks later), may collect an opinion,
serve as a volunteer or be rated by a household, may report a problem, and checks out. About 5% of
cadre-Wednesdays are absences; the "present on paper only" cadres (点卯式) check in and out but never
visit. Six inspection groups (6个督查组) check a few cadres each, unannounced.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pingzhan.services.traffic.district import local_time
from pingzhan.services.traffic.year_plan import YEAR, YEAR_END
from pingzhan.services.traffic.year_problems import random_problem
from pingzhan.services.traffic.year_record import DELAYABLE, NORMAL, VERIFY, YearRecord

FIRST_WEDNESDAY = date(YEAR, 1, 5)
INSPECTION_GROUPS = 6
ABSENCE_RATE = 0.05
INFO_COLLECTED_RATE = 0.85
VERIFY_RATE = 0.3
CORRECT_RATE = 0.85  # of the verifications
OPINION_RATE = 0.15
VOLUNTEER_RATE = 0.10
RATING_RATE = 0.20
PROBLEM_RATE = 0.01

OPINIONS = {
    "livelihood": [
        "希望增设便民早餐点 (a breakfast stall nearby)",
        "老旧小区加装电梯 (lifts for old blocks)",
    ],
    "environment": ["垃圾清运不及时 (rubbish collected too late)", "楼道堆放杂物 (clutter in stairwells)"],
    "safety": ["路灯损坏 (broken street lights)", "电动车楼道充电 (e-bikes charged indoors)"],
    "services": ["社保办理咨询 (social-insurance questions)", "疫苗接种预约 (vaccination booking)"],
    "other": ["停车难 (hard to park)", "广场舞噪音 (square-dance noise)"],
}
ACTIVITIES = [
    "疫苗接种宣传 (vaccination outreach)",
    "反诈宣传 (anti-fraud outreach)",
    "环境卫生整治 (clean-up)",
    "政策宣讲 (policy talk)",
    "关爱独居老人 (visiting elderly people living alone)",
]

Extra = tuple[str, str, dict[str, Any]]  # kind, actor, fields besides cadre_id


def wednesdays(record: YearRecord) -> None:
    """Every Wednesday of the year: the service day of each cadre in peacetime, and the inspections."""
    rng, plan = record.rng, record.plan
    paper_only = set(plan.paper_only)
    problems = 0
    day = FIRST_WEDNESDAY
    while day.year == YEAR:
        noon = local_time(day, 12)
        morning = noon - timedelta(hours=4)
        peace = {g: not record.wartime(g, noon) for g in plan.grids}
        present: dict[str, tuple[datetime, datetime]] = {}
        eligible: list[str] = []
        for c in plan.cadres:
            cadre, grid = c["id"], c["grid"]
            if not peace[grid]:
                continue
            eligible.append(cadre)
            if rng.random() < ABSENCE_RATE:
                continue
            t = checked_in = morning + timedelta(minutes=rng.randint(0, 90), seconds=rng.randint(0, 59))
            record.emit(t, "service.checked_in", cadre, cadre_id=cadre, grid_id=grid)
            if cadre not in paper_only:
                t = _service_day(record, cadre, grid, t)
                if rng.random() < PROBLEM_RATE:
                    problems += 1
                    t += timedelta(minutes=rng.randint(5, 20))
                    random_problem(record, f"PB-2022-{problems:05d}", grid, cadre, t)
            else:
                t += timedelta(minutes=rng.randint(60, 180))
            t += timedelta(minutes=rng.randint(15, 60))
            record.emit(t, "service.checked_out", cadre, cadre_id=cadre, grid_id=grid)
            present[cadre] = (checked_in, t)
        _inspections(record, day, eligible, present, paper_only)
        day += timedelta(days=7)


def _service_day(record: YearRecord, cadre: str, grid: str, t: datetime) -> datetime:
    """A cadre's visits and other work after checking in at ``t``; returns when the last ended."""
    rng = record.rng
    for _ in range(rng.randint(1, 4)):
        t += timedelta(minutes=rng.randint(15, 50), seconds=rng.randint(0, 59))
        _visit(record, cadre, grid, t)
    for rate, extra in ((OPINION_RATE, _opinion), (VOLUNTEER_RATE, _volunteer), (RATING_RATE, _rating)):
        if rng.random() < rate:
            t += timedelta(minutes=rng.randint(5, 20))
            kind, actor, fields = extra(record, cadre, grid)
            record.emit(t, kind, actor, DELAYABLE, cadre_id=cadre, **fields)
    return t


def _visit(record: YearRecord, cadre: str, grid: str, t: datetime) -> None:
    """A household visit, and maybe the grid worker's verification of what was collected, weeks later."""
    rng = record.rng
    household = record.household(grid)
    collected = rng.random() < INFO_COLLECTED_RATE
    record.emit(
        t,
        "household.visited",
        cadre,
        NORMAL if collected else DELAYABLE,
        cadre_id=cadre,
        household_id=household,
        persons=record.persons_in(household),
        info_collected=collected,
    )
    if collected and rng.random() < VERIFY_RATE:
        later = t + timedelta(days=rng.randint(14, 35))
        at = local_time(later, 9) + timedelta(minutes=rng.randint(0, 480))
        if at <= YEAR_END:
            result = "correct" if rng.random() < CORRECT_RATE else "corrected"
            record.emit(
                at, "information.verified", f"wgy-{grid}", VERIFY, household_id=household, result=result
            )


def _opinion(record: YearRecord, cadre: str, grid: str) -> Extra:
    category = record.rng.choice(list(OPINIONS))
    text = record.rng.choice(OPINIONS[category])
    return "opinion.collected", cadre, {"grid_id": grid, "category": category, "text": text}


def _volunteer(record: YearRecord, cadre: str, grid: str) -> Extra:
    activity = record.rng.choice(ACTIVITIES)
    hours = record.rng.choice([1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0])
    return "volunteer.served", cadre, {"grid_id": grid, "activity": activity, "hours": hours}


def _rating(record: YearRecord, cadre: str, grid: str) -> Extra:
    """The household rates the cadre (the household is the actor)."""
    household = record.household(grid)
    score = record.rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0]
    return "satisfaction.rated", household, {"household_id": household, "score": score}


def _inspections(
    record: YearRecord,
    day: date,
    eligible: list[str],
    present: dict[str, tuple[datetime, datetime]],
    paper_only: set[str],
) -> None:
    """6个督查组, 每周不定期督查: unannounced checks of cadres on the service day."""
    rng = record.rng
    if not eligible:
        return
    grid_of = {c["id"]: c["grid"] for c in record.plan.cadres}
    for group in range(1, INSPECTION_GROUPS + 1):
        few = max(1, round(rng.randint(2, 4) * record.share))
        for k, cadre in enumerate(rng.sample(eligible, min(len(eligible), few)), start=1):
            if cadre in present:
                checked_in, checked_out = present[cadre]
                span = int((checked_out - checked_in).total_seconds() // 60)
                at = checked_in + timedelta(minutes=rng.randint(1, max(1, span - 1)))
                finding = "idle" if cadre in paper_only else "present"
            else:
                at = local_time(day, 9) + timedelta(minutes=rng.randint(0, 420))
                finding = "absent"
            record.emit(
                at,
                "inspection.made",
                f"dcz-{group}",
                inspection_id=f"INS-{day:%Y%m%d}-G{group}-{k}",
                group=group,
                cadre_id=cadre,
                grid_id=grid_of[cadre],
                finding=finding,
            )
