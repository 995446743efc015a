"""January to February 20 in the simulated year: the epidemic (新冠疫情防控, level II, the whole
district). A checkpoint (卡口) is set up in every grid, a second one in some of the grids with the
most cadres, and staffed in two shifts a day by the grid's cadres in turn, so that every cadre takes
shifts ("全区党员干部主动下沉...在卡口一线执勤值守"). (The registration drive of the same weeks:
``year_drives``.)
"""

from __future__ import annotations

from datetime import timedelta

from pingzhan.services.traffic.district import local_time
from pingzhan.services.traffic.year_plan import EPIDEMIC
from pingzhan.services.traffic.year_record import YearRecord

CHECKPOINT_NAMES = ["南门卡口 (south gate)", "北门卡口 (north gate)", "东门卡口 (east gate)"]
SHIFTS = ((8, 14), (14, 20))  # hours of the day
ONE_CHECKPOINT_SHARE = 0.7  # of the busiest grids; the others have two


def epidemic(record: YearRecord) -> None:
    """The switch and stand-down, the checkpoints and their shifts."""
    record.switch(record.plan.episodes[0])
    checkpoints = _establish_checkpoints(record)
    _staff_shifts(record, checkpoints)
    end = EPIDEMIC[1]
    for i, (cp, grid) in enumerate(checkpoints):
        record.emit(
            end - timedelta(hours=2) + timedelta(seconds=i),
            "checkpoint.closed",
            record.community_actor(grid),
            checkpoint_id=cp,
            grid_id=grid,
        )


def _establish_checkpoints(record: YearRecord) -> list[tuple[str, str]]:
    """One checkpoint in every grid; a second one in some of the grids with the most cadres (a sixth
    of the grids)."""
    rng, grids, start = record.rng, record.plan.grids, EPIDEMIC[0]
    count = max(2, round(len(grids) / 6))
    busiest = set(sorted(grids, key=lambda g: (-len(record.cadres_in[g]), rng.random()))[:count])
    checkpoints: list[tuple[str, str]] = []
    for i, grid in enumerate(grids):
        second = grid in busiest and rng.random() >= ONE_CHECKPOINT_SHARE
        for k in range(2 if second else 1):
            cp = f"CP-{grid}-{k + 1}"
            checkpoints.append((cp, grid))
            record.emit(
                start + timedelta(minutes=60, seconds=2 * i + k),
                "checkpoint.established",
                record.community_actor(grid),
                checkpoint_id=cp,
                grid_id=grid,
                name=f"{record.grid_name(grid)}{CHECKPOINT_NAMES[k]}",
            )
    return checkpoints


def _staff_shifts(record: YearRecord, checkpoints: list[tuple[str, str]]) -> None:
    """Every shift from three hours after the switch: a cadre of the grid at each checkpoint, in turn."""
    rng, (start, end) = record.rng, EPIDEMIC
    shift = 0
    day = start.date()
    while day < end.date():
        for begin_h, end_h in SHIFTS:
            begin = local_time(day, begin_h)
            if begin < start + timedelta(hours=3):
                continue
            finish = local_time(day, end_h)
            busy: dict[str, int] = {}  # grid -> cadres used this shift
            for cp, grid in checkpoints:
                cadres = record.cadres_in[grid]
                used = busy.get(grid, 0)
                if used >= len(cadres):
                    continue  # not enough cadres in the grid for a second checkpoint
                busy[grid] = used + 1
                cadre = cadres[(shift + used) % len(cadres)]
                on_duty = {"checkpoint_id": cp, "cadre_id": cadre, "grid_id": grid}
                staffed = begin + timedelta(minutes=15 + rng.randint(0, 10))
                relieved = finish + timedelta(minutes=rng.randint(0, 10))
                record.emit(staffed, "checkpoint.staffed", cadre, **on_duty)
                record.emit(relieved, "checkpoint.relieved", cadre, **on_duty)
            shift += 1
        day += timedelta(days=1)
