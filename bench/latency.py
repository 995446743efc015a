"""`python -m bench --store S --latency-only`: the operator's latencies alone, on a store filled by
the backlog ingest: the CLI switch to the roster (`switch_latency_ms`) and `POST /api/switch` to
the SSE event (`switch_to_sse_ms`, with where its time goes), each under 5,000 msg/s of field
traffic. For repeated runs of the latency figures without the throughput phases."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

from pingzhan.services.org.data import read_org_file
from pingzhan.services.settings import Settings

from . import breakdown, phases, sse
from .env import Stores, machine
from .traffic import Item, Traffic


def run(store: str, messages: int, batch_size: int, quick: bool) -> dict[str, Any]:
    org = read_org_file()
    traffic = Traffic(org, seed=11, count=messages)
    background = traffic.after()  # one stream for both latency phases, each going on from the last
    stores = Stores(store)
    result: dict[str, Any] = {"store": store, "messages": messages, "machine": machine()}
    try:
        t = time.monotonic()
        backlog = asyncio.run(phases.ingest_backlog(stores, traffic, batch_size))
        settings, server = backlog.pop("settings"), backlog.pop("server")
        result["ingest_msgs_per_s"] = backlog["ingest_msgs_per_s"]
        result.update(operator_latencies(settings, background, quick))
        server.stop()
        result["seconds"] = round(time.monotonic() - t, 1)
    finally:
        stores.close()
    return result


def operator_latencies(
    settings: Settings, background: Iterator[Item], quick: bool, budget_s: float | None = None
) -> dict[str, Any]:
    """`switch_latency_ms` then `switch_to_sse_ms` on the ingested store, under the same background
    traffic going on; a figure the service fell too far behind to give is ``{"error": ...}``.
    Each phase takes samples for at most ``budget_s`` (default ``phases.BUDGET_S``)."""
    budget = budget_s or phases.BUDGET_S[quick]
    measures = {
        "switch_latency_ms": lambda: phases.switch_latency(
            settings, background, 20 if quick else 100, budget
        ),
        "switch_to_sse_ms": lambda: sse.switch_to_sse(settings, background, 40 if quick else 200, budget),
    }
    found: dict[str, Any] = {}
    for name, phase in measures.items():
        try:
            found[name] = asyncio.run(phase())
        except RuntimeError as e:  # a switch never shown: the service fell too far behind the load
            found[name] = {"error": str(e)}
    return found


def cut(figure: dict[str, Any]) -> str:
    """How a latency figure's samples were cut short by its phase's budget, if they were."""
    after = figure.get("cut_short_after_s")
    return f", cut short after {after:g} s" if after else ""


def table(r: dict[str, Any]) -> str:
    lat, s = r["switch_latency_ms"], r["switch_to_sse_ms"]
    out = [
        f"store {r['store']}, {r['messages']:,} messages of history (ingested at {r['ingest_msgs_per_s']:,.0f} msg/s)",
        f"switch_latency_ms: not measured: {lat['error']}"
        if "error" in lat
        else f"switch_latency_ms p50 / p99: {lat['p50']:.1f} / {lat['p99']:.1f}  ({lat['samples']} samples{cut(lat)})",
    ]
    if "error" in s:
        out.append(f"switch_to_sse_ms: not measured: {s['error']}")
    else:
        out += [
            f"switch_to_sse_ms p50 / p99 / max: {s['p50']:.1f} / {s['p99']:.1f} / {s['max']:.1f}  ({s['samples']}{cut(s)} "
            f"samples, {s['background_msgs_per_s']:,.0f} msg/s background, at most {s['behind_max']:,} behind)",
            f"  POST /api/switch answered p50 / p99: {s['post_answer_ms']['p50']:.1f} / {s['post_answer_ms']['p99']:.1f}",
            "where a switch's time goes (ms):",
            breakdown.table(s["breakdown"]),
        ]
    m = r["machine"]
    out.append(f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}")
    return "\n".join(out)
