"""`pingzhan org show` and `pingzhan org import FILE`: the organisation in use."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from pingzhan.services.bootstrap import App
from pingzhan.services.cli import render
from pingzhan.services.cli.console import print_json, seconds
from pingzhan.services.cli.send import send
from pingzhan.services.ingest.outcome import Outcome
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
    imp.add_argument("--timeout", type=seconds, default=60.0)
    imp.set_defaults(func=import_org)


def show_org(app: App, args: argparse.Namespace) -> int:
    figures = admin.counts(app.org_data)
    if args.json:
        print_json(figures)
    else:
        print(render.table(("level", "count"), [(k, f"{v:,}") for k, v in figures.items()]))
    return 0


def import_org(app: App, args: argparse.Namespace) -> int:
    result = admin.import_file(app.settings, app.ledger, Path(args.file))
    added = ", ".join(f"{n:,} {level}" for level, n in result["added"].items() if n) or "nothing new"
    print(f"organisation {'updated' if result['changed'] else 'unchanged'}: {added}")
    if result["changed"]:
        print("recorded in the event store: running workers decide with it from their next batch")
    if not args.no_cadres:
        now = datetime.now(app.settings.tz).isoformat()
        items = admin.cadre_messages(result["data"], now, app.settings.subject_prefix)
        print(_cadres_line(asyncio.run(send(app, items, args.timeout))))
    return 0


def _cadres_line(outcomes: list[Outcome]) -> str:
    """What became of the cadres' registrations and dispatches, earlier outcomes apart."""
    new = [o for o in outcomes if not o.replayed]
    earlier = [o for o in outcomes if o.replayed]
    lines = [
        f"cadres: {sum(o.status == 'accepted' for o in new):,} registrations/dispatches recorded, "
        f"{sum(o.status == 'rejected' for o in new):,} rejected; "
        f"{sum(o.status == 'accepted' for o in earlier):,} recorded before, "
        f"{sum(o.status == 'rejected' for o in earlier):,} rejected before"
    ]
    for o in [o for o in outcomes if o.status == "rejected"][:10]:
        lines.append(f"  rejected{' before' if o.replayed else ''} {o.message_id} ({o.code}): {o.reason}")
    return "\n".join(lines)
