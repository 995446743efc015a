"""July in the simulated year: a level-II rainstorm in two streets (hazards reported, tasks assigned
and done, hazards resolved), the 一建巷 story, and October's one-day flood drill (an exercise) in one
calm community.

区法院的下沉社区是王家坪社区, 在与网格员例行走访巡查过程中, 发现一建巷的排洪渠堵塞, 导致部分路面出现裂缝及
下沉 ... 社区党总支与区法院下沉党员干部及时和市内涝办协调, 对排洪渠及下沉路面施工: the court's cadres find
the blocked channel on a routine patrol; the hazard is raised as a problem that the community
escalates to the city waterlogging office (吹哨); the office acknowledges it within the hour (报到),
clears the channel, repairs the road and reports back; the community confirms the fix on site, and
the hazard is resolved by way of the problem.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pingzhan.services.traffic.district import (
    CITY_WATERLOGGING_OFFICE,
    COMMAND_CENTER,
    DISTRICT_TZ,
    RAINSTORM_HAZARDS,
)
from pingzhan.services.traffic.year_plan import FLOOD, YEAR, yijianxiang_grid
from pingzhan.services.traffic.year_problems import (
    acknowledged,
    confirmed,
    escalated,
    problem,
    reported_back,
)
from pingzhan.services.traffic.year_record import YearRecord

HAZARD_TASKS = ["patrol", "warning", "clearing", "pipe_unblocking"]


def july(day: int, hour: int, minute: int) -> datetime:
    return datetime(YEAR, 7, day, hour, minute, tzinfo=DISTRICT_TZ)


YJX_FOUND = july(15, 20, 25)


def flood(record: YearRecord) -> None:
    """The flood streets' switches, their hazards, and the 一建巷 story."""
    rng, plan, start = record.rng, record.plan, FLOOD[0]
    for episode in plan.episodes:
        if episode.scope.startswith("street:") and not episode.exercise:
            record.switch(episode)
    k = 0
    for street in plan.flood_streets:
        grids = [g for g in plan.grids if record.places.street_of[g] == street]
        hazards = [g for g in grids if rng.random() < 0.35] + [g for g in grids if rng.random() < 0.1]
        if not hazards:
            hazards = [rng.choice(grids)]
        for grid in hazards:
            k += 1
            reported = start + timedelta(hours=rng.randint(3, 11 * 24))
            _hazard(record, f"HZ-2022-07-{k:04d}", grid, reported, rng.choice(RAINSTORM_HAZARDS))
    _yijianxiang(record)


def drill(record: YearRecord) -> None:
    """防汛应急演练: the exercise switch and its stand-down."""
    for episode in record.plan.episodes:
        if episode.exercise:
            record.switch(episode)


def _hazard(record: YearRecord, hazard_id: str, grid: str, reported: datetime, kind: str) -> None:
    """A hazard reported by a cadre of the grid, one to three tasks for it, and its resolution."""
    rng = record.rng
    local = record.cadres_in.get(grid) or [c["id"] for c in record.plan.cadres]
    reporter = rng.choice(local)
    record.emit(
        reported,
        "hazard.reported",
        reporter,
        hazard_id=hazard_id,
        grid_id=grid,
        hazard_kind=kind,
        location=f"{record.grid_name(grid)} 巷{rng.randint(1, 30)}号 (lane)",
        severity=rng.choice(["low", "medium", "high"]),
    )
    last = reported
    for n, task in enumerate(rng.sample(HAZARD_TASKS, rng.randint(1, 3)), start=1):
        cadre = rng.choice(local)
        assigned = reported + timedelta(minutes=rng.randint(10, 60))
        done = assigned + timedelta(minutes=rng.randint(60, 12 * 60))
        last = max(last, done)
        _task(record, hazard_id, grid, f"T{n}", task, cadre, assigned, done)
    record.emit(
        last + timedelta(minutes=rng.randint(30, 180)),
        "hazard.resolved",
        reporter,
        hazard_id=hazard_id,
        resolution="隐患排除 (hazard removed)",
        grid_id=grid,
    )


def _task(
    record: YearRecord,
    hazard_id: str,
    grid: str,
    task_id: str,
    task: str,
    cadre: str,
    assigned: datetime,
    done: datetime,
) -> None:
    fields = {"hazard_id": hazard_id, "task_id": task_id, "grid_id": grid}
    record.emit(assigned, "hazard.task_assigned", COMMAND_CENTER, task=task, cadre_id=cadre, **fields)
    record.emit(done, "hazard.task_done", cadre, **fields)


def _yijianxiang(record: YearRecord) -> None:
    """The 一建巷 story, told when the year covers the court's cadres of its grid in a flooded street."""
    grid = yijianxiang_grid(record.org_data)
    court = record.plan.court_cadres
    if grid is None or not court or record.places.street_of[grid] not in record.plan.flood_streets:
        return
    finder, partner = court[0], court[1 % len(court)]
    record.emit(
        YJX_FOUND,
        "hazard.reported",
        finder,
        hazard_id="HZ-YJX-1",
        grid_id=grid,
        hazard_kind="blocked_channel",
        location="一建巷排洪渠: 例行走访巡查中发现 (一建巷 flood channel, found on a routine patrol)",
        severity="high",
    )
    _task(record, "HZ-YJX-1", grid, "T1", "warning", partner, july(15, 20, 40), july(15, 22, 40))
    _task(record, "HZ-YJX-1", grid, "T2", "patrol", finder, july(15, 20, 45), july(16, 6, 45))
    office = CITY_WATERLOGGING_OFFICE
    problem(
        record,
        "PB-YJX-1",
        grid,
        finder,
        july(16, 8, 30),
        "一建巷排洪渠堵塞, 部分路面出现裂缝及下沉 (flood channel blocked, road cracked and sinking)",
        "王家坪社区一建巷 (一建巷, 王家坪 community)",
        [
            escalated(record, grid, july(16, 9, 30), office),  # 吹哨: the community
            acknowledged(july(16, 10, 5), office, "市内涝办值班员 (the office's duty officer)"),  # 报到
            reported_back(
                july(22, 16, 30),
                office,
                "排洪渠疏通, 下沉路面修复 (the office cleared the channel and repaired the road)",
            ),
            confirmed(
                record,
                grid,
                july(22, 17, 0),
                "社区与区法院下沉干部现场确认修复 (the community and the court's cadres checked it on site)",
            ),
        ],
        hazard_id="HZ-YJX-1",
    )
    record.emit(
        july(22, 17, 30),
        "hazard.resolved",
        finder,
        hazard_id="HZ-YJX-1",
        problem_id="PB-YJX-1",
        resolution="排洪渠疏通, 路面修复, 隐患排除 (channel cleared, road repaired: hazard removed)",
        grid_id=grid,
    )
