"""January to February 20 in the simulated year: the epidemic (新冠疫情防控, level II, the whole
district). A checkpoint (卡口) is set up in every grid, a second one in some of the grids with the
most cadres (four or more), and staffed round the clock in three shifts a day (08-14, 14-20 and the
night, 20-08) by the grid's cadres in turn, the most rested first, so that every cadre takes shifts
("全区党员干部主动下沉...在卡口一线执勤值守"). The next shift arrives a few minutes before the last
one leaves, so no open checkpoint is ever empty, by night or by day, until it is closed. The six
inspection groups go on in wartime (每周不定期督查): every week each checks a few checkpoint shifts at
a moment of the shift and finds the cadre on duty present. (The registration drive of the same
weeks: ``year_drives``.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pingzhan.services.traffic.district import local_time
from pingzhan.services.traffic.year_plan import EPIDEMIC
from pingzhan.services.traffic.year_record import YearRecord

CHECKPOINT_NAMES = ["南门卡口 (south gate)", "北门卡口 (north gate)", "东门卡口 (east gate)"]
SHIFTS = (8, 14, 20)  # the hour each shift begins; the last one takes the night, until 08:00
CLOSING = timedelta(hours=2)  # the checkpoints close this long before the stand-down
INSPECTION_GROUPS = 6
TEAM = (  # role, unit (of the community), name
    ("community_staff", "SQ", "社区工作人员 (community staff)"),
    ("property_staff", "WY", "物业职工 (property staff)"),
    ("volunteer", "ZYZ", "志愿者 (volunteer)"),
)
ONE_CHECKPOINT_SHARE = 0.7  # of the busiest grids; the others have two


def epidemic(record: YearRecord) -> None:
    """The switch and stand-down, the checkpoints and their shifts."""
    record.switch(record.plan.episodes[0])
    checkpoints = _establish_checkpoints(record)
    _inspect_checkpoints(record, _staff_shifts(record, checkpoints, lambda cp, grid: record.cadres_in[grid]))
    team = _register_teams(record, checkpoints)
    _staff_shifts(record, checkpoints, lambda cp, grid: team[cp])
    end = EPIDEMIC[1]
    for i, (cp, grid) in enumerate(checkpoints):
        record.emit(
            end - CLOSING + timedelta(seconds=i),
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
        second = grid in busiest and rng.random() >= ONE_CHECKPOINT_SHARE and len(record.cadres_in[grid]) >= 4
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


Shift = tuple[str, str, str, datetime, datetime]  # checkpoint, cadre, grid, staffed, relieved


def _register_teams(record: YearRecord, checkpoints: list[tuple[str, str]]) -> dict[str, list[str]]:
    """与社区干部、物业公司职工、社区志愿者一起在卡口执勤: for each checkpoint one of the community's
    staff, one of the property company's and one volunteer, registered with their roles (people of
    the grid, not assessed as cadres) and dispatched to its grid: the cadre's teammates, a shift each
    day."""
    team: dict[str, list[str]] = {}
    at = EPIDEMIC[0] + timedelta(minutes=90)
    for i, (cp, grid) in enumerate(checkpoints):
        community = record.places.community_of[grid]
        team[cp] = []
        for k, (role, unit, name) in enumerate(TEAM):
            person = f"{cp}-{role[:2].upper()}"
            when = at + timedelta(seconds=6 * i + 2 * k)
            record.emit(
                when,
                "cadre.registered",
                record.community_actor(grid),
                cadre_id=person,
                name=f"{record.grid_name(grid)}{name}",
                unit=f"{unit}-{community}",
                role=role,
            )
            record.emit(
                when + timedelta(seconds=1),
                "cadre.dispatched",
                record.community_actor(grid),
                cadre_id=person,
                grid_id=grid,
            )
            team[cp].append(person)
    return team


def _staff_shifts(
    record: YearRecord, checkpoints: list[tuple[str, str]], people: Callable[[str, str], list[str]]
) -> list[Shift]:
    """Every shift from three hours after the switch until the checkpoints close: at each
    checkpoint the grid's most rested free cadre arrives up to ten minutes before the shift begins
    and relieves the one on duty up to ten minutes after (the handover). When no other cadre of
    the grid is free (a grid of one cadre, in a year of a few cadres) the one on duty stays on.
    Returns the shifts."""
    rng, (start, end) = record.rng, EPIDEMIC
    close = end - CLOSING
    free_at: dict[str, datetime] = {}  # cadre -> when their last shift ended
    on_duty: dict[str, tuple[str, str, datetime]] = {}  # checkpoint -> (cadre, grid, staffed)
    shifts: list[Shift] = []
    day, first = start.date(), True
    while day < end.date():
        for begin_h in SHIFTS:
            begin = local_time(day, begin_h)
            if begin < start + timedelta(hours=3) or begin >= close:
                continue
            for cp, grid in checkpoints:
                staffed = begin - timedelta(minutes=0 if first else rng.randint(1, 10))
                relief = begin + timedelta(minutes=rng.randint(1, 10))
                busy = {c for c, _, _ in on_duty.values()}
                cadre = _most_rested(people(cp, grid), free_at, busy, staffed)
                if cadre is None:
                    continue  # the one on duty stays on
                record.emit(
                    staffed, "checkpoint.staffed", cadre, checkpoint_id=cp, cadre_id=cadre, grid_id=grid
                )
                if cp in on_duty:
                    shifts.append(_relieve(record, cp, on_duty[cp], relief, free_at))
                on_duty[cp] = (cadre, grid, staffed)
            first = False
        day += timedelta(days=1)
    for cp, shift in on_duty.items():
        shifts.append(_relieve(record, cp, shift, close - timedelta(minutes=1), free_at))
    return shifts


def _relieve(
    record: YearRecord,
    cp: str,
    shift: tuple[str, str, datetime],
    at: datetime,
    free_at: dict[str, datetime],
) -> Shift:
    cadre, grid, staffed = shift
    record.emit(at, "checkpoint.relieved", cadre, checkpoint_id=cp, cadre_id=cadre, grid_id=grid)
    free_at[cadre] = at
    return cp, cadre, grid, staffed, at


def _inspect_checkpoints(record: YearRecord, shifts: list[Shift]) -> None:
    """每周不定期督查 in wartime: each week each group checks a few shifts begun that week, at a
    moment of the shift, and finds the cadre on duty there."""
    rng, week = record.rng, EPIDEMIC[0]
    while week < EPIDEMIC[1]:
        that_week = [s for s in shifts if week <= s[3] < week + timedelta(days=7)]
        for group in range(1, INSPECTION_GROUPS + 1):
            few = max(1, round(rng.randint(2, 4) * record.share))
            for k, (cp, cadre, grid, staffed, relieved) in enumerate(
                rng.sample(that_week, min(len(that_week), few)), start=1
            ):
                minutes = int((relieved - staffed).total_seconds() // 60)
                record.emit(
                    staffed + timedelta(minutes=rng.randint(1, max(1, minutes - 1))),
                    "inspection.made",
                    f"dcz-{group}",
                    inspection_id=f"INS-{week:%Y%m%d}-G{group}-CP{k}",
                    group=group,
                    cadre_id=cadre,
                    grid_id=grid,
                    finding="present",
                    checkpoint_id=cp,
                )
        week += timedelta(days=7)


def _most_rested(cadres: list[str], free_at: dict[str, datetime], busy: set[str], at: datetime) -> str | None:
    """The cadre of ``cadres`` free at ``at`` whose last shift ended longest ago (never: first)."""
    free = [c for c in cadres if c not in busy and free_at.get(c, at) <= at]
    if not free:
        return None
    return min(free, key=lambda c: (c in free_at, free_at.get(c, at), cadres.index(c)))
