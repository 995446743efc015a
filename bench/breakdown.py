"""Where a switch's time goes: its stages in the service (``services/trace.py``) between the bench's
own clock readings (sent, answered, seen on the SSE stream), as intervals per sample.

The service and the bench read the same clock (``time.monotonic``: CLOCK_MONOTONIC, one for every
process on the machine), so the stages of one switch line up across the two processes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson

# In the order a switch passes them. Service stages: the API (received, subscribed to the outcome,
# published onto the stream and acknowledged), ingest (batch fetched, its decision started and
# done, its commit started (after the batch before it had committed) and done, settled:
# acknowledged, outcome published, projector woken), the projector's step (started, notifications
# read, each read model folded, flushed in one transaction, listeners told) and the SSE response.
STAGES = (
    "sent",
    "api_received",
    "subscribed",
    "published",
    "fetched",
    "decide_start",
    "decided",
    "commit_start",
    "committed",
    "settled",
    "step_start",
    "read",
    "fold_roster",
    "fold_audit",
    "fold_assessment",
    "flushed",
    "told",
    "sse_sent",
    "seen",
)


def read_trace(path: Path) -> tuple[dict[str, dict[str, float]], list[tuple[float, float]]]:
    """Each operator action's first time at each stage, and the full collections (end, took)."""
    stages: dict[str, dict[str, float]] = {}
    pauses: list[tuple[float, float]] = []
    if not path.exists():
        return stages, pauses
    for line in path.read_bytes().splitlines():
        mark = orjson.loads(line)
        if mark["id"] == "gc":
            pauses.append((mark["t"], mark["took"]))
        else:
            stages.setdefault(mark["id"], {}).setdefault(mark["stage"], mark["t"])
    return stages, pauses


def breakdown(path: Path, probes: dict[str, dict[str, float]]) -> dict[str, Any]:
    """``probes``: message id -> the bench's readings (sent, answered, seen). Returns, per interval
    between consecutive stages, its p50 and p99 over the samples and its mean over the slowest 5%
    of them; and the full garbage collections during the probe."""
    traced, pauses = read_trace(path)
    intervals: dict[str, list[float]] = {}
    totals: list[tuple[float, dict[str, float]]] = []
    for message_id, own in probes.items():
        times = {**traced.get(message_id, {}), **own}
        present = [s for s in STAGES if s in times]
        one = {f"{a}->{b}": (times[b] - times[a]) * 1000 for a, b in zip(present, present[1:], strict=False)}
        for name, ms in one.items():
            intervals.setdefault(name, []).append(ms)
        totals.append(((own["seen"] - own["sent"]) * 1000, one))
    totals.sort(key=lambda t: t[0])
    slowest = totals[-max(1, math.ceil(len(totals) * 0.05)) :]
    start = min((p["sent"] for p in probes.values()), default=0.0)
    during = [took * 1000 for end, took in pauses if end >= start]
    return {
        "intervals_ms": {
            name: {
                "p50": _rank(values, 0.5),
                "p99": _rank(values, 0.99),
                "slowest_5pct_mean": sum(s[1].get(name, 0.0) for s in slowest) / len(slowest),
            }
            for name, values in _in_order(intervals).items()
        },
        "full_gc": {"count": len(during), "max_ms": max(during, default=0.0), "total_ms": sum(during)},
    }


def _in_order(intervals: dict[str, list[float]]) -> dict[str, list[float]]:
    order = {s: k for k, s in enumerate(STAGES)}
    return dict(sorted(intervals.items(), key=lambda kv: order[kv[0].split("->")[0]]))


def _rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def table(b: dict[str, Any]) -> str:
    rows = [f"  {'stage -> stage':<28} {'p50':>8} {'p99':>8} {'slowest 5%':>11}"]
    for name, v in b["intervals_ms"].items():
        rows.append(f"  {name:<28} {v['p50']:8.1f} {v['p99']:8.1f} {v['slowest_5pct_mean']:11.1f}")
    gc = b["full_gc"]
    rows.append(
        f"  full GC during the probe: {gc['count']}, max {gc['max_ms']:.0f} ms, total {gc['total_ms']:.0f} ms"
    )
    return "\n".join(rows)
