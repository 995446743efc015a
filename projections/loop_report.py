"""The whistle-and-report loop per office, and the opinions per grid and category: what
`pingzhan report problems` and `pingzhan report opinions` show (pure functions over the rows of
``problems.py``).

A problem's time with one office is a *stage*: from the moment it reached the office (escalated
by the community, forwarded by another office, or reopened after a report-back) until the office
reported back or forwarded it (or the community closed it before any office took it). The
deadlines are ``deadlines.py``'s: late steps and overdue stages are worked out when asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from statistics import median
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.domain.problem import (
    ACKNOWLEDGED,
    ESCALATED,
    FORWARDED,
    REOPENED,
    REPORTED,
    REPORTED_BACK,
    RESOLVED,
)
from pingzhan.projections.deadlines import Deadlines, hours_between, overdue
from pingzhan.projections.facts import Period
from pingzhan.projections.problems import OpinionRow, Step


@dataclass
class Stage:
    problem: str
    grid: str
    office: str
    via: str  # escalated, forwarded or reopened
    received_at: str
    acknowledged_at: str | None = None
    reported_back_at: str | None = None
    ended: str | None = None  # forwarded, reported_back, escalated (elsewhere) or resolved
    confirmed: bool = False  # its report-back confirmed by the community
    reopened: bool = False  # its report-back not accepted

    @property
    def open(self) -> bool:
        """Does the office still owe a step (an acknowledgement or a report-back)?"""
        return self.ended is None

    def due(self, deadlines: Deadlines) -> str | None:
        if not self.open:
            return None
        if self.acknowledged_at is None:
            return deadlines.due(ESCALATED, self.received_at, self.office)
        return deadlines.due(ACKNOWLEDGED, self.acknowledged_at, self.office)

    def late(self, deadlines: Deadlines) -> bool:
        """Was the acknowledgement or the report-back given after it fell due?"""
        ack_due = deadlines.due(ESCALATED, self.received_at, self.office)
        if self.acknowledged_at is not None and _after(self.acknowledged_at, ack_due):
            return True
        if self.acknowledged_at is None or self.reported_back_at is None:
            return False
        return _after(self.reported_back_at, deadlines.due(ACKNOWLEDGED, self.acknowledged_at, self.office))


@dataclass
class Loop:
    """One problem: its stages with offices, the opinion it took over, whether it is resolved."""

    problem: str
    grid: str
    opinion: str | None = None
    resolved: bool = False
    stages: list[Stage] = field(default_factory=list)

    @property
    def current(self) -> Stage | None:
        return self.stages[-1] if self.stages else None


def loops(steps: Iterable[Step]) -> dict[str, Loop]:
    """Every problem's loop, from its steps in store order."""
    found: dict[str, Loop] = {}
    for problem, grid, step, office, at, detail in steps:
        loop = found.setdefault(problem, Loop(problem, grid))
        stages, current = loop.stages, loop.current
        if step == REPORTED:
            loop.opinion = detail
        elif step == RESOLVED:
            loop.resolved = True
            if current is not None:
                current.confirmed = office is not None and current.ended == REPORTED_BACK
                current.ended = current.ended or RESOLVED
        elif step in (ESCALATED, REOPENED) and office is not None:
            if current is not None and current.open:
                current.ended = ESCALATED  # sent elsewhere before the office took it
            if step == REOPENED and current is not None:
                current.reopened = True
            stages.append(Stage(problem, grid, office, step, at))
        elif current is None:
            continue  # a step of the loop without an office before it cannot be stored
        elif step == ACKNOWLEDGED:
            current.acknowledged_at = at
        elif step == FORWARDED and detail is not None:
            current.ended = FORWARDED
            stages.append(Stage(problem, grid, detail, FORWARDED, at))
        elif step == REPORTED_BACK:
            current.reported_back_at, current.ended = at, REPORTED_BACK
    return found


def by_office(
    steps: Iterable[Step], deadlines: Deadlines, now: datetime, p: Period, tz: tzinfo
) -> list[dict[str, Any]]:
    """Per office, the stages that reached it in the period: how many it acknowledged and
    reported back on and how fast (median hours), forwarded, got back reopened, had confirmed;
    how many it still owes a step on, overdue by ``now``, and were late at a step."""
    offices: dict[str, list[Stage]] = {}
    for loop in loops(steps).values():
        for stage in loop.stages:
            if _within(stage.received_at, p, tz):
                offices.setdefault(stage.office, []).append(stage)
    rows = []
    for office, stages in sorted(offices.items()):
        acked = [s for s in stages if s.acknowledged_at is not None]
        back = [s for s in acked if s.reported_back_at is not None]
        deadline = deadlines.of(office)
        rows.append(
            {
                "office": office,
                "acknowledge_h": deadline.acknowledge_h,
                "report_back_h": deadline.report_back_h,
                "received": len(stages),
                "acknowledged": len(acked),
                "median_acknowledge_h": _median(
                    hours_between(s.received_at, a) for s in acked if (a := s.acknowledged_at)
                ),
                "reported_back": len(back),
                "median_report_back_h": _median(
                    hours_between(a, b)
                    for s in back
                    if (a := s.acknowledged_at) and (b := s.reported_back_at)
                ),
                "forwarded": sum(s.ended == FORWARDED for s in stages),
                "reopened": sum(s.reopened for s in stages),
                "confirmed": sum(s.confirmed for s in stages),
                "open": sum(s.open for s in stages),
                "overdue": sum(overdue(s.due(deadlines), now) for s in stages),
                "late": sum(s.late(deadlines) for s in stages),
            }
        )
    return rows


def by_grid_and_category(
    opinions: Iterable[OpinionRow],
    steps: Iterable[Step],
    deadlines: Deadlines,
    now: datetime,
    org: Org,
    scope: str | None = None,
) -> list[dict[str, Any]]:
    """Per grid and category, the opinions collected (rows already of the period): how many were
    raised as problems (routed), and of those how many are resolved, open, overdue by ``now``."""
    grids = set(org.grids_under(scope)) if scope else None
    routed = {loop.opinion: loop for loop in loops(steps).values() if loop.opinion}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for opinion_id, _cadre, grid, category, _day in opinions:
        if grids is not None and grid not in grids:
            continue
        row = counts.setdefault((grid, category), dict.fromkeys(_COUNTS, 0))
        row["collected"] += 1
        loop = routed.get(opinion_id) if opinion_id else None
        if loop is None:
            continue
        row["routed"] += 1
        current = loop.current
        row["resolved" if loop.resolved else "open"] += 1
        row["overdue"] += not loop.resolved and current is not None and overdue(current.due(deadlines), now)
    rows = []
    for (grid, category), n in sorted(counts.items()):
        above = org.ancestors(f"grid:{grid}") if f"grid:{grid}" in org.units else []
        community = above[1] if len(above) > 1 else None
        street = above[2] if len(above) > 2 else None
        rows.append(
            {
                "street": street.partition(":")[2] if street else None,
                "community": org.units[community].name if community else None,
                "grid": grid,
                "category": category,
                **n,
            }
        )
    return rows


_COUNTS = ("collected", "routed", "resolved", "open", "overdue")


def _within(at: str, p: Period, tz: tzinfo) -> bool:
    return p.start <= datetime.fromisoformat(at).astimezone(tz).date() <= p.end


def _after(at: str, due: str | None) -> bool:
    return due is not None and datetime.fromisoformat(at) > datetime.fromisoformat(due)


def _median(hours: Iterable[float]) -> float | None:
    values = list(hours)
    return round(median(values), 1) if values else None
