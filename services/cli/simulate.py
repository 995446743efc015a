"""`pingzhan simulate`: one year of the district, published through NATS like real traffic."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pingzhan.services.accounts import ensure_operators
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import CliError, UsageError, progress, seconds
from pingzhan.services.nats.connection import connect
from pingzhan.services.nats.publish import Item, publish_items, recorded_ids
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.traffic.district import OPERATORS

if TYPE_CHECKING:
    from pingzhan.services.traffic.simulator import Simulator

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
    messages = Timed(simulator.messages())  # published as they are made: the stream is never held
    if args.dry_run:
        count = sum(1 for _ in messages)
    else:
        count = asyncio.run(_publish(app, messages, simulator, args.wait, args.timeout))
    progress("")
    took = time.monotonic() - started
    print(summary(simulator.plan.counts, simulator.plan.invalid))
    verb = "generated" if args.dry_run else "published"
    print(
        f"{'total':28} {count:>9,}  {verb} in {took:.1f} s (generation {messages.seconds:.1f} s), "
        f"seed {args.seed}, scale {args.scale}"
    )
    return 0


class Timed:
    """An iterator that adds up the time spent making its items (``seconds``)."""

    def __init__(self, items: Iterator[Item]):
        self.items, self.seconds = items, 0.0

    def __iter__(self) -> Timed:
        return self

    def __next__(self) -> Item:
        started = time.monotonic()
        try:
            return next(self.items)
        finally:
            self.seconds += time.monotonic() - started


def summary(counts: dict[str, int], invalid: dict[str, tuple[str, str]]) -> str:
    """The valid messages per kind, then the deliberately invalid ones apart: per rejection code,
    with the kinds whose subjects they were sent on (``invalid``: id -> code, kind)."""
    lines = [f"{kind:28} {n:>9,}" for kind, n in sorted(counts.items())]
    lines.append(f"{'valid':28} {sum(counts.values()):>9,}")
    ids = list(invalid)
    lines.append(f"deliberately invalid, to be rejected ({', '.join(ids[:3])}{', ...' * (len(ids) > 3)}):")
    for code in sorted({c for c, _ in invalid.values()}):
        kinds = Counter(k for c, k in invalid.values() if c == code)
        sent_as = ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items()))
        lines.append(f"  {code:26} {sum(kinds.values()):>9,}  sent as {sent_as}")
    lines.append(f"{'invalid':28} {len(ids):>9,}")
    return "\n".join(lines)


async def _publish(
    app: App, messages: Iterator[Item], simulator: Simulator, wait: bool, timeout: float
) -> int:
    """Publish the year part by part as it is made; returns how many messages were published."""
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
        while part := list(itertools.islice(messages, PROGRESS_EVERY)):
            recorded_as += recorded_ids(part, await publish_items(js, part))
            progress(f"published {len(recorded_as):,} of {simulator.total:,} messages")
        if wait:
            try:
                await asyncio.wait_for(_until_recorded(app, recorded_as), timeout)
            except TimeoutError:
                raise CliError(
                    f"published {len(recorded_as):,} messages, but they were not all recorded within "
                    f"{timeout:g} s; is `pingzhan serve` running on this NATS and this store?"
                ) from None
        return len(recorded_as)
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
