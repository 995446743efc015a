"""The whistle-and-report loop's history (吹哨报到) and the opinions collected (社情民意), as rows
for the problems and opinions reports (``loop_report.py``).

One row per step of a problem's loop, in store order (reported, escalated, acknowledged,
forwarded, reported_back, reopened, resolved), with the office and when it happened in the field;
one row per opinion, dated by the district's date it was collected on.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from pingzhan.domain.cadre import Cadre
from pingzhan.domain.opinion import Opinion
from pingzhan.domain.problem import (
    ACKNOWLEDGED,
    ESCALATED,
    FORWARDED,
    REOPENED,
    REPORTED,
    REPORTED_BACK,
    RESOLVED,
    Problem,
)
from pingzhan.projections.assessment import DISTRICT_TZ
from pingzhan.projections.base import ReadModel, Table, on

Step = tuple[str, str, str, str | None, str, str | None]  # problem, grid, step, office, occurred_at, detail
OpinionRow = tuple[
    str | None, str, str, str, str
]  # opinion id (none: not routable), cadre, grid, category, day


class Problems(ReadModel):
    name = "problems"
    version = 1
    tables = (
        Table(
            "problem_step",
            ("position",),
            ("problem_id", "grid", "step", "office", "occurred_at", "detail"),
            append_only=True,
        ),
        Table(
            "opinion_log",
            ("position",),
            ("opinion_id", "cadre_id", "grid", "category", "day"),
            append_only=True,
        ),
    )

    def __init__(self, tz: tzinfo = DISTRICT_TZ):
        super().__init__()
        self.tz = tz

    def _step(self, p: int, e: Any, step: str, office: str | None, detail: str | None = None) -> None:
        self.append("problem_step", (p, e.problem_id, e.grid_id, step, office, e.occurred_at, detail))

    @on(Problem.Reported)
    def problem_reported(self, p: int, e: Any) -> None:
        self._step(p, e, REPORTED, None, getattr(e, "opinion_id", None))  # none on older events

    @on(Problem.Escalated)
    def problem_escalated(self, p: int, e: Any) -> None:
        self._step(p, e, ESCALATED, e.office)

    @on(Problem.Acknowledged)
    def problem_acknowledged(self, p: int, e: Any) -> None:
        self._step(p, e, ACKNOWLEDGED, e.office, e.by)

    @on(Problem.Forwarded)
    def problem_forwarded(self, p: int, e: Any) -> None:
        self._step(p, e, FORWARDED, e.office, e.to)

    @on(Problem.ReportedBack)
    def problem_reported_back(self, p: int, e: Any) -> None:
        self._step(p, e, REPORTED_BACK, e.office)

    @on(Problem.Reopened)
    def problem_reopened(self, p: int, e: Any) -> None:
        self._step(p, e, REOPENED, e.office)

    @on(Problem.Resolved)
    def problem_resolved(self, p: int, e: Any) -> None:
        self._step(p, e, RESOLVED, getattr(e, "confirms", None))  # none on older events

    @on(Cadre.OpinionCollected)
    def cadre_opinion_collected(self, p: int, e: Any) -> None:
        self._opinion(p, e, None)

    @on(Opinion.Collected)
    def opinion_collected(self, p: int, e: Any) -> None:
        self._opinion(p, e, e.opinion_id)

    def _opinion(self, p: int, e: Any, opinion_id: str | None) -> None:
        day = datetime.fromisoformat(e.occurred_at).astimezone(self.tz).date().isoformat()
        self.append("opinion_log", (p, opinion_id, e.cadre_id, e.grid_id, e.category, day))
