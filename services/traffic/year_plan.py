"""What the simulated year covers: its calendar, and for a seed and scale the cadres, grids,
flood streets and drill community it is about.

The scope is the first ``scale`` share of the district's cadres in org-file order, always with the
seed's teams: the twenty cadres of the HR bureau (区人社局) who run January's registration drive,
the publicity system's (宣传系统) cadres of 南关社区 who run the vaccination drive, and the court's
(区法院) cadres of the 王家坪社区 grid of 一建巷, who find its blocked flood channel.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pingzhan.services.traffic.district import DISTRICT_TZ, NANGUAN, WANGJIAPING

YEAR = 2022
YEAR_END = datetime(YEAR, 12, 31, 23, 59, tzinfo=DISTRICT_TZ)
EPIDEMIC = (datetime(YEAR, 1, 10, 8, 0, tzinfo=DISTRICT_TZ), datetime(YEAR, 2, 20, 10, 0, tzinfo=DISTRICT_TZ))
DRIVE_DAYS = [date(YEAR, 1, 10) + timedelta(days=d) for d in range(7)]  # 2022-01-10..16
VACCINATION_DAYS = [date(YEAR, 3, 2) + timedelta(weeks=w) for w in range(13)]  # Wednesdays, March-May
FLOOD = (datetime(YEAR, 7, 11, 6, 30, tzinfo=DISTRICT_TZ), datetime(YEAR, 7, 25, 10, 0, tzinfo=DISTRICT_TZ))
DRILL = (datetime(YEAR, 10, 13, 9, 0, tzinfo=DISTRICT_TZ), datetime(YEAR, 10, 13, 15, 30, tzinfo=DISTRICT_TZ))

DRIVE_UNIT = "RSJ"  # 区人社局
DRIVE_CADRES = 20
VACCINATION_UNIT = "XC"  # 宣传系统, whose cadres serve in 南关社区
COURT_UNIT = "FY"  # 区法院, whose cadres serve in 王家坪社区
FLOOD_STREETS = ("BT-BS", "BT-QG")  # 宝塔山街道, 桥沟街道
PAPER_ONLY_SHARE = 0.02


@dataclass(frozen=True)
class Episode:
    """A planned switch to wartime (or a drill) and its stand-down."""

    scope: str
    level: str
    reason: str
    start: datetime
    end: datetime
    exercise: bool = False
    trigger: str | None = None  # what set the switch off: a notice, a weather warning


@dataclass
class Plan:
    """What the year covers; the generator fills in ``late_ids``, ``counts`` (the valid messages per
    kind), ``invalid_ids`` and ``invalid`` (per deliberately invalid message: the rejection code it
    gets and the kind of the subject it is sent on)."""

    seed: int
    scale: float
    cadres: list[dict[str, Any]]  # in scope, in org-file order
    grids: list[str]  # the grids those cadres are in
    paper_only: list[str]
    drive_cadres: list[str]
    vaccination_cadres: list[str]  # the publicity system's cadres of 南关社区
    court_cadres: list[str]  # the court's cadres of the 一建巷 grid
    flood_streets: list[str]
    drill_community: str | None
    episodes: list[Episode]
    late_ids: list[str] = field(default_factory=list)
    invalid_ids: list[str] = field(default_factory=list)
    invalid: dict[str, tuple[str, str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Places:
    """Which community and street each grid is in, and each community's street (from the org file)."""

    community_of: dict[str, str]  # grid -> community
    street_of: dict[str, str]  # grid -> street
    community_street: dict[str, str]  # community -> street

    @classmethod
    def of(cls, org_data: dict[str, Any]) -> Places:
        community_street = {c["id"]: c["street"] for c in org_data["communities"]}
        community_of = {g["id"]: g["community"] for g in org_data["grids"]}
        street_of = {g: community_street[c] for g, c in community_of.items()}
        return cls(community_of, street_of, community_street)


def yijianxiang_grid(org_data: dict[str, Any]) -> str | None:
    """The grid of 王家坪社区 that 一建巷 is in (its first), when the organisation has that community."""
    return next((g["id"] for g in org_data["grids"] if g["community"] == WANGJIAPING), None)


def plan_year(org_data: dict[str, Any], places: Places, rng: random.Random, seed: int, scale: float) -> Plan:
    """The year's scope and episodes; ``scale`` is already clamped to [0, 1]."""
    cadres = org_data["cadres"]
    drive = [c for c in cadres if c["unit"] == DRIVE_UNIT][:DRIVE_CADRES]
    vaccination = [
        c for c in cadres if c["unit"] == VACCINATION_UNIT and places.community_of[c["grid"]] == NANGUAN
    ]
    yjx = yijianxiang_grid(org_data)
    court = [c for c in cadres if c["unit"] == COURT_UNIT and c["grid"] == yjx]
    n = max(DRIVE_CADRES, round(scale * len(cadres)))
    chosen = {c["id"] for c in cadres[:n] + drive + vaccination + court}
    in_scope = [c for c in cadres if c["id"] in chosen]
    grids = list(dict.fromkeys(c["grid"] for c in in_scope))
    streets = list(dict.fromkeys(places.street_of[g] for g in grids))
    flood = [s for s in FLOOD_STREETS if s in streets]
    flood += [s for s in streets if s not in flood][: max(0, 2 - len(flood))]
    communities = list(dict.fromkeys(places.community_of[g] for g in grids))
    calm = [c for c in communities if places.community_street[c] not in flood] or communities
    drill = rng.choice(calm) if calm else None
    paper_only = sorted(
        rng.sample([c["id"] for c in in_scope], max(1, round(PAPER_ONLY_SHARE * len(in_scope))))
    )
    return Plan(
        seed=seed,
        scale=scale,
        cadres=in_scope,
        grids=grids,
        paper_only=paper_only,
        drive_cadres=[c["id"] for c in drive],
        vaccination_cadres=[c["id"] for c in vaccination],
        court_cadres=[c["id"] for c in court],
        flood_streets=flood,
        drill_community=drill,
        episodes=_episodes(org_data["district"]["id"], flood, drill),
    )


def _episodes(district_id: str, flood_streets: list[str], drill_community: str | None) -> list[Episode]:
    """The epidemic (the whole district), the rainstorm (the flood streets), the drill (one community)."""
    episodes = [
        Episode(
            f"district:{district_id}",
            "II",
            "新冠疫情防控 (epidemic control): 战时状态",
            *EPIDEMIC,
            trigger="区疫情防控指挥部通告 (the district epidemic command's notice)",
        )
    ]
    episodes += [
        Episode(
            f"street:{s}",
            "II",
            "暴雨II级预警 (level-II rainstorm): 防汛",
            *FLOOD,
            trigger="延安市气象台暴雨橙色预警信号 (the city weather service's orange rainstorm warning)",
        )
        for s in flood_streets
    ]
    if drill_community:
        episodes.append(
            Episode(
                f"community:{drill_community}",
                "III",
                "防汛应急演练 (flood drill)",
                *DRILL,
                exercise=True,
                trigger="区防汛演练方案 (the district's flood-drill plan)",
            )
        )
    return episodes
