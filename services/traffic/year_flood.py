"""July in the simulated year: a level-II rainstorm in two streets (hazards reported, tasks assigned
and done, hazards resolved) and the 一建巷 flood channel escalated to the city waterlogging office;
and October's one-day flood drill (an exercise) in one calm community.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pingzhan.services.traffic.district import COMMAND_CENTER, DISTRICT_TZ, RAINSTORM_HAZARDS, WANGJIAPING
from pingzhan.services.traffic.year_plan import FLOOD, YEAR
from pingzhan.services.traffic.year_problems import problem
from pingzhan.services.traffic.year_record import YearRecord

HAZARD_TASKS = ["patrol", "warning", "clearing", "pipe_unblocking"]
YJX_BLOCKED = datetime(YEAR, 7, 15, 20, 25, tzinfo=DISTRICT_TZ)
YJX_CHANNEL = "一建巷排洪渠 (一建巷 flood channel)"
YJX_OFFICE = "市内涝办 (city waterlogging office)"
COURT_UNIT = "FY"  # 区法院, whose cadres serve in 王家坪社区


def flood(record: YearRecord) -> None:
    """The flood streets' switches, their hazards, and the 一建巷 case."""
    rng, plan, start = record.rng, record.plan, FLOOD[0]
    for episode in plan.episodes:
        if episode.scope.startswith("street:") and not episode.exercise:
            record.switch(episode)
    yjx = _yjx_case(record)
    k = 0
    for street in plan.flood_streets:
        grids = [g for g in plan.grids if record.places.street_of[g] == street]
        hazards = [g for g in grids if rng.random() < 0.35] + [g for g in grids if rng.random() < 0.1]
        if not hazards:
            hazards = [rng.choice(grids)]
        for grid in hazards:
            k += 1
            reported = start + timedelta(hours=rng.randint(3, 11 * 24))
            _hazard(record, f"HZ-2022-07-{k:04d}", grid, reported, rng.choice(RAINSTORM_HAZARDS), None)
    if yjx is not None and record.places.street_of[yjx] in plan.flood_streets:
        _hazard(record, "HZ-YJX-1", yjx, YJX_BLOCKED, "blocked_channel", YJX_CHANNEL)


def drill(record: YearRecord) -> None:
    """防汛应急演练: the exercise switch and its stand-down."""
    for episode in record.plan.episodes:
        if episode.exercise:
            record.switch(episode)


def _hazard(
    record: YearRecord, hazard_id: str, grid: str, reported: datetime, kind: str, location: str | None
) -> None:
    """A hazard reported by a cadre of the grid, one to three tasks for it, and its resolution."""
    rng = record.rng
    local = record.cadres_in.get(grid) or [c["id"] for c in record.plan.cadres]
    reporter = rng.choice(local)
    where = location or f"{record.grid_name(grid)} 巷{rng.randint(1, 30)}号 (lane)"
    severity = rng.choice(["medium", "high", "high", "critical"] if location else ["low", "medium", "high"])
    record.emit(
        reported,
        "hazard.reported",
        reporter,
        hazard_id=hazard_id,
        grid_id=grid,
        hazard_kind=kind,
        location=where,
        severity=severity,
    )
    last = reported
    for n, task in enumerate(rng.sample(HAZARD_TASKS, rng.randint(1, 3)), start=1):
        cadre = rng.choice(local)
        assigned = reported + timedelta(minutes=rng.randint(10, 60))
        done = assigned + timedelta(minutes=rng.randint(60, 12 * 60))
        last = max(last, done)
        task_id = f"T{n}"
        record.emit(
            assigned,
            "hazard.task_assigned",
            COMMAND_CENTER,
            hazard_id=hazard_id,
            task_id=task_id,
            task=task,
            cadre_id=cadre,
            grid_id=grid,
        )
        record.emit(done, "hazard.task_done", cadre, hazard_id=hazard_id, task_id=task_id, grid_id=grid)
    record.emit(
        last + timedelta(minutes=rng.randint(30, 180)),
        "hazard.resolved",
        reporter,
        hazard_id=hazard_id,
        resolution="隐患排除 (hazard removed)",
        grid_id=grid,
    )


def _yjx_case(record: YearRecord) -> str | None:
    """区法院的下沉社区是王家坪社区 ... 一建巷的排洪渠堵塞 ... 和市内涝办协调.

    The problem is recorded whenever the district has 王家坪社区; the grid is returned (for the
    hazard) only when it is in the year's scope.
    """
    community_of = record.places.community_of
    grids = [g for g in record.plan.grids if community_of[g] == WANGJIAPING]
    grid = grids[0] if grids else next((g for g, c in community_of.items() if c == WANGJIAPING), None)
    if grid is None:
        return None
    local = [c for c in record.plan.cadres if community_of[c["grid"]] == WANGJIAPING]
    court = [c for c in local if c["unit"] == COURT_UNIT] or local
    actor = court[0]["id"] if court else "wjp-community"
    problem(
        record,
        "PB-YJX-1",
        grid,
        actor,
        YJX_BLOCKED,
        "一建巷排洪渠堵塞, 部分路面出现裂缝及下沉 (flood channel blocked, road cracked and sinking)",
        "王家坪社区一建巷 (一建巷, 王家坪 community)",
        (datetime(YEAR, 7, 16, 9, 30, tzinfo=DISTRICT_TZ), YJX_OFFICE),
        (
            datetime(YEAR, 7, 22, 17, 0, tzinfo=DISTRICT_TZ),
            "排洪渠疏通, 下沉路面施工修复 (channel cleared, road repaired)",
        ),
    )
    return grid if grids else None
