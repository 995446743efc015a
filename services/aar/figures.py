"""Small pure helpers of the after-action figures: times, spreads of durations, covered time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from statistics import median, quantiles
from typing import Any


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def hours(start: str | datetime, end: str | datetime) -> float:
    a = at(start) if isinstance(start, str) else start
    b = at(end) if isinstance(end, str) else end
    return (b - a).total_seconds() / 3600


def minutes(start: str | datetime, end: str | datetime) -> float:
    return hours(start, end) * 60


def p90(values: list[float]) -> float:
    """The 90th percentile, interpolated linearly between the closest ranks (NumPy's default)."""
    if len(values) == 1:
        return values[0]
    return quantiles(values, n=10, method="inclusive")[-1]


def spread(values: Iterable[float]) -> dict[str, Any]:
    """Count, median, p90 and maximum of durations (None when there are none), rounded to 0.01."""
    v = sorted(values)
    if not v:
        return {"count": 0, "median": None, "p90": None, "max": None}
    return {"count": len(v), "median": round(median(v), 2), "p90": round(p90(v), 2), "max": round(v[-1], 2)}


def covered(intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    """Hours of [start, end) covered by the union of ``intervals``."""
    total, reach = 0.0, start
    for a, b in sorted(intervals):
        a, b = max(a, reach), min(b, end)
        if b > a:
            total += (b - a).total_seconds()
            reach = b
    return total / 3600


def gaps(
    intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) that no interval covers, in order."""
    found, reach = [], start
    for a, b in sorted(intervals):
        if a > reach and reach < end:
            found.append((reach, min(a, end)))
        reach = max(reach, b)
    if reach < end:
        found.append((reach, end))
    return found
