"""roster_at_ms: `python -m bench --roster-at-only [--samples N]` times the roster at a past moment
(`pingzhan roster --at T1 --known-at T2`, services/read/past.py) on the store the environment's
settings name (``--store``, PINGZHAN_DATA_DIR, POSTGRES_*), e.g. the full-scale year that
`pingzhan simulate --seed 1 --wait` builds, once its read models are current (`pingzhan rebuild`).

T1 is drawn uniformly over the roster events' field times, T2 over their recorded times, and one
pair in ten asks "as known now"; each is timed in this process from the question to the roster
document (snapshot, events folded after it, late events, the document of the whole district).
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from pingzhan.services.bootstrap import build
from pingzhan.services.read import past
from pingzhan.services.settings import Settings


def _between(rng: random.Random, lo: str, hi: str) -> datetime:
    a, b = datetime.fromisoformat(lo).timestamp(), datetime.fromisoformat(hi).timestamp()
    return datetime.fromtimestamp(rng.uniform(a, b), UTC)


def roster_at_ms(settings: Settings, samples: int = 100, seed: int = 1) -> dict[str, Any]:
    """p50 / p99 / max milliseconds of ``roster_at`` over ``samples`` random (T1, T2)."""
    app = build(settings)
    try:
        prefix = past.PastReader(app.views, app.ledger).prefix
        if prefix is None:
            raise RuntimeError("the store's roster has no events: build the year first")
        max_occurred, max_recorded, _, min_occurred, min_recorded = prefix
        rng = random.Random(seed)
        took, cpu, replayed, late = [], [], [], []
        past.roster_at(app.views, app.ledger, app.org, _between(rng, min_occurred, max_occurred))  # warm
        for i in range(samples):
            at = _between(rng, min_occurred, max_occurred)
            known_at = None if i % 10 == 0 else _between(rng, min_recorded, max_recorded)
            t, c = time.perf_counter(), time.process_time()
            _, how = past.roster_at(app.views, app.ledger, app.org, at, known_at, None, settings.deadlines)
            took.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            replayed.append(how.replayed)
            late.append(how.late)
        return {
            **_quantiles(took),
            "cpu": _quantiles(cpu),  # this process's own CPU time: what a machine to itself would take
            "samples": samples,
            "events": app.views.position(),
            "snapshot_every": settings.roster_snapshot_every,
            "replayed_max": max(replayed),
            "late_max": max(late),
        }
    finally:
        app.close()


def _quantiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {
        "p50": statistics.median(ms),
        "p99": ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))],
        "max": ms[-1],
    }


def run(store: str, samples: int) -> dict[str, Any]:
    """On the store of the environment's settings (``--store`` chooses SQLite or PostgreSQL)."""
    settings = Settings(store=store)  # type: ignore[arg-type]
    return {"store": store, "roster_at_ms": roster_at_ms(settings, samples)}


def table(r: dict[str, Any]) -> str:
    m = r["roster_at_ms"]
    return (
        f"roster_at_ms p50 / p99 / max  {m['p50']:.1f} / {m['p99']:.1f} / {m['max']:.1f}  (its own CPU time "
        f"{m['cpu']['p50']:.1f} / {m['cpu']['p99']:.1f} / {m['cpu']['max']:.1f}) "
        f"({m['samples']} samples on {r['store']}, {m['events']:,} events, a snapshot every "
        f"{m['snapshot_every']:,}; at most {m['replayed_max']:,} events folded after one, "
        f"{m['late_max']:,} late)"
    )
