"""One year (2022) of the whole district's messages, deterministic from a seed, for tests and benchmarks.

The year follows the seed report (``../shared/seed/baota-grid-governance.zh.txt``):

1. January 1: every cadre in scope is registered and dispatched to its grid (from the org file).
2. Every peacetime Wednesday (每周三固定服务日) each cadre checks in, visits 1-4 households (mostly
   collecting their basic information), may collect an opinion, serve as a volunteer or be rated by
   a household, and checks out. About 5% of cadre-Wednesdays are absences; a small fixed set of
   cadres is "present on paper only" (点卯式: they check in and out but never visit). Some collected
   households are verified a few weeks later.
3. Six inspection groups (6个督查组) make unannounced inspections on Wednesdays.
4. January: the district goes to wartime (epidemic, level II); checkpoints are staffed in shifts; the
   20 cadres of the HR bureau (区人社局) register the three compounds in one week (1,702 households,
   5,075 persons); stand-down on February 20.
5. July: a level-II rainstorm in two streets: hazards, their tasks, and the 一建巷 flood-channel
   problem escalated to the city waterlogging office; stand-down on July 25.
6. October: a one-day drill (exercise) in one community.
7. Problems (烦心事) reported, escalated and resolved during the year.
8. About 0.5% of the visits and service messages arrive late (moved to the end, ``occurred_at`` kept);
   only messages nothing depends on are delayed.
9. About 0.2% of the messages are deliberately invalid (not JSON, unknown kind, schema violation).

Every other message is accepted by the domain when the stream is processed in order. Messages come
as (id, subject, body) ready to publish, like ``workload.py``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import orjson
from pingzhan.services.org.admin import setup_id
from pingzhan.services.wire import MESSAGE, shard_of, subject_of
from pydantic import ValidationError

CST = timezone(timedelta(hours=8))
YEAR = 2022
YEAR_END = datetime(YEAR, 12, 31, 23, 59, tzinfo=CST)
COMMAND = "command-center-01"
ORG_OPERATOR = "zzb-operator"
DRIVE_ID = "DRIVE-2022-01"
DRIVE_UNIT = "RSJ"  # 区人社局
DRIVE_CADRES = 20
FLOOD_STREETS = ("BT-BS", "BT-QG")  # 宝塔山街道, 桥沟街道
YJX_COMMUNITY = "BT-BS-01"  # 王家坪社区
YJX_OFFICE = "市内涝办 (city waterlogging office)"

EPIDEMIC = (datetime(YEAR, 1, 10, 8, 0, tzinfo=CST), datetime(YEAR, 2, 20, 10, 0, tzinfo=CST))
DRIVE_DAYS = [date(YEAR, 1, 10) + timedelta(days=d) for d in range(7)]  # 2022-01-10..16
FLOOD = (datetime(YEAR, 7, 11, 6, 30, tzinfo=CST), datetime(YEAR, 7, 25, 10, 0, tzinfo=CST))
DRILL = (datetime(YEAR, 10, 13, 9, 0, tzinfo=CST), datetime(YEAR, 10, 13, 15, 30, tzinfo=CST))

ABSENCE_RATE = 0.05
PAPER_ONLY_SHARE = 0.02
INFO_COLLECTED_RATE = 0.85
VERIFY_RATE = 0.3
OPINION_RATE = 0.15
VOLUNTEER_RATE = 0.10
RATING_RATE = 0.20
PROBLEM_RATE = 0.01
LATE_SHARE = 0.005
INVALID_SHARE = 0.002

# Kinds counted for the late share, and the ones that may actually be delayed (nothing depends on them).
SERVICE_KINDS = (
    "household.visited",
    "service.checked_in",
    "service.checked_out",
    "opinion.collected",
    "volunteer.served",
    "satisfaction.rated",
)

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
PROBLEMS = [
    ("下水道堵塞 (blocked drain)", "区水务局 (district water bureau)"),
    ("路灯损坏 (broken street light)", "区城管局 (district urban management)"),
    ("小区围墙破损 (damaged compound wall)", "区住建局 (district housing bureau)"),
    ("垃圾清运不及时 (rubbish not collected)", "区城管局 (district urban management)"),
    ("楼道堆放杂物 (clutter in stairwells)", "街道办 (street office)"),
    ("供暖不热 (heating too weak)", "区住建局 (district housing bureau)"),
]
HAZARD_KINDS = ["waterlogging", "blocked_channel", "landslide", "road_damage"]
HAZARD_TASKS = ["patrol", "warning", "clearing", "pipe_unblocking"]
CHECKPOINT_NAMES = ["南门卡口 (south gate)", "北门卡口 (north gate)", "东门卡口 (east gate)"]


@dataclass(frozen=True)
class Episode:
    """A planned switch to wartime (or a drill) and its stand-down."""

    scope: str
    level: str
    reason: str
    start: datetime
    end: datetime
    exercise: bool = False


@dataclass
class Plan:
    """What the year covers; ``late_ids``, ``invalid_ids`` and ``counts`` are filled by the generator."""

    seed: int
    scale: float
    cadres: list[dict[str, Any]]  # in scope, in org-file order
    grids: list[str]  # the grids those cadres are in
    paper_only: list[str]
    drive_cadres: list[str]
    flood_streets: list[str]
    drill_community: str | None
    episodes: list[Episode]
    late_ids: list[str] = field(default_factory=list)
    invalid_ids: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``; the parts add up exactly."""
    cumulative, parts, acc, done = sum(weights), [], 0.0, 0
    for w in weights:
        acc += w
        upto = round(total * acc / cumulative)
        parts.append(upto - done)
        done = upto
    return parts


