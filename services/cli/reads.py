"""What the read models say: `pingzhan roster`, `pingzhan audit`, and `pingzhan rebuild`."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from pingzhan.services.bootstrap import App
from pingzhan.services.cli import render
from pingzhan.services.cli.console import print_json
from pingzhan.services.read import queries


def add_parsers(sub: Any) -> None:
    r = sub.add_parser("roster", help="the live duty roster")
    r.add_argument("--scope", help="KIND:ID; default the whole district")
    r.add_argument("--all", action="store_true", help="list every grid, not only those with something on")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=roster)
    a = sub.add_parser("audit", help="the audit trail")
    a.add_argument("--episode", help="only this emergency episode, e.g. street:BT-BS#1")
    a.add_argument("--episodes", action="store_true", help="list the emergency episodes")
    a.add_argument("--limit", type=int, help="only the last N entries")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=audit)
    rb = sub.add_parser("rebuild", help="rebuild the read models from the event store")
    rb.set_defaults(func=rebuild)


def roster(app: App, args: argparse.Namespace) -> int:
    doc = queries.roster(app.views, app.org, args.scope, datetime.now(UTC))
    print_json(doc) if args.json else print(render.roster(doc, args.all, app.settings.tz))
    return 0


def audit(app: App, args: argparse.Namespace) -> int:
    if args.episodes:
        eps = queries.episodes(app.views, app.org)
        print_json(eps) if args.json else print(render.episodes(eps, app.settings.tz))
        return 0
    rows = queries.audit(app.views, app.org, args.episode, args.limit, datetime.now(UTC))
    print_json(rows) if args.json else print(render.audit(rows, app.settings.tz))
    return 0


def rebuild(app: App, args: argparse.Namespace) -> int:
    started = time.monotonic()
    n = app.rebuild()
    took = time.monotonic() - started
    print(
        f"rebuilt roster and audit trail from {n} events in {took:.2f} s ({n / took if took else 0:,.0f} events/s)"
    )
    return 0
