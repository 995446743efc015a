"""The registration-style drives of the simulated year (``registration.recorded``, one model, two
targets):

- January: 下沉在桥沟街道的区人社局20名干部用一周时间对南寨雅苑、安置小区和美满国际3个住宅小区1702户
  5075人进行了住户信息登记: the HR bureau's twenty cadres register the three compounds in one week.
- March to May: 宣传系统10名干部下沉到南市街道南关社区后 ... 引导群众积极配合参与疫苗接种: the
  publicity system's cadres of 南关社区 go from door to door on the Wednesdays and register the
  residents for vaccination (排查接种对象, 应接尽接), grid by grid.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pingzhan.services.traffic.district import NANGUAN, local_time
from pingzhan.services.traffic.year_plan import DRIVE_DAYS, VACCINATION_DAYS
from pingzhan.services.traffic.year_record import YearRecord

DRIVE_ID = "DRIVE-2022-01"
VACCINATION_ID = "VAX-2022-NG"
VISITED_SHARE = (0.94, 1.0)  # of a grid's households, in the vaccination drive (不漏一户)
REGISTERED_SHARE = (0.86, 0.95)  # of its residents: those who may be vaccinated


def registration_drive(record: YearRecord) -> None:
    """The compounds' registration: each compound by a team in proportion to its households."""
    rng, cadres, compounds = record.rng, record.plan.drive_cadres, record.org_data.get("compounds", [])
    if not cadres or not compounds:
        return
    households = [c["households"] for c in compounds]
    teams = split(len(cadres), [float(h) for h in households]) if len(cadres) >= len(compounds) else []
    if not teams or min(teams) < 1:
        teams = [len(cadres) if i == 0 else 0 for i in range(len(compounds))]
    first = 0
    for compound, team in zip(compounds, teams, strict=True):
        members = cadres[first : first + team]
        first += team
        if not members:
            continue
        reports = [
            (cadre, day) for cadre in members for day in sorted(rng.sample(DRIVE_DAYS, rng.randint(2, 5)))
        ]
        target = {"compound_id": compound["id"], "grid_id": record.org.compound(compound["id"]).grid}
        _reports(record, DRIVE_ID, target, reports, compound["households"], compound["residents"], 17)


def vaccination_drive(record: YearRecord) -> None:
    """南关社区's grids, each by the team's cadre dispatched there (or the least busy one), on a few
    Wednesdays; nearly every household visited, most residents registered."""
    rng, team = record.rng, record.plan.vaccination_cadres
    grids = [g for g in record.org_data["grids"] if g["community"] == NANGUAN]
    if not team or not grids:
        return
    grid_of = {c["id"]: c["grid"] for c in record.plan.cadres}
    load = dict.fromkeys(team, 0)
    for grid in grids:
        own = [c for c in team if grid_of[c] == grid["id"]]
        cadre = own[0] if own else min(team, key=lambda c: (load[c], c))
        load[cadre] += 1
        days = sorted(rng.sample(VACCINATION_DAYS, rng.randint(3, 6)))
        households = round(grid["households"] * rng.uniform(*VISITED_SHARE))
        persons = round(grid["residents"] * rng.uniform(*REGISTERED_SHARE))
        _reports(
            record,
            VACCINATION_ID,
            {"grid_id": grid["id"]},
            [(cadre, d) for d in days],
            households,
            persons,
            14,
        )


def _reports(
    record: YearRecord,
    drive_id: str,
    target: dict[str, Any],
    reports: list[tuple[str, Any]],
    households: int,
    persons: int,
    hour: int,
) -> None:
    """One message per (cadre, day) report, the households and persons split so that they add up
    exactly to the totals."""
    rng = record.rng
    weights = [rng.uniform(0.5, 1.5) for _ in reports]
    parts_h = split(households, weights)
    cumulative = [sum(parts_h[: i + 1]) for i in range(len(parts_h))]
    # persons follow the cumulative households, so they add up exactly as well
    marks = [round(persons * c / households) if households else 0 for c in cumulative]
    parts_p = [m - (marks[i - 1] if i else 0) for i, m in enumerate(marks)]
    parts_p[-1] += persons - sum(parts_p)
    for (cadre, day), h, p in zip(reports, parts_h, parts_p, strict=True):
        record.emit(
            local_time(day, hour) + timedelta(minutes=rng.randint(0, 180)),
            "registration.recorded",
            cadre,
            drive_id=drive_id,
            cadre_id=cadre,
            households=h,
            persons=p,
            **target,
        )


def split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``; the parts add up exactly."""
    cumulative, parts, acc, done = sum(weights), [], 0.0, 0
    for w in weights:
        acc += w
        upto = round(total * acc / cumulative)
        parts.append(upto - done)
        done = upto
    return parts
