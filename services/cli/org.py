"""`pingzhan org show` and `pingzhan org import FILE`: the organisation in use."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pingzhan.services.bootstrap import App
from pingzhan.services.cli import render
from pingzhan.services.cli.console import print_json
from pingzhan.services.cli.send import send
from pingzhan.services.org import admin


def add_parsers(sub: Any, parser_class: type) -> None:
    og = sub.add_parser("org", help="the organisation: show its size, or import a file")
    org_sub = og.add_subparsers(dest="org_command", required=True, parser_class=parser_class)
    show = org_sub.add_parser("show", help="counts per level")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=show_org)
    imp = org_sub.add_parser("import", help="import an organisation file (only adds; idempotent)")
    imp.add_argument("file")
    imp.add_argument(
        "--no-cadres", action="store_true", help="do not register and dispatch the file's cadres"
    )
    imp.add_argument("--timeout", type=float, default=60.0)
    imp.set_defaults(func=import_org)


def show_org(app: App, args: argparse.Namespace) -> int:
    figures = admin.counts(app.org_data)
    if args.json:
        print_json(figures)
    else:
        print(render.table(("level", "count"), [(k, f"{v:,}") for k, v in figures.items()]))
    return 0


def import_org(app: App, args: argparse.Namespace) -> int:
    result = admin.import_file(app.settings, app.views, Path(args.file))
    added = ", ".join(f"{n:,} {level}" for level, n in result["added"].items() if n) or "nothing new"
    print(f"organisation {'updated' if result['changed'] else 'unchanged'}: {added}")
    if result["changed"]:
        # Workers read the organisation when they start: a cadre dispatched to a grid they do
        # not know yet would be rejected for good. Register the cadres once they know it.
        cadres = "" if args.no_cadres else ", then run this import again to register and dispatch its cadres"
        print(f"restart `pingzhan serve` so that every worker uses the new organisation{cadres}")
    elif not args.no_cadres:
        now = datetime.now(UTC).isoformat()
        items = admin.cadre_messages(result["data"], now, app.settings.subject_prefix)
        outcomes = asyncio.run(send(app, items, args.timeout))
        fresh = [o for o in outcomes if not o.replayed and o.status == "accepted"]
        rejected = [o for o in outcomes if o.status == "rejected" and not o.replayed]
        print(
            f"cadres: {len(fresh):,} registrations/dispatches recorded, "
            f"{sum(o.replayed for o in outcomes):,} already recorded, {len(rejected):,} rejected"
        )
        for o in rejected[:10]:
            print(f"  rejected {o.message_id} ({o.code}): {o.reason}")
    return 0
