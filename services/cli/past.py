"""`pingzhan roster --at T1 [--known-at T2]` and the decision reviews under `pingzhan audit`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from pingzhan.projections.reviews import review_line
from pingzhan.services.bootstrap import App
from pingzhan.services.cli import render
from pingzhan.services.cli.console import CliError, print_json
from pingzhan.services.read import past
from pingzhan.services.read.freshness import freshness


def roster(app: App, args: argparse.Namespace) -> int:
    """The roster at field time ``--at`` as far as it was recorded by ``--known-at`` (default now)."""
    try:
        doc = past.roster_doc(
            app.views,
            app.ledger,
            app.org,
            args.at,
            args.known_at,
            args.scope,
            app.settings.deadlines,
            names=("--at", "--known-at"),
        )
    except ValueError as e:
        raise CliError(str(e)) from None
    how, tz = doc["past"], app.settings.tz
    line = (
        f"(the roster at {render.local(how['at'], tz)} as recorded by "
        f"{render.local(how['known_at'], tz) or 'now'}: from the snapshot at event {how['snapshot']}, "
        f"{how['replayed']} events folded after it and {how['late']} late ones; "
        f"the views include event {how['until']})"
    )
    if args.json:
        print_json({**doc, "as_of": freshness(app.settings, app.views, app.ledger)})
        print(line, file=sys.stderr)
    else:
        print(render.roster(doc, args.all, tz))
        print(line)
    return 0


def print_reviews(rows: Sequence[dict[str, Any]]) -> None:
    """Below an audit page: the review of each decision on it."""
    reviews = [r["review"] for r in rows if "review" in r]
    if reviews:
        print("Decision reviews (the roster of the scope as known when each was recorded):")
        for r in reviews:
            print("  " + review_line(r))
