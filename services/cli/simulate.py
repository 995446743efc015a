"""`pingzhan simulate`: one year of the district, published through NATS like real traffic."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from typing import Any

import orjson
from pingzhan.services.accounts import ensure_operators
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import CliError, UsageError, seconds
from pingzhan.services.nats.connection import connect
from pingzhan.services.nats.publish import Item, publish_items, recorded_ids
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.wire import KINDS

PROGRESS_EVERY = 20_000  # messages published between two progress lines


def add_parsers(sub: Any) -> None:
    s = sub.add_parser("simulate", help="generate one year of the district and publish it through NATS")
    s.add_argument("--seed", type=int, default=1, help="the same seed gives the same year")
    s.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = every cadre and grid; 0.02 for a quick run"
    )
    s.add_argument(
        "--dry-run", action="store_true", help="count the messages, publish nothing, create nothing"
    )
    s.add_argument(
        "--wait", action="store_true", help="return when the ingest workers have recorded everything"
    )
    s.add_argument(
        "--timeout",
        type=seconds,
        default=600.0,
        help="with --wait: give up after this many seconds (default 600)",
    )
    s.set_defaults(func=run)


def run(app: App, args: argparse.Namespace) -> int:
    settings, org_data = app.settings, app.org_data
    from pingzhan.services.traffic.simulator import Simulator

    if not 0 < args.scale <= 1:
        raise UsageError("simulate", "--scale must be in (0, 1]")
    started = time.monotonic()
    progress("generating the year...")
    simulator = Simulator(org_data, seed=args.seed, scale=args.scale, prefix=settings.subject_prefix)
    items = list(simulator.messages())
    generated = time.monotonic() - started
    if not args.dry_run:
        asyncio.run(_publish(app, items, args.wait, args.timeout))
    progress("")
    took = time.monotonic() - started
    print(summary(simulator.plan.counts, simulator.plan.invalid_ids, items))
    verb = "generated" if args.dry_run else "published"
    print(
        f"{'total':28} {len(items):>9,}  {verb} in {took:.1f} s (generation {generated:.1f} s), seed {args.seed}, "
        f"scale {args.scale}"
    )
    return 0


def summary(counts: dict[str, int], invalid_ids: list[str], items: list[Item]) -> str:
    """The valid messages per kind, then the deliberately invalid ones apart, per way they fail."""
    valid = {k: n for k, n in counts.items() if k != "invalid"}
    lines = [f"{kind:28} {n:>9,}" for kind, n in sorted(valid.items())]
    lines.append(f"{'valid':28} {sum(valid.values()):>9,}")
    bodies = {i: body for i, _, body in items}
    flaws = Counter(flaw(bodies[i]) for i in invalid_ids)
    lines.append(
        f"deliberately invalid, to be rejected ({', '.join(invalid_ids[:3])}{', ...' * (len(invalid_ids) > 3)}):"
    )
    lines += [f"  {code:26} {n:>9,}" for code, n in sorted(flaws.items())]
    lines.append(f"{'invalid':28} {len(invalid_ids):>9,}")
    return "\n".join(lines)


def flaw(body: bytes) -> str:
    """The rejection code a deliberately invalid message gets."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "malformed_json"
    return "schema" if doc.get("kind") in KINDS else "unknown_kind"


def progress(text: str) -> None:
    """One line on stderr, overwritten in place; only on a terminal."""
    if sys.stderr.isatty():
        print(f"\r\033[K{text}", end="" if text else "", file=sys.stderr, flush=True)


async def _publish(app: App, items: list[Item], wait: bool, timeout: float) -> None:
    settings = app.settings
    nc = await connect(
        settings.nats_url,
        "pingzhan-simulate",
        give_up_after_s=5,
        reconnect=False,
        **settings.nats_credentials,
    )
    try:
        js = nc.jetstream()
        await ensure_stream(js, settings)
        # The year's mode messages come from the command centre: an operator in this store (made
        # once, its token dropped), or the ingest would reject them as not authorised.
        await asyncio.to_thread(ensure_operators, settings, app.ledger, OPERATORS)
        recorded_as: list[str] = []  # the id each message's outcome is recorded under
        for k in range(0, len(items), PROGRESS_EVERY):
            part = items[k : k + PROGRESS_EVERY]
            recorded_as += recorded_ids(part, await publish_items(js, part))
            progress(f"published {min(k + PROGRESS_EVERY, len(items)):,} of {len(items):,} messages")
        if wait:
            try:
                await asyncio.wait_for(_until_recorded(app, recorded_as), timeout)
            except TimeoutError:
                raise CliError(
                    f"published {len(items):,} messages, but they were not all recorded within {timeout:g} s; "
                    "is `pingzhan serve` running on this NATS and this store?"
                ) from None
    finally:
        await nc.close()


async def _until_recorded(app: App, ids: list[str]) -> None:
    """Until the store holds an outcome for every message (whichever workers recorded them)."""
    missing = set(ids)
    while missing:
        if app.has_store:
            found = await asyncio.to_thread(app.ledger.outcomes, sorted(missing))
            missing.difference_update(found)
        progress(f"waiting for the ingest workers: {len(missing):,} messages to record")
        if missing:
            await asyncio.sleep(0.5)
