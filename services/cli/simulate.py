"""`pingzhan simulate`: one year of the district, published through NATS like real traffic."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from typing import Any

from pingzhan.services.bootstrap import App
from pingzhan.services.nats.connection import connect
from pingzhan.services.nats.publish import publish_items
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.settings import Settings


def add_parsers(sub: Any) -> None:
    s = sub.add_parser("simulate", help="generate one year of the district and publish it through NATS")
    s.add_argument("--seed", type=int, default=1, help="the same seed gives the same year")
    s.add_argument(
        "--scale", type=float, default=1.0, help="1.0 = every cadre and grid; 0.02 for a quick run"
    )
    s.add_argument("--dry-run", action="store_true", help="count the messages, publish nothing")
    s.add_argument(
        "--wait", action="store_true", help="return when the ingest workers have recorded everything"
    )
    s.set_defaults(func=run)


def run(app: App, args: argparse.Namespace) -> int:
    settings, org_data = app.settings, app.org_data
    from pingzhan.services.traffic.simulator import simulate

    if not 0 < args.scale <= 1:
        raise LookupError("--scale must be in (0, 1]")
    started = time.monotonic()
    items = list(simulate(org_data, seed=args.seed, scale=args.scale, prefix=settings.subject_prefix))
    kinds = Counter(subject.split(".", 3)[3] for _, subject, _ in items)
    generated = time.monotonic() - started
    if not args.dry_run:
        asyncio.run(_publish(settings, items, args.wait))
    took = time.monotonic() - started
    for kind, n in sorted(kinds.items()):
        print(f"{kind:28} {n:>9,}")
    verb = "generated" if args.dry_run else "published"
    print(
        f"{'total':28} {len(items):>9,}  {verb} in {took:.1f} s (generation {generated:.1f} s), seed {args.seed}, "
        f"scale {args.scale}"
    )
    return 0


async def _publish(settings: Settings, items: list[tuple[str, str, bytes]], wait: bool) -> None:
    nc = await connect(settings.nats_url, "pingzhan-simulate", give_up_after_s=5, reconnect=False)
    try:
        js = nc.jetstream()
        await ensure_stream(js, settings)
        await publish_items(js, items)
        if wait:
            await _until_recorded(js, settings)
    finally:
        await nc.close()


async def _until_recorded(js: Any, settings: Settings) -> None:
    """Until every ingest consumer of the stream has nothing pending or unacknowledged."""
    while True:
        consumers = await js.consumers_info(settings.stream)
        ingest = [c for c in consumers if c.name.startswith("ingest-")]
        if ingest and all(c.num_pending == 0 and c.num_ack_pending == 0 for c in ingest):
            return
        await asyncio.sleep(0.5)
