"""`pingzhan report ...` and `pingzhan duty --at`: the reporting chain and the field-time questions."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from pingzhan.projections import reports
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.reads import as_of
from pingzhan.services.cli.render import local, table
from pingzhan.services.read import queries


def add_parsers(sub: Any) -> None:
    r = sub.add_parser("report", help="assessment and the reporting chain (see README for the formula)")
    kinds = r.add_subparsers(dest="report", required=True, parser_class=type(r))
    c = kinds.add_parser("cadres", help="per cadre: attendance, visit rate, accuracy, satisfaction, grade")
    c.add_argument("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM")
    c.add_argument("--cadre", help="only this cadre")
    c.add_argument("--unit", help="only this dispatching unit")
    a = kinds.add_parser("attendance", help="monthly attendance per community (community -> street)")
    a.add_argument("--month", required=True, help="YYYY-MM")
    u = kinds.add_parser(
        "units", help="quarterly notice (YYYY-Qn) or yearly summary (YYYY) per dispatching unit"
    )
    u.add_argument("--period", required=True, help="YYYY-Qn or YYYY")
    d = kinds.add_parser("drive", help="registration-drive progress per compound")
    d.add_argument("--drive", help="only this drive, e.g. DRIVE-2022-01")
    for p in (c, a, u, d):
        p.add_argument("--json", action="store_true")
    r.set_defaults(func=report)
    t = sub.add_parser("duty", help="who was on duty at a moment of field time (late reports included)")
    t.add_argument(
        "--at",
        required=True,
        help="ISO 8601, e.g. 2022-07-15T14:00:00+08:00; without an offset: district time",
    )
    t.add_argument("--grid", help="only this grid")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=duty)


def report(app: App, args: argparse.Namespace) -> int:
    db, org = app.views, app.org
    if args.report == "drive":
        rows = reports.drive_progress(queries.registrations(db), org, args.drive)
        _out(
            args,
            rows,
            (
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
        )
        as_of(app, args)
        return 0
    label = args.month if args.report == "attendance" else args.period
    try:
        p = reports.period(label)
    except ValueError as e:
        raise LookupError(str(e)) from None
    facts = queries.report_facts(db, p, app.settings.tz)
    cadre_rows = reports.cadre_assessment(facts, org, p)
    if args.report == "cadres":
        rows = [
            r
            for r in cadre_rows
            if (not args.cadre or r["cadre_id"] == args.cadre) and (not args.unit or r["unit"] == args.unit)
        ]
        if args.cadre and not rows:
            raise LookupError(f"no cadre {args.cadre!r} in the read models")
        _out(
            args,
            rows,
            (
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
        )
    elif args.report == "attendance":
        _out(
            args,
            reports.attendance_by_community(cadre_rows, org),
            (
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
        )
    else:
        _out(
            args,
            reports.by_unit(cadre_rows, facts, org),
            (
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
        )
    as_of(app, args)
    return 0


def duty(app: App, args: argparse.Namespace) -> int:
    db, org = app.views, app.org
    try:
        at = datetime.fromisoformat(args.at)
    except ValueError:
        raise LookupError(f"--at {args.at!r} is not ISO 8601 (e.g. 2022-07-15T14:00:00+08:00)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=app.settings.tz)  # the district's wall clock
    if args.grid:
        org.grid(args.grid)
    rows = queries.on_duty_at(db, org, at, args.grid)
    if not args.json:
        rows = [{**r, **{k: local(r[k], app.settings.tz) for k in ("since", "reported_at")}} for r in rows]
    _out(args, rows, ("grid", "checkpoint", "cadre", "since", "reported_at"))
    as_of(app, args)
    return 0


def _out(args: argparse.Namespace, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        print("Nothing to report.")
        return

    def cell(v: Any) -> Any:
        if isinstance(v, list):
            return ", ".join(v) if v else "-"
        if isinstance(v, dict):
            return ", ".join(f"{k}:{n}" for k, n in v.items())
        if isinstance(v, bool):
            return "YES" if v else "-"
        if isinstance(v, float):
            return f"{v:.2f}"
        return v

    print(table(columns, [[cell(r[c]) for c in columns] for r in rows]))
