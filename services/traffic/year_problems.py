"""Problems (烦心事) in the simulated year and the whistle-and-report loop (吹哨报到) that closes them.

A cadre reports a problem on a service day, some of them a resident's opinion raised as a problem
(社情民意 routed as the problems are). The grid fixes most itself; about two in five go to an
office: the community escalates it, the office acknowledges it (mostly within its day; a few
late), now and then forwards it to the office it belongs to, which acknowledges it in turn, and
reports back (mostly within the week; a few late); the community confirms the fix, or, now and
then, reopens it and the office goes again. Some stay open at the end of the year: never
acknowledged, or never reported back on, overdue by the default deadlines.

The main random source draws what it drew before the loop existed; the loop's own draws come from
a random source per problem (from the seed and the problem's id), so the rest of the year is the
same with or without them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pingzhan.services.traffic.year_plan import YEAR_END
from pingzhan.services.traffic.year_record import YearRecord

# problem, the office it goes to, the category of the opinion it may come from
PROBLEMS = [
    ("下水道堵塞 (blocked drain)", "区水务局 (district water bureau)", "environment"),
    ("路灯损坏 (broken street light)", "区城管局 (district urban management)", "safety"),
    ("小区围墙破损 (damaged compound wall)", "区住建局 (district housing bureau)", "safety"),
    ("垃圾清运不及时 (rubbish not collected)", "区城管局 (district urban management)", "environment"),
    ("楼道堆放杂物 (clutter in stairwells)", "街道办 (street office)", "environment"),
    ("供暖不热 (heating too weak)", "区住建局 (district housing bureau)", "livelihood"),
]
OFFICE_ACTORS = {  # who sends an office's messages (an actor is an ASCII identifier)
    "区水务局 (district water bureau)": "office-swj",
    "区城管局 (district urban management)": "office-cgj",
    "区住建局 (district housing bureau)": "office-zjj",
    "街道办 (street office)": "office-jdb",
    "市内涝办 (city waterlogging office)": "office-nlb",
    "热力公司 (heating company)": "office-rlgs",
}
FORWARD_TO = {  # where an office forwards a problem that is not its own
    "区城管局 (district urban management)": "街道办 (street office)",
    "区住建局 (district housing bureau)": "热力公司 (heating company)",
    "区水务局 (district water bureau)": "区城管局 (district urban management)",
    "街道办 (street office)": "区城管局 (district urban management)",
}
ESCALATED_SHARE = 0.4
RESOLVED_SHARE = 0.85
FROM_OPINION_SHARE = 0.3  # of the problems: a resident's opinion, raised as a problem
FORWARDED_SHARE = 0.12
LATE_SHARE = 0.1  # of the acknowledgements, and of the report-backs
REOPENED_SHARE = 0.05
LOOP_CASES = {1: "forwarded", 2: "late", 3: "reopened", 4: "stalled"}  # the year's first escalations


@dataclass(frozen=True)
class Step:
    at: datetime
    kind: str
    actor: str
    fields: dict[str, Any]


def problem(
    record: YearRecord,
    problem_id: str,
    grid: str,
    actor: str,
    at: datetime,
    what: str,
    where: str,
    loop: list[Step],
    hazard_id: str | None = None,
    opinion_id: str | None = None,
) -> None:
    """One problem's messages: reported at ``at`` (taking over a hazard or an opinion, when
    given), then the steps of its loop that fall within the year."""
    taken_over = {"hazard_id": hazard_id} if hazard_id else {}
    taken_over |= {"opinion_id": opinion_id} if opinion_id else {}
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
    for step in loop:
        if step.at > YEAR_END:
            return  # the rest of the loop is next year's: open at the end of this one
        record.emit(step.at, step.kind, step.actor, problem_id=problem_id, grid_id=grid, **step.fields)


def escalated(record: YearRecord, grid: str, at: datetime, office: str) -> Step:
    return Step(at, "problem.escalated", record.community_actor(grid), {"office": office})


def acknowledged(at: datetime, office: str, by: str) -> Step:
    return Step(at, "problem.acknowledged", OFFICE_ACTORS[office], {"office": office, "by": by})


def reported_back(at: datetime, office: str, result: str) -> Step:
    return Step(at, "problem.reported_back", OFFICE_ACTORS[office], {"office": office, "result": result})


def confirmed(record: YearRecord, grid: str, at: datetime, resolution: str) -> Step:
    """The community confirms the fix: ``problem.resolved`` after the report-back."""
    return Step(at, "problem.resolved", record.community_actor(grid), {"resolution": resolution})


def random_problem(record: YearRecord, problem_id: str, grid: str, cadre: str, at: datetime) -> None:
    """A problem a cadre comes across on a service day, maybe a resident's opinion."""
    rng = record.rng
    what, office, category = rng.choice(PROBLEMS)
    sent = at + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
    goes_to_office = rng.random() < ESCALATED_SHARE
    resolved = rng.random() < RESOLVED_SHARE
    if resolved:
        fixed = (sent if goes_to_office else at) + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 6))
    where = f"{record.grid_name(grid)} {rng.randint(1, 40)}号楼 (building)"
    own = random.Random(f"loop-{record.plan.seed}-{problem_id}")  # the loop's draws
    opinion_id = None
    if own.random() < FROM_OPINION_SHARE:
        opinion_id = f"OP-{problem_id}"
        record.emit(
            at - timedelta(minutes=own.randint(2, 10)),
            "opinion.collected",
            cadre,
            cadre_id=cadre,
            grid_id=grid,
            category=category,
            text=f"居民反映: {what} (a resident says)",
            opinion_id=opinion_id,
        )
    if goes_to_office:
        loop = _office_loop(record, own, grid, sent, office, resolved)
    elif resolved:
        loop = [Step(fixed, "problem.resolved", cadre, {"resolution": "已协调解决 (solved in the grid)"})]
    else:
        loop = []
    problem(record, problem_id, grid, cadre, at, what, where, loop, opinion_id=opinion_id)


