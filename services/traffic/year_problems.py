"""Problems (烦心事) in the simulated year: reported by a cadre, maybe escalated to an office by the
community, and mostly resolved (within the year, or not at all).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pingzhan.services.traffic.year_plan import YEAR_END
from pingzhan.services.traffic.year_record import YearRecord

PROBLEMS = [
    ("下水道堵塞 (blocked drain)", "区水务局 (district water bureau)"),
    ("路灯损坏 (broken street light)", "区城管局 (district urban management)"),
    ("小区围墙破损 (damaged compound wall)", "区住建局 (district housing bureau)"),
    ("垃圾清运不及时 (rubbish not collected)", "区城管局 (district urban management)"),
    ("楼道堆放杂物 (clutter in stairwells)", "街道办 (street office)"),
    ("供暖不热 (heating too weak)", "区住建局 (district housing bureau)"),
]
ESCALATED_SHARE = 0.4
RESOLVED_SHARE = 0.85


def problem(
    record: YearRecord,
    problem_id: str,
    grid: str,
    actor: str,
    at: datetime,
    what: str,
    where: str,
    escalation: tuple[datetime, str] | None,
    resolution: tuple[datetime, str] | None,
    hazard_id: str | None = None,
) -> None:
    """One problem's messages: reported at ``at`` (taking over a hazard, when given), escalated
    (when, to which office), resolved (when, how)."""
    taken_over = {"hazard_id": hazard_id} if hazard_id else {}
    record.emit(
        at,
        "problem.reported",
        actor,
        problem_id=problem_id,
        grid_id=grid,
        what=what,
        where=where,
        **taken_over,
    )
    if escalation is not None:
        record.emit(
            escalation[0],
            "problem.escalated",
            record.community_actor(grid),
            problem_id=problem_id,
            office=escalation[1],
            grid_id=grid,
        )
    if resolution is not None and resolution[0] <= YEAR_END:
        record.emit(
            resolution[0],
            "problem.resolved",
            actor,
            problem_id=problem_id,
            resolution=resolution[1],
            grid_id=grid,
        )


def random_problem(record: YearRecord, problem_id: str, grid: str, cadre: str, at: datetime) -> None:
    """A problem a cadre comes across on a service day."""
    rng = record.rng
    what, office = rng.choice(PROBLEMS)
    escalated = at + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
    escalation = (escalated, office) if rng.random() < ESCALATED_SHARE else None
    resolution = None
    if rng.random() < RESOLVED_SHARE:
        resolved = (escalated if escalation else at) + timedelta(
            days=rng.randint(1, 30), hours=rng.randint(0, 6)
        )
        resolution = (resolved, "已协调解决 (solved)")
    where = f"{record.grid_name(grid)} {rng.randint(1, 40)}号楼 (building)"
    problem(record, problem_id, grid, cadre, at, what, where, escalation, resolution)
