"""`python -m bench --store S --latency-only`: the operator's latencies alone, on a store filled by
the backlog ingest: the CLI switch to the roster (`switch_latency_ms`) and `POST /api/switch` to
the SSE event (`switch_to_sse_ms`, with where its time goes), each under 5,000 msg/s of field
traffic. For repeated runs of the latency figures without the throughput phases; the full run
(`bench/__main__.py`) takes the same two phases from here (``operator_latencies``)."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Iterator
from typing import Any

import nats
import orjson
from pingzhan.services.org.data import read_org_file
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger
from pingzhan.services.traffic.district import COMMAND_CENTER
from pingzhan.services.wire import shard_of

from . import breakdown, phases, sse
from .env import Stores, Worker, machine
from .phases import BEHIND_S, wait_for
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
        "switch_latency_ms": lambda: switch_latency(settings, background, 20 if quick else 100, budget),
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


async def switch_latency(
    settings: Settings, background: Iterator[Item], samples: int, budget_s: float, rate: int = 5000
) -> dict[str, Any]:
    """Publish a mode switch while `rate` messages/s run in the background; time until the roster
    shows it. The service runs as the README deploys it: an ingest process and a projector
    process (one process doing both is held to one core by the GIL, and falls behind this load)."""
    ingest = Worker(settings, role="ingest", PINGZHAN_HTTP="false")
    worker = Worker(settings, role="project", PINGZHAN_HTTP="false")
    try:
        ingest.wait_ready()
        return await _probe_switches(settings, background, samples, budget_s, rate)
    finally:
        worker.stop()
        ingest.stop()


async def _probe_switches(
    settings: Settings, background: Iterator[Item], samples: int, budget_s: float, rate: int
) -> dict[str, float]:
    views = ViewDb(settings)
    ledger = open_ledger(settings)
    try:
        head = ledger.recorder.max_notification_id() or 0
        projected = lambda: views.position() >= head  # noqa: E731
        await asyncio.to_thread(wait_for, projected, 600, "the projector to catch up", 0.05)
        nc = await nats.connect(settings.nats_url)
        stop = asyncio.Event()
        loader = asyncio.create_task(_paced(nc.jetstream(), background, rate, stop))
        try:
            await asyncio.sleep(1.0)
            latencies, cut_short = await _switches(settings, nc.jetstream(), views, samples, budget_s, rate)
        finally:
            stop.set()
            await loader
            await nc.close()
    finally:
        views.close()
        ledger.close()
    latencies.sort()
    found: dict[str, float] = {
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max": latencies[-1],
        "samples": len(latencies),
    }
    if cut_short:
        found["cut_short_after_s"] = round(cut_short, 1)
    return found


async def _paced(js: Any, background: Iterator[Item], rate: int, stop: asyncio.Event) -> None:
    per_tick = rate // 100
    while not stop.is_set() and (tick_items := list(itertools.islice(background, per_tick))):
        tick = time.monotonic()
        for i, s, b in tick_items:
            await js.publish_async(s, b, headers={"Nats-Msg-Id": i})
        await asyncio.sleep(max(0.0, 0.01 - (time.monotonic() - tick)))


async def _switches(
    settings: Settings, js: Any, views: ViewDb, samples: int, budget_s: float, rate: int
) -> tuple[list[float], float]:
    """Each switch's milliseconds to the roster, and after how many seconds the budget cut the
    samples short (0: it did not)."""
    scope, latencies = "grid:BT-XC-01-01", []
    began = time.monotonic()
    for n in range(samples):
        if time.monotonic() - began > budget_s:
            return latencies, time.monotonic() - began
        wartime = n % 2 == 0
        fields: dict[str, Any] = {"scope": scope, "reason": "latency probe"}
        if wartime:
            fields["level"] = "III"
        kind = "mode.switched_to_wartime" if wartime else "mode.switched_to_peacetime"
        msg_id = f"probe-{n}-{time.time_ns()}"
        body = orjson.dumps(
            {
                "id": msg_id,
                "kind": kind,
                "occurred_at": "2022-07-15T20:00:00+08:00",
                "actor": COMMAND_CENTER,  # a registered operator (Stores.fresh)
                **fields,
            }
        )
        want = "III" if wartime else None
        sent = time.monotonic()
        await js.publish(
            f"{settings.subject_prefix}.in.{shard_of(scope)}.{kind}", body, headers={"Nats-Msg-Id": msg_id}
        )

        def shown(want: str | None = want) -> bool:
            rows = views.query("SELECT level FROM roster_scope WHERE scope = ?", [scope])
            return bool(rows) and rows[0][0] == want

        try:
            seen = await asyncio.to_thread(wait_for, shown, BEHIND_S, "the switch in the roster", 0.001)
        except RuntimeError:
            raise RuntimeError(
                f"switch {n + 1} not in the roster within {BEHIND_S:g} s: the service fell that far "
                f"behind the {rate:,} msg/s background load"
            ) from None
        latencies.append((seen - sent) * 1000)
        await asyncio.sleep(0.1)
    return latencies, 0.0


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
