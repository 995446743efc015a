"""`python -m bench --store S --history-only [--sizes 100000,1000000,5000000] [--window N]
[--plot FILE]`: the cost with history. One store grows through the sizes (the ingest's own
decisions and commits, in the bench's process: ``_grow``); at each, the next ``window`` messages
are ingested as a backlog from a real stream by a fresh `serve --role ingest` process (its rate,
its own CPU per message and its peak RSS: a worker started on a long log, as after a restart),
then the read models are rebuilt, the ledger verified and the roster read (p99 of
`queries.roster`, what `GET /api/roster` and `pingzhan roster --json` answer with). Targets
(issue 13): the rate within 10% of the smallest size's, RSS ≤ 300 MB, rebuild and verify
≥ 200,000 events/s, roster p99 ≤ 50 ms, at every size."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
from nats.js.errors import NotFoundError
from pingzhan.services.bootstrap import build
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.org.data import read_org_file
from pingzhan.services.read import queries

from . import ledger, phases
from .env import Stores, Worker, machine
from .traffic import Item, Traffic, chunks, publish

SIZES = (100_000, 1_000_000, 5_000_000)
ROSTER_READS = 100


def run(store: str, sizes: tuple[int, ...], window: int, batch_size: int) -> dict[str, Any]:
    sizes = tuple(sorted(sizes))
    if window > sizes[0]:
        raise ValueError(f"the window ({window:,}) is larger than the smallest size ({sizes[0]:,})")
    org = read_org_file()
    traffic = Traffic(org, seed=11, count=sizes[-1])
    stores = Stores(store)
    result: dict[str, Any] = {"store": store, "window": window, "machine": machine(), "sizes": []}
    started = time.monotonic()
    try:
        settings = stores.fresh("history", batch_size=batch_size)
        server = stores.nats("history").start()
        settings = settings.model_copy(update={"nats_url": server.url})
        items = traffic.items()  # one workload: the history grows in parts, each window follows it
        done = last_seq = 0
        for size in sizes:
            grown_at = time.monotonic()
            last_seq = _grow(settings, itertools.islice(items, size - window - done), last_seq)
            row: dict[str, Any] = {"messages": size, "grow_s": round(time.monotonic() - grown_at, 1)}
            row["python_loop_ms"] = python_loop_ms()
            timed, last_seq = asyncio.run(_ingest(settings, itertools.islice(items, window), last_seq))
            row.update(timed, position=last_seq)  # the stored position the window's worker reached
            row["ingest_cpu_per_loop"] = round(row["ingest_cpu_us_per_msg"] / row["python_loop_ms"], 2)
            done = size
            row["rebuild_events_per_s"], row["events"] = phases.rebuild(settings)
            row["verify_events_per_s"] = ledger.verify(settings)["verify_events_per_s"]
            row["roster_ms"] = _roster_reads(settings)
            result["sizes"].append(row)
        server.stop()
    finally:
        stores.close()
    result["seconds"] = round(time.monotonic() - started, 1)
    result["targets"] = targets(result["sizes"])
    return result


def _grow(settings: Any, items: Iterator[Item], after_seq: int) -> int:
    """Store ``items`` as history, in this process: the ingest's own parsing, decisions and
    commits (``Ingest.process``, batch by batch: events, inbox rows, snapshots and the position),
    numbered on from ``after_seq`` as the stream would have numbered them. Only the NATS hop is
    left out, which made growing a store to 5 million messages take most of ``make bench``'s hour
    (a worker and the publisher sharing the two cores: about 3,500 messages/s); what is timed at
    each size is a real worker on a real stream (``_ingest``). Returns the last number."""
    app = build(settings)
    try:
        seq = after_seq
        for part in chunks(items, settings.batch_size):
            now = time.time()
            app.ingest.process(
                [Inbound(seq + k, subject, body, mid, now) for k, (mid, subject, body) in enumerate(part, 1)]
            )
            seq += len(part)
    finally:
        app.close()
    return seq


async def _ingest(settings: Any, items: Iterator[Item], after_seq: int) -> tuple[dict[str, Any], int]:
    """Publish ``items`` on a stream numbered on from the history (``after_seq``), then ingest
    them as a backlog with a fresh worker, from ready to recorded: its rate, its CPU per message
    and its peak RSS. Returns those and the last stream number."""
    nc = await nats.connect(settings.nats_url)
    with contextlib.suppress(NotFoundError):
        await nc.jetstream().delete_stream(settings.stream)
    await ensure_stream(nc.jetstream(), settings, first_seq=after_seq + 1)
    await nc.close()
    sent = await publish(settings.nats_url, settings, items)
    worker = Worker(settings)
    try:
        position = phases.position_of(settings, settings.consumer_name)
        ready = worker.wait_ready(120)
        cpu_ready = _cpu_s(worker)
        finished = phases.wait_for(lambda: position() >= sent.last_seq, 3600, "the ingest", 0.01)
        return {
            "ingest_msgs_per_s": round(sent.count / (finished - ready)),
            "ingest_cpu_us_per_msg": round((_cpu_s(worker) - cpu_ready) / sent.count * 1e6, 1),
            "peak_rss_mb": round(worker.peak_rss_mb()),
        }, sent.last_seq
    finally:
        worker.stop()


def python_loop_ms() -> float:
    """The machine's speed just before a timed window: the best of five runs of a plain Python
    loop of a million additions. This machine's speed moved by up to 1.7x within a session (a
    virtual machine's host), so a size's CPU per message is compared with the others' only
    through this (``ingest_cpu_per_loop``)."""
    best = float("inf")
    for _ in range(5):
        started, total = time.perf_counter(), 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def _cpu_s(worker: Worker) -> float:
    fields = Path(f"/proc/{worker.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _roster_reads(settings: Any) -> dict[str, float]:
    """p50 and p99 of reading the whole district's roster, as the API does."""
    app = build(settings)
    try:
        took = []
        for _ in range(ROSTER_READS):
            t = time.perf_counter()
            queries.roster(app.views, app.org, None, datetime.now(UTC), settings.deadlines)
            took.append((time.perf_counter() - t) * 1000)
    finally:
        app.close()
    took.sort()
    rank = lambda q: took[max(0, math.ceil(q * len(took)) - 1)]  # noqa: E731
    return {"p50": round(rank(0.5), 1), "p99": round(rank(0.99), 1)}