def _office_loop(
    record: YearRecord, own: random.Random, grid: str, sent: datetime, office: str, resolved: bool
) -> list[Step]:
    """Escalated to ``office`` at ``sent``: acknowledged, maybe forwarded, reported back, and
    confirmed (or reopened first); unresolved ones stop before the report-back or before the
    acknowledgement, half and half. The first four escalated problems of the year show one case
    each (forwarded, acknowledged late, reopened, never reported back), so that any scale tells
    the whole loop; the others draw theirs."""
    case = LOOP_CASES.get(record.count("escalated"))
    loop = [escalated(record, grid, sent, office)]
    t = _acknowledge(own, loop, sent, office, late=case == "late")
    if office in FORWARD_TO and (case == "forwarded" or own.random() < FORWARDED_SHARE):
        to = FORWARD_TO[office]
        t += timedelta(hours=own.randint(1, 12))
        forwarded = {"office": office, "to": to, "reason": "职责不属本单位 (not ours)"}
        loop.append(Step(t, "problem.forwarded", OFFICE_ACTORS[office], forwarded))
        office = to
        t = _acknowledge(own, loop, t, office)
    if case == "stalled" or not resolved:
        never_acknowledged = case != "stalled" and own.random() < 0.5
        return loop[:-1] if never_acknowledged else loop  # else acknowledged, never reported back
    t = _report_back(own, loop, t, office)
    if case == "reopened" or own.random() < REOPENED_SHARE:
        t += timedelta(hours=own.randint(12, 72))
        reopened = {"reason": "居民反映未解决 (residents say it is not fixed)"}
        loop.append(Step(t, "problem.reopened", record.community_actor(grid), reopened))
        t = _acknowledge(own, loop, t, office)
        t = _report_back(own, loop, t, office)
    when = t + timedelta(hours=own.randint(4, 48))
    loop.append(confirmed(record, grid, when, "社区确认已解决 (the community confirms)"))
    return loop


def _acknowledge(
    own: random.Random, loop: list[Step], since: datetime, office: str, late: bool = False
) -> datetime:
    hours = own.randint(26, 72) if own.random() < LATE_SHARE or late else own.randint(1, 20)
    t = since + timedelta(hours=hours, minutes=own.randint(0, 59))
    loop.append(acknowledged(t, office, f"{office.partition(' (')[0]}值班员 (duty officer)"))
    return t


def _report_back(own: random.Random, loop: list[Step], since: datetime, office: str) -> datetime:
    days = own.randint(8, 14) if own.random() < LATE_SHARE else own.randint(1, 6)
    t = since + timedelta(days=days, hours=own.randint(0, 8))
    loop.append(reported_back(t, office, "已处理完毕 (done)"))
    return t
