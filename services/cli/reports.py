"""`pingzhan report ...` and `pingzhan duty --at`: the reporting chain and the field-time questions."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pingzhan.services.bootstrap import App
from pingzhan.services.cli import report_documents as documents
from pingzhan.services.cli.console import CliError
from pingzhan.services.cli.reads import as_of
from pingzhan.services.cli.render import local, table
from pingzhan.services.read import reporting


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
    d = kinds.add_parser(
        "drive", help="registration-style drives (residents' registration, vaccination): progress per target"
    )
    d.add_argument("--drive", help="only this drive, e.g. DRIVE-2022-01 or VAX-2022-NG")
    x = kinds.add_parser(
        "contradictions",
        help='"absent" findings of inspections on a day the cadre checked in or was on checkpoint duty',
    )
    x.add_argument("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM")
    pb = kinds.add_parser(
        "problems",
        help="the whistle-and-report loop per office: acknowledged, reported back, how fast, open, overdue",
    )
    pb.add_argument(
        "--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM: when problems reached the office"
    )
    op = kinds.add_parser(
        "opinions", help="opinions (社情民意) per grid and category, and those routed as problems"
    )
    op.add_argument("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM: when they were collected")
    op.add_argument("--scope", help="only the grids under this scope, e.g. street:BT-BS")
    for p in (c, a, u, d, x, pb, op):
        p.add_argument("--json", action="store_true")
    documents.add_parsers(kinds)
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
    if args.report in documents.KINDS:
        return documents.write(app, args)
    period = args.month if args.report == "attendance" else getattr(args, "period", None)
    try:
        rows = reporting.report(
            app.views,
            app.org,
            app.settings.tz,
            args.report,
            period,
            cadre=getattr(args, "cadre", None),
            unit=getattr(args, "unit", None),
            drive=getattr(args, "drive", None),
            scope=getattr(args, "scope", None),
            deadlines=app.settings.deadlines,
        )
    except ValueError as e:  # a period that is not one
        raise CliError(str(e)) from None
    _out(args, rows, reporting.COLUMNS[args.report])
    as_of(app, args)
    return 0


def duty(app: App, args: argparse.Namespace) -> int:
    try:
        rows = reporting.duty(app.views, app.org, app.settings.tz, args.at, args.grid)
    except ValueError as e:  # not a moment
        raise CliError(f"--at: {e}") from None
    if not args.json:
        rows = [{**r, **{k: local(r[k], app.settings.tz) for k in ("since", "reported_at")}} for r in rows]
    _out(args, rows, reporting.COLUMNS["duty"])
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
