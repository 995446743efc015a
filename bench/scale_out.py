"""`python -m bench --store postgres --workers-only`: the ingest rate of 1, 2 and 4 `serve --role
ingest` processes deciding the same published backlog in stream order, with their cross-shard
waits, without the other phases."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pingzhan.services.org.data import read_org_file

from . import phases
from .env import Stores, machine
from .traffic import Traffic


def run(store: str, messages: int, batch_size: int) -> dict[str, Any]:
    traffic = Traffic(read_org_file(), seed=11, count=messages)
    stores = Stores(store)
    result: dict[str, Any] = {"store": store, "messages": messages, "machine": machine()}
    try:
        t = time.monotonic()
        result.update(measure(stores, traffic, batch_size, (1, 2, 4)))
        result["seconds"] = round(time.monotonic() - t, 1)
    finally:
        stores.close()
    return result


def measure(stores: Stores, traffic: Traffic, batch_size: int, counts: tuple[int, ...]) -> dict[str, Any]:
    """``workers_{n}_msgs_per_s``, ``_cross_shard_waits`` and ``_cross_shard_waited_s`` for each n."""
    result: dict[str, Any] = {}
    for n in counts:
        got = asyncio.run(phases.workers(stores, traffic, batch_size, n))
        result[f"workers_{n}_msgs_per_s"] = got["msgs_per_s"]
        result[f"workers_{n}_cross_shard_waits"] = got["cross_shard_waits"]
        result[f"workers_{n}_cross_shard_waited_s"] = got["cross_shard_waited_s"]
    return result


def table(r: dict[str, Any]) -> str:
    out = [
        f"store {r['store']}, {r['messages']:,} messages published, then decided by N workers in stream order"
    ]
    for n in (1, 2, 4):
        out.append(
            f"workers_{n}_msgs_per_s: {r[f'workers_{n}_msgs_per_s']:,.0f}  ({r[f'workers_{n}_cross_shard_waits']:,} "
            f"cross-shard waits, {r[f'workers_{n}_cross_shard_waited_s']:.1f} s in all)"
        )
    m = r["machine"]
    out.append(f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}")
    return "\n".join(out)
