"""What the read models say: `pingzhan roster`, `pingzhan audit`, and `pingzhan rebuild`."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import Any

from pingzhan.services.bootstrap import App
from pingzhan.services.cli import past, render
from pingzhan.services.cli.console import print_json
from pingzhan.services.read import queries
from pingzhan.services.read.freshness import as_of_line, freshness
from pingzhan.services.read.past import with_reviews


def add_parsers(sub: Any) -> None:
    r = sub.add_parser("roster", help="the live duty roster")
    r.add_argument("--scope", help="KIND:ID; default the whole district")
    r.add_argument("--all", action="store_true", help="list every grid, not only those with something on")
    r.add_argument("--json", action="store_true")
    r.add_argument("--at", help="the roster as it was at this field time (ISO 8601 with offset)")
    r.add_argument("--known-at", help="with --at: as far as it was recorded by then (default: now)")
    r.set_defaults(func=roster)
    a = sub.add_parser("audit", help="the audit trail")
    a.add_argument("--episode", help="only this emergency episode, e.g. street:BT-BS#1")
    a.add_argument("--episodes", action="store_true", help="list the emergency episodes")
    a.add_argument(
        "--limit", type=page_size, default=AUDIT_PAGE, help=f"entries per page (default {AUDIT_PAGE})"
    )
    a.add_argument("--after", type=position, default=0, help="the page after this position (#)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=audit)
    rb = sub.add_parser("rebuild", help="rebuild the read models from the event store")
    rb.set_defaults(func=rebuild)


AUDIT_PAGE, AUDIT_MAX_PAGE = 200, 10_000


def page_size(text: str) -> int:
    n = position(text)
    if not 1 <= n <= AUDIT_MAX_PAGE:
        raise argparse.ArgumentTypeError(f"must be from 1 to {AUDIT_MAX_PAGE:,}, not {text}")
    return n


def position(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}")
    return int(text)


def as_of(app: App, args: argparse.Namespace) -> dict[str, Any]:
    """How old the views are: a line after a table (on stderr beside JSON), and a warning on
    stderr when nobody keeps them current."""
    doc = freshness(app.settings, app.views, app.ledger)
    print(as_of_line(doc, app.settings.tz), file=sys.stderr if args.json else sys.stdout)
    if doc["warning"]:
        print(f"pingzhan: warning: {doc['warning']}", file=sys.stderr)
    return doc


def roster(app: App, args: argparse.Namespace) -> int:
    if args.at is not None or args.known_at is not None:
        return past.roster(app, args)
    doc = queries.roster(app.views, app.org, args.scope, datetime.now(UTC), app.settings.deadlines)
    if args.json:
        print_json({**doc, "as_of": as_of(app, args)})
    else:
        print(render.roster(doc, args.all, app.settings.tz))
        as_of(app, args)
    return 0


def audit(app: App, args: argparse.Namespace) -> int:
    if args.episodes:
        eps = queries.episodes(app.views, app.org)
        print_json(eps) if args.json else print(render.episodes(eps, app.settings.tz))
        as_of(app, args)
        return 0
    rows = queries.audit(app.views, app.org, args.episode, args.limit + 1, args.after, datetime.now(UTC))
    more = len(rows) > args.limit
    rows = with_reviews(app.views, app.ledger, app.org, rows[: args.limit], app.settings.deadlines)
    print_json(rows) if args.json else print(render.audit(rows, app.settings.tz))
    if not args.json:
        past.print_reviews(rows)
    if more:
        episode = f" --episode {args.episode}" if args.episode else ""
        size = f" --limit {args.limit}" if args.limit != AUDIT_PAGE else ""
        hint = f"(more after #{rows[-1]['position']}: pingzhan audit{episode}{size} --after {rows[-1]['position']})"
        print(hint, file=sys.stderr if args.json else sys.stdout)
    as_of(app, args)
    return 0


def rebuild(app: App, args: argparse.Namespace) -> int:
    started = time.monotonic()
    n = app.rebuild()
    took = time.monotonic() - started
    print(
        f"rebuilt roster and audit trail from {n} events in {took:.2f} s ({n / took if took else 0:,.0f} events/s)"
    )
    return 0