def targets(rows: list[dict[str, Any]]) -> dict[str, bool]:
    first = rows[0]["ingest_msgs_per_s"]
    return {
        "ingest within 10% of the smallest size": all(r["ingest_msgs_per_s"] >= 0.9 * first for r in rows),
        "peak RSS <= 300 MB": all(r["peak_rss_mb"] <= 300 for r in rows),
        "rebuild >= 200,000 events/s": all(r["rebuild_events_per_s"] >= 200_000 for r in rows),
        "verify >= 200,000 events/s": all(r["verify_events_per_s"] >= 200_000 for r in rows),
        "roster p99 <= 50 ms": all(r["roster_ms"]["p99"] <= 50 for r in rows),
    }


def table(r: dict[str, Any]) -> str:
    out = [
        f"store {r['store']}: the last {r['window']:,} messages of each size ingested by a fresh worker",
        f"{'messages':>10} {'ingest/s':>9} {'µs/msg':>7} {'RSS MB':>7} {'rebuild ev/s':>13} "
        f"{'verify ev/s':>12} {'roster p50/p99 ms':>18} {'loop ms':>8} {'µs/msg÷loop':>12} {'grown in s':>10}",
    ]
    for s in r["sizes"]:
        out.append(
            f"{s['messages']:>10,} {s['ingest_msgs_per_s']:>9,} {s['ingest_cpu_us_per_msg']:>7} "
            f"{s['peak_rss_mb']:>7} {s['rebuild_events_per_s']:>13,.0f} {s['verify_events_per_s']:>12,} "
            f"{s['roster_ms']['p50']:>8} / {s['roster_ms']['p99']:<8} {s.get('python_loop_ms', ''):>8} "
            f"{s.get('ingest_cpu_per_loop', ''):>12} {s.get('grow_s', ''):>10}"
        )
    out += [f"  {'met' if ok else 'MISSED'}: {name}" for name, ok in r["targets"].items()]
    m = r["machine"]
    out.append(f"{r['seconds']} s; machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}")
    return "\n".join(out)


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Ingest rate and peak RSS against history size, one line per store (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    fig, (rate, rss) = pyplot.subplots(1, 2, figsize=(10, 4))
    for r in results:
        x = [s["messages"] for s in r["sizes"]]
        rate.plot(x, [s["ingest_msgs_per_s"] for s in r["sizes"]], marker="o", label=r["store"])
        rss.plot(x, [s["peak_rss_mb"] for s in r["sizes"]], marker="o", label=r["store"])
    rate.set(xscale="log", xlabel="messages of history", ylabel="ingest, messages/s", title="Ingest rate")
    rss.set(xscale="log", xlabel="messages of history", ylabel="MB", title="Ingest process peak RSS")
    rss.axhline(300, color="grey", linestyle="--", linewidth=1, label="target ≤ 300 MB")
    for ax in (rate, rss):
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    pyplot.close(fig)


def main(argv: list[str]) -> int:
    """`python -m bench.history OUT.png RESULT.json ...`: the plot of ``--history-only --json`` runs."""
    import json
    import sys

    if len(argv) < 2:
        print("usage: python -m bench.history OUT.png RESULT.json [RESULT.json ...]", file=sys.stderr)
        return 2
    plot([json.loads(Path(f).read_text()) for f in argv[1:]], Path(argv[0]))
    print(f"wrote {argv[0]}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
