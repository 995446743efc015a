"""The reports of the reporting chain, as rows: what `pingzhan report` prints and `/api/reports` answers.

Each report has its columns here, in the order they are shown; both the CLI and the HTTP API
call ``report`` and ``duty``, so the two always agree.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections import documents as document_kinds
from pingzhan.projections import loop_report, reports
from pingzhan.projections.deadlines import Deadlines
from pingzhan.projections.drives import drive_progress
from pingzhan.projections.facts import period as period_of
from pingzhan.projections.grading import cadre_assessment
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
        "shifts",
        "tasks_done",
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
        "shifts",
        "tasks_done",
        "accuracy",
        "satisfaction_mean",
        "grades",
        "paper_only",
    ),
    "drive": (
        "drive",
        "target",
        "name",
        "street",
        "units",
        "households",
        "households_total",
        "persons",
        "persons_total",
        "cadres",
        "first_day",
        "last_day",
    ),
    "duty": ("grid", "duty", "post", "cadre", "role", "since", "reported_at"),
    "contradictions": ("day", "cadre", "grid", "inspection", "group", "checked", "at", "finding", "record"),
    "problems": (
        "office",
        "acknowledge_h",
        "report_back_h",
        "received",
        "acknowledged",
        "median_acknowledge_h",
        "reported_back",
        "median_report_back_h",
        "forwarded",
        "reopened",
        "confirmed",
        "open",
        "overdue",
        "late",
    ),
    "opinions": (
        "street",
        "community",
        "grid",
        "category",
        "collected",
        "routed",
        "resolved",
        "open",
        "overdue",
    ),
}
PERIOD_REPORTS = ("cadres", "attendance", "units", "contradictions", "problems", "opinions")


def report(
    db: ViewDb,
    org: Org,
    tz: tzinfo,
    name: str,
    period: str | None = None,
    cadre: str | None = None,
    unit: str | None = None,
    drive: str | None = None,
    scope: str | None = None,
    deadlines: Deadlines | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The rows of report ``name`` (cadres, attendance, units, drive, contradictions, problems,
    opinions) for ``period`` (YYYY, YYYY-Qn or YYYY-MM; a month for attendance); LookupError in
    words when it cannot be made. Problems and opinions are overdue by ``deadlines`` at ``now``."""
    if name == "drive":
        return drive_progress(*queries.registrations(db), org, drive)
    if name not in PERIOD_REPORTS:
        raise LookupError(f"no report {name!r}: one of {', '.join(PERIOD_REPORTS)}, drive")
    if not period:
        raise ValueError(f"the {name} report needs a period (YYYY, YYYY-Qn or YYYY-MM)")
    p = period_of(period)  # ValueError in words when it is not one
    if name == "contradictions":
        return queries.inspection_contradictions(db, p)
    deadlines, now = deadlines or Deadlines(), now or datetime.now(UTC)
    if name == "problems":
        return loop_report.by_office(queries.problem_steps(db), deadlines, now, p, tz)
    if name == "opinions":
        if scope:
            org.unit(scope)
        steps = queries.problem_steps(db)
        return loop_report.by_grid_and_category(queries.opinions(db, p), steps, deadlines, now, org, scope)
    facts = queries.report_facts(db, p, tz)
    cadre_rows = cadre_assessment(facts, org, p)
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


def documents(
    db: ViewDb, org: Org, tz: tzinfo, kind: str, period: str, lang: str = "zh"
) -> list[dict[str, Any]]:
    """The documents of the reporting chain (monthly, quarterly or yearly) for ``period``, one per
    recipient (``projections/documents.py``); ValueError in words when they cannot be made."""
    p = period_of(period)  # ValueError in words when it is not one
    document_kinds.build(kind, [], org, p.label, lang)  # the kind, language and period checked first
    facts = queries.report_facts(db, p, tz)
    return document_kinds.build(kind, cadre_assessment(facts, org, p), org, p.label, lang)


def duty(db: ViewDb, org: Org, tz: tzinfo, at: str, grid: str | None = None) -> list[dict[str, Any]]:
    """Who was on duty (at a checkpoint or on a flood-duty task) at field time ``at`` (ISO 8601; without an offset, the
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
