"""Registration-style drives (住户信息登记, 疫苗接种登记, ...): what each cadre registered, and the
progress of a drive per target against the target's size.

A drive's target is a residential compound (the January registration drive of 南寨雅苑, 安置小区
and 美满国际) or a grid (the vaccination drive in the grids of 南关社区); the model is the same,
``registration.recorded``, only the target differs. Facts are dated by the district's date at the
moment they happened.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, tzinfo
from typing import Any

from pingzhan.domain.cadre import Cadre
from pingzhan.domain.org import Org
from pingzhan.projections.assessment import DISTRICT_TZ
from pingzhan.projections.base import ReadModel, Table, on

Registration = tuple[str, str, str, str, str, str]  # drive, target, cadre, day, households, persons


class Drives(ReadModel):
    name = "drives"
    version = 1
    tables = (
        Table(
            "fact_drive",
            ("position",),
            ("drive_id", "target", "cadre_id", "day", "households", "persons"),
            append_only=True,
        ),
    )

    def __init__(self, tz: tzinfo = DISTRICT_TZ):
        super().__init__()
        self.tz = tz

    @on(Cadre.HouseholdsRegistered)
    def cadre_households_registered(self, p: int, e: Any) -> None:
        day = datetime.fromisoformat(e.occurred_at).astimezone(self.tz).date().isoformat()
        compound = getattr(e, "compound_id", None)
        target = f"compound:{compound}" if compound else f"grid:{e.grid_id}"
        self.append("fact_drive", (p, e.drive_id, target, e.cadre_id, day, str(e.households), str(e.persons)))


def _target(org: Org, target: str) -> dict[str, Any]:
    """Name, grids, community, street and size of a drive's target (``compound:ID`` or ``grid:ID``)."""
    kind, _, ident = target.partition(":")
    if kind == "compound" and ident in org.compounds:
        c = org.compounds[ident]
        name, grids, households, residents = c.name, list(c.grids), c.households, c.residents
    elif kind == "grid" and target in org.units:
        grid = org.units[target]
        community = org.units[grid.parent] if grid.parent else grid
        name, grids, households, residents = (
            f"{community.name}{grid.name}",
            [ident],
            grid.households,
            grid.residents,
        )
    else:  # no longer in the organisation in use
        return {
            "name": ident,
            "grids": [],
            "community": None,
            "street": None,
            "households": 0,
            "residents": 0,
        }
    above = org.ancestors(f"grid:{grids[0]}") if f"grid:{grids[0]}" in org.units else []
    return {
        "name": name,
        "grids": grids,
        "community": above[1].partition(":")[2] if len(above) > 1 else None,
        "street": above[2].partition(":")[2] if len(above) > 2 else None,
        "households": households,
        "residents": residents,
    }


def drive_progress(
    registrations: list[Registration], units: dict[str, str], org: Org, drive: str | None
) -> list[dict[str, Any]]:
    """Per drive and target (of ``drive`` only, when given): households and persons registered
    against the target's households and residents, by how many cadres of which dispatching units
    (``units``: cadre -> unit), in which street, from the first day to the last."""
    households: Counter[tuple[str, str]] = Counter()
    persons: Counter[tuple[str, str]] = Counter()
    cadres: dict[tuple[str, str], set[str]] = defaultdict(set)
    days: dict[tuple[str, str], list[str]] = defaultdict(list)
    for drive_id, target, cadre, day, hh, ps in registrations:
        if drive is None or drive_id == drive:
            key = (drive_id, target)
            households[key] += int(hh)
            persons[key] += int(ps)
            cadres[key].add(cadre)
            days[key].append(day)
    out = []
    for key in sorted(households):
        drive_id, target = key
        where = _target(org, target)
        out.append(
            {
                "drive": drive_id,
                "target": target,
                "name": where["name"],
                "grids": where["grids"],
                "community": where["community"],
                "street": where["street"],
                "units": dict(sorted(Counter(units.get(c, "?") for c in cadres[key]).items())),
                "households": households[key],
                "households_total": where["households"],
                "persons": persons[key],
                "persons_total": where["residents"],
                "cadres": len(cadres[key]),
                "first_day": min(days[key]),
                "last_day": max(days[key]),
            }
        )
    return out