class Simulator:
    """Builds the whole year in memory (it has to be sorted by time), then yields it."""

    # event flags
    NORMAL, DELAYABLE, VERIFY = 0, 1, 2

    def __init__(self, org_data: dict[str, Any], seed: int = 1, scale: float = 1.0, prefix: str = "pingzhan"):
        self.org = org_data
        self.seed, self.prefix = seed, prefix
        self.rng = random.Random(seed)
        self.grid_info = {g["id"]: g for g in org_data["grids"]}
        self.community_street = community_street = {c["id"]: c["street"] for c in org_data["communities"]}
        self.community_of = {g["id"]: g["community"] for g in org_data["grids"]}
        self.street_of = {g: community_street[c] for g, c in self.community_of.items()}
        self.plan = self._plan(min(max(scale, 0.0), 1.0))
        self.share = len(self.plan.cadres) / max(1, len(org_data["cadres"]))  # of the district's cadres
        self.events: list[tuple[datetime, int, int, dict[str, Any]]] = []
        self.persons: dict[str, int] = {}
        self.cadres_in: dict[str, list[str]] = {}
        for c in self.plan.cadres:
            self.cadres_in.setdefault(c["grid"], []).append(c["id"])

    # ---------------------------------------------------------------------------------------------- plan
    def _plan(self, scale: float) -> Plan:
        rng, cadres = self.rng, self.org["cadres"]
        drive = [c for c in cadres if c["unit"] == DRIVE_UNIT][:DRIVE_CADRES]
        n = max(DRIVE_CADRES, round(scale * len(cadres)))
        chosen = {c["id"] for c in cadres[:n]} | {c["id"] for c in drive}
        in_scope = [c for c in cadres if c["id"] in chosen]
        grids = list(dict.fromkeys(c["grid"] for c in in_scope))
        streets = list(dict.fromkeys(self.street_of[g] for g in grids))
        flood = [s for s in FLOOD_STREETS if s in streets]
        flood += [s for s in streets if s not in flood][: max(0, 2 - len(flood))]
        communities = list(dict.fromkeys(self.community_of[g] for g in grids))
        calm = [c for c in communities if self.community_street[c] not in flood] or communities
        drill = rng.choice(calm) if calm else None
        paper_only = sorted(
            rng.sample([c["id"] for c in in_scope], max(1, round(PAPER_ONLY_SHARE * len(in_scope))))
        )
        district = f"district:{self.org['district']['id']}"
        episodes = [Episode(district, "II", "新冠疫情防控 (epidemic control): 战时状态", *EPIDEMIC)]
        episodes += [
            Episode(f"street:{s}", "II", "暴雨II级预警 (level-II rainstorm): 防汛", *FLOOD) for s in flood
        ]
        if drill:
            episodes.append(
                Episode(f"community:{drill}", "III", "防汛应急演练 (flood drill)", *DRILL, exercise=True)
            )
        return Plan(
            seed=self.seed,
            scale=scale,
            cadres=in_scope,
            grids=grids,
            paper_only=paper_only,
            drive_cadres=[c["id"] for c in drive],
            flood_streets=flood,
            drill_community=drill,
            episodes=episodes,
        )

    def wartime(self, grid: str, at: datetime) -> bool:
        """Is the grid's street (or the district) in real wartime at this time?"""
        street = f"street:{self.street_of[grid]}"
        return any(
            not e.exercise
            and e.start <= at <= e.end
            and (e.scope == street or e.scope.startswith("district:"))
            for e in self.plan.episodes
        )

    # ------------------------------------------------------------------------------------------ emitting
    def _emit(self, at: datetime, kind: str, actor: str, flag: int = NORMAL, **fields: Any) -> None:
        self.events.append((at, len(self.events), flag, {"kind": kind, "actor": actor, **fields}))

    def _household(self, grid: str) -> str:
        return f"{grid}-H{self.rng.randint(1, self.grid_info[grid]['households'])}"

    def _persons(self, household: str) -> int:
        if household not in self.persons:
            self.persons[household] = self.rng.choices([1, 2, 3, 4, 5, 6], [10, 25, 30, 20, 10, 5])[0]
        return self.persons[household]

    # ----------------------------------------------------------------------------------------- the year
    def build(self) -> None:
        self._setup()
        self._epidemic()
        self._flood()
        self._drill()
        self._wednesdays()

    def _setup(self) -> None:
        t = datetime(YEAR, 1, 1, 9, 0, tzinfo=CST)
        for i, c in enumerate(self.plan.cadres):
            at = t + timedelta(seconds=2 * i)
            self._emit(at, "cadre.registered", ORG_OPERATOR, cadre_id=c["id"], name=c["name"], unit=c["unit"])
            self._emit(
                at + timedelta(seconds=1),
                "cadre.dispatched",
                ORG_OPERATOR,
                cadre_id=c["id"],
                grid_id=c["grid"],
            )

    def _switch(self, episode: Episode) -> None:
        self._emit(
            episode.start,
            "mode.switched_to_wartime",
            COMMAND,
            scope=episode.scope,
            level=episode.level,
            reason=episode.reason,
            exercise=episode.exercise,
        )
        self._emit(
            episode.end,
            "mode.switched_to_peacetime",
            COMMAND,
            scope=episode.scope,
            reason="解除 (stand-down)",
        )

    def _epidemic(self) -> None:
        rng, (start, end) = self.rng, EPIDEMIC
        self._switch(self.plan.episodes[0])
        # Checkpoints (卡口) in the grids with the most cadres, staffed in two shifts a day.
        count = max(2, round(len(self.plan.grids) / 6))
        ranked = sorted(self.plan.grids, key=lambda g: (-len(self.cadres_in[g]), rng.random()))
        checkpoints: list[tuple[str, str]] = []
        for i, grid in enumerate(ranked[:count]):
            for k in range(1 if rng.random() < 0.7 else 2):
                cp = f"CP-{grid}-{k + 1}"
                checkpoints.append((cp, grid))
                at = start + timedelta(minutes=60 + i, seconds=k)
                community = self.community_of[grid]
                self._emit(
                    at,
                    "checkpoint.established",
                    f"community-{community}",
                    checkpoint_id=cp,
                    grid_id=grid,
                    name=f"{self.grid_info[grid]['name']}{CHECKPOINT_NAMES[k]}",
                )
        shift = 0
        day = start.date()
        while day < end.date():
            for begin_h, end_h in ((8, 14), (14, 20)):
                begin = datetime(day.year, day.month, day.day, begin_h, 0, tzinfo=CST)
                if begin < start + timedelta(hours=3):
                    continue
                finish = datetime(day.year, day.month, day.day, end_h, 0, tzinfo=CST)
                busy: dict[str, int] = {}  # grid -> cadres used this shift
                for cp, grid in checkpoints:
                    cadres = self.cadres_in[grid]
                    used = busy.get(grid, 0)
                    if used >= len(cadres):
                        continue  # not enough cadres in the grid for a second checkpoint
                    busy[grid] = used + 1
                    cadre = cadres[(shift + used) % len(cadres)]
                    self._emit(
                        begin + timedelta(minutes=15 + rng.randint(0, 10)),
                        "checkpoint.staffed",
                        cadre,
                        checkpoint_id=cp,
                        cadre_id=cadre,
                        grid_id=grid,
                    )
                    self._emit(
                        finish + timedelta(minutes=rng.randint(0, 10)),
                        "checkpoint.relieved",
                        cadre,
                        checkpoint_id=cp,
                        cadre_id=cadre,
                        grid_id=grid,
                    )
                shift += 1
            day += timedelta(days=1)
        for i, (cp, grid) in enumerate(checkpoints):
            self._emit(
                end - timedelta(hours=2) + timedelta(seconds=i),
                "checkpoint.closed",
                f"community-{self.community_of[grid]}",
                checkpoint_id=cp,
                grid_id=grid,
            )
        self._drive()

    def _drive(self) -> None:
        """区人社局20名干部用一周时间对3个住宅小区1702户5075人进行了住户信息登记."""
        rng, cadres, compounds = self.rng, self.plan.drive_cadres, self.org.get("compounds", [])
        if not cadres or not compounds:
            return
        households = [c["households"] for c in compounds]
        teams = _split(len(cadres), [float(h) for h in households]) if len(cadres) >= len(compounds) else []
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
            weights = [rng.uniform(0.5, 1.5) for _ in reports]
            parts_h = _split(compound["households"], weights)
            cumulative = [sum(parts_h[: i + 1]) for i in range(len(parts_h))]
            # persons follow the cumulative households, so they add up exactly as well
            marks = [round(compound["residents"] * c / compound["households"]) for c in cumulative]
            parts_p = [m - (marks[i - 1] if i else 0) for i, m in enumerate(marks)]
            for (cadre, day), h, p in zip(reports, parts_h, parts_p, strict=True):
                at = datetime(day.year, day.month, day.day, 17, 0, tzinfo=CST) + timedelta(
                    minutes=rng.randint(0, 180)
                )
                self._emit(
                    at,
                    "registration.recorded",
                    cadre,
                    drive_id=DRIVE_ID,
                    compound_id=compound["id"],
                    cadre_id=cadre,
                    households=h,
                    persons=p,
                    grid_id=compound["grid"],
                )

    def _flood(self) -> None:
        rng, start = self.rng, FLOOD[0]
        for episode in self.plan.episodes:
            if episode.scope.startswith("street:") and not episode.exercise:
                self._switch(episode)
        yjx = self._yjx_case()
        k = 0
        for street in self.plan.flood_streets:
            grids = [g for g in self.plan.grids if self.street_of[g] == street]
            hazards = [g for g in grids if rng.random() < 0.35] + [g for g in grids if rng.random() < 0.1]
            if not hazards:
                hazards = [rng.choice(grids)]
            for grid in hazards:
                k += 1
                reported = start + timedelta(hours=rng.randint(3, 11 * 24))
                self._hazard(f"HZ-2022-07-{k:04d}", grid, reported, rng.choice(HAZARD_KINDS), None)
        if yjx is not None and self.street_of[yjx] in self.plan.flood_streets:
            at = datetime(YEAR, 7, 15, 20, 25, tzinfo=CST)
            self._hazard("HZ-YJX-1", yjx, at, "blocked_channel", "一建巷排洪渠 (一建巷 flood channel)")

    def _hazard(self, hazard_id: str, grid: str, reported: datetime, kind: str, location: str | None) -> None:
        rng = self.rng
        local = self.cadres_in.get(grid) or [c["id"] for c in self.plan.cadres]
        reporter = rng.choice(local)
        self._emit(
            reported,
            "hazard.reported",
            reporter,
            hazard_id=hazard_id,
            grid_id=grid,
            hazard_kind=kind,
            location=location or f"{self.grid_info[grid]['name']} 巷{rng.randint(1, 30)}号 (lane)",
            severity=rng.choice(
                ["medium", "high", "high", "critical"] if location else ["low", "medium", "high"]
            ),
        )
        last = reported
        for n, task in enumerate(rng.sample(HAZARD_TASKS, rng.randint(1, 3)), start=1):
            cadre = rng.choice(local)
            assigned = reported + timedelta(minutes=rng.randint(10, 60))
            done = assigned + timedelta(minutes=rng.randint(60, 12 * 60))
            last = max(last, done)
            task_id = f"T{n}"
            self._emit(
                assigned,
                "hazard.task_assigned",
                COMMAND,
                hazard_id=hazard_id,
                task_id=task_id,
                task=task,
                cadre_id=cadre,
                grid_id=grid,
            )
            self._emit(done, "hazard.task_done", cadre, hazard_id=hazard_id, task_id=task_id, grid_id=grid)
        self._emit(
            last + timedelta(minutes=rng.randint(30, 180)),
            "hazard.resolved",
            reporter,
            hazard_id=hazard_id,
            resolution="隐患排除 (hazard removed)",
            grid_id=grid,
        )

    def _yjx_case(self) -> str | None:
        """区法院的下沉社区是王家坪社区 ... 一建巷的排洪渠堵塞 ... 和市内涝办协调."""
        grids = [g for g in self.plan.grids if self.community_of[g] == YJX_COMMUNITY]
        grid = (
            grids[0] if grids else next((g for g, c in self.community_of.items() if c == YJX_COMMUNITY), None)
        )
        if grid is None:
            return None
        local = [c for c in self.plan.cadres if self.community_of[c["grid"]] == YJX_COMMUNITY]
        court = [c for c in local if c["unit"] == "FY"] or local
        actor = court[0]["id"] if court else "wjp-community"
        self._problem(
            "PB-YJX-1",
            grid,
            actor,
            datetime(YEAR, 7, 15, 20, 25, tzinfo=CST),
            "一建巷排洪渠堵塞, 部分路面出现裂缝及下沉 (flood channel blocked, road cracked and sinking)",
            "王家坪社区一建巷 (一建巷, 王家坪 community)",
            (datetime(YEAR, 7, 16, 9, 30, tzinfo=CST), YJX_OFFICE),
            (
                datetime(YEAR, 7, 22, 17, 0, tzinfo=CST),
                "排洪渠疏通, 下沉路面施工修复 (channel cleared, road repaired)",
            ),
        )
        return grid if grids else None

    def _problem(
        self,
        problem_id: str,
        grid: str,
        actor: str,
        at: datetime,
        what: str,
        where: str,
        escalation: tuple[datetime, str] | None,
        resolution: tuple[datetime, str] | None,
    ) -> None:
        self._emit(at, "problem.reported", actor, problem_id=problem_id, grid_id=grid, what=what, where=where)
        if escalation is not None:
            self._emit(
                escalation[0],
                "problem.escalated",
                f"community-{self.community_of[grid]}",
                problem_id=problem_id,
                office=escalation[1],
                grid_id=grid,
            )
        if resolution is not None and resolution[0] <= YEAR_END:
            self._emit(
                resolution[0],
                "problem.resolved",
                actor,
                problem_id=problem_id,
                resolution=resolution[1],
                grid_id=grid,
            )

    def _wednesdays(self) -> None:
        rng, plan = self.rng, self.plan
        paper_only = set(plan.paper_only)
        problems = 0
        day = date(YEAR, 1, 5)  # the first Wednesday of 2022
        while day.year == YEAR:
            noon = datetime(day.year, day.month, day.day, 12, 0, tzinfo=CST)
            morning = noon - timedelta(hours=4)
            peace = {g: not self.wartime(g, noon) for g in plan.grids}
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
                self._emit(t, "service.checked_in", cadre, cadre_id=cadre, grid_id=grid)
                if cadre not in paper_only:
                    t = self._service_day(cadre, grid, t)
                    if rng.random() < PROBLEM_RATE:
                        problems += 1
                        t += timedelta(minutes=rng.randint(5, 20))
                        self._random_problem(f"PB-2022-{problems:05d}", grid, cadre, t)
                else:
                    t += timedelta(minutes=rng.randint(60, 180))
                t += timedelta(minutes=rng.randint(15, 60))
                self._emit(t, "service.checked_out", cadre, cadre_id=cadre, grid_id=grid)
                present[cadre] = (checked_in, t)
            self._inspections(day, eligible, present, paper_only)
            day += timedelta(days=7)

    def _service_day(self, cadre: str, grid: str, t: datetime) -> datetime:
        rng = self.rng
        for _ in range(rng.randint(1, 4)):
            t += timedelta(minutes=rng.randint(15, 50), seconds=rng.randint(0, 59))
            household = self._household(grid)
            collected = rng.random() < INFO_COLLECTED_RATE
            self._emit(
                t,
                "household.visited",
                cadre,
                self.NORMAL if collected else self.DELAYABLE,
                cadre_id=cadre,
                household_id=household,
                persons=self._persons(household),
                info_collected=collected,
            )
            if collected and rng.random() < VERIFY_RATE:
                later = t + timedelta(days=rng.randint(14, 35))
                at = datetime(later.year, later.month, later.day, 9, 0, tzinfo=CST) + timedelta(
                    minutes=rng.randint(0, 480)
                )
                if at <= YEAR_END:
                    self._emit(
                        at,
                        "information.verified",
                        f"wgy-{grid}",
                        self.VERIFY,
                        household_id=household,
                        result="correct" if rng.random() < 0.85 else "corrected",
                    )
        if rng.random() < OPINION_RATE:
            t += timedelta(minutes=rng.randint(5, 20))
            category = rng.choice(list(OPINIONS))
            self._emit(
                t,
                "opinion.collected",
                cadre,
                self.DELAYABLE,
                cadre_id=cadre,
                grid_id=grid,
                category=category,
                text=rng.choice(OPINIONS[category]),
            )
        if rng.random() < VOLUNTEER_RATE:
            t += timedelta(minutes=rng.randint(5, 20))
            self._emit(
                t,
                "volunteer.served",
                cadre,
                self.DELAYABLE,
                cadre_id=cadre,
                grid_id=grid,
                activity=rng.choice(ACTIVITIES),
                hours=rng.choice([1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]),
            )
        if rng.random() < RATING_RATE:
            t += timedelta(minutes=rng.randint(5, 20))
            household = self._household(grid)
            self._emit(
                t,
                "satisfaction.rated",
                household,
                self.DELAYABLE,
                cadre_id=cadre,
                household_id=household,
                score=rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0],
            )
        return t

    def _random_problem(self, problem_id: str, grid: str, cadre: str, at: datetime) -> None:
        rng = self.rng
        what, office = rng.choice(PROBLEMS)
        escalated = at + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
        escalation = (escalated, office) if rng.random() < 0.4 else None
        resolution = None
        if rng.random() < 0.85:
            resolved = (escalated if escalation else at) + timedelta(
                days=rng.randint(1, 30), hours=rng.randint(0, 6)
            )
            resolution = (resolved, "已协调解决 (solved)")
        where = f"{self.grid_info[grid]['name']} {rng.randint(1, 40)}号楼 (building)"
        self._problem(problem_id, grid, cadre, at, what, where, escalation, resolution)

    def _inspections(
        self,
        day: date,
        eligible: list[str],
        present: dict[str, tuple[datetime, datetime]],
        paper_only: set[str],
    ) -> None:
        """6个督查组, 每周不定期督查: unannounced checks of cadres on the service day."""
        rng = self.rng
        if not eligible:
            return
        grid_of = {c["id"]: c["grid"] for c in self.plan.cadres}
        for group in range(1, 7):
            few = max(1, round(rng.randint(2, 4) * self.share))
            for k, cadre in enumerate(rng.sample(eligible, min(len(eligible), few)), start=1):
                if cadre in present:
                    checked_in, checked_out = present[cadre]
                    span = int((checked_out - checked_in).total_seconds() // 60)
                    at = checked_in + timedelta(minutes=rng.randint(1, max(1, span - 1)))
                    finding = "idle" if cadre in paper_only else "present"
                else:
                    at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=CST) + timedelta(
                        minutes=rng.randint(0, 420)
                    )
                    finding = "absent"
                self._emit(
                    at,
                    "inspection.made",
                    f"dcz-{group}",
                    inspection_id=f"INS-{day:%Y%m%d}-G{group}-{k}",
                    group=group,
                    cadre_id=cadre,
                    grid_id=grid_of[cadre],
                    finding=finding,
                )

    def _drill(self) -> None:
        for episode in self.plan.episodes:
            if episode.exercise:
                self._switch(episode)

    # ---------------------------------------------------------------------------------------- the stream
    def messages(self) -> Iterator[tuple[str, str, bytes]]:
        """The year, in stream order: by ``occurred_at``, then the late reports."""
        self.build()
        self.events.sort(key=lambda e: (e[0], e[1]))
        rng, plan = self.rng, self.plan
        # Verify only what was collected and not verified since (in stream order).
        unverified: dict[str, bool] = {}
        kept: list[tuple[datetime, int, int, dict[str, Any]]] = []
        for event in self.events:
            fields = event[3]
            if fields["kind"] == "household.visited" and fields["info_collected"]:
                unverified[fields["household_id"]] = True
            elif event[2] == self.VERIFY:
                if not unverified.get(fields["household_id"]):
                    continue
                unverified[fields["household_id"]] = False
            kept.append(event)
        # Deliberately invalid messages, at random places after the set-up.
        setup = 2 * len(plan.cadres)
        invalid = max(3, round(INVALID_SHARE * len(kept)))
        after = set(rng.sample(range(setup, len(kept)), min(invalid, len(kept) - setup)))
        stream: list[tuple[datetime, int, int, dict[str, Any] | None]] = []
        for i, event in enumerate(kept):
            stream.append(event)
            if i in after:
                stream.append((event[0], -1, -1, None))
        # Ids in occurred_at order; then the late reports move to the end.
        ids = [f"sim-{self.seed}-{n:08d}" for n in range(1, len(stream) + 1)]
        base = sum(1 for e in stream if e[3] is not None and e[3]["kind"] in SERVICE_KINDS)
        delayable = [i for i, e in enumerate(stream) if e[2] == self.DELAYABLE]
        late = set(rng.sample(delayable, min(len(delayable), round(LATE_SHARE * base))))
        order = [i for i in range(len(stream)) if i not in late] + sorted(late)
        plan.late_ids = [ids[i] for i in sorted(late)]
        plan.invalid_ids = []
        counts: Counter[str] = Counter()
        prefix, n_invalid = self.prefix, 0
        for i in order:
            at, _seq, _flag, payload = stream[i]
            msg_id = ids[i]
            if payload is None:
                n_invalid += 1
                plan.invalid_ids.append(msg_id)
                counts["invalid"] += 1
                yield self._invalid(msg_id, at, n_invalid)
                continue
            counts[payload["kind"]] += 1
            msg_id = setup_id(payload) or msg_id  # the same ids as `pingzhan org import`: recorded once
            body = {"id": msg_id, "occurred_at": at.isoformat(), **payload}
            yield (
                msg_id,
                subject_of(prefix, payload),
                orjson.dumps(body),
            )
        plan.counts = dict(sorted(counts.items()))

    def _invalid(self, msg_id: str, at: datetime, n: int) -> tuple[str, str, bytes]:
        """A message the ingest must reject: not JSON, an unknown kind, or a schema violation."""
        rng = self.rng
        cadre = rng.choice(self.plan.cadres)
        grid, household = cadre["grid"], self._household(cadre["grid"])
        envelope = {"id": msg_id, "occurred_at": at.isoformat(), "actor": cadre["id"]}
        flavour = rng.choice(["malformed_json", "unknown_kind", "schema"])
        if flavour == "malformed_json":
            body = {
                **envelope,
                "kind": "household.visited",
                "cadre_id": cadre["id"],
                "household_id": household,
            }
            raw = orjson.dumps(body)
            data = raw[: len(raw) // 2] if rng.random() < 0.7 else b"\xff\xfe not json at all"
            return msg_id, f"{self.prefix}.in.{shard_of(grid)}.household.visited", data
        if flavour == "unknown_kind":
            kind = rng.choice(["household.teleported", "cadre.promoted", "mode.switched_to_holiday"])
            body = {**envelope, "kind": kind, "cadre_id": cadre["id"], "grid_id": grid}
            return msg_id, f"{self.prefix}.in.{shard_of(grid)}.{kind}", orjson.dumps(body)
        variant = rng.randrange(4)
        if variant == 0:
            body = {
                **envelope,
                "kind": "satisfaction.rated",
                "cadre_id": cadre["id"],
                "household_id": household,
                "score": 9,
            }
        elif variant == 1:
            body = {
                **envelope,
                "kind": "household.visited",
                "cadre_id": cadre["id"],
                "household_id": household,
                "persons": 99,
                "info_collected": True,
            }
        elif variant == 2:
            body = {
                **envelope,
                "kind": "hazard.reported",
                "hazard_id": f"HZ-BAD-{n}",
                "grid_id": grid,
                "hazard_kind": "meteor",
                "location": "?",
                "severity": "high",
            }
        else:
            body = {
                **envelope,
                "kind": "service.checked_in",
                "cadre_id": cadre["id"],
                "grid_id": grid,
                "mood": "sunny",
            }
        return msg_id, f"{self.prefix}.in.{shard_of(grid)}.{body['kind']}", orjson.dumps(body)


def simulate(
    org_data: dict[str, Any], seed: int, scale: float = 1.0, prefix: str = "pingzhan"
) -> Iterator[tuple[str, str, bytes]]:
    """The year 2022 for the district (or the first ``scale`` share of its cadres) as (id, subject, body)."""
    return Simulator(org_data, seed, scale, prefix).messages()


def summary(messages: Iterable[tuple[str, str, bytes]]) -> dict[str, int]:
    """Messages per kind (``invalid`` for those that do not validate), and ``total``."""
    counts: Counter[str] = Counter()
    for _id, _subject, body in messages:
        try:
            counts[MESSAGE.validate_json(body).kind] += 1  # type: ignore[union-attr]
        except ValidationError:
            counts["invalid"] += 1
    return {**dict(sorted(counts.items())), "total": sum(counts.values())}


def main(argv: list[str] | None = None) -> None:
    from pingzhan.services.org.data import read_org_file

    parser = argparse.ArgumentParser(description="Generate a year of messages and print the counts per kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sim = Simulator(read_org_file(), args.seed, args.scale)
    messages = list(sim.messages())
    elapsed = time.perf_counter() - started
    for kind, n in sim.plan.counts.items():
        print(f"{kind:28} {n:8d}")
    print(f"{'total':28} {len(messages):8d}   ({elapsed:.1f} s; {len(sim.plan.late_ids)} late)")


if __name__ == "__main__":
    main()
