"""pingzhan's benchmark: `python -m bench --store sqlite|postgres --messages N [--json] [--quick]
[--sync-always]`.

All phases run in one go on the same machine and the same generated traffic (a realistic mix of
message kinds across the district's 358 grids and 1,090 cadres, 1% invalid, 0.5% resent without
the NATS dedupe header so that pingzhan's own inbox has to catch them), made anew from its seed
for each phase and published as it is made (``traffic.py``). The ingest is measured against the
limits of its pipeline in the same run (``floor.py``), and with ``--sync-always`` against a
nats-server that fsyncs every write (``durability.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from typing import Any

from pingzhan.services.org.data import read_org_file

from . import aar, breakdown, commit, durability, floor, history, latency, ledger, past, phases, scale_out
from .env import Stores, machine
from .traffic import Traffic

TARGETS = {"sqlite": 20_000, "postgres": 12_000}


def run(store: str, messages: int, batch_size: int, quick: bool, sync_always: bool = False) -> dict[str, Any]:
    org = read_org_file()
    traffic = Traffic(org, seed=11, count=messages)  # made anew, streamed, for each phase
    background = traffic.after()  # one stream for both latency phases, each going on from the last
    stores = Stores(store)
    result: dict[str, Any] = {
        "store": store,
        "messages": messages,
        "batch_size": batch_size,
        "machine": machine(),
    }
    try:
        t = time.monotonic()
        result["raw_store_msgs_per_s"] = phases.raw_store(stores, traffic, batch_size)
        result["naive_messages"] = min(messages, 2000 if quick else 10_000)
        result["naive_msgs_per_s"] = asyncio.run(phases.naive(stores, traffic, result["naive_messages"]))
        result["floor_msgs_per_s"] = asyncio.run(floor.floor(stores, traffic, batch_size))
        result["at_least_once_msgs_per_s"] = asyncio.run(floor.at_least_once(stores, traffic, batch_size))
        backlog = asyncio.run(phases.ingest_backlog(stores, traffic, batch_size))
        settings, server = backlog.pop("settings"), backlog.pop("server")
        result.update(backlog)
        result.update(floor.ratios(result))
        result["resent_without_header"] = traffic.resend_count
        if sync_always:
            result["sync_always"] = durability.sync_always(stores, traffic, batch_size, backlog)
        result["ingest_live_msgs_per_s"] = asyncio.run(phases.ingest_live(stores, traffic, batch_size))
        # The bench's own peak so far (making and publishing the traffic); the rebuild that comes
        # next folds the read models in this process.
        result["bench_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["rebuild_events_per_s"], result["rebuild_events"] = phases.rebuild(settings)
        result.update(ledger.verify(settings))
        result.update(latency.operator_latencies(settings, background, quick))
        server.stop()
        if store == "postgres":
            result.update(scale_out.measure(stores, traffic, batch_size, (2, 4)))
        result["seconds"] = round(time.monotonic() - t, 1)
    finally:
        stores.close()
    result["targets"] = targets(result)
    return result


def targets(result: dict[str, Any]) -> dict[str, bool]:
    store = result["store"]
    ingest, raw, naive = (
        result["ingest_msgs_per_s"],
        result["raw_store_msgs_per_s"],
        result["naive_msgs_per_s"],
    )
    return {
        f"ingest >= {TARGETS[store]:,}": ingest >= TARGETS[store],
        "ingest >= 0.9 x floor": result["ingest_over_floor"] >= 0.9,
        "ingest >= 0.95 x at_least_once": result["ingest_over_at_least_once"] >= 0.95,
        "ingest >= 0.7 x raw_store": ingest >= 0.7 * raw,
        "ingest >= 3 x naive": ingest >= 3 * naive,
        "rebuild >= 100,000 events/s": result["rebuild_events_per_s"] >= 100_000,
        "verify >= 200,000 events/s": result["verify_events_per_s"] >= 200_000,
        "switch p99 <= 100 ms": result["switch_latency_ms"].get("p99", float("inf")) <= 100,
        "switch_to_sse p99 <= 100 ms": result["switch_to_sse_ms"].get("p99", float("inf")) <= 100,
        "peak RSS <= 300 MB": result["peak_rss_mb"] <= 300,
        "lost == 0 and duplicated == 0": result["lost"] == 0 and result["duplicated"] == 0,
    }


def table(r: dict[str, Any]) -> str:
    lat, sse = r["switch_latency_ms"], r["switch_to_sse_ms"]
    if "error" in sse:
        sse_rows = [("switch_to_sse_ms", f"not measured: {sse['error']}")]
    else:
        sse_rows = [
            (
                "switch_to_sse_ms p50 / p99 / max",
                f"{sse['p50']:.1f} / {sse['p99']:.1f} / {sse['max']:.1f}  ({sse['samples']} samples{latency.cut(sse)}, "
                f"{sse['background_msgs_per_s']:,.0f} msg/s background, at most {sse['behind_max']:,} "
                "messages behind)",
            ),
            (
                "  POST /api/switch answered p50 / p99",
                f"{sse['post_answer_ms']['p50']:.1f} / {sse['post_answer_ms']['p99']:.1f}",
            ),
        ]
    rows = [
        ("store / messages / batch", f"{r['store']} / {r['messages']:,} / {r['batch_size']}"),
        ("raw_store_msgs_per_s", f"{r['raw_store_msgs_per_s']:,.0f}"),
        ("naive_msgs_per_s", f"{r['naive_msgs_per_s']:,.0f}  ({r['naive_messages']:,} messages)"),
        (
            "floor_msgs_per_s",
            f"{r['floor_msgs_per_s']:,.0f}  (pull, orjson, inbox + event rows + position, ack)",
        ),
        (
            "at_least_once_msgs_per_s",
            f"{r['at_least_once_msgs_per_s']:,.0f}  (the pipeline without inbox, position)",
        ),
        ("ingest_msgs_per_s", f"{r['ingest_msgs_per_s']:,.0f}"),
        ("  ingest / floor", f"{r['ingest_over_floor']:.2f}"),
        ("  ingest / at_least_once", f"{r['ingest_over_at_least_once']:.2f}"),
        ("publish_msgs_per_s", f"{r['publish_msgs_per_s']:,.0f}"),
        ("ingest_live_msgs_per_s", f"{r['ingest_live_msgs_per_s']:,.0f}"),
        ("rebuild_events_per_s", f"{r['rebuild_events_per_s']:,.0f}  ({r['rebuild_events']:,} events)"),
        (
            "verify_events_per_s",
            f"{r['verify_events_per_s']:,.0f}  ({r['verify_events']:,} events, {r['verify_leaves']:,} leaves "
            f"with the inbox rows: {r['verify_leaves_per_s']:,.0f} leaves/s)",
        ),
        (
            "switch_latency_ms p50 / p99",
            f"not measured: {lat['error']}"
            if "error" in lat
            else f"{lat['p50']:.1f} / {lat['p99']:.1f}  ({lat['samples']} samples{latency.cut(lat)}, 5,000 msg/s load)",
        ),
        *sse_rows,
        ("peak_rss_mb (ingest)", f"{r['peak_rss_mb']:.0f}"),
        ("peak_rss_mb (bench, making and publishing)", f"{r['bench_peak_rss_mb']:.0f}"),
        ("lost / duplicated", f"{r['lost']} / {r['duplicated']}  ({r['resent_without_header']} resent ids)"),
    ]
    if "sync_always" in r:
        a = r["sync_always"]
        rows.append(
            (
                "sync_interval: always",
                f"ingest {a['ingest_msgs_per_s']:,.0f} ({a['ingest_vs_default']:.2f} x default), "
                f"publish {a['publish_msgs_per_s']:,.0f} ({a['publish_vs_default']:.2f} x default)",
            )
        )
    for n in (2, 4):
        if f"workers_{n}_msgs_per_s" in r:
            rows.append(
                (
                    f"workers_{n}_msgs_per_s",
                    f"{r[f'workers_{n}_msgs_per_s']:,.0f}  ({r[f'workers_{n}_cross_shard_waits']:,} cross-shard "
                    f"waits, {r[f'workers_{n}_cross_shard_waited_s']:.1f} s in all)",
                )
            )
    m = r["machine"]
    rows.append(
        (
            "machine",
            f"{m['cores']} cores, {m['cpu']}, Python {m['python']}, eventsourcing {m['eventsourcing']}",
        )
    )
    width = max(len(k) for k, _ in rows)
    out = [f"{k.ljust(width)}  {v}" for k, v in rows]
    out += [f"{'target ' + ('met    ' if ok else 'MISSED ') + name}" for name, ok in r["targets"].items()]
    if "breakdown" in sse:
        out += ["where a switch's time goes (ms, from the bench's and the service's stage marks):"]
        out += [breakdown.table(sse["breakdown"])]
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--store", choices=("sqlite", "postgres"), required=True)
    p.add_argument("--messages", type=int, default=200_000)
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--quick", action="store_true", help="fewer naive messages and latency samples")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--sync-always",
        action="store_true",
        help="also ingest on a nats-server with sync_interval: always (fsync after every write)",
    )
    p.add_argument(
        "--latency-only",
        action="store_true",
        help="only the operator's latencies (CLI switch, POST /api/switch to SSE) after the backlog ingest",
    )
    p.add_argument(
        "--workers-only",
        action="store_true",
        help="only 1, 2 and 4 ingest workers in stream order on the published backlog, with their waits",
    )
    p.add_argument("--roster-at-only", action="store_true", help=past.__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=100, help="with --roster-at-only: (T1, T2) pairs timed")
    p.add_argument(
        "--aar-only", action="store_true", help="only aar_seconds: `pingzhan aar` on the year's July flood"
    )
    p.add_argument(
        "--commit-only", action="store_true", help=commit.__doc__.splitlines()[0].split(": ", 1)[1]
    )
    p.add_argument("--history-only", action="store_true", help=history.__doc__.splitlines()[1].strip())
    p.add_argument(
        "--sizes",
        default=",".join(map(str, history.SIZES)),
        help="with --history-only: the history sizes, comma-separated",
    )
    p.add_argument(
        "--window", type=int, default=100_000, help="with --history-only: messages timed at each size"
    )
    args = p.parse_args()
    try:
        if args.commit_only:
            result = commit.run(args.store)
        elif args.history_only:
            sizes = tuple(int(n) for n in args.sizes.split(","))
            result = history.run(args.store, sizes, args.window, args.batch_size)
        elif args.roster_at_only:
            result = past.run(args.store, args.samples)
        elif args.aar_only:
            result = aar.run(args.store, args.quick)
        elif args.latency_only:
            result = latency.run(args.store, args.messages, args.batch_size, args.quick)
        elif args.workers_only:
            result = scale_out.run(args.store, args.messages, args.batch_size)
        else:
            result = run(args.store, args.messages, args.batch_size, args.quick, args.sync_always)
    except Exception as e:
        print(f"bench: error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    show = latency.table if args.latency_only else scale_out.table if args.workers_only else table
    show = past.table if args.roster_at_only else aar.table if args.aar_only else show
    show = history.table if args.history_only else commit.table if args.commit_only else show
    print(json.dumps(result, indent=2) if args.json else show(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
