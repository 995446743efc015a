"""Facts for assessment and the reporting chain, one row per event, dated by when it happened.

Reports are computed from these facts when asked (``services/reports.py``), so a late report
counts in the period it happened in, not the one it arrived in.
"""

from __future__ import annotations

from typing import Any

from pingzhan.projections.base import ReadModel, Table


def _day(e: Any) -> str:
    return str(e.occurred_at)[:10]  # the local date, in the offset the field reported


class Assessment(ReadModel):
    name = "assessment"
    version = 2
    tables = (
        Table("cadre_info", ("cadre_id",), ("name", "unit", "grid")),
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
            "fact_registration",
            ("position",),
            ("drive_id", "compound_id", "cadre_id", "day", "households", "persons"),
            append_only=True,
        ),
        Table("fact_work", ("position",), ("cadre_id", "day", "what", "amount"), append_only=True),
        Table(
            "fact_shift",
            ("position",),
            ("checkpoint_id", "cadre_id", "grid", "action", "occurred_at", "recorded_at"),
            append_only=True,
        ),
    )

    def on_Cadre_Registered(self, _: int, e: Any) -> None:
        self.put("cadre_info", (e.cadre_id,), (e.name, e.unit, None))

    def on_Cadre_DispatchedToGrid(self, _: int, e: Any) -> None:
        name, unit, _grid = self.rows["cadre_info"][(e.cadre_id,)]
        self.put("cadre_info", (e.cadre_id,), (name, unit, e.grid_id))

    def on_Cadre_Recalled(self, _: int, e: Any) -> None:
        name, unit, _grid = self.rows["cadre_info"][(e.cadre_id,)]
        self.put("cadre_info", (e.cadre_id,), (name, unit, None))

    def on_Cadre_CheckedIn(self, p: int, e: Any) -> None:
        self.append("fact_service", (p, e.cadre_id, e.service_day, e.grid_id))

    def on_Cadre_HouseholdVisited(self, p: int, e: Any) -> None:
        self.append("fact_visit", (p, e.cadre_id, _day(e), e.household_id, "1" if e.info_collected else "0"))

    def on_HouseholdInfo_InformationVerified(self, p: int, e: Any) -> None:
        self.append("fact_verification", (p, e.collected_by, _day(e), e.household_id, e.result))

    def on_Cadre_RatedByResident(self, p: int, e: Any) -> None:
        self.append("fact_rating", (p, e.cadre_id, _day(e), str(e.score)))

    def on_Cadre_Inspected(self, p: int, e: Any) -> None:
        self.append("fact_inspection", (p, e.cadre_id, _day(e), e.grid_id, str(e.group), e.finding))

    def on_Cadre_HouseholdsRegistered(self, p: int, e: Any) -> None:
        self.append(
            "fact_registration",
            (p, e.drive_id, e.compound_id, e.cadre_id, _day(e), str(e.households), str(e.persons)),
        )

    def on_Cadre_OpinionCollected(self, p: int, e: Any) -> None:
        self.append("fact_work", (p, e.cadre_id, _day(e), "opinion", "1"))

    def on_Cadre_VolunteerServed(self, p: int, e: Any) -> None:
        self.append("fact_work", (p, e.cadre_id, _day(e), "volunteer_hours", str(e.hours)))

    def on_Checkpoint_Staffed(self, p: int, e: Any) -> None:
        self.append(
            "fact_shift",
            (p, e.checkpoint_id, e.cadre_id, e.grid_id, "start", e.occurred_at, _iso(e.timestamp)),
        )

    def on_Checkpoint_Relieved(self, p: int, e: Any) -> None:
        self.append(
            "fact_shift", (p, e.checkpoint_id, e.cadre_id, e.grid_id, "end", e.occurred_at, _iso(e.timestamp))
        )


def _iso(ts: Any) -> str:
    return ts if isinstance(ts, str) else ts.isoformat()
