"""Facts for assessment and the reporting chain, one row per event, dated by when it happened.

Wartime duty is among them: checkpoint shifts (``fact_shift``, which also answers ``duty --at``)
and the flood-duty tasks of hazards (``fact_task``: one row per task, dated by its assignment,
with the day it was done once it is).

Reports are computed from these facts when asked (``projections/reports.py``), so a late report
counts in the period it happened in, not the one it arrived in.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from pingzhan.domain.cadre import CADRE, Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.opinion import Opinion
from pingzhan.projections.base import ReadModel, Table, on

DISTRICT_TZ = ZoneInfo("Asia/Shanghai")  # the default of the PINGZHAN_DISTRICT_TZ setting


class Assessment(ReadModel):
    """Facts dated by the district's date at the moment they happened (``tz``)."""

    name = "assessment"
    version = 8  # 4: registrations moved to the drives model (projections/drives.py);
    #              5: wartime duty in the facts (fact_shift's day, fact_task);
    #              6: duty_task, the flood-duty tasks' field times for `duty --at`;
    #              7: inspection_log, the inspections with their ids and checkpoints;
    #              8: team_info, the checkpoint teams' others (not assessed)
    tables = (
        Table("cadre_info", ("cadre_id",), ("name", "unit", "grid")),
        Table("team_info", ("person_id",), ("name", "unit", "role")),
        Table("fact_service", ("position",), ("cadre_id", "day", "grid"), append_only=True),
        Table(
            "fact_visit",
            ("position",),
            ("cadre_id", "day", "household_id", "info_collected"),
            append_only=True,
        ),
        Table(
            "fact_verification",
            ("position",),
            ("collected_by", "day", "household_id", "result"),
            append_only=True,
        ),
        Table("fact_rating", ("position",), ("cadre_id", "day", "score"), append_only=True),
        Table(
            "fact_inspection",
            ("position",),
            ("cadre_id", "day", "grid", "inspection_group", "finding"),
            append_only=True,
        ),
        Table(
            "inspection_log",
            ("position",),
            (
                "inspection_id",
                "cadre_id",
                "day",
                "grid",
                "inspection_group",
                "finding",
                "checkpoint_id",
                "occurred_at",
            ),
            append_only=True,
        ),
        Table("fact_work", ("position",), ("cadre_id", "day", "what", "amount"), append_only=True),
        Table(
            "fact_shift",
            ("position",),
            ("checkpoint_id", "cadre_id", "grid", "action", "day", "occurred_at", "recorded_at"),
            append_only=True,
        ),
        Table("fact_task", ("hazard_id", "task_id"), ("cadre_id", "day", "task", "done_day")),
        Table(
            "duty_task",
            ("hazard_id", "task_id"),
            ("cadre_id", "grid", "task", "assigned_at", "recorded_at", "done_at"),
        ),
    )

    def __init__(self, tz: tzinfo = DISTRICT_TZ):
        super().__init__()
        self.tz = tz

    def _day(self, e: Any) -> str:
        """The district's date at the event's occurred_at."""
        return datetime.fromisoformat(e.occurred_at).astimezone(self.tz).date().isoformat()

    @on(Cadre.Registered)
    def cadre_registered(self, _: int, e: Any) -> None:
        """Only cadres are assessed: a checkpoint team's others are in ``team_info``."""
        role = getattr(e, "role", CADRE)  # none on older events
        if role == CADRE:
            self.put("cadre_info", (e.cadre_id,), (e.name, e.unit, None))
        else:
            self.put("team_info", (e.cadre_id,), (e.name, e.unit, role))

    @on(Cadre.DispatchedToGrid)
    def cadre_dispatched_to_grid(self, _: int, e: Any) -> None:
        if (e.cadre_id,) in self.rows["cadre_info"]:
            name, unit, _grid = self.rows["cadre_info"][(e.cadre_id,)]
            self.put("cadre_info", (e.cadre_id,), (name, unit, e.grid_id))

    @on(Cadre.Recalled)
    def cadre_recalled(self, _: int, e: Any) -> None:
        if (e.cadre_id,) in self.rows["cadre_info"]:
            name, unit, _grid = self.rows["cadre_info"][(e.cadre_id,)]
            self.put("cadre_info", (e.cadre_id,), (name, unit, None))

    @on(Cadre.CheckedIn)
    def cadre_checked_in(self, p: int, e: Any) -> None:
        self.append("fact_service", (p, e.cadre_id, e.service_day, e.grid_id))

    @on(Cadre.HouseholdVisited)
    def cadre_household_visited(self, p: int, e: Any) -> None:
        self.append(
            "fact_visit", (p, e.cadre_id, self._day(e), e.household_id, "1" if e.info_collected else "0")
        )

    @on(HouseholdInfo.InformationVerified)
    def household_info_information_verified(self, p: int, e: Any) -> None:
        self.append("fact_verification", (p, e.collected_by, self._day(e), e.household_id, e.result))

    @on(Cadre.RatedByResident)
    def cadre_rated_by_resident(self, p: int, e: Any) -> None:
        self.append("fact_rating", (p, e.cadre_id, self._day(e), str(e.score)))

    @on(Cadre.Inspected)
    def cadre_inspected(self, p: int, e: Any) -> None:
        self.append("fact_inspection", (p, e.cadre_id, self._day(e), e.grid_id, str(e.group), e.finding))
        checkpoint = getattr(e, "checkpoint_id", None)  # none on older events
        self.append(
            "inspection_log",
            (
                p,
                e.inspection_id,
                e.cadre_id,
                self._day(e),
                e.grid_id,
                str(e.group),
                e.finding,
                checkpoint,
                e.occurred_at,
            ),
        )

    @on(Cadre.OpinionCollected, Opinion.Collected)
    def cadre_opinion_collected(self, p: int, e: Any) -> None:
        self.append("fact_work", (p, e.cadre_id, self._day(e), "opinion", "1"))

    @on(Cadre.VolunteerServed)
    def cadre_volunteer_served(self, p: int, e: Any) -> None:
        self.append("fact_work", (p, e.cadre_id, self._day(e), "volunteer_hours", str(e.hours)))

    @on(Checkpoint.Staffed)
    def checkpoint_staffed(self, p: int, e: Any) -> None:
        self.append(
            "fact_shift",
            (
                p,
                e.checkpoint_id,
                e.cadre_id,
                e.grid_id,
                "start",
                self._day(e),
                e.occurred_at,
                _iso(e.timestamp),
            ),
        )

    @on(Checkpoint.Relieved)
    def checkpoint_relieved(self, p: int, e: Any) -> None:
        self.append(
            "fact_shift",
            (
                p,
                e.checkpoint_id,
                e.cadre_id,
                e.grid_id,
                "end",
                self._day(e),
                e.occurred_at,
                _iso(e.timestamp),
            ),
        )

    @on(Hazard.TaskAssigned)
    def hazard_task_assigned(self, _: int, e: Any) -> None:
        self.put("fact_task", (e.hazard_id, e.task_id), (e.cadre_id, self._day(e), e.task, None))
        self.put(
            "duty_task",
            (e.hazard_id, e.task_id),
            (e.cadre_id, e.grid_id, e.task, e.occurred_at, _iso(e.timestamp), None),
        )

    @on(Hazard.TaskDone)
    def hazard_task_done(self, _: int, e: Any) -> None:
        cadre, assigned, task, _done = self.rows["fact_task"][(e.hazard_id, e.task_id)]
        self.put("fact_task", (e.hazard_id, e.task_id), (cadre, assigned, task, self._day(e)))
        duty = self.rows["duty_task"][(e.hazard_id, e.task_id)]
        self.put("duty_task", (e.hazard_id, e.task_id), (*duty[:5], e.occurred_at))


def _iso(ts: Any) -> str:
    return ts if isinstance(ts, str) else ts.isoformat()
