"""The reports of the reporting chain, as rows: what `pingzhan report` prints and `/api/reports` answers.

Each report has its columns here, in the order they are shown; both the CLI and the HTTP API
call ``report`` and ``duty``, so the two always agree.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections import reports
from pingzhan.services.read import queries
from pingzhan.services.read.viewdb import ViewDb

COLUMNS: dict[str, tuple[str, ...]] = {
    "cadres": (
        "cadre_id",
        "name",
        "unit",
        "grid",
        "service_days",
        "expected_service_days",
        "visits",
        "households_visited",
        "visit_rate",
        "accuracy",
        "satisfaction_mean",
        "absent",
        "idle",
        "paper_only",
        "score",
        "grade",
    ),
    "attendance": (
        "community",
        "name",
        "street",
        "cadres",
        "service_days",
        "expected_service_days",
        "attendance",
        "inspections",
        "absent",
        "idle",
        "paper_only",
    ),
    "units": (
        "unit",
        "name",
        "cadres",
        "attendance",
        "visits",
        "households_visited",
        "accuracy",
        "satisfaction_mean",
        "grades",
        "paper_only",
    ),
    "drive": (
        "compound",
        "name",
        "grid",
        "households",
        "households_total",
        "persons",
        "persons_total",
        "cadres",
        "first_day",
        "last_day",
    ),
    "duty": ("grid", "checkpoint", "cadre", "since", "reported_at"),
}


def report(
    db: ViewDb,
    org: Org,
    tz: tzinfo,
    name: str,
    period: str | None = None,
    cadre: str | None = None,
    unit: str | None = None,
    drive: str | None = None,
) -> list[dict[str, Any]]:
    """The rows of report ``name`` (cadres, attendance, units or drive) for ``period`` (YYYY,
    YYYY-Qn or YYYY-MM; a month for attendance); LookupError in words when it cannot be made."""
    if name == "drive":
        return reports.drive_progress(queries.registrations(db), org, drive)
    if name not in ("cadres", "attendance", "units"):
        raise LookupError(f"no report {name!r}: one of cadres, attendance, units, drive")
    if not period:
        raise ValueError(f"the {name} report needs a period (YYYY, YYYY-Qn or YYYY-MM)")
    p = reports.period(period)  # ValueError in words when it is not one
    facts = queries.report_facts(db, p, tz)
    cadre_rows = reports.cadre_assessment(facts, org, p)
    if name == "attendance":
        return reports.attendance_by_community(cadre_rows, org)
    if name == "units":
        return reports.by_unit(cadre_rows, facts, org)
    rows = [
        r for r in cadre_rows if (not cadre or r["cadre_id"] == cadre) and (not unit or r["unit"] == unit)
    ]
    if cadre and not rows:
        raise LookupError(f"no cadre {cadre!r} in the read models")
    return rows


def duty(db: ViewDb, org: Org, tz: tzinfo, at: str, grid: str | None = None) -> list[dict[str, Any]]:
    """Who was on duty at which checkpoint at field time ``at`` (ISO 8601; without an offset, the
    district's wall clock)."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise ValueError(f"the moment {at!r} is not ISO 8601 (e.g. 2022-07-15T14:00:00+08:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if grid:
        org.grid(grid)
    return queries.on_duty_at(db, org, moment, grid)
